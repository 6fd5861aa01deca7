"""Desktop test set-up: Qt offscreen, cv2's Qt variables dropped, settings in a temporary folder, a
window maker over the fakes of :mod:`tests.fakes`, and :func:`settle`, which waits for the worker."""

from __future__ import annotations

import os

import cv2  # noqa: F401  -- imported first so its QT_QPA_* side effects happen before we undo them

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
    os.environ.pop(_name, None)

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from core.catalog.config import Settings  # noqa: E402
from tests.conftest import FIXTURES  # noqa: E402
from tests.fakes import Camera, Opener, PipelineFactory, portrait  # noqa: E402

INSTALL_ID = "00000000-0000-4000-8000-000000000001"


def settle(qtbot, worker) -> None:
    """Wait until the worker's runner has nothing left to do (a still shown, a source given up on),
    then until every event it sent before that has reached the GUI thread."""
    qtbot.waitUntil(worker.settled, timeout=5000)
    token, got = object(), []
    worker.event.connect(got.append)
    worker._relay.emit(token)  # queued behind everything the runner sent before it settled
    qtbot.waitUntil(lambda: token in got, timeout=5000)
    worker.event.disconnect(got.append)


@pytest.fixture(autouse=True)
def _config_in_tmp(tmp_path_factory, monkeypatch):
    """Never touch the real ~/.config in tests (nor the test's own tmp_path, which some tests list)."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("HAIRTINT_CONFIG", str(home / "settings.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))


@pytest.fixture
def photo_path(tmp_path) -> Path:
    fixture = FIXTURES / "portrait_640x480.png"
    if fixture.exists():
        return fixture
    from core.io.images import save_image

    return save_image(tmp_path / "portrait.png", portrait(640, 480))


@pytest.fixture
def make_window(qtbot, tmp_path):
    from core.catalog.palette import default_palette
    from hairtint_desktop.main_window import MainWindow

    windows = []

    def make(**kw):
        kw.setdefault("settings", Settings(install_id=INSTALL_ID))
        kw.setdefault("settings_path", tmp_path / "settings.json")
        kw.setdefault("pipeline_factory", PipelineFactory())
        kw.setdefault("opener", Opener(Camera()))
        kw.setdefault("palette", default_palette())
        window = MainWindow(**kw)
        window._test_factory, window._test_opener = kw["pipeline_factory"], kw["opener"]
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        assert window.shutdown(), "the worker thread did not stop"
        if window.kiosk is not None:
            window.kiosk.stop()
