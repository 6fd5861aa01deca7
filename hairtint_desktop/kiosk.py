"""Kiosk mode: fullscreen, large touch targets, no file dialogs, settings behind the PIN from the
configuration (no PIN configured: settings stay locked), and an idle reset for the next customer.

The idle reset puts back the default shade, intensity, shine and tips, turns off split and compare,
and clears the view: the widgets drop every picture buffer and the worker forgets its held frame and
temporal state. Nothing is written to disk (in kiosk mode the snapshot button and file actions are gone)."""

from __future__ import annotations

import hmac
import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from core.catalog.config import Settings

log = logging.getLogger(__name__)

INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
}
MAX_ATTEMPTS = 5
LOCKOUT_S = 60.0


class PinDialog(QDialog):
    """A PIN entry with an on-screen keypad large enough for fingers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Staff PIN")
        layout = QVBoxLayout(self)
        self.message = QLabel("Enter the staff PIN to open the settings", self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        self.edit.setFont(font)
        self.edit.setMinimumHeight(56)
        self.edit.returnPressed.connect(self.accept)
        layout.addWidget(self.edit)
        grid = QGridLayout()
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
        for i, key in enumerate(keys):
            button = QPushButton(key, self)
            button.setMinimumSize(84, 72)
            button.setFont(font)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if key == "⌫":
                button.clicked.connect(self.edit.backspace)
            elif key == "OK":
                button.clicked.connect(self.accept)
            else:
                button.clicked.connect(lambda _=False, k=key: self.edit.insert(k))
            grid.addWidget(button, i // 3, i % 3)
        layout.addLayout(grid)
        row = QHBoxLayout()
        cancel = QPushButton("Cancel", self)
        cancel.setMinimumHeight(56)
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        layout.addLayout(row)

    def pin(self) -> str:
        return self.edit.text()


def locked_message(settings_file) -> str:
    return (f'Settings are locked in kiosk mode: no staff PIN is set. To set one, add "kiosk": {{"pin": "1234"}} '
            f"(key kiosk.pin) to {settings_file} and restart HairTint.")


class KioskController(QObject):
    idle_reset = Signal()

    def __init__(self, window, clock=time.monotonic):
        super().__init__(window)
        self.window = window
        self._clock = clock
        self._pin: str | None = None
        self._failures = 0
        self._locked_until = 0.0
        self.pin_dialog: PinDialog | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_idle)
        self.apply_settings(window.settings)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    @property
    def settings_locked(self) -> bool:
        return self._pin is None

    def apply_settings(self, settings: Settings) -> None:
        self._pin = settings.kiosk.pin or None
        self.timer.setInterval(max(1, int(settings.kiosk.idle_reset_s * 1000)))
        if self.timer.isActive():
            self.timer.start()

    def activate(self) -> None:
        """Go fullscreen (the app calls this; tests may leave the window small). The window is also
        given the screen's geometry, so it fills the screen where no window manager does it."""
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.window.setGeometry(screen.geometry())
        self.window.showFullScreen()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # ---- idle ------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS:
            self.timer.start()  # restart the countdown
        return False

    def _on_idle(self) -> None:
        log.info("kiosk idle for %.0f s: resetting for the next customer", self.timer.interval() / 1000)
        if self.pin_dialog is not None:
            self.pin_dialog.reject()
        self.window.reset_for_next_customer()
        self.idle_reset.emit()

    # ---- settings behind the PIN -------------------------------------------------------------------
    def request_settings(self) -> bool:
        """Open the PIN prompt; False when the settings are locked (no PIN configured, or too many
        wrong attempts)."""
        if self._pin is None:
            self.window.banner.show_message(locked_message(self.window.session.settings_file), "info",
                                            actions=[("Quit HairTint", self.window.quit_app)])
            return False
        if self._clock() < self._locked_until:
            wait = int(self._locked_until - self._clock()) + 1
            self.window.banner.show_message(f"Too many wrong PINs — try again in {wait} s.", "warning")
            return False
        dialog = PinDialog(self.window)
        dialog.accepted.connect(lambda: self.check_pin(dialog.pin()))
        dialog.finished.connect(lambda *_: setattr(self, "pin_dialog", None))
        self.pin_dialog = dialog
        dialog.open()
        return True

    def check_pin(self, entered: str) -> bool:
        if self._pin is None or self._clock() < self._locked_until:
            return False
        if hmac.compare_digest(entered.encode(), self._pin.encode()):
            self._failures = 0
            self.window.show_settings_dialog()
            return True
        self._failures += 1
        if self._failures >= MAX_ATTEMPTS:
            self._failures = 0
            self._locked_until = self._clock() + LOCKOUT_S
        self.window.banner.show_message("Wrong PIN.", "warning")
        return False
