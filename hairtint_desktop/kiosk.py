"""The Qt side of the kiosk: fullscreen, the PIN prompt, the staff pages behind it, and the idle timer. What a kiosk allows, the
PIN check and its lockout are the :class:`~core.tryon.state.KioskPolicy` of the window's try-on state;
the idle reset is that state's ``reset()`` (what it puts back and what it keeps:
``core.tryon.state.RESET_FIELDS``/``KEPT_FIELDS``; the window, its widgets and the worker drop the last
picture when it announces the reset). Without the kiosk policy (the desktop app) the controller only
opens the settings: no timer, no PIN."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from core.catalog.config import Settings
from core.tryon.state import KioskPolicy
from hairtint_desktop.styles import STAFF_STYLE, TOUCH_TARGET
from hairtint_desktop.widgets.dialogs import list_cameras_safe
from hairtint_desktop.widgets.staff import PinPad, StaffPages

log = logging.getLogger(__name__)

INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
}


class PinDialog(QDialog):
    """The staff PIN prompt: the on-screen PIN pad, large enough for fingers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Staff PIN")
        self.setObjectName("pinDialog")
        self.setStyleSheet(STAFF_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        self.message = QLabel("Enter the staff PIN to open the settings", self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.pad = PinPad(self)
        self.pad.submitted.connect(self.accept)
        layout.addWidget(self.pad)
        cancel = QPushButton("Cancel", self)
        cancel.setMinimumHeight(TOUCH_TARGET)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)
        self.pad.setFocus()

    def pin(self) -> str:
        return self.pad.pin


def locked_message(settings_file) -> str:
    """What the kiosk says when staff settings (or quitting) are asked for and no PIN is configured."""
    return (f'Staff settings and quitting are locked: no staff PIN is set. To set one, add "kiosk": {{"pin": "1234"}} '
            f"(key kiosk.pin) to {settings_file} and restart HairTint. Until then HairTint cannot be closed from "
            "the screen; its service stops it (systemctl --user stop hairtint-kiosk).")


class KioskController(QObject):
    idle_reset = Signal()

    def __init__(self, window, policy: KioskPolicy):
        super().__init__(window)
        self.window = window
        self.policy = policy
        self.pin_dialog: PinDialog | None = None
        self.staff_pages: StaffPages | None = None  # open behind the PIN
        self.cameras = list_cameras_safe  # what the camera page offers (tests give their own)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_idle)
        self.apply_settings(window.settings)
        app = QApplication.instance()
        if policy.on and app is not None:
            app.installEventFilter(self)
        if policy.on:
            self.timer.start()

    @property
    def settings_locked(self) -> bool:
        return self.policy.settings_locked

    def apply_settings(self, settings: Settings) -> None:
        self.policy.apply(settings.kiosk)
        self.timer.setInterval(max(1, int(self.policy.idle_reset_s * 1000)))
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
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.timer.start()  # restart the countdown
        return False

    def _on_idle(self) -> None:
        log.info("kiosk idle for %.0f s: resetting for the next customer", self.timer.interval() / 1000)
        if self.pin_dialog is not None:
            self.pin_dialog.reject()
        if self.staff_pages is not None:
            self.staff_pages.reject()  # unsaved: staff walked away
        self.policy.lock()
        self.window.state.reset()
        self.idle_reset.emit()

    # ---- settings behind the PIN -------------------------------------------------------------------
    def request_settings(self) -> bool:
        """Open the settings: in a kiosk, the PIN prompt first, then the staff pages; False when the settings
        are locked (no PIN configured -- nor can the kiosk be quit from the screen then -- or too many wrong
        attempts)."""
        if not self.policy.staff_only:
            self.window.show_settings_dialog()
            return True
        if self.policy.settings_locked:
            self.window.banner.show_message(locked_message(self.window.session.settings_file), "info")
            return False
        if self.policy.lockout_left_s() > 0:
            wait = int(self.policy.lockout_left_s()) + 1
            self.window.banner.show_message(f"Too many wrong PINs — try again in {wait} s.", "warning")
            return False
        dialog = PinDialog(self.window)
        dialog.accepted.connect(lambda: self.check_pin(dialog.pin()))
        dialog.finished.connect(lambda *_: setattr(self, "pin_dialog", None))
        self.pin_dialog = dialog
        dialog.open()
        return True

    def check_pin(self, entered: str) -> bool:
        if self.policy.settings_locked or self.policy.lockout_left_s() > 0:
            return False
        if self.policy.check_pin(entered):
            self.open_staff_pages()
            return True
        self.window.banner.show_message("Wrong PIN.", "warning")
        return False

    def open_staff_pages(self) -> StaffPages:
        """The staff pages over the whole window (after the right PIN): Save applies and writes what
        changed through the window; leaving them locks the settings and the quit again."""
        window = self.window
        pages = StaffPages(window, window.settings, settings_file=window.session.settings_file,
                           assignment=window.fleet.assignment, cameras=self.cameras)
        pages.saved.connect(window.apply_settings)
        pages.quit_requested.connect(window.quit_app)
        pages.closed.connect(self._staff_pages_closed)
        self.staff_pages = pages
        pages.show()
        pages.raise_()
        return pages

    def _staff_pages_closed(self) -> None:
        self.staff_pages = None
        self.policy.lock()
