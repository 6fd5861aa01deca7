"""Desktop test set-up: Qt offscreen, cv2's Qt variables dropped, settings in a temporary folder, and
light fakes (a pipeline whose segmenter returns a fixed mask in front of the real recolourer, and
sources that can be told to fail and come back).

Timing is in the tests' hands: a slow pipeline is one whose segmenter holds each frame at a
:class:`Gate` until the test lets it through, and the fake camera can deliver only the frames a test
releases (``Camera(shutter=True)``). The one wait on the clock left here is the free-running camera's
frame period, which is what a camera is: its read() blocks until the sensor's next frame, whatever the
app does. Without it the capture thread would spin, and the window tests that need frames to keep
coming (after a reset, a source switch, a reconnect) would have to feed every frame by hand."""

from __future__ import annotations

import os

import cv2  # noqa: F401  -- imported first so its QT_QPA_* side effects happen before we undo them

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
    os.environ.pop(_name, None)

import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from core.catalog.config import Settings  # noqa: E402
from core.errors import SourceError  # noqa: E402
from core.frames import Frame  # noqa: E402
from core.pipeline import PassThroughSmoother, Pipeline  # noqa: E402
from core.stages.recolor import Recolorer  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
INSTALL_ID = "00000000-0000-4000-8000-000000000001"


def portrait(width: int = 320, height: int = 240, t: float = 0.0) -> np.ndarray:
    from core.demo.synthetic import render_portrait

    image, _ = render_portrait(width, height, t)
    return np.ascontiguousarray(image)


class FakeSegmenter:
    """Hair = the top 40 % of the picture, whatever the picture."""

    def __init__(self):
        self.calls = 0

    def segment(self, frame: Frame) -> np.ndarray:
        self.calls += 1
        h, w = frame.pixels.shape[:2]
        mask = np.zeros((h, w), np.float32)
        mask[: int(h * 0.4)] = 1.0
        return mask

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


class SameSizeRefiner:
    def refine(self, mask, frame):
        return mask


class FakeModelInfo:
    id, version = "fake-hair", "0.0.1"


class Gate:
    """Holds whoever calls :meth:`wait` until the test lets them through: ``release(n)`` lets ``n`` through,
    ``open()`` everyone from then on. ``waiting``: how many are held now; ``passed``: how many went through."""

    def __init__(self):
        self._cond = threading.Condition()
        self._permits = 0
        self._open = False
        self.waiting = 0
        self.passed = 0

    def wait(self) -> None:
        with self._cond:
            self.waiting += 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._open or self._permits > 0)
            if not self._open:
                self._permits -= 1
            self.waiting -= 1
            self.passed += 1

    def release(self, count: int = 1) -> None:
        with self._cond:
            self._permits += count
            self._cond.notify_all()

    def open(self) -> None:
        with self._cond:
            self._open = True
            self._cond.notify_all()


def fake_pipeline(still: bool = False, gate: Gate | None = None) -> Pipeline:
    """The fake segmenter in front of the real recolourer; with ``gate``, each frame waits there first
    (a pipeline exactly as slow as the test makes it)."""
    segmenter = FakeSegmenter()
    if gate is not None:
        inner = segmenter.segment

        def held(frame):
            gate.wait()
            return inner(frame)

        segmenter.segment = held
    pipeline = Pipeline(segmenter, PassThroughSmoother(), SameSizeRefiner(), Recolorer())
    segmenter.info = FakeModelInfo()
    return pipeline


class PipelineFactory:
    """Counts the pipelines it made and the frames they processed; ``gate``: see :func:`fake_pipeline`."""

    def __init__(self, gate: Gate | None = None):
        self.gate = gate
        self.made: list[Pipeline] = []
        self.threads: list[str] = []

    def __call__(self, still: bool) -> Pipeline:
        self.threads.append(threading.current_thread().name)
        pipeline = fake_pipeline(still, self.gate)
        self.made.append(pipeline)
        return pipeline

    @property
    def segment_calls(self) -> int:
        return sum(p.segmenter.calls for p in self.made)


class Camera:
    """A fake camera a test can unplug (``available = False``) and plug back in. Free-running, it
    delivers a frame every 1/``fps`` seconds, as a camera does whether or not the app keeps up; with
    ``shutter=True`` it delivers only the frames the test lets through with :meth:`release` (``waiting``
    says a read is held there), until :meth:`run_free`. Unplugging wakes a waiting read at once."""

    def __init__(self, fps: float = 60.0, size=(320, 240), shutter: bool = False):
        self._cond = threading.Condition()
        self._available = True
        self._let_through = 0
        self.shutter = shutter
        self.waiting = False
        self.fps = fps
        self.size = size
        self.opened = 0
        self.closed = 0
        self.reads = 0
        self._pixels = [portrait(*size, t=i / 10) for i in range(4)]

    @property
    def available(self) -> bool:
        return self._available

    @available.setter
    def available(self, value: bool) -> None:
        with self._cond:
            self._available = value
            self._cond.notify_all()

    def release(self, frames: int = 1) -> None:
        """(shutter) Let ``frames`` more frames through."""
        with self._cond:
            self._let_through += frames
            self._cond.notify_all()

    def run_free(self) -> None:
        """Deliver frames at ``fps`` from now on (so a test that used the shutter can stop the camera)."""
        with self._cond:
            self.shutter = False
            self._cond.notify_all()

    def next_frame(self) -> bool:
        """Wait for the next frame: False when the camera was unplugged meanwhile."""
        with self._cond:
            if self.shutter:
                self.waiting = True
                self._cond.wait_for(lambda: not self._available or not self.shutter or self._let_through > 0)
                self.waiting = False
                if self._available and self.shutter:
                    self._let_through -= 1
                    return True
            if self._available:  # free-running: the sensor's frame period (see the module's text)
                self._cond.wait_for(lambda: not self._available, timeout=1.0 / self.fps)
            return self._available

    def open(self, spec: str) -> "CameraSource":
        if not self.available:
            raise SourceError(f"{spec.replace(':', ' ')} is busy or gone")
        self.opened += 1
        return CameraSource(self, spec)


class CameraSource:
    is_live = True

    def __init__(self, camera: Camera, spec: str):
        self.camera, self.source_id, self._i = camera, spec, 0
        self._t0 = time.monotonic()

    def read(self) -> Frame:
        if not self.camera.next_frame():
            raise SourceError(f"{self.source_id.replace(':', ' ')} stopped delivering frames")
        self.camera.reads += 1
        self._i += 1
        pixels = self.camera._pixels[self._i % len(self.camera._pixels)]
        return Frame(pixels, int((time.monotonic() - self._t0) * 1000), self._i, self.source_id)

    def close(self) -> None:
        self.camera.closed += 1


class ListSource:
    """Frames from a list, then None: a photo (one frame) or a short clip. Not live."""

    is_live = False

    def __init__(self, spec: str, pixels: list[np.ndarray], fps: float = 30.0):
        self.source_id, self._pixels, self._fps, self._i = spec, pixels, fps, 0
        self.reads = 0

    def read(self) -> Frame | None:
        self.reads += 1
        if self._i >= len(self._pixels):
            return None
        frame = Frame(self._pixels[self._i], int(self._i * 1000 / self._fps), self._i, self.source_id)
        self._i += 1
        return frame

    def close(self) -> None:
        pass


class Opener:
    """spec -> fake source: camera:N -> the fake camera (None: no camera at all), 'synthetic' -> an
    endless generated clip, a path -> the photo read with core.io.images."""

    def __init__(self, camera: Camera | None = None):
        self.camera = camera
        self.opened: list[str] = []

    def __call__(self, spec: str):
        self.opened.append(spec)
        if spec.startswith("camera:"):
            if self.camera is None:
                raise SourceError(f"no camera found at {spec}")
            return self.camera.open(spec)
        if spec == "synthetic":
            return ListSource(spec, [portrait(t=i / 10) for i in range(3)] * 1000, fps=30)
        from core.io.images import load_image

        return ListSource(spec, [load_image(spec)])


def settle(qtbot, worker) -> None:
    """Wait until the worker's runner has nothing left to do (a still shown, a source given up on),
    then until every event it sent before that has reached the GUI thread."""
    qtbot.waitUntil(worker.settled, timeout=5000)
    token, got = object(), []
    worker.event.connect(got.append)
    worker._relay.emit(token)  # queued behind everything the runner sent before it settled
    qtbot.waitUntil(lambda: token in got, timeout=5000)
    worker.event.disconnect(got.append)


def real_threads() -> set[threading.Thread]:
    """Python threads, minus the dummies Python records for foreign (Qt) threads that ran Python code."""
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread) and t.is_alive()}


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
