"""A snapshot's name says what it shows (issue 25): the photo's stem, the folder's photo on screen,
``camera0`` or ``demo``; always a safe name, never over an existing file."""

from datetime import datetime

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.frames import Frame, Result
from core.io.images import save_image
from core.io.source_spec import parse_spec
from core.io.sources import FolderSource
from hairtint_desktop.snapshot import save_snapshot, snapshot_origin
from tests.desktop.test_main_window import wait_new_frame
from tests.desktop.test_window_units import AMBER
from tests.fakes import portrait

WHEN = datetime(2026, 12, 7, 10, 15, 0)


def _result(source_id: str) -> Result:
    pixels = np.full((8, 8, 3), 90, np.uint8)
    return Result(Frame(pixels, 0, 0, source_id), pixels, np.zeros((8, 8), np.float32))


@pytest.mark.parametrize(("spec", "source_id", "origin"), [
    ("camera:0", "camera:0:1", "camera0"), ("camera:2", "camera:2:1", "camera2"), ("synthetic", "demo:1", "demo"),
    ("synthetic:640x480", "demo:1", "demo"), ("{tmp}/Selfie.JPG", "image:Selfie.JPG:3", "selfie"),
    ("{tmp}", "folder:photos:4/Anna B (2).png", "anna-b-2"), ("{tmp}/日本.png", "image:x:5", "photo"),
    ("{tmp}/../etc/passwd.png", "image:x:6", "passwd")])
def test_the_origin_is_a_safe_word_for_what_the_snapshot_shows(tmp_path, spec, source_id, origin):
    assert snapshot_origin(parse_spec(spec.format(tmp=tmp_path)), source_id) == origin


def test_a_photo_snapshot_is_named_after_the_photo_and_never_overwrites(tmp_path):
    photo = tmp_path / "selfie.png"
    first = save_snapshot(_result("image:selfie.png:1"), AMBER, tmp_path, WHEN, str(photo))
    second = save_snapshot(_result("image:selfie.png:1"), AMBER, tmp_path, WHEN, str(photo))
    assert first.path.name == "hairtint_selfie_sunlit-amber_70_20261207-101500.jpg"
    assert second.path.name == "hairtint_selfie_sunlit-amber_70_20261207-101500-2.jpg"
    camera = save_snapshot(_result("camera:0:1"), AMBER, tmp_path, WHEN, "camera:0")
    demo = save_snapshot(_result("demo:1"), AMBER, tmp_path, WHEN, "synthetic")
    assert camera.path.name == "hairtint_camera0_sunlit-amber_70_20261207-101500.jpg"
    assert demo.path.name == "hairtint_demo_sunlit-amber_70_20261207-101500.jpg"


def test_a_long_photo_name_still_makes_a_file_name_that_fits(tmp_path):
    saved = save_snapshot(_result("image:x:1"), AMBER, tmp_path, WHEN, str(tmp_path / ("é" * 100 + ".png")))
    assert saved.ok and len(saved.path.name.encode()) <= 255 and saved.path.exists()


def test_the_window_names_a_folder_snapshot_after_the_photo_on_screen(qtbot, make_window, tmp_path):
    photos, snaps = tmp_path / "photos", tmp_path / "snaps"
    photos.mkdir()
    snaps.mkdir()
    for i, name in enumerate(("anna.png", "ben.png")):
        save_image(photos / name, portrait(160, 120, t=i))
    window = make_window(opener=lambda spec: FolderSource(spec))
    window.now = lambda: WHEN
    window.ask_folder = lambda: str(snaps)
    window.open_source(str(photos))
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/anna.png"))
    qtbot.mouseClick(window.controls.snapshot_button, Qt.MouseButton.LeftButton)
    assert window.step_photo(1)
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/ben.png"))
    qtbot.mouseClick(window.controls.snapshot_button, Qt.MouseButton.LeftButton)
    look = window.state.look
    names = sorted(p.name for p in snaps.iterdir())
    assert [n.split("_")[1] for n in names] == ["anna", "ben"]
    assert all(n.endswith(f"_{look.intensity}_20261207-101500.jpg") for n in names)
