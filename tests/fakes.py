"""The fakes the tests share, Qt-free (core's tests use them as well as the window's): a segmenter that
calls the top of every picture hair, a stage that changes nothing, pipelines and a factory that counts
them, a gate that holds a slow pipeline's frames until the test lets them through, a clock the test
moves, a fake camera that can be unplugged, a list of frames as a source, and an opener that hands them
out by spec. Also the small helpers several test files need: a synthetic portrait, a shade of the
default palette, a Prometheus text's figures, the live Python threads.

Timing is in the tests' hands. The one wait on the clock left here is the free-running camera's frame
period, which is what a camera is: its read() blocks until the sensor's next frame, whatever the app
does. Without it the capture thread would spin, and the window tests that need frames to keep coming
(after a reset, a source switch, a reconnect) would have to feed every frame by hand; with
``Camera(shutter=True)`` a test releases each frame itself."""

from __future__ import annotations

import functools
import threading
import time

import numpy as np

from core.errors import SourceError
from core.frames import Frame, RunningMode, Shade
from core.io.model_file import ModelInfo
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Painted, Recolorer

FAKE_MODEL = ModelInfo(id="fake-hair", version="0.0.1")


# ---- helpers ------------------------------------------------------------------------------------------
def portrait(width: int = 320, height: int = 240, t: float = 0.0) -> np.ndarray:
    """The synthetic portrait (core.demo.synthetic) at time ``t``, as RGB pixels."""
    from core.demo.synthetic import render_portrait

    image, _ = render_portrait(width, height, t)
    return np.ascontiguousarray(image)


@functools.cache
def _default_palette() -> tuple[Shade, ...]:
    from core.catalog.palette import default_palette

    return tuple(default_palette())


def shade(name: str) -> Shade:
    """The default palette's shade called ``name`` (or a colour such as '#ff0000')."""
    from core.catalog.palette import resolve_color

    return resolve_color(name, list(_default_palette()))


def metric_figures(text: str) -> dict:
    """Prometheus text -> {(name, sorted label pairs): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def real_threads() -> set[threading.Thread]:
    """Python threads, minus the dummies Python records for foreign (Qt) threads that ran Python code."""
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread) and t.is_alive()}


class Clock:
    """A clock the test moves: each call advances it by ``step`` seconds and says the time; a test may
    also set ``t`` itself."""

    def __init__(self, t: float = 0.0, step: float = 0.0):
        self.t, self.step = t, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


# ---- pipeline parts -----------------------------------------------------------------------------------
class FakeSegmenter:
    """Hair = the top ``share`` of the picture's rows (at ``value``), whatever the picture. Counts its
    calls, resets and closes; ``info`` says who it is, as a real segmenter's does."""

    input_size = None

    def __init__(self, share: float = 0.4, value: float = 1.0, info: ModelInfo = FAKE_MODEL):
        self.share, self.value, self.info = share, value, info
        self.calls = self.resets = self.closes = 0

    def segment(self, frame: Frame) -> np.ndarray:
        self.calls += 1
        h, w = frame.pixels.shape[:2]
        mask = np.zeros((h, w), np.float32)
        mask[: int(h * self.share)] = self.value
        return mask

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.closes += 1


class Identity:
    """A refiner or recolourer that changes nothing."""

    def refine(self, mask, frame):
        return mask

    def recolor(self, pixels, mask, look):
        return pixels.copy()

    def paint(self, pixels, mask, look):
        return Painted(pixels.copy(), None)


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


def fake_pipeline(mode: RunningMode = RunningMode.VIDEO, gate: Gate | None = None) -> Pipeline:
    """The fake segmenter in front of the real recolourer; with ``gate``, each frame waits there first
    (a pipeline exactly as slow as the test makes it)."""
    segmenter = FakeSegmenter()
    if gate is not None:
        inner = segmenter.segment

        def held(frame):
            gate.wait()
            return inner(frame)

        segmenter.segment = held
    return Pipeline(segmenter, PassThroughSmoother(), Identity(), Recolorer())


class PipelineFactory:
    """Counts the pipelines it made and the frames they processed; ``gate``: see :func:`fake_pipeline`."""

    def __init__(self, gate: Gate | None = None):
        self.gate = gate
        self.made: list[Pipeline] = []
        self.threads: list[str] = []

    def __call__(self, mode: RunningMode) -> Pipeline:
        self.threads.append(threading.current_thread().name)
        pipeline = fake_pipeline(mode, self.gate)
        self.made.append(pipeline)
        return pipeline

    @property
    def segment_calls(self) -> int:
        return sum(p.segmenter.calls for p in self.made)


# ---- sources ------------------------------------------------------------------------------------------
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

    def open(self, spec: str) -> CameraSource:
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
    """Frames from a list, then None: a photo (one frame) or a short clip. ``loop``: the list over and
    over, never ending; ``live``: says it is a camera (``is_live``)."""

    def __init__(self, spec: str, pixels: list[np.ndarray], fps: float = 30.0, loop: bool = False,
                 live: bool = False):
        self.source_id, self._pixels, self._fps, self._i = spec, pixels, fps, 0
        self.loop, self.is_live = loop, live
        self.reads = 0

    def read(self) -> Frame | None:
        self.reads += 1
        if self._i >= len(self._pixels) and not self.loop:
            return None
        frame = Frame(self._pixels[self._i % len(self._pixels)], int(self._i * 1000 / self._fps), self._i,
                      self.source_id)
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
            return ListSource(spec, [portrait(t=i / 10) for i in range(3)], fps=30, loop=True)
        from core.io.images import load_image

        return ListSource(spec, [load_image(spec)])
