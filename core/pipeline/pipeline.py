"""The one pipeline a frame flows through: segment -> smooth -> refine -> recolour, each stage timed.

Stages are small objects with one method each; they never read files, settings or the clock. The
pipeline strings them together, times them, and resets temporal state when the source changes.

The kiosk's mirror is framed here, before anything is processed: the part of the camera's full-size
frame the framing shows (``core.pipeline.framing``) is cut out and processed at the view's size (at
most ``max_pixels``), so the picture the screen enlarges round the head is worked at about the
screen's resolution for the same pixels as a whole shrunk frame. When the framing pans or zooms, the
temporal smoothers' history is moved with the picture (``follow``): the smoothers compare each frame
with the last, and a crop that glides must not read as a head that moves."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

import cv2
import numpy as np

from core.frames import Frame, Look, Result, RunningMode
from core.pipeline.framing import Box, Framer, View, cut, moved, processing_size
from core.pipeline.latency import RollingLatency
from core.stages.resample import shrink_frame

STAGES = ("segment", "smooth", "refine", "recolor")


class Segmenter(Protocol):
    """Hair probability for a frame: float32 in [0, 1], at the model's or the frame's resolution;
    ``info``: the model's ModelInfo (id, version, stage), None when it has none."""

    info: object

    def segment(self, frame: Frame) -> np.ndarray: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


class Smoother(Protocol):
    """Temporal smoothing of the raw mask (same shape in and out)."""

    def smooth(self, mask: np.ndarray, frame: Frame) -> np.ndarray: ...

    def reset(self) -> None: ...


class Refiner(Protocol):
    """Edge-aware upsampling and clean-up: returns float32 [0, 1] at the frame's size. A refiner that
    keeps state across frames or holds resources also has ``reset()`` and ``close()``; one that does
    not need not (tests/core/test_face_guard.py), so the pipeline calls them only where they are."""

    def refine(self, mask: np.ndarray, frame: Frame) -> np.ndarray: ...


class Recolorer(Protocol):
    """``recolor``: the recoloured picture; ``paint``: the same with what was measured on the way
    (a :class:`~core.stages.recolor.Painted`: ``pixels`` and ``hair_level``)."""

    def recolor(self, pixels: np.ndarray, mask: np.ndarray, look: Look) -> np.ndarray: ...

    def paint(self, pixels: np.ndarray, mask: np.ndarray, look: Look): ...


class PipelineFactory(Protocol):
    """Makes the pipeline for a running mode: the live runner asks for one per mode it meets, on the
    thread that will use it (IMAGE for photos and folders, VIDEO for cameras, videos and the demo clip)."""

    def __call__(self, mode: RunningMode) -> Pipeline: ...


class PassThroughSmoother:
    """No temporal smoothing: for stills, where there is no previous frame."""

    def smooth(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        return mask

    def reset(self) -> None:
        pass


class PipelineStats:
    """Rolling per-stage and total latency, and frames per second over the same window."""

    def __init__(self, window: int = 300):
        self.stages = {name: RollingLatency(window) for name in (*STAGES, "total")}
        self._finished: deque[float] = deque(maxlen=window)

    def add(self, timings_ms: dict[str, float], finished_s: float) -> None:
        for name, ms in timings_ms.items():
            if name in self.stages:
                self.stages[name].add(ms)
        self._finished.append(finished_s)

    def fps(self) -> float:
        if len(self._finished) < 2:
            return float("nan")
        span = self._finished[-1] - self._finished[0]
        return (len(self._finished) - 1) / span if span > 0 else float("nan")

    def summary(self) -> dict:
        return {"fps": self.fps(), **{name: lat.summary() for name, lat in self.stages.items()}}

    def reset(self) -> None:
        for lat in self.stages.values():
            lat.clear()
        self._finished.clear()


class Pipeline:
    def __init__(
        self,
        segmenter: Segmenter,
        smoother: Smoother,
        refiner: Refiner,
        recolorer: Recolorer,
        stats: PipelineStats | None = None,
        clock: Callable[[], float] = time.perf_counter,
        max_pixels: int | None = None,
        locator=None,
        framer: Framer | None = None,
        framed_pixels: int | None = None,
    ):
        """``max_pixels``: a larger frame is first shrunk to that many pixels (same aspect ratio) and
        processed and shown at that size (None: every frame at its own size). ``locator``: a
        ``core.stages.face_box.FaceLocator`` for ``Result.face_box`` (timed in the total only).
        ``framer`` (with a locator): the kiosk's mirror; once ``view`` is set, each frame is cut to the
        part the framer shows round the face and processed at the view's size, shrunk to at most
        ``framed_pixels`` (None: ``max_pixels``) (``Result.crop``; the face box then in the camera frame's
        pixels)."""
        self.segmenter, self.smoother, self.refiner, self.recolorer = segmenter, smoother, refiner, recolorer
        self.max_pixels = max_pixels
        self.locator = locator
        self.framer = framer if locator is not None else None
        self.framed_pixels = framed_pixels if framed_pixels is not None else max_pixels
        self.view: View | None = None  # where the framed picture is shown (set by the live loop)
        self._crop: Box | None = None  # the last frame's crop, and its size
        self._crop_size: tuple[int, int] | None = None
        self._framed_ms: int | None = None
        self.stats = stats if stats is not None else PipelineStats()
        self._clock = clock
        self._source_id: str | None = None

    @property
    def model_info(self):
        """The segmenter's ModelInfo (id, version, stage), for overlays and reports."""
        return self.segmenter.info

    def reset(self) -> None:
        """Forget temporal state (a new source, a new customer)."""
        self.segmenter.reset()
        self.smoother.reset()
        reset_refiner = getattr(self.refiner, "reset", None)  # a refiner may keep nothing (see Refiner)
        if reset_refiner is not None:
            reset_refiner()
        if self.locator is not None:
            self.locator.reset()
        if self.framer is not None:
            self.framer.reset()
        self._crop = self._crop_size = self._framed_ms = None
        self._source_id = None

    def process(self, frame: Frame, look: Look, also: tuple[Look, ...] = ()) -> Result:
        """Segment, smooth, refine and recolour ``frame`` with ``look``; each look in ``also`` is
        recoloured from the same mask too (``Result.variants``: the compare view's other tiles)."""
        if frame.source_id != self._source_id:
            self.reset()
            self._source_id = frame.source_id
        clock, timings = self._clock, {}
        start = clock()
        crop, face_box = None, None
        if self.framer is not None and self.view is not None:
            face_box = self.locator.locate(frame)  # on the camera's frame: the framing is in its pixels
            t0 = clock()
            frame, crop = self._framed(frame, face_box, self.view)
        else:
            t0 = start
            frame = self._working(frame)
        raw = self.segmenter.segment(frame)
        t1 = clock()
        timings["segment"] = (t1 - t0) * 1000.0
        self._follow(crop, frame.size)
        smoothed = self.smoother.smooth(raw, frame)
        t2 = clock()
        timings["smooth"] = (t2 - t1) * 1000.0
        mask = self.refiner.refine(smoothed, frame)
        t3 = clock()
        timings["refine"] = (t3 - t2) * 1000.0
        painted = self.recolorer.paint(frame.pixels, mask, look)
        variants = tuple(self.recolorer.recolor(frame.pixels, mask, other) for other in also)
        t4 = clock()
        timings["recolor"] = (t4 - t3) * 1000.0
        if self.locator is not None and crop is None:
            face_box = self.locator.locate(frame)
        t5 = clock() if self.locator is not None else t4
        timings["total"] = (t5 - start) * 1000.0
        self.stats.add(timings, t5)
        return Result(frame=frame, pixels=painted.pixels, mask=mask, timings_ms=timings, hair_level=painted.hair_level,
                      variants=variants, face_box=face_box, crop=crop)

    def _framed(self, frame: Frame, face: Box | None, view: View) -> tuple[Frame, Box]:
        """The part of ``frame`` the framer shows round ``face``, at the size it is processed at."""
        assert self.framer is not None
        dt = 0.0 if self._framed_ms is None else (frame.timestamp_ms - self._framed_ms) / 1000.0
        self._framed_ms = frame.timestamp_ms
        crop = self.framer.update(face, frame.size, view.aspect, dt, view.head_share)
        return replace(frame, pixels=cut(frame.pixels, crop, processing_size(view, self.framed_pixels))), crop

    def _follow(self, crop: Box | None, size: tuple[int, int]) -> None:
        """Move the smoothers' history with the picture when the framing moved since the last frame."""
        last, last_size = self._crop, self._crop_size
        self._crop, self._crop_size = crop, size
        if crop is None or last is None or last_size != size or last == crop:
            return
        move = moved(last, crop)
        for stage in (self.smoother, self.refiner):
            follow = getattr(stage, "follow", None)  # a stage that keeps no picture's history need not have it
            if follow is not None:
                follow(move)

    def _working(self, frame: Frame) -> Frame:
        """``frame``, or a copy shrunk to ``max_pixels`` (its shrinking is timed with the segment stage)."""
        width, height = frame.size
        if self.max_pixels is None or width * height <= self.max_pixels:
            return frame
        scale = (self.max_pixels / (width * height)) ** 0.5
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        if scale > 0.5:  # OpenCV's area average is slow at a fractional ratio; bilinear at under 2x is close
            return replace(frame, pixels=cv2.resize(frame.pixels, size, interpolation=cv2.INTER_LINEAR))
        return replace(frame, pixels=shrink_frame(frame, size))

    def close(self) -> None:
        try:
            self.segmenter.close()
        finally:
            close_refiner = getattr(self.refiner, "close", None)  # a refiner may hold nothing (see Refiner)
            if close_refiner is not None:
                close_refiner()
            if self.locator is not None:
                self.locator.close()
