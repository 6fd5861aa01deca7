"""The records that flow through the pipeline: Frame in, Look chosen by the person, Result out.

Pixels are uint8 RGB (H x W x 3) everywhere in HairTint; conversion to and from OpenCV's BGR happens
only where a file or camera is read or written."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

import numpy as np


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


class RunningMode(Enum):
    """How a pipeline takes its frames, as MediaPipe Tasks' running modes: ``IMAGE``, each frame a
    separate photo (no temporal smoothing, the mask averaged with its mirror image's, the face looked
    for on every frame; processed once per Look); ``VIDEO``, the frames of one moving picture (smoothed
    over time, the face followed from frame to frame)."""

    IMAGE = "image"
    VIDEO = "video"


@dataclass(frozen=True)
class Frame:
    """One picture from a source. ``timestamp_ms`` is monotonic within a source; a new ``source_id``
    tells the pipeline to forget what it learned from the previous source."""

    pixels: np.ndarray
    timestamp_ms: int
    index: int
    source_id: str
    # small copies of the pixels made by the stages (core.stages.resample.shrink_frame); not compared
    small_copies: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        pixels = self.pixels
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise ValueError(f"Frame pixels must be uint8 H x W x 3 RGB, got {pixels.dtype} {pixels.shape}")
        object.__setattr__(self, "pixels", _readonly(pixels))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)"""
        return self.pixels.shape[1], self.pixels.shape[0]


@dataclass(frozen=True)
class Shade:
    """A named hair colour; ``rgb`` is the swatch colour (sRGB, 0-255). A two-tone look from the
    palette (balayage, ombre) also names the colour its ``tips`` start with: a one-tone Shade. This is
    only the look's suggestion; the tips actually painted are ``Look.tips``."""

    name: str
    rgb: tuple[int, int, int]
    tips: Shade | None = None

    def __post_init__(self):
        if self.tips is not None and self.tips.tips is not None:
            raise ValueError(f"the tips of {self.name!r} must be a one-tone shade, got {self.tips.name!r}")

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


DEFAULT_INTENSITY = 70
DEFAULT_SHINE = 30


@dataclass(frozen=True)
class Look:
    """What the person chose: a shade (and optionally a second one for the tips, ombre), the
    intensity 0-100 and the shine 0-100. Immutable: the GUI hands a new Look to the worker."""

    shade: Shade
    intensity: int = DEFAULT_INTENSITY
    shine: int = DEFAULT_SHINE
    tips: Shade | None = None

    def __post_init__(self):
        for name in ("intensity", "shine"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise ValueError(f"{name} must be between 0 and 100, got {value}")

    def with_(self, **changes) -> Look:
        return replace(self, **changes)


@dataclass(frozen=True)
class Result:
    """The recoloured picture, the final hair mask (float32 H x W in [0, 1]) and the time each stage
    took on this frame, in milliseconds (keys: the stage names and ``total``)."""

    frame: Frame
    pixels: np.ndarray
    mask: np.ndarray
    timings_ms: dict[str, float] = field(default_factory=dict)
    hair_level: float | None = None  # the hair's natural level (1-10, core.stages.levels), when it was measured
    variants: tuple[np.ndarray, ...] = field(default=(), repr=False)  # the same frame and mask, recoloured
    # with each further look asked for (the compare view's other tiles), in their order
    face_box: tuple[float, float, float, float] | None = None  # the largest face (x0, y0, x1, y1) when the
    # pipeline looks for one (core.stages.face_box: the kiosk's framing)
    crop: tuple[float, float, float, float] | None = None  # the part of the camera's frame (x0, y0, x1, y1 in
    # its pixels, as face_box) that ``frame`` is, when the pipeline framed it for the kiosk (core.pipeline.framing)
