"""docs/images/staff-*.png are made by a script (tests/desktop/staff_screens.py), so they can be made again
after the pages change: it runs here into a temporary folder and makes each picture at its size, one for
every staff page, without touching the salon settings path it shows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from hairtint_desktop.widgets.staff.pages import TITLES
from tests.desktop.staff_screens import LANDSCAPE, PORTRAIT, SETTINGS_FILE, make_screens

DOCS = Path(__file__).resolve().parents[2] / "docs" / "images"


def test_the_script_makes_every_staff_screen_at_its_size(qtbot, tmp_path):
    there_before = SETTINGS_FILE.parent.exists()
    written = make_screens(tmp_path / "images")
    names = {path.name for path in written}
    assert names == {f"staff-{name}.png" for name in TITLES} | {
        "staff-home.png", "staff-pin-prompt.png", "staff-home-1080x1920.png", "staff-pin-prompt-1080x1920.png",
        "staff-camera-pin-prompt.png", "staff-camera-no-camera.png"}
    for path in written:
        image = QImage(str(path))
        size = PORTRAIT if path.stem.endswith("1080x1920") else LANDSCAPE
        assert (image.width(), image.height()) == size, path.name
        assert len({image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}) > 20
    assert names <= {path.name for path in DOCS.glob("staff-*.png")}  # the committed ones are these
    assert SETTINGS_FILE.parent.exists() == there_before  # the path shown is only shown
