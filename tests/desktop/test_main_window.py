"""The main window, offscreen, with the fake pipeline (fixed mask + the real recolourer)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.frames import RunningMode
from core.io.naming import snapshot_name
from tests.desktop.conftest import settle
from tests.fakes import Camera, Opener, portrait, real_threads


def wait_frame(qtbot, window, timeout=5000):
    qtbot.waitUntil(lambda: window.last_result is not None and window.view.has_frame(), timeout=timeout)


def wait_new_frame(qtbot, window, predicate, timeout=5000):
    """Wait until the shown result satisfies ``predicate(result, info)``."""
    qtbot.waitUntil(lambda: window.last_result is not None and bool(predicate(window.last_result, window.last_info)),
                    timeout=timeout)


def test_swatch_and_slider_change_the_recoloured_frame(qtbot, make_window, photo_path):
    window = make_window()
    window.open_source(str(photo_path))
    wait_frame(qtbot, window)
    hair = (slice(0, 150), slice(None))  # the fake mask: top 40 % is hair
    first = window.view.shown.copy()
    assert window.last_info.looks[0].shade.name == "Sunlit Amber"  # the starting shade
    # a click on the "Ocean Blue" swatch
    blue = window.controls.swatches.index_of("Ocean Blue")
    qtbot.mouseClick(window.controls.swatches.buttons[blue], Qt.MouseButton.LeftButton)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Ocean Blue")
    blue_frame = window.view.shown.copy()
    assert np.abs(blue_frame[hair].astype(int) - first[hair]).mean() > 5
    np.testing.assert_array_equal(blue_frame[300:], first[300:])  # outside the mask: untouched
    # the slider: 0 gives back the photo, 100 differs from 70
    window.controls.slider.setValue(0)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].intensity == 0)
    np.testing.assert_array_equal(window.view.shown, window.last_result.frame.pixels)
    window.controls.slider.setValue(100)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].intensity == 100)
    assert np.abs(window.view.shown[hair].astype(int) - blue_frame[hair]).mean() > 1


def test_swatches_are_touch_sized_named_and_keyboard_navigable(qtbot, make_window):
    window = make_window()
    buttons = window.controls.swatches.buttons
    assert len(buttons) >= 8
    assert all(b.width() >= 64 and b.height() >= 64 for b in buttons)
    assert [b.text() for b in buttons] == [s.name for s in window.shade_palette]
    buttons[0].setFocus()
    qtbot.keyClick(buttons[0], Qt.Key.Key_Right)
    assert window.controls.swatches.current_index == 1 and window.focusWidget() is buttons[1]
    columns = window.controls.swatches.columns
    qtbot.keyClick(buttons[1], Qt.Key.Key_Down)
    assert window.controls.swatches.current_index == 1 + columns  # one row down, however the grid flows
    qtbot.keyClick(buttons[1 + columns], Qt.Key.Key_Left)
    assert window.controls.swatches.current_index == columns
    assert window.state.look.shade == window.shade_palette[columns]


def test_overlay_toggles_by_key_and_menu_and_shows_the_figures(qtbot, make_window):
    window = make_window()
    window.start()
    wait_frame(qtbot, window)
    assert not window.overlay.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.overlay.isVisible() and window.overlay_action.isChecked()
    qtbot.waitUntil(lambda: "fake-hair 0.0.1" in window.overlay.text(), timeout=3000)
    qtbot.waitUntil(lambda: window.view.latency.summary()["p50"] > 0, timeout=3000)
    window.refresh_overlay()
    text = window.overlay.text()
    for part in ("FPS", "p50 / p95 / p99", "total", "segment", "cap→disp", "fake-hair 0.0.1"):
        assert part in text
    qtbot.keyClick(window, Qt.Key.Key_O)
    assert not window.overlay.isVisible()
    window.overlay_action.trigger()  # the View menu item
    assert window.overlay.isVisible()
    assert window.overlay_action in window.menuBar().actions()[2].menu().actions()


def test_snapshot_writes_only_on_click_with_shade_and_intensity_in_the_name(qtbot, make_window, tmp_path, photo_path):
    folder = tmp_path / "snaps"
    folder.mkdir()
    window = make_window()
    window.now = lambda: datetime(2026, 11, 26, 10, 15, 0)
    asked = []
    window.ask_folder = lambda: asked.append(1) or str(folder)
    window.open_source(str(photo_path))
    amber = window.controls.swatches.index_of("Sunlit Amber")
    window.controls.swatches.select(amber)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Sunlit Amber")
    window.state.set_mode("split")
    window.state.set_mode("compare")
    window.set_overlay_visible(True)
    settle(qtbot, window.worker)
    assert list(folder.iterdir()) == [] and not asked  # nothing written, nothing asked, without a click
    qtbot.mouseClick(window.controls.snapshot_button, Qt.MouseButton.LeftButton)
    assert asked == [1]  # the folder is the person's choice
    expected = folder / f"hairtint_{photo_path.stem.replace('_', '-')}_sunlit-amber_70_20261126-101500.jpg"
    assert snapshot_name(window.shade_palette[amber], 70, window.now(), photo_path.stem) == expected.name
    assert sorted(folder.iterdir()) == [expected]
    from core.io.images import load_image

    assert load_image(expected).shape == window.last_result.pixels.shape
    qtbot.mouseClick(window.controls.snapshot_button, Qt.MouseButton.LeftButton)  # same second: never overwrites
    assert len(list(folder.iterdir())) == 2 and asked == [1]
    assert window.settings.snapshot_dir == str(folder)


def test_camera_lost_mid_stream_shows_banner_and_recovers(qtbot, make_window):
    camera = Camera()
    window = make_window(opener=Opener(camera))
    window.start("camera:0")
    wait_frame(qtbot, window)
    assert not window.banner.isVisible()
    camera.available = False
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=3000)
    assert "camera 0" in window.banner.label.text() and "retrying" in window.banner.label.text()
    tries = len(window._test_opener.opened)
    qtbot.waitUntil(lambda: len(window._test_opener.opened) >= tries + 2, timeout=5000)  # it keeps retrying
    index_before = window.last_result.frame.index
    camera.available = True
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=2000)
    wait_new_frame(qtbot, window, lambda r, i: r.frame.index != index_before, timeout=2000)


def test_a_camera_plugged_in_after_a_no_camera_start_is_shown_without_a_tap(qtbot, make_window):
    opener = Opener(camera=None)
    window = make_window(opener=opener)
    window.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.start_panel, timeout=3000)
    opener.camera = Camera()
    wait_frame(qtbot, window, timeout=5000)
    assert window.stack.currentWidget() is window.view and window.last_result.frame.source_id == "camera:0"


def test_no_camera_offers_the_ways_forward_and_the_demo_clip_plays(qtbot, make_window):
    window = make_window(opener=Opener(camera=None))
    window.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.start_panel, timeout=3000)
    assert window.start_panel.title.text() == "No camera found"
    for key in ("camera", "photo", "video", "demo"):
        assert window.start_panel.buttons[key].isVisible()
    qtbot.mouseClick(window.start_panel.buttons["demo"], Qt.MouseButton.LeftButton)
    wait_frame(qtbot, window)
    assert window.stack.currentWidget() is window.view
    assert window.last_result.frame.source_id == "synthetic"


def test_open_photo_from_the_menu_and_by_drag_and_drop(qtbot, make_window, photo_path, tmp_path):
    window = make_window()
    window.ask_open_file = lambda title, filter_: str(photo_path)
    window.open_photo_action.trigger()
    wait_frame(qtbot, window)
    assert window.last_info.mode is RunningMode.IMAGE and window.last_result.frame.pixels.shape[:2] == (480, 640)
    # drop a second photo on the window
    from core.io.images import save_image

    other = save_image(tmp_path / "other.jpg", np.full((120, 160, 3), 90, np.uint8))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    event = QDropEvent(QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    wait_new_frame(qtbot, window, lambda r, i: r.frame.pixels.shape[:2] == (120, 160))
    # a non-image is refused
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    mime2 = QMimeData()
    mime2.setUrls([QUrl.fromLocalFile(str(text))])
    window.dropEvent(QDropEvent(QPointF(1, 1), Qt.DropAction.CopyAction, mime2, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))
    settle(qtbot, window.worker)
    assert window._test_opener.opened[-1] == str(other)


def test_split_divider_drags_and_compare_shows_four_shades(qtbot, make_window, photo_path):
    window = make_window()
    window.open_source(str(photo_path))
    wait_frame(qtbot, window)
    qtbot.mouseClick(window.controls.split_button, Qt.MouseButton.LeftButton)
    assert window.view.mode == "split"
    rect = window.view.image_rect()
    y = rect.center().y()
    qtbot.mousePress(window.view, Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + rect.width() // 2, y))
    qtbot.mouseMove(window.view, QPoint(rect.left() + rect.width() // 4, y))
    qtbot.mouseRelease(window.view, Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + rect.width() // 4, y))
    assert abs(window.view.divider - 0.25) < 0.02
    # left of the divider: the original; right of it: the recoloured frame
    shot = window.view.grab().toImage()
    frame, after = window.last_result.frame.pixels, window.last_result.pixels
    h, w = frame.shape[:2]
    sy = int(h * 0.2)  # inside the fake hair band
    vy = rect.top() + int(rect.height() * 0.2)
    for fx, expected in ((0.1, frame), (0.9, after)):
        sx, vx = int(w * fx), rect.left() + int(rect.width() * fx)
        colour = shot.pixelColor(vx, vy)
        got = np.array([colour.red(), colour.green(), colour.blue()])
        other = after if expected is frame else frame
        assert np.abs(got - expected[sy, sx].astype(int)).max() <= 12
        assert np.abs(got - other[sy, sx].astype(int)).max() > 12
    qtbot.mouseClick(window.controls.compare_button, Qt.MouseButton.LeftButton)
    assert window.view.mode == "compare" and not window.controls.split_button.isChecked()
    wait_new_frame(qtbot, window, lambda r, i: len(r.variants) == 3)
    names = [look.shade.name for look in window.last_info.looks]
    start = window.controls.swatches.current_index  # the chosen shade, then the next three
    assert names == [window.shade_palette[(start + i) % len(window.shade_palette)].name for i in range(4)]
    tiles = [window.last_result.pixels, *window.last_result.variants]
    assert all(not np.array_equal(tiles[0], t) for t in tiles[1:])
    # a click on a tile picks its shade
    tile = window.view.tile_rects()[2]
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=tile.center())
    assert window.controls.swatches.current_shade == window.shade_palette[(start + 2) % len(window.shade_palette)]


def test_close_stops_the_worker(qtbot, make_window):
    window = make_window()
    window.start()
    wait_frame(qtbot, window)
    before = {t for t in real_threads() if not t.name.startswith("hairtint-")}
    window.close()
    assert not window.worker.is_running() and real_threads() == before


def test_camera_and_resolution_chooser_reopens_and_remembers(qtbot, make_window, tmp_path):
    from core.catalog.config import load_settings

    window = make_window()
    window.start()
    wait_frame(qtbot, window)
    window.choose_camera()
    dialog = window._camera_dialog
    dialog.camera.setCurrentIndex(dialog.camera.findData(2))
    dialog.resolution.setCurrentIndex(dialog.resolution.findData("1280x720"))
    dialog.accept()
    qtbot.waitUntil(lambda: window._test_opener.opened[-1] == "camera:2", timeout=3000)
    assert window.banner.kind != "error" or not window.banner.isVisible()
    wait_frame(qtbot, window)
    assert window.settings.camera_index == 2 and window.settings.resolution == (1280, 720)
    saved = load_settings(tmp_path / "settings.json")
    assert saved.camera_index == 2 and saved.resolution == (1280, 720)


def test_settings_dialog_applies_palette_file_and_overlay(qtbot, make_window, tmp_path):
    import json

    from core.catalog.config import load_settings

    palette = tmp_path / "salon.json"
    palette.write_text(json.dumps({"shades": [{"name": "Salon Teal", "hex": "#1f8a8a"}]}))
    window = make_window()
    count = len(window.controls.swatches.buttons)
    dialog = window.show_settings_dialog()
    assert dialog.isVisible()
    dialog.palette_file.setText(str(palette))
    dialog.overlay.setChecked(True)
    dialog.accept()
    assert window.controls.swatches.index_of("Salon Teal") == count and len(window.controls.swatches.buttons) == count + 1
    assert window.overlay.isVisible() and window.overlay_action.isChecked()
    saved = load_settings(tmp_path / "settings.json")
    assert saved.palette_file == str(palette) and saved.overlay
    # a palette file that cannot be read: the built-in palette and a plain message
    (tmp_path / "bad.json").write_text("{ nope")
    dialog = window.show_settings_dialog()
    dialog.palette_file.setText(str(tmp_path / "bad.json"))
    dialog.accept()
    assert len(window.controls.swatches.buttons) == count
    assert window.banner.isVisible() and "bad.json" in window.banner.label.text()


def test_settings_dialog_round_trips_every_setting(qtbot):
    from core.catalog.config import KioskSettings, Settings
    from hairtint_desktop.widgets.dialogs import SettingsDialog

    full = Settings(camera_index=3, resolution=(1024, 768), palette_file="/a.json", overlay=True, model="hairnet",
                    kiosk=KioskSettings(pin="12", idle_reset_s=30), snapshot_dir="/s", rollout_stage="fifty_percent",
                    colour_beard=True, install_id="00000000-0000-4000-8000-000000000009")
    for settings in (Settings(install_id="00000000-0000-4000-8000-000000000009"), full):
        dialog = SettingsDialog(settings, models=lambda: [("hairnet", "hairnet 1.0.0")])
        qtbot.addWidget(dialog)
        assert dialog.settings() == settings
    dialog.rollout.setCurrentIndex(dialog.rollout.findData("full"))
    dialog.pin.setText("")
    changed = dialog.settings()
    assert changed.rollout_stage == "full" and changed.kiosk.pin is None


def test_each_model_in_the_settings_is_the_version_it_shows(qtbot):
    """Several versions share the id ``hairnet``: picking one by its label stores that version, and
    the dialog shows it again when reopened."""
    from core.catalog.config import Settings
    from core.catalog.registry import Registry
    from hairtint_desktop.widgets.dialogs import SettingsDialog, stable_models

    choices = stable_models()
    values = [value for value, _ in choices]
    assert len(set(values)) == len(values) and "hairnet@1.0.0" in values
    settings = Settings(install_id="00000000-0000-4000-8000-000000000009")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentIndex(dialog.model.findText("hairnet 1.0.0"))
    chosen = dialog.settings()
    assert chosen.model == "hairnet@1.0.0" and Registry.load().resolve(chosen.model).version == "1.0.0"
    again = SettingsDialog(chosen)
    qtbot.addWidget(again)
    assert again.model.currentText() == "hairnet 1.0.0"
    # a plain id, as earlier versions saved it, is shown for what it runs and kept as it is
    older = SettingsDialog(Settings(model="hairnet", install_id="00000000-0000-4000-8000-000000000009"))
    qtbot.addWidget(older)
    assert older.model.currentText() == "hairnet (newest stable)" and older.settings().model == "hairnet"


def test_shine_and_tips_reach_the_worker_and_change_the_picture(qtbot, make_window, photo_path):
    from core.catalog.palette import resolve_color

    window = make_window()
    controls = window.controls.look_controls
    window.open_source(str(photo_path))
    wait_frame(qtbot, window)
    assert (window.last_info.looks[0].shine, window.last_info.looks[0].tips) == (30, None)
    ends = (slice(150, 192), slice(None))  # the bottom of the fake hair band (top 40 %): the tips
    plain = window.view.shown.copy()
    # a two-tone swatch: its tips go to the worker and show in the picker
    balayage = window.controls.swatches.index_of("Honey Balayage")
    qtbot.mouseClick(window.controls.swatches.buttons[balayage], Qt.MouseButton.LeftButton)
    honey = resolve_color("Honey Blonde", window.shade_palette)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Honey Balayage" and i.looks[0].tips == honey)
    assert controls.tips_box.currentText() == "Honey Blonde"
    ombre = window.view.shown.copy()
    # tips by hand: Ocean Blue
    controls.tips_box.setCurrentIndex(controls.choices.index(resolve_color("Ocean Blue", window.shade_palette)))
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].tips.name == "Ocean Blue")
    blue = window.view.shown[ends].astype(int)
    assert blue[..., 2].mean() > blue[..., 0].mean() + 10  # the ends turn blue
    assert np.abs(ombre[ends].astype(int) - blue).mean() > 5
    # shine
    controls.shine_slider.setValue(100)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shine == 100 and i.looks[0].tips.name == "Ocean Blue")
    assert window.state.look == window.last_info.looks[0]
    assert not np.array_equal(window.view.shown, plain)


def test_compare_tiles_use_the_same_shine_and_tips(qtbot, make_window, photo_path):
    from core.catalog.palette import resolve_color

    window = make_window()
    window.open_source(str(photo_path))
    wait_frame(qtbot, window)
    jet = resolve_color("Jet Black", window.shade_palette)
    window.controls.swatches.select(window.controls.swatches.index_of("Copper Red"))
    window.controls.look_controls.shine_slider.setValue(65)
    window.controls.look_controls.tips_box.setCurrentIndex(window.controls.look_controls.choices.index(jet))
    window.controls.compare_button.setChecked(True)
    wait_new_frame(qtbot, window, lambda r, i: len(r.variants) == 3 and i.looks[0].shine == 65)
    looks = window.last_info.looks
    assert [look.shade.name for look in looks] == ["Copper Red", "Auburn", "Burgundy", "Chestnut Brown"]
    assert all(look.shine == 65 and look.tips == jet and look.intensity == 70 for look in looks)
    # a two-tone look among the tiles shows its own tips; tapping the tile gives exactly that look
    window.controls.swatches.select(window.controls.swatches.index_of("Ocean Blue"))
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Ocean Blue" and len(r.variants) == 3)
    looks = window.last_info.looks
    assert [look.shade.name for look in looks] == ["Ocean Blue", "Honey Balayage", "Copper Ombre", "Lavender Tips"]
    assert looks[0].tips == jet and looks[1].tips == resolve_color("Honey Blonde", window.shade_palette)
    qtbot.mouseClick(window.view, Qt.MouseButton.LeftButton, pos=window.view.tile_rects()[2].center())
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Copper Ombre")
    assert window.last_info.looks[0] == looks[2]


def test_a_shade_far_above_the_hair_says_it_needs_pre_lightening(qtbot, make_window, tmp_path):
    from core.io.images import save_image

    dark = np.random.default_rng(3).normal((34, 26, 20), 6, (480, 640, 3)).clip(0, 255).astype(np.uint8)
    window = make_window()
    window.open_source(str(save_image(tmp_path / "dark-hair.png", dark)))
    wait_frame(qtbot, window)
    platinum = window.controls.swatches.index_of("Platinum Blonde")
    qtbot.mouseClick(window.controls.swatches.buttons[platinum], Qt.MouseButton.LeftButton)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Platinum Blonde")
    assert window.last_result.hair_level is not None and window.last_result.hair_level < 3
    assert window.controls.salon_note.isVisible() and "pre-lightening" in window.controls.salon_note.text()
    espresso = window.controls.swatches.index_of("Espresso")
    qtbot.mouseClick(window.controls.swatches.buttons[espresso], Qt.MouseButton.LeftButton)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Espresso")
    assert not window.controls.salon_note.isVisible()
    qtbot.mouseClick(window.controls.swatches.buttons[platinum], Qt.MouseButton.LeftButton)
    wait_new_frame(qtbot, window, lambda r, i: i.looks[0].shade.name == "Platinum Blonde")
    assert window.controls.salon_note.isVisible()
    window.state.reset()
    assert not window.controls.salon_note.isVisible()


def test_a_folder_steps_with_next_and_previous(qtbot, make_window, tmp_path):
    from core.io.images import save_image
    from core.io.sources import FolderSource

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        save_image(folder / f"p{i}.png", portrait(160, 120, t=i))
    window = make_window(opener=lambda spec: FolderSource(spec))
    window.open_source(str(folder))
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/p0.png"))
    assert window.controls.folder_row.isVisibleTo(window)
    qtbot.mouseClick(window.controls.next_button, Qt.MouseButton.LeftButton)
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/p1.png"))
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/p0.png"))
    window.step_photo(-1)  # wraps round to the last photo
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/p2.png"))
    window.play_demo()
    assert not window.controls.folder_row.isVisibleTo(window) and not window.step_photo(1)
