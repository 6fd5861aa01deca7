"""Kiosk mode: locked settings behind the PIN, no file dialogs, and the idle reset for the next customer."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from core.catalog.config import KioskSettings, Settings
from core.frames import DEFAULT_INTENSITY
from hairtint_desktop.widgets.video_view import BACKGROUND
from tests.desktop.conftest import INSTALL_ID, settle


def kiosk_settings(pin="2468", idle=90.0) -> Settings:
    return Settings(install_id=INSTALL_ID, kiosk=KioskSettings(pin=pin, idle_reset_s=idle))


def files_under(root) -> set:
    return {p for p in root.rglob("*") if p.is_file()}


def test_settings_open_only_after_the_pin(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings())
    assert window.menuBar().isHidden() and window.controls.settings_button.isVisible()
    assert not window.controls.snapshot_button.isVisible()
    # no file dialogs in kiosk mode
    asked = []
    window.ask_open_file = lambda *a: asked.append(a) or None
    window.open_photo_action.trigger()
    window.open_photo()
    window.open_video()
    assert asked == [] and not window.open_photo_action.isEnabled() and not window.acceptDrops()
    assert not window.start_panel.buttons["photo"].isVisibleTo(window.start_panel)
    # the settings button asks for the PIN instead of opening the settings
    qtbot.mouseClick(window.controls.settings_button, Qt.MouseButton.LeftButton)
    pin = window.kiosk.pin_dialog
    assert pin is not None and pin.isVisible() and window.kiosk.staff_pages is None
    for key in "1111":
        pin.pad.press(key)
    pin.accept()
    assert window.kiosk.staff_pages is None and "Wrong PIN" in window.banner.label.text()
    # the right PIN, typed on the on-screen keypad
    window.settings_action.trigger()
    pin = window.kiosk.pin_dialog
    for key in "2468":
        next(b for b in pin.findChildren(type(window.controls.settings_button)) if b.text() == key).click()
    assert pin.pin() == "2468"
    pin.accept()
    assert window.kiosk.staff_pages is not None and window.kiosk.staff_pages.isVisible()
    assert window.settings_dialog is None  # the kiosk's settings are the staff pages (test_staff_pages)


def test_without_a_configured_pin_settings_stay_locked(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings(pin=None))
    assert window.kiosk.settings_locked
    window.open_settings()
    assert window.kiosk.pin_dialog is None and window.kiosk.staff_pages is None
    assert window.kiosk.check_pin("") is False and window.kiosk.staff_pages is None
    text = window.banner.label.text()
    assert "locked" in text and "kiosk.pin" in text and str(window.session.settings_file) in text


def test_kiosk_fills_the_screen_without_a_window_manager(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings(pin=None))
    window.kiosk.activate()
    qtbot.waitUntil(window.isFullScreen, timeout=3000)
    assert window.geometry() == window.screen().geometry()


def test_too_many_wrong_pins_lock_the_prompt(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings())
    for _ in range(5):
        assert not window.kiosk.check_pin("0000")
    assert not window.kiosk.check_pin("2468")  # even the right one, for a while
    assert window.kiosk.staff_pages is None
    assert window.kiosk.request_settings() is False


def test_idle_reset_clears_everything_of_the_last_customer(qtbot, make_window, photo_path, tmp_path):
    before_files = files_under(tmp_path)
    window = make_window(kiosk=True, settings=kiosk_settings(idle=0.6))
    window.open_source(str(photo_path))
    qtbot.waitUntil(lambda: window.view.has_frame(), timeout=5000)
    window.controls.swatches.select(window.controls.swatches.index_of("Ocean Blue"))
    window.controls.slider.setValue(35)
    window.controls.compare_button.setChecked(True)
    qtbot.waitUntil(lambda: bool(window.last_result and window.last_result.variants), timeout=3000)
    # input restarts the countdown
    for send in (lambda: qtbot.mouseMove(window.view), lambda: qtbot.keyClick(window.controls.swatches.buttons[0], Qt.Key.Key_Shift)):
        window.kiosk.timer.stop()
        send()
        assert window.kiosk.timer.isActive()
    assert window.view.has_frame() and window.controls.slider.value() == 35
    # then nobody touches it
    with qtbot.waitSignal(window.kiosk.idle_reset, timeout=3000):
        pass
    assert window.controls.swatches.current_shade.name == "Sunlit Amber" and window.controls.slider.value() == DEFAULT_INTENSITY
    assert not window.controls.compare_button.isChecked() and window.view.mode == "single"
    assert window.last_result is None and window.last_info is None
    assert not window.view.holds_pixels()
    settle(qtbot, window.worker)  # nothing of the old photo comes back from the worker either
    assert not window.view.holds_pixels() and window.last_result is None
    shot = window.view.grab().toImage()
    pixels = np.array([[shot.pixelColor(x, y).rgb() for x in range(0, shot.width(), 37)]
                       for y in range(0, shot.height(), 37)])
    assert (pixels == BACKGROUND.rgb()).all()  # an empty screen
    assert files_under(tmp_path) == before_files  # and nothing on disk


def test_idle_reset_restores_default_shine_and_no_tips(qtbot, make_window, photo_path):
    from core.frames import DEFAULT_SHINE

    window = make_window(kiosk=True, settings=kiosk_settings(idle=0.5))
    window.open_source(str(photo_path))
    qtbot.waitUntil(lambda: window.view.has_frame(), timeout=5000)
    window.controls.swatches.select(window.controls.swatches.index_of("Honey Balayage"))
    window.controls.look_controls.shine_slider.setValue(85)
    qtbot.waitUntil(lambda: bool(window.last_info and window.last_info.looks[0].shine == 85
                                 and window.last_info.looks[0].tips is not None), timeout=3000)
    sent, send = [], window.worker.set_look
    window.worker.set_look = lambda looks: (sent.append(looks), send(looks))
    with qtbot.waitSignal(window.kiosk.idle_reset, timeout=3000):
        pass
    controls = window.controls.look_controls
    assert controls.shine == DEFAULT_SHINE and controls.shine_slider.value() == DEFAULT_SHINE
    assert controls.tips is None and controls.tips_box.currentIndex() == 0
    look = window.state.look
    assert (look.shade.name, look.intensity, look.shine, look.tips) == ("Sunlit Amber", DEFAULT_INTENSITY,
                                                                       DEFAULT_SHINE, None)
    assert sent[-1] == (look,)  # what the next customer's first frame is processed with
