"""Where frames come from: a photo, a folder of photos, a video file, a camera, or the synthetic portrait.

Every source hands out :class:`~core.frames.Frame` objects in RGB with monotonic millisecond timestamps
and returns None at the end of the stream. A live camera never ends quietly: if it stops delivering,
``read`` raises SourceError so the person can be told."""

from __future__ import annotations

import inspect
import itertools
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from core.demo.synthetic import head_share_at, render_portrait
from core.errors import ImageReadError, SourceError
from core.frames import Frame
from core.io.images import IMAGE_SUFFIXES, load_image
from core.io.source_spec import SourceSpec, parse_spec

log = logging.getLogger(__name__)

DEFAULT_FPS = 30.0
_ids = itertools.count(1)


@runtime_checkable
class Source(Protocol):
    source_id: str
    is_live: bool

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


@runtime_checkable
class SteppingSource(Source, Protocol):
    """What a folder spec opens to (:class:`FolderSource`): a source that can be moved on or back."""

    def step(self, delta: int) -> None: ...


class OpenedSource(Source, Protocol):
    """What :func:`open_source` gives: a source that closes itself at the end of a ``with``."""

    def __enter__(self) -> OpenedSource: ...

    def __exit__(self, *exc: object) -> None: ...


class Capturing(Protocol):
    """What a camera is read through: cv2.VideoCapture, or a test's stand-in."""

    def isOpened(self) -> bool: ...

    def set(self, prop: int, value: float) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


class _SourceBase:
    """Unique ids, context-manager support and iteration, shared by every source here."""

    is_live = False

    def __init__(self, kind: str, name: str):
        self.source_id = f"{kind}:{name}:{next(_ids)}"

    def read(self) -> Frame | None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source_id}>"


def _bgr_to_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class ImageSource(_SourceBase):
    """One photo, delivered once. Raises ImageReadError at once if the file cannot be read."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__("image", self.path.name)
        self._pixels = load_image(self.path)
        self._done = False

    def read(self) -> Frame | None:
        if self._done:
            return None
        self._done = True
        return Frame(self._pixels, timestamp_ms=0, index=0, source_id=self.source_id)

    def close(self) -> None:
        self._done = True


class FolderSource(_SourceBase):
    """Each photo in a folder in name order; files that cannot be read are skipped with a warning
    and listed in ``skipped``. The photos are unrelated pictures, so each frame carries its own
    ``source_id`` (``<source id>/<file name>``): the pipeline starts afresh on every photo."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        super().__init__("folder", self.path.name)
        if not self.path.is_dir():
            raise SourceError(f"{self.path} is not a folder")
        self.files = sorted(
            (p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()),
            key=lambda p: p.name,
        )
        if not self.files:
            raise SourceError(f"{self.path} holds no pictures HairTint can open ({', '.join(IMAGE_SUFFIXES)})")
        self.skipped: list[Path] = []
        self.current = 0  # the index in ``files`` of the photo read last
        self._next_file = 0
        self._index = 0

    def read(self) -> Frame | None:
        while self._next_file < len(self.files):
            path = self.files[self._next_file]
            self._next_file += 1
            try:
                pixels = load_image(path)
            except ImageReadError as exc:
                log.warning("skipping %s", exc)
                self.skipped.append(path)
                continue
            self.current = self._next_file - 1
            index = self._index
            self._index += 1
            return Frame(pixels, timestamp_ms=index * 1000, index=index, source_id=f"{self.source_id}/{path.name}")
        return None

    def step(self, delta: int) -> None:
        """Move ``delta`` photos on from the one read last (negative: back), wrapping around at either
        end; the next ``read`` gives that photo."""
        self._next_file = (self.current + delta) % len(self.files)

    def close(self) -> None:
        self._next_file = len(self.files)


class VideoSource(_SourceBase):
    """A video file, decoded by OpenCV. Timestamps follow the frame index and the file's frame rate;
    with ``loop`` the clip starts again at the end and timestamps keep rising."""

    def __init__(self, path: str | Path, loop: bool = False):
        self.path = Path(path)
        super().__init__("video", self.path.name)
        if not self.path.is_file():
            raise SourceError(f"{self.path} does not exist" if not self.path.exists() else f"{self.path} is not a video file")
        self.loop = loop
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(f"{self.path} is not a video HairTint can play (OpenCV could not open it)")
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if math.isfinite(fps) and 0 < fps <= 1000 else DEFAULT_FPS
        self.frame_count = max(0, int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT)))  # an estimate for some files
        self._index = 0
        self._closed = False

    def read(self) -> Frame | None:
        if self._closed:
            return None
        ok, bgr = self._capture.read()
        if (not ok or bgr is None) and self.loop and self._index > 0:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._capture.read()
        if not ok or bgr is None:
            return None
        index = self._index
        self._index += 1
        return Frame(_bgr_to_rgb(bgr), timestamp_ms=round(index * 1000 / self.fps), index=index, source_id=self.source_id)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._capture.release()


def _open_capture(index: int) -> Capturing:
    """cv2.VideoCapture without OpenCV's console warnings about missing devices."""
    if not hasattr(cv2, "setLogLevel"):  # an OpenCV build without its logging module
        return cv2.VideoCapture(index)
    level = cv2.getLogLevel()
    cv2.setLogLevel(0)  # silent; a missing camera is reported by the SourceError instead
    try:
        return cv2.VideoCapture(index)
    finally:
        cv2.setLogLevel(level)


class CameraSource(_SourceBase):
    """A webcam. Opening raises SourceError if it is busy or missing; a read that fails (after a couple
    of quick retries) raises SourceError rather than returning None. Timestamps come from ``clock``
    (seconds) in milliseconds and always rise. ``capture_factory`` stands in for cv2.VideoCapture in tests."""

    is_live = True
    READ_ATTEMPTS = 3

    def __init__(
        self,
        index: int = 0,
        width: int = 640,
        height: int = 480,
        clock: Callable[[], float] = time.monotonic,
        capture_factory: Callable[[int], Capturing] = _open_capture,
    ):
        super().__init__("camera", str(index))
        self.index = index
        self._clock = clock
        self._capture = capture_factory(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(f"camera {index} is busy or not connected")
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._index = 0
        self._last_ms: int | None = None
        self._closed = False

    def read(self) -> Frame:
        if self._closed:
            raise SourceError(f"camera {self.index} is closed")
        for _ in range(self.READ_ATTEMPTS):
            ok, bgr = self._capture.read()
            if ok and bgr is not None and bgr.size:
                break
        else:
            raise SourceError(f"camera {self.index} stopped delivering frames")
        now_ms = int(self._clock() * 1000)
        if self._last_ms is not None and now_ms <= self._last_ms:
            now_ms = self._last_ms + 1
        self._last_ms = now_ms
        index = self._index
        self._index += 1
        return Frame(_bgr_to_rgb(bgr), timestamp_ms=now_ms, index=index, source_id=self.source_id)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._capture.release()


# The demo person (and the benchmark's): of the drawn portraits, one whose skin and shadows the shipped
# model does not take for hair (seed 0's dark forehead and neck shadows partly are).
DEMO_SEED = 6


class SyntheticSource(_SourceBase):
    """The drawn portrait (:mod:`core.demo.synthetic`) at ``fps``; ``frames`` None means endless.
    ``truth(index)`` is the exact hair mask of frame ``index``. ``distance_m``: the person that far from
    the camera (None: a close portrait)."""

    def __init__(self, width: int = 640, height: int = 480, fps: float = 30, frames: int | None = None, seed: int = DEMO_SEED,
                 distance_m: float | None = None):
        super().__init__("synthetic", f"{width}x{height}")
        if width < 16 or height < 16:
            raise SourceError(f"synthetic frames must be at least 16 x 16, got {width} x {height}")
        if not fps > 0:
            raise SourceError(f"synthetic frame rate must be above 0, got {fps}")
        self.width, self.height, self.fps, self.frames, self.seed = width, height, fps, frames, seed
        self.head = None if distance_m is None else head_share_at(distance_m)
        self._index = 0
        self._closed = False
        self._last_mask: tuple[int, np.ndarray] | None = None

    def read(self) -> Frame | None:
        if self._closed or (self.frames is not None and self._index >= self.frames):
            return None
        index = self._index
        self._index += 1
        pixels, mask = render_portrait(self.width, self.height, index / self.fps, self.seed, self.head)
        self._last_mask = (index, mask)
        return Frame(pixels, timestamp_ms=round(index * 1000 / self.fps), index=index, source_id=self.source_id)

    def truth(self, index: int) -> np.ndarray:
        """The hair mask (bool H x W) of frame ``index``."""
        if self._last_mask is not None and self._last_mask[0] == index:
            return self._last_mask[1].copy()
        return render_portrait(self.width, self.height, index / self.fps, self.seed, self.head)[1]

    def close(self) -> None:
        self._closed = True


def describe_spec(spec: str | SourceSpec) -> str:
    """A short name for messages: "camera 1", "the demo clip", or the file's name."""
    return parse_spec(spec).describe()


def open_source(spec: str | SourceSpec, **kw) -> OpenedSource:
    """A source from a spec (see :mod:`core.io.source_spec`): ``camera:N``, ``synthetic``,
    ``synthetic:WxH``, or a path to a photo, a folder of photos or a video (``VIDEO_SUFFIXES``).
    Keyword arguments go to the source; those it does not take (``loop`` for a photo, say) are ignored."""
    parsed = parse_spec(spec)
    if parsed.problem:
        raise SourceError(parsed.problem)
    if parsed.kind == "camera":
        return _make(CameraSource, kw, parsed.camera_index)
    if parsed.kind == "demo":
        if parsed.size:
            kw = {**kw, "width": parsed.size[0], "height": parsed.size[1]}
        if parsed.distance_m is not None:
            kw = {**kw, "distance_m": parsed.distance_m}
        return _make(SyntheticSource, kw)
    if not parsed.text or parsed.path is None or not parsed.path.exists():
        raise SourceError(f"{parsed.text or '(empty)'} does not exist: give a photo, a folder, a video, camera:N or synthetic")
    cls = {"folder": FolderSource, "video": VideoSource}.get(parsed.kind, ImageSource)
    return _make(cls, kw, parsed.path)


def _make(cls, kw: dict, *args):
    accepted = inspect.signature(cls).parameters
    unused = sorted(set(kw) - set(accepted))
    if unused:
        log.debug("%s ignores %s", cls.__name__, ", ".join(unused))
    return cls(*args, **{k: v for k, v in kw.items() if k in accepted})


def list_cameras(max_index: int = 4, capture_factory: Callable[[int], Capturing] = _open_capture) -> list[int]:
    """Indexes 0 ... ``max_index`` of cameras that open (without reading a frame, so it is quick)."""
    found: list[int] = []
    for index in range(max_index + 1):
        capture = capture_factory(index)
        try:
            if capture.isOpened():
                found.append(index)
        finally:
            capture.release()
    return found
