"""The staff PIN prompt: a full-window page over the kiosk with what the PIN is asked for, the PIN pad
with big keys, a line that says what went wrong (a wrong PIN, too many of them) and Cancel. It only
asks; the kiosk's controller checks the PIN (``submitted``) and answers with :meth:`wrong` or
:meth:`locked_out`, or closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from hairtint_desktop.widgets.staff.parts import Cover, big_button, label
from hairtint_desktop.widgets.staff.pin_pad import PinPad

KEY_STYLE = "#pinPad QPushButton { font-size: 40px; font-weight: bold; min-height: 72px; }"
PAD_WIDTH, PAD_HEIGHT = 640, 860  # the pad grows with the window up to this, so the keys stay keys


class PinPrompt(Cover):
    """Covers the window until the right PIN, Cancel, or the idle reset (:meth:`reject`)."""

    submitted = Signal(str)  # the PIN typed, on OK

    def __init__(self, parent: QWidget, message: str):
        super().__init__(parent, "pinPrompt")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.setSpacing(20)
        header = QHBoxLayout()
        self.cancel_button = big_button("Cancel", self)
        self.cancel_button.clicked.connect(self.reject)
        header.addWidget(label("Staff PIN", self, "staffTitle"), 1)
        header.addWidget(self.cancel_button)
        outer.addLayout(header)
        outer.addStretch(1)  # what the pad leaves, above and below
        self.message = label(message, self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 30px;")
        outer.addWidget(self.message)
        self.problem = label("", self, "staffNote")  # a wrong PIN, the lockout
        self.problem.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problem.setStyleSheet("color: #ffb8ae; font-weight: bold;")
        self.problem.hide()
        outer.addWidget(self.problem)
        self.pad = PinPad(self)
        self.pad.setObjectName("pinPad")
        self.pad.setStyleSheet(KEY_STYLE)
        self.pad.setMaximumSize(PAD_WIDTH, PAD_HEIGHT)
        for widget in (self.message, self.problem):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        for key in self.pad.keys.values():
            key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.pad.submitted.connect(self.submitted)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.pad, 4)
        row.addStretch(1)
        outer.addLayout(row, 8)
        outer.addStretch(1)
        self.unlock_timer = QTimer(self)  # the keys come back when the lockout ends
        self.unlock_timer.setSingleShot(True)
        self.unlock_timer.timeout.connect(self.try_again)
        self.pad.setFocus()

    def pin(self) -> str:
        return self.pad.pin

    def accept(self) -> None:
        """As OK on the pad: hand the PIN typed on."""
        self.pad.press("OK")

    def reject(self) -> None:
        """Cancel, or the idle reset: leave without the settings."""
        self.close_cover()

    def say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))

    def wrong(self, text: str = "Wrong PIN. Try again.") -> None:
        self.pad.clear()
        self.say(text)

    def locked_out(self, seconds: float) -> None:
        """Too many wrong PINs: the pad stays off for ``seconds`` and says so."""
        self.pad.clear()
        self.pad.setEnabled(False)
        self.say(f"Too many wrong PINs. Try again in {int(seconds) + 1} s.")
        self.unlock_timer.start(max(1, int(seconds * 1000)))

    def try_again(self) -> None:
        self.pad.setEnabled(True)
        self.say("")


__all__ = ["PinPrompt"]
