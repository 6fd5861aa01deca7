"""The staff screens of the kiosk as pictures: ``docs/images/staff-*.png`` are made by

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.desktop.staff_screens docs/images

(test_staff_screens.py runs it into a temporary folder). The window is the real one over the tests' fakes
(a fake camera and pipeline; the real model registry, so the rollout page names the shipped model); the
settings file is named as on a salon's kiosk (:data:`SETTINGS_FILE`, never read or written here) and the
drives on the folder page are a salon's (:func:`salon_folders`), so no temporary path shows."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDeadlineTimer
from PySide6.QtWidgets import QApplication, QWidget

from core.catalog.config import KioskSettings, Settings
from core.catalog.palette import default_palette
from core.io.folders import LOOKS_FOLDER, Folder
from tests.fakes import Camera, Opener, PipelineFactory

SETTINGS_FILE = Path("/home/salon/.config/hairtint/settings.json")
PIN = "2468"
LANDSCAPE, PORTRAIT = (1280, 800), (1080, 1920)
INSTALL_ID = "00000000-0000-4000-8000-000000000001"


def salon_folders(current: str | None) -> list[Folder]:
    """A kiosk with a USB stick, a locked SD card and a Pictures folder, the cards going to the stick."""
    stick = Path("/media/salon/KINGSTON")
    found = [Folder(stick, "removable", True, True), Folder(Path("/run/media/salon/SD-CARD"), "removable", True, False),
             Folder(Path("/home/salon/Pictures"), "pictures", True, True)]
    if current and Path(current) not in {f.path for f in found}:
        found.append(Folder(Path(current), "current", True, True))
    return found


def wait_until(condition: Callable[[], bool], ms: int = 10_000) -> None:
    """Let Qt work until ``condition`` holds (RuntimeError after ``ms``)."""
    deadline = QDeadlineTimer(ms)
    while not condition():
        if deadline.hasExpired():
            raise RuntimeError("the window did not get there in time")
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents()


def save(widget: QWidget, folder: Path, name: str, written: list[Path]) -> None:
    QCoreApplication.processEvents()
    path = folder / name
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not write {path}")
    written.append(path)


def kiosk(opener: Opener, cameras: list[tuple[int, str]]):
    from hairtint_desktop.main_window import MainWindow

    settings = Settings(install_id=INSTALL_ID, kiosk=KioskSettings(pin=PIN, idle_reset_s=90.0),
                        look_card_dir=f"/media/salon/KINGSTON/{LOOKS_FOLDER}")
    window = MainWindow(settings, settings_path=SETTINGS_FILE, pipeline_factory=PipelineFactory(), opener=opener,
                        palette=default_palette(), kiosk=True)
    window.kiosk.cameras = lambda: list(cameras)
    window.kiosk.folders = salon_folders
    window.resize(*LANDSCAPE)
    window.show()
    window.start()
    return window


def type_pin(window, keys) -> None:
    for key in keys:
        window.kiosk.pin_prompt.pad.keys[key].click()


def staff_screens(window, folder: Path, written: list[Path]) -> None:
    """The PIN prompt and the home page at both sizes, and each page."""
    wait_until(lambda: window.fleet.assignment is not None and window.last_result is not None)
    for size, suffix in ((LANDSCAPE, ""), (PORTRAIT, "-1080x1920")):
        window.resize(*size)
        window.kiosk.request_settings()
        type_pin(window, PIN[:2])
        save(window, folder, f"staff-pin-prompt{suffix}.png", written)
        type_pin(window, [*PIN[2:], "OK"])
        pages = window.kiosk.staff_pages
        pages.open_page("idle")
        pages.pages["idle"].presets[120].click()
        pages.go_home()
        save(window, folder, f"staff-home{suffix}.png", written)
        if not suffix:
            for name in pages.pages:
                pages.open_page(name)
                save(window, folder, f"staff-{name}.png", written)
        pages.reject()


def no_camera_screens(window, folder: Path, written: list[Path]) -> None:
    """No camera found: the start panel's camera button asks for the PIN, then opens the camera page."""
    wait_until(lambda: window.stack.currentWidget() is window.start_panel)
    window.start_panel.buttons["camera"].click()
    save(window, folder, "staff-camera-pin-prompt.png", written)
    type_pin(window, [*PIN, "OK"])
    save(window, folder, "staff-camera-no-camera.png", written)
    window.kiosk.staff_pages.reject()


def make_screens(folder: Path) -> list[Path]:
    """Write the staff screens into ``folder``; their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed
    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for opener, cameras, screens in ((Opener(Camera()), [(0, "Camera 0"), (2, "Camera 2")], staff_screens),
                                     (Opener(None), [], no_camera_screens)):
        window = kiosk(opener, cameras)
        try:
            screens(window, folder, written)
        finally:
            window.shutdown()
            window.kiosk.stop()
            window.close()
        app.processEvents()
    return written


if __name__ == "__main__":
    for path in make_screens(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")):
        print(path)
