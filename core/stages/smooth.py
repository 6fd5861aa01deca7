"""Temporal smoothing of the raw hair mask: steady on a still head, no lag on a moving one.

MediaPipe's segmentation smoothing mixes in the previous mask in proportion to how uncertain the new
one is (near 0.5), so a segmenter that flickers *confidently* at the hair's edge still flickers, and an
uncertain edge that really moves lags. :class:`TemporalSmoother` adds what the picture says: where the
frame has not changed since the last one, the hair cannot have moved either, so the previous mask gets
a large weight whatever the new mask's certainty; where the frame changed, the new mask is taken as it
is. The weights are worked out on a small copy of the frame and mask and blended at the mask's size.
The picture's change is measured so that sensor noise and exposure drift do not count as movement.

Refinement after smoothing adds flicker of its own (the edge snaps to a noisy picture, the face is
found afresh), so the live pipeline smooths the final mask once more: :class:`SmoothedRefiner`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

from core.frames import Frame
from core.stages.resample import shrink, shrink_frame, work_size

log = logging.getLogger(__name__)


def uncertainty(mask: np.ndarray) -> np.ndarray:
    """1 at 0.5, 0 at 0 and 1: ``1 - (2m - 1)^2``, a cheap stand-in for the binary entropy."""
    centred = mask * 2.0 - 1.0
    return np.clip(1.0 - centred * centred, 0.0, 1.0)


def _as_mask(mask: np.ndarray) -> np.ndarray:
    mask = np.asarray(mask, dtype=np.float32)
    if mask.ndim != 2:
        raise ValueError(f"a mask must be H x W, got shape {mask.shape}")
    return mask


@dataclass(frozen=True)
class SmoothSettings:
    """``still_weight``: weight of the previous mask where the frame has not changed, whatever the new
    mask says. ``uncertain_weight``: weight of the previous mask where the new one is 0.5 (MediaPipe's
    ``combine_with_previous_ratio``), falling to 0 as the new value nears 0 or 1. The frame-to-frame
    grey change is measured on the small copy (0-255), after scaling the previous copy to the new one's
    mean brightness (``match_exposure``: a camera's exposure drifting is not movement) and box-averaging
    the signed difference over ``change_blur`` small pixels (sensor noise averages out, a moving edge
    does not). A change up to ``motion_low`` counts as noise, from ``motion_high`` as movement, where the
    previous mask is dropped; "moving" then spreads over ``spread`` small pixels, so the low-contrast
    part of a moving head moves with its edges. ``work_width``: width of the small copy.
    ``max_gap_ms``: a longer gap between two frames forgets the history."""

    still_weight: float = 0.8
    uncertain_weight: float = 0.9
    motion_low: float = 1.5
    motion_high: float = 6.0
    match_exposure: bool = True
    change_blur: int = 3
    spread: int = 13
    work_width: int = 160
    max_gap_ms: int = 500

    def __post_init__(self):
        for name in ("still_weight", "uncertain_weight"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if not 0.0 <= self.motion_low < self.motion_high:
            raise ValueError(f"need 0 <= motion_low < motion_high, got {self.motion_low}, {self.motion_high}")
        if self.work_width < 8:
            raise ValueError(f"work_width must be at least 8, got {self.work_width}")
        for name in ("change_blur", "spread"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.max_gap_ms <= 0:
            raise ValueError(f"max_gap_ms must be positive, got {self.max_gap_ms}")


class TemporalSmoother:
    """Uncertainty- and motion-weighted temporal smoothing. The returned mask is read-only (it is also
    the history the next frame is blended with)."""

    def __init__(self, settings: SmoothSettings = SmoothSettings()):
        self.settings = settings
        self._spread = np.ones((settings.spread, settings.spread), np.uint8)
        self.reset()

    def reset(self) -> None:
        self._previous: np.ndarray | None = None
        self._previous_grey: np.ndarray | None = None
        self._key: tuple | None = None
        self._last_ms: int | None = None

    def smooth(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        new = _as_mask(mask)
        height, width = frame.pixels.shape[:2]
        small_size = work_size(width, height, self.settings.work_width)
        grey = cv2.cvtColor(shrink_frame(frame, small_size), cv2.COLOR_RGB2GRAY).astype(np.float32)
        key = (new.shape, frame.pixels.shape, frame.source_id)
        if (self._previous is None or self._previous_grey is None or self._last_ms is None or key != self._key
                or timestamp_gap_too_long(frame.timestamp_ms - self._last_ms, self.settings.max_gap_ms)):
            if self._previous is not None:
                log.debug("temporal smoother forgets its history (frame %d, shape %s)", frame.index, new.shape)
            out = new.copy()
        else:
            weight = self._history_weight(new, grey, self._previous_grey, small_size)
            out = self._previous - new
            out *= weight
            out += new
        out.setflags(write=False)
        self._previous, self._previous_grey, self._key = out, grey, key
        self._last_ms = frame.timestamp_ms
        return out

    def follow(self, move: np.ndarray) -> None:
        """The picture itself moved (the kiosk's framing panned or zoomed): ``move``, a 2 x 3 matrix in
        shares of the picture's width and height, takes each point of the last frame to where it is in
        the next. The history is moved with it, so a still head stays smoothed while the crop glides."""
        if self._previous is not None and self._previous_grey is not None:
            self._previous, self._previous_grey = moved_by(self._previous, move), moved_by(self._previous_grey, move)

    def _history_weight(self, new: np.ndarray, grey: np.ndarray, previous: np.ndarray,
                        small_size: tuple[int, int]) -> np.ndarray:
        """Per-pixel weight of the previous mask, at the mask's size."""
        s = self.settings
        weight = np.maximum(uncertainty(shrink(new, small_size)) * s.uncertain_weight, s.still_weight)
        if s.match_exposure:
            previous = previous * ((float(grey.mean()) + 1.0) / (float(previous.mean()) + 1.0))
        diff = grey - previous
        if s.change_blur > 1:
            diff = cv2.blur(diff, (s.change_blur, s.change_blur), borderType=cv2.BORDER_REFLECT)
        change = np.abs(diff)
        stillness = np.clip((s.motion_high - change) * (1.0 / (s.motion_high - s.motion_low)), 0.0, 1.0)
        # An edge moving across a flat patch changes only the pixels it passes over: spread "moving" so
        # the mask's edge, which lags or leads the picture's, and the flat parts nearby are covered.
        weight *= cv2.erode(stillness, self._spread)
        if weight.shape != new.shape:
            weight = cv2.resize(weight, (new.shape[1], new.shape[0]), interpolation=cv2.INTER_LINEAR)
        return weight


class _BlendingBaseline:
    """A baseline that blends each new mask with the previous output; subclasses say how."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self._previous: np.ndarray | None = None

    def smooth(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        new = _as_mask(mask)
        if self._previous is None or self._previous.shape != new.shape:
            out = new.copy()
        else:
            out = self._blend(self._previous, new)
        self._previous = out
        return out.copy()

    def _blend(self, previous: np.ndarray, new: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class UncertaintySmoother(_BlendingBaseline):
    """MediaPipe-style smoothing, the baseline: the previous mask's weight is ``ratio`` times the new
    mask's uncertainty, per pixel, at full size. No motion term."""

    def __init__(self, ratio: float = 0.9):
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f"ratio must be in [0, 1), got {ratio}")
        self.ratio = ratio
        super().__init__()

    def _blend(self, previous: np.ndarray, new: np.ndarray) -> np.ndarray:
        return new + (previous - new) * (uncertainty(new) * self.ratio)


class EmaSmoother(_BlendingBaseline):
    """Plain exponential moving average: ``alpha`` is the new mask's weight everywhere."""

    def __init__(self, alpha: float = 0.5):
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self.alpha = alpha
        super().__init__()

    def _blend(self, previous: np.ndarray, new: np.ndarray) -> np.ndarray:
        return previous + (new - previous) * self.alpha


class SmoothedRefiner:
    """A refiner whose output, the final mask, is smoothed over time as well.

    Smoothing the raw mask cannot steady what refinement adds frame by frame: the guided filter snaps
    the edge to a picture with fresh sensor noise in every frame, and a face guard finds the face
    afresh. A second :class:`TemporalSmoother` on the refined mask does, with the same picture-based
    stillness, so a moving head is still followed. It forgets on a new source, frame size or long gap
    like any TemporalSmoother, and on :meth:`reset`."""

    def __init__(self, refiner, smoother: TemporalSmoother | None = None):
        self.refiner = refiner
        self.smoother = smoother if smoother is not None else TemporalSmoother()

    def refine(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        return self.smoother.smooth(self.refiner.refine(mask, frame), frame)

    def follow(self, move: np.ndarray) -> None:
        """See :meth:`TemporalSmoother.follow`."""
        self.smoother.follow(move)

    def reset(self) -> None:
        self.smoother.reset()
        reset = getattr(self.refiner, "reset", None)  # optional on a refiner (core.pipeline.pipeline.Refiner)
        if reset is not None:
            reset()

    def close(self) -> None:
        close = getattr(self.refiner, "close", None)  # optional on a refiner (core.pipeline.pipeline.Refiner)
        if close is not None:
            close()


def moved_by(image: np.ndarray, move: np.ndarray) -> np.ndarray:
    """``image`` (H x W) moved by ``move`` (2 x 3, in shares of its width and height; scale and shift
    only), read-only like the history it replaces; what comes into view repeats the edge."""
    height, width = image.shape[:2]
    matrix = np.array(move, np.float64)
    for row, size in ((0, width), (1, height)):  # pixel centres: pixel u's is at share (u + 0.5) / size
        matrix[row, 2] = matrix[row, 2] * size + 0.5 * matrix[row, row] - 0.5
    out = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out.setflags(write=False)
    return out


def timestamp_gap_too_long(gap_ms: int, max_gap_ms: int) -> bool:
    """Whether the history is too old (or from the future) to blend with."""
    return gap_ms < 0 or gap_ms > max_gap_ms
