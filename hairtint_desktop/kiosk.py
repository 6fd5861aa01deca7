"""The Qt side of the kiosk: fullscreen, the PIN prompt (a full-window page), the staff pages behind it
(the start panel's camera button opens their camera page, behind the PIN too), and the idle timer. What
a kiosk allows, the PIN check and its lockout are the :class:`~core.tryon.state.KioskPolicy` of the window's try-on state;
the idle reset is that state's ``reset()`` (what it puts back and what it keeps:
``core.tryon.state.RESET_FIELDS``/``KEPT_FIELDS``; the window, its widgets and the worker drop the last
picture when it announces the reset). Without the kiosk policy (the desktop app) the controller only
opens the settings: no timer, no PIN."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from core.catalog.config import Settings, changed_keys
from core.io.folders import candidate_folders
from core.io.source_spec import camera_spec
from core.tryon.state import KioskPolicy
from hairtint_desktop.widgets.dialogs import list_cameras_safe
from hairtint_desktop.widgets.staff import PinPrompt, StaffPages

log = logging.getLogger(__name__)

INPUT_EVENTS = {
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseMove,
    QEvent.Type.KeyPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
}


SETTINGS_ASK = "Enter the staff PIN to open the staff settings."
CAMERA_ASK = "Choosing the camera is for staff: enter the staff PIN to open the camera page."
CAMERA_LOCKED = "Choosing the camera is for staff, behind the staff PIN"


def locked_message(settings_file, what: str = "Staff settings and quitting are locked") -> str:
    """What the kiosk says when staff settings (or quitting, or choosing the camera) are asked for and no
    PIN is configured."""
    return (f'{what}: no staff PIN is set. To set one, add "kiosk": {{"pin": "1234"}} '
            f"(key kiosk.pin) to {settings_file} and restart HairTint. Until then HairTint cannot be closed from "
            "the screen; its service stops it (systemctl --user stop hairtint-kiosk).")


class KioskController(QObject):
    idle_reset = Signal()

    def __init__(self, window, policy: KioskPolicy):
        super().__init__(window)
        self.window = window
        self.policy = policy
        self.pin_prompt: PinPrompt | None = None
        self._after_pin: Callable[[], object] = self.open_staff_pages  # what the right PIN opens
        self.staff_pages: StaffPages | None = None  # open behind the PIN
        self.cameras = list_cameras_safe  # what the camera page offers (tests give their own)
        self.folders = candidate_folders  # what the look cards' folder page offers (tests give their own)
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
        if self.pin_prompt is not None:
            self.pin_prompt.reject()
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
        return self._ask_pin(SETTINGS_ASK, self.open_staff_pages, locked_message(self.window.session.settings_file))

    def choose_camera(self) -> bool:
        """The start panel's "Choose a camera (staff)…" in a kiosk: choosing the camera is a staff act, so the PIN
        prompt, then the staff pages' camera page, whose Save opens the camera chosen (even the same one,
        after its cable was seen to). Without a PIN the banner says how to set one; False then."""
        return self._ask_pin(CAMERA_ASK, lambda: self.open_staff_pages(start="camera", retry_camera=True),
                             locked_message(self.window.session.settings_file, CAMERA_LOCKED))

    def _ask_pin(self, ask: str, then: Callable[[], object], locked: str) -> bool:
        if self.policy.settings_locked:
            self.window.banner.show_message(locked, "info")
            return False
        if self.policy.lockout_left_s() > 0:
            wait = int(self.policy.lockout_left_s()) + 1
            self.window.banner.show_message(f"Too many wrong PINs — try again in {wait} s.", "warning")
            return False
        if self.pin_prompt is not None:
            self.pin_prompt.reject()
        prompt = PinPrompt(self.window, ask)
        prompt.submitted.connect(self.check_pin)
        prompt.closed.connect(lambda: self._prompt_closed(prompt))
        self.pin_prompt, self._after_pin = prompt, then
        prompt.show()
        prompt.raise_()
        return True

    def _prompt_closed(self, prompt: PinPrompt) -> None:
        if self.pin_prompt is prompt:  # cancelled, reset, or the right PIN: what it asked for is done with
            self.pin_prompt, self._after_pin = None, self.open_staff_pages

    def check_pin(self, entered: str) -> bool:
        """The PIN typed: the right one closes the prompt and opens what it was asked for (the staff pages
        when no prompt asked); a wrong one says so on the prompt (the banner without one)."""
        prompt = self.pin_prompt
        if self.policy.settings_locked:
            return False
        if self.policy.lockout_left_s() > 0:
            if prompt is not None:
                prompt.locked_out(self.policy.lockout_left_s())
            return False
        if self.policy.check_pin(entered):
            then, self._after_pin = self._after_pin, self.open_staff_pages
            if prompt is not None:
                prompt.close_cover()
            then()
            return True
        if prompt is None:
            self.window.banner.show_message("Wrong PIN.", "warning")
        elif self.policy.lockout_left_s() > 0:
            prompt.locked_out(self.policy.lockout_left_s())
        else:
            prompt.wrong()
        return False

    def open_staff_pages(self, start: str | None = None, retry_camera: bool = False) -> StaffPages:
        """The staff pages over the whole window (after the right PIN), on their home page or ``start``:
        Save applies and writes what changed through the window (with ``retry_camera``, it also opens the
        camera chosen); leaving them locks the settings and the quit again."""
        window = self.window
        pages = StaffPages(window, window.settings, settings_file=window.session.settings_file,
                           assignment=window.fleet.assignment, cameras=self.cameras, folders=self.folders,
                           start=start, retry_camera=retry_camera)
        pages.saved.connect(self._camera_saved if retry_camera else window.apply_settings)
        pages.quit_requested.connect(window.quit_app)
        pages.closed.connect(self._staff_pages_closed)
        self.staff_pages = pages
        pages.show()
        pages.raise_()
        return pages

    def _camera_saved(self, new: Settings) -> None:
        """Save on the pages opened from the start panel's camera button: the settings changed, and the camera opened."""
        if changed_keys(self.window.settings, new):
            self.window.apply_settings(new, reopen_camera=True)
        else:
            self.window.open_source(camera_spec(new.camera_index).text)

    def _staff_pages_closed(self) -> None:
        self.staff_pages = None
        self.policy.lock()
