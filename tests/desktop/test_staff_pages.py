"""The kiosk's staff settings: full-window pages opened behind the PIN and used by taps alone (big targets,
no text field), their values saved through the settings writer (only what changed), a PIN set on the pad,
the quit refused without a PIN and allowed behind it, and the Quit button readable in every theme."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyleFactory,
    QTextEdit,
)

from core.catalog.config import KioskSettings, Settings
from hairtint_desktop.styles import TOUCH_TARGET
from hairtint_desktop.widgets.staff.pages import TITLES
from tests.desktop.conftest import INSTALL_ID

CAMERAS = [(0, "Camera 0"), (2, "Camera 2")]


def kiosk_window(make_window, pin: str | None = "2468", idle: float = 90.0):
    window = make_window(kiosk=True, settings=Settings(install_id=INSTALL_ID,
                                                       kiosk=KioskSettings(pin=pin, idle_reset_s=idle)))
    window.kiosk.cameras = lambda: list(CAMERAS)
    window.kiosk.folders = lambda current: []  # this machine's drives are not the test's (see test_staff_folders)
    return window


def tap(qtbot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_pages(qtbot, window, pin: str = "2468"):
    """Staff settings as staff open them: the settings button, the PIN on the pad, OK."""
    tap(qtbot, window.controls.settings_button)
    prompt = window.kiosk.pin_prompt
    assert prompt is not None and prompt.isVisible() and prompt.geometry() == window.rect()
    for key in pin:
        tap(qtbot, prompt.pad.keys[key])
    tap(qtbot, prompt.pad.keys["OK"])
    assert window.kiosk.pin_prompt is None and not prompt.isVisible()
    pages = window.kiosk.staff_pages
    assert pages is not None and pages.isVisible()
    return pages


def visible_buttons(widget) -> list[QPushButton]:
    return [b for b in widget.findChildren(QPushButton) if b.isVisible()]


def test_every_page_is_reached_by_taps_with_big_targets_and_no_keyboard_field(qtbot, make_window):
    window = kiosk_window(make_window)
    window.resize(1280, 800)
    pages = open_pages(qtbot, window)
    assert pages.geometry() == window.rect()  # the whole window
    keyboard_fields = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit)
    assert not [w for kind in keyboard_fields for w in pages.findChildren(kind)]
    for name, title in TITLES.items():
        assert pages.page == "home" and pages.title.text() == "Staff settings"
        tap(qtbot, pages.tiles[name])
        assert pages.page == name and pages.title.text() == title
        shown = visible_buttons(pages)
        assert pages.back_button in shown and not pages.quit_button.isVisible()
        small = [(b.text(), b.width(), b.height()) for b in shown
                 if min(b.width(), b.height()) < TOUCH_TARGET]
        assert not small, small
        if name in ("camera", "resolution", "palette"):  # the choices are buttons, the one set marked
            assert sum(b.isChecked() for b in pages.pages[name].buttons.values()) == 1
        tap(qtbot, pages.back_button)
    assert [b.text() for b in pages.pages["camera"].buttons.values()] == ["✓  Camera 0", "Camera 2"]
    home = visible_buttons(pages)
    assert {pages.quit_button, pages.cancel_button, *pages.tiles.values()} <= set(home)
    assert all(min(b.width(), b.height()) >= TOUCH_TARGET for b in home)


def test_values_chosen_by_taps_are_saved_through_the_settings_file_only_what_changed(qtbot, make_window,
                                                                                     tmp_path):
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"kiosk": {"pin": "2468"}, "salon_note": "kept"}))
    (tmp_path / "palettes").mkdir()
    salon = tmp_path / "palettes" / "salon.json"
    salon.write_text(json.dumps({"shades": [{"name": "Salon Teal", "hex": "#1f8a8a"}]}))
    (tmp_path / "palettes" / "broken.json").write_text("{ nope")
    window = kiosk_window(make_window)
    shades = len(window.controls.swatches.buttons)
    pages = open_pages(qtbot, window)
    assert not pages.save_button.isEnabled()  # nothing changed yet

    def choose(page: str, value) -> None:
        tap(qtbot, pages.tiles[page])
        tap(qtbot, pages.pages[page].buttons[value])
        tap(qtbot, pages.back_button)

    choose("camera", 2)
    choose("resolution", (1280, 720))
    assert not pages.pages["palette"].buttons[str(tmp_path / "palettes" / "broken.json")].isEnabled()
    choose("palette", str(salon))
    tap(qtbot, pages.tiles["idle"])
    idle = pages.pages["idle"]
    tap(qtbot, idle.plus)  # 90 s -> 2 min
    assert idle.value_label.text() == "2 min" and idle.presets[120].isChecked()
    tap(qtbot, idle.presets[300])
    tap(qtbot, idle.minus)  # 5 min -> 3 min
    assert idle.value_label.text() == "3 min"
    tap(qtbot, pages.back_button)
    tap(qtbot, pages.tiles["pin"])
    pad = pages.pages["pin"].pad
    for _ in range(2):
        for key in ("1", "3", "5", "7", "OK"):
            tap(qtbot, pad.keys[key])
    tap(qtbot, pages.back_button)
    assert pages.tiles["idle"].text() == "Idle reset\n3 min  ✎" and "new PIN" in pages.tiles["pin"].text()
    assert file.read_text() == json.dumps({"kiosk": {"pin": "2468"}, "salon_note": "kept"})  # not before Save
    tap(qtbot, pages.save_button)

    assert window.kiosk.staff_pages is None and not pages.isVisible()
    saved = json.loads(file.read_text())
    assert saved["camera_index"] == 2 and saved["resolution"] == [1280, 720]
    assert saved["palette_file"] == str(salon) and saved["kiosk"] == {"pin": "1357", "idle_reset_s": 180.0}
    assert saved["salon_note"] == "kept"  # what the pages did not change is left as it was
    assert not {"overlay", "rollout_stage", "model", "snapshot_dir", "colour_beard"} & set(saved)
    # and the window runs with them
    assert window.settings.camera_index == 2 and window.kiosk.timer.interval() == 180_000
    assert window.controls.swatches.index_of("Salon Teal") == shades
    assert not window.kiosk.check_pin("2468") and window.kiosk.policy.pin == "1357"


def test_a_new_pin_is_typed_twice_on_the_pad_and_must_be_4_to_8_digits(qtbot, make_window):
    window = kiosk_window(make_window)
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.tiles["pin"])
    page = pages.pages["pin"]

    def type_pin(digits: str) -> None:
        for key in digits:
            tap(qtbot, page.pad.keys[key])
        assert page.pad.dots.text().count("●") == len(digits)  # dots, never the digits
        tap(qtbot, page.pad.keys["OK"])

    type_pin("12")
    assert "4 to 8 digits" in page.prompt.text() and page.first is None
    type_pin("2580")
    assert "again" in page.prompt.text()
    type_pin("2581")
    assert "differ" in page.prompt.text() and pages.draft.kiosk.pin == "2468"
    for key in "2589⌫0":  # a slip taken back
        tap(qtbot, page.pad.keys[key])
    tap(qtbot, page.pad.keys["OK"])
    type_pin("2580")
    assert pages.draft.kiosk.pin == "2580" and "not saved yet" in page.status.text()


def test_cancel_and_the_idle_reset_drop_what_was_not_saved(qtbot, make_window, tmp_path):
    window = kiosk_window(make_window, idle=0.6)
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.tiles["resolution"])
    tap(qtbot, pages.pages["resolution"].buttons[(1920, 1080)])
    tap(qtbot, pages.back_button)
    tap(qtbot, pages.cancel_button)
    assert window.kiosk.staff_pages is None and window.settings.resolution == (640, 480)
    assert not (tmp_path / "settings.json").exists() and not window.kiosk.policy.may_quit
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.tiles["camera"])
    tap(qtbot, pages.pages["camera"].buttons[2])
    with qtbot.waitSignal(window.kiosk.idle_reset, timeout=3000):
        pass  # staff walked away
    assert window.kiosk.staff_pages is None and not pages.isVisible()
    assert window.settings.camera_index == 0 and not (tmp_path / "settings.json").exists()
    assert not window.kiosk.policy.may_quit  # the PIN again before anything else


def test_without_a_pin_the_kiosk_refuses_to_quit_from_the_screen_and_says_how_to_set_one(qtbot, make_window):
    window = kiosk_window(make_window, pin=None)
    window.close()
    assert window.isVisible()  # a customer cannot close it
    tap(qtbot, window.controls.settings_button)
    assert window.kiosk.pin_prompt is None and window.kiosk.staff_pages is None
    text = window.banner.label.text()
    assert "kiosk.pin" in text and str(window.session.settings_file) in text and "cannot be closed" in text
    assert [b.text() for b in visible_buttons(window.banner)] == ["✕"]  # no way to quit on offer
    window.quit_app()  # nor any other way from the screen
    assert window.isVisible() and not window.kiosk.policy.may_quit


def test_with_a_pin_staff_quit_from_the_pages_and_only_behind_it(qtbot, make_window):
    window = kiosk_window(make_window)
    window.quit_app()
    assert window.isVisible()  # not before the PIN
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.cancel_button)
    window.quit_app()
    assert window.isVisible()  # nor after staff left the pages
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.quit_button)
    assert not window.isVisible() and not window.worker.is_running()


# ---- the Quit button is readable in every theme ---------------------------------------------------------
def luminance(rgb) -> float:
    channels = np.asarray(rgb, dtype=float) / 255.0
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_contrast(window, button: QPushButton) -> float:
    """Render the window where the button is and measure: the button's background is its commonest colour
    inside the border, its text the colour that stands out most from it."""
    image = window.grab(QRect(button.mapTo(window, QPoint(0, 0)), button.size())).toImage()
    image = image.convertToFormat(image.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    inner = pixels[:, : image.width() * 3].reshape(image.height(), image.width(), 3)[6:-6, 8:-8].reshape(-1, 3)
    colours, counts = np.unique(inner, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return max(contrast(background, colour) for colour in colours)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Button, "#303134"),
                         (QPalette.ColorRole.ButtonText, "#ffffff"), (QPalette.ColorRole.WindowText, "#ffffff"),
                         (QPalette.ColorRole.Base, "#1b1b1d"), (QPalette.ColorRole.Text, "#ffffff")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def every_theme():
    """Each Qt style this machine has, with its light palette and with a dark one; put back afterwards."""
    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()

    def themes():
        for name in QStyleFactory.keys():  # noqa: SIM118  (a Qt function, not a dict)
            app.setStyle(name)
            for shade, colours in (("light", app.style().standardPalette()), ("dark", dark_palette())):
                app.setPalette(colours)
                yield f"{name}/{shade}"

    yield themes
    app.setStyle(style)
    app.setPalette(palette)


def test_the_quit_button_is_readable_in_every_theme_and_state(qtbot, make_window, every_theme):
    """Each theme is set before the window is built, as the system's theme is when the app starts."""
    seen = []
    for theme in every_theme():
        window = kiosk_window(make_window)
        window.banner.show_message("A banner's own button", "info", actions=[("Try again", lambda: None)])
        banner_button = next(b for b in visible_buttons(window.banner) if b.text() == "Try again")
        seen.append((theme, banner_button.text(), False, round(text_contrast(window, banner_button), 2)))
        pages = open_pages(qtbot, window)
        for button in (pages.quit_button, pages.cancel_button, pages.save_button):  # Save: disabled here
            for down in (False, True):
                button.setDown(down)
                seen.append((theme, button.text(), down, round(text_contrast(window, button), 2)))
                button.setDown(False)
        window.quit_app()
    assert len({theme for theme, *_ in seen}) >= 4 and len(seen) == 7 * len({theme for theme, *_ in seen})
    low = [entry for entry in seen if entry[-1] < 4.5]
    assert not low, low
