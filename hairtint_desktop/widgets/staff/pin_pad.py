"""The on-screen PIN pad: the one "keyboard" of the kiosk. Digits show as dots; OK hands the PIN on.
A keyboard, where there is one, types into it too (Backspace and Enter included)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hairtint_desktop.styles import TOUCH_TARGET

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK")
MAX_LENGTH = 32


class PinPad(QWidget):
    """Twelve large keys under a row of dots. ``submitted(pin)`` on OK (or Enter)."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._digits = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.dots = QLabel(self)
        self.dots.setObjectName("pinDots")
        self.dots.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dots.setMinimumHeight(TOUCH_TARGET)
        layout.addWidget(self.dots)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(KEYS):
            button = QPushButton(key, self)
            button.setMinimumSize(TOUCH_TARGET + 32, TOUCH_TARGET + 8)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if key == "OK":
                button.setObjectName("primary")
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, i // 3, i % 3)
            self.keys[key] = button
        layout.addLayout(grid)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._show()

    @property
    def pin(self) -> str:
        return self._digits

    def press(self, key: str) -> None:
        """What a tap on ``key`` does: a digit is added, ⌫ takes the last one back, OK submits."""
        if key == "OK":
            self.submitted.emit(self._digits)
        elif key == "⌫":
            self._digits = self._digits[:-1]
        elif len(key) == 1 and key.isprintable() and not key.isspace() and len(self._digits) < MAX_LENGTH:
            self._digits += key
        self._show()

    def clear(self) -> None:
        self._digits = ""
        self._show()

    def _show(self) -> None:
        self.dots.setText(" ".join("●" * len(self._digits)) or " ")

    def keyPressEvent(self, event) -> None:
        key, text = event.key(), event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("OK")
        elif key == Qt.Key.Key_Backspace:
            self.press("⌫")
        elif len(text) == 1 and text.isprintable() and not text.isspace():  # a configured PIN may hold letters
            self.press(text)
        else:
            super().keyPressEvent(event)


__all__ = ["PinPad"]
