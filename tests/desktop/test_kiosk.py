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
    # the settings button asks for the PIN instead of opening the settings: a page over the whole window
    qtbot.mouseClick(window.controls.settings_button, Qt.MouseButton.LeftButton)
    pin = window.kiosk.pin_prompt
    assert pin is not None and pin.isVisible() and window.kiosk.staff_pages is None
    assert pin.geometry() == window.rect() and "staff settings" in pin.message.text()
    for key in "1111":
        pin.pad.press(key)
    pin.accept()
    assert window.kiosk.staff_pages is None and "Wrong PIN" in pin.problem.text()
    assert window.kiosk.pin_prompt is pin and pin.isVisible() and pin.pin() == ""  # typed again on the same page
    # the right PIN, typed on the on-screen keypad
    for key in "2468":
        next(b for b in pin.findChildren(type(window.controls.settings_button)) if b.text() == key).click()
    assert pin.pin() == "2468"
    pin.accept()
    assert window.kiosk.pin_prompt is None and not pin.isVisible()
    assert window.kiosk.staff_pages is not None and window.kiosk.staff_pages.isVisible()
    assert window.settings_dialog is None  # the kiosk's settings are the staff pages (test_staff_pages)


def test_without_a_configured_pin_settings_stay_locked(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings(pin=None))
    assert window.kiosk.settings_locked
    window.open_settings()
    assert window.kiosk.pin_prompt is None and window.kiosk.staff_pages is None
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


# ---- the PIN prompt: a page over the whole window ---------------------------------------------------
def tap_keys(qtbot, prompt, keys: str) -> None:
    """Tap each key of ``keys`` on the prompt's pad; "OK" at the end taps OK."""
    for key in [*keys.removesuffix("OK"), *(["OK"] if keys.endswith("OK") else [])]:
        button = prompt.pad.keys[key]
        assert button.isVisible() and button.isEnabled(), key
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_pin_prompt_has_big_keys_and_the_idle_reset_closes_it(qtbot, make_window):
    from hairtint_desktop.styles import TOUCH_TARGET

    window = make_window(kiosk=True, settings=kiosk_settings(idle=0.6))
    window.resize(1080, 1920)
    qtbot.mouseClick(window.controls.settings_button, Qt.MouseButton.LeftButton)
    prompt = window.kiosk.pin_prompt
    assert prompt.isVisible() and prompt.geometry() == window.rect()
    keys = list(prompt.pad.keys.values())
    assert min(min(k.width(), k.height()) for k in keys) >= TOUCH_TARGET + 8
    assert prompt.cancel_button.isVisible() and prompt.cancel_button.height() >= TOUCH_TARGET
    tap_keys(qtbot, prompt, "24")
    with qtbot.waitSignal(window.kiosk.idle_reset, timeout=3000):
        pass  # staff walked away mid-PIN
    assert window.kiosk.pin_prompt is None and not prompt.isVisible() and window.kiosk.staff_pages is None
    qtbot.mouseClick(window.controls.settings_button, Qt.MouseButton.LeftButton)
    again = window.kiosk.pin_prompt
    assert again is not prompt and again.pin() == "" and again.problem.text() == ""  # nothing carried over
    qtbot.mouseClick(again.cancel_button, Qt.MouseButton.LeftButton)
    assert window.kiosk.pin_prompt is None and not again.isVisible() and window.kiosk.staff_pages is None


def test_wrong_pins_on_the_prompt_lock_its_keys_until_the_lockout_ends(qtbot, make_window):
    from core.tryon.state import MAX_PIN_ATTEMPTS, PIN_LOCKOUT_S
    from tests.fakes import Clock

    window = make_window(kiosk=True, settings=kiosk_settings())
    clock = window.kiosk.policy._clock = Clock(100.0)
    qtbot.mouseClick(window.controls.settings_button, Qt.MouseButton.LeftButton)
    prompt = window.kiosk.pin_prompt
    for attempt in range(MAX_PIN_ATTEMPTS):
        tap_keys(qtbot, prompt, "1111OK")
        if attempt < MAX_PIN_ATTEMPTS - 1:
            assert prompt.problem.text() == "Wrong PIN. Try again." and prompt.pad.isEnabled()
    assert "Too many wrong PINs" in prompt.problem.text() and f"{int(PIN_LOCKOUT_S) + 1} s" in prompt.problem.text()
    assert not prompt.pad.keys["2"].isEnabled() and prompt.unlock_timer.isActive()
    assert prompt.unlock_timer.interval() == int(PIN_LOCKOUT_S * 1000)
    assert window.kiosk.check_pin("2468") is False and window.kiosk.staff_pages is None  # not even the right one
    clock.t += PIN_LOCKOUT_S
    prompt.unlock_timer.timeout.emit()  # the lockout's end, as the timer signals it
    assert prompt.pad.isEnabled() and prompt.problem.text() == ""
    tap_keys(qtbot, prompt, "2468OK")
    assert window.kiosk.pin_prompt is None and window.kiosk.staff_pages is not None


# ---- "Choose a camera" on the no-camera panel: the staff pages' camera page, behind the PIN ---------
def no_camera_kiosk(qtbot, make_window, pin="2468", cameras=()):
    from tests.fakes import Opener

    opener = Opener(camera=None)
    window = make_window(kiosk=True, settings=kiosk_settings(pin=pin), opener=opener)
    window.kiosk.cameras = lambda: list(cameras)
    window.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.start_panel, timeout=3000)
    return window, opener


def test_without_a_pin_the_no_camera_panel_says_choosing_a_camera_needs_one(qtbot, make_window):
    window, _ = no_camera_kiosk(qtbot, make_window, pin=None)
    button = window.start_panel.buttons["camera"]
    assert button.text() == "Choose a camera (staff)…" and "behind the staff PIN" in window.start_panel.detail.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.kiosk.pin_prompt is None and window.kiosk.staff_pages is None and window._camera_dialog is None
    text = window.banner.label.text()
    assert text.startswith("Choosing the camera is for staff, behind the staff PIN: no staff PIN is set")
    assert "kiosk.pin" in text and str(window.session.settings_file) in text


def test_the_no_camera_panel_opens_the_camera_page_behind_the_pin_and_save_tries_the_camera(qtbot, make_window,
                                                                                           tmp_path):
    from tests.fakes import Camera

    window, opener = no_camera_kiosk(qtbot, make_window)
    qtbot.mouseClick(window.start_panel.buttons["camera"], Qt.MouseButton.LeftButton)
    prompt = window.kiosk.pin_prompt
    assert prompt.isVisible() and "camera" in prompt.message.text() and window._camera_dialog is None
    tap_keys(qtbot, prompt, "2468OK")
    pages = window.kiosk.staff_pages
    assert pages.page == "camera" and pages.pages["camera"].none_found.isVisible()
    assert pages.save_button.isVisible() and pages.save_button.isEnabled()  # Save from the camera page itself
    assert pages.save_button.text() == "Save and open the camera"
    opener.camera = Camera()  # staff saw to the cable
    opened, open_source = [], window.open_source
    window.open_source = lambda spec: (opened.append(spec), open_source(spec))
    qtbot.mouseClick(pages.save_button, Qt.MouseButton.LeftButton)
    assert window.kiosk.staff_pages is None and opened == ["camera:0"]  # Save opened it (not the next retry)
    qtbot.waitUntil(lambda: window.last_result is not None, timeout=5000)
    assert window.stack.currentWidget() is window.view and window.last_result.frame.source_id == "camera:0"
    assert not (tmp_path / "settings.json").exists()  # nothing changed, nothing written
    assert not window.kiosk.policy.may_quit  # the PIN again next time


def test_a_camera_chosen_from_the_no_camera_panel_is_saved_and_opened(qtbot, make_window, tmp_path):
    import json

    from tests.fakes import Camera

    window, opener = no_camera_kiosk(qtbot, make_window, cameras=[(0, "Camera 0"), (2, "Camera 2")])
    qtbot.mouseClick(window.start_panel.buttons["camera"], Qt.MouseButton.LeftButton)
    tap_keys(qtbot, window.kiosk.pin_prompt, "2468OK")
    pages = window.kiosk.staff_pages
    assert not pages.pages["camera"].none_found.isVisible()
    opener.camera = Camera()
    opened, open_source = [], window.open_source
    window.open_source = lambda spec: (opened.append(spec), open_source(spec))
    qtbot.mouseClick(pages.pages["camera"].buttons[2], Qt.MouseButton.LeftButton)
    assert not (tmp_path / "settings.json").exists() and opened == []  # not before Save
    qtbot.mouseClick(pages.save_button, Qt.MouseButton.LeftButton)
    assert opened == ["camera:2"]
    qtbot.waitUntil(lambda: window.last_result is not None, timeout=5000)
    assert window.last_result.frame.source_id == "camera:2" and window.settings.camera_index == 2
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["camera_index"] == 2 and not {"resolution", "kiosk", "look_card_dir", "feedback"} & set(saved)


def test_a_cancelled_camera_prompt_leaves_the_next_pin_to_the_staff_settings(qtbot, make_window):
    window, _ = no_camera_kiosk(qtbot, make_window)
    qtbot.mouseClick(window.start_panel.buttons["camera"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.kiosk.pin_prompt.cancel_button, Qt.MouseButton.LeftButton)
    assert window.kiosk.pin_prompt is None and window.kiosk.staff_pages is None
    assert window.kiosk.check_pin("2468")  # a PIN checked with no prompt open opens the staff settings
    pages = window.kiosk.staff_pages
    assert pages.page == "home" and pages.save_button.text() == "Save" and not pages.save_button.isEnabled()
