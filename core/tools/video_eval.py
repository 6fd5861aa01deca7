"""What ``hairtint eval-video`` runs: temporal quality of the final mask on clips made from labelled photos.

Each photo becomes two 640 x 480 clips at 30 fps (seeded, so every run sees the same frames):

- a *still* clip: the photo fitted into the frame, each frame with fresh sensor noise. The hair does
  not move, so any change of the final mask from one frame to the next is flicker;
- a *moving* clip: the photo slides, zooms and turns a little (smooth affine motion) while the
  exposure ramps, with the true mask warped by the same transform, so the mask can be scored per frame.

Both clips go through the live pipeline (video mode, temporal smoothing) and through per-frame
processing: the same model, refiner and recolourer in still mode, each frame its own source, so
nothing carries over from one frame to the next (no smoothing, no previous mask, no reused face).
Reported per photo: flicker (mean absolute change of the final mask between consecutive frames of the
still clip) and IoU (final mask > 0.5 against the warped truth, averaged over the moving clip)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import cv2
import numpy as np
from tqdm import tqdm

from core.frames import Frame, Look
from core.io.datasets import Sample, load_pair
from core.tools.mask_metrics import mask_iou

CLIP_SIZE = (640, 480)  # (width, height)
FPS = 30
FRAMES = 30
PAD_GREY = 128  # letterbox bars


@dataclass(frozen=True)
class Clip:
    """Frames of one source with the true hair mask (bool, frame size) of each."""

    frames: list[Frame]
    truths: list[np.ndarray]


@dataclass(frozen=True)
class Motion:
    """The moving clip's path: the largest shift (pixels), zoom (share) and turn (degrees) away from
    the fitted photo, and the exposure gain at the clip's start and end (a straight ramp)."""

    shift_px: float = 60.0
    zoom: float = 0.15
    turn_deg: float = 6.0
    gain_start: float = 0.75
    gain_end: float = 1.25


def fit(rgb: np.ndarray, truth: np.ndarray, size: tuple[int, int] = CLIP_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The photo and its mask scaled to fit ``size`` (width, height), centred on grey bars."""
    width, height = size
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    fitted_w, fitted_h = max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale))
    left, top = (width - fitted_w) // 2, (height - fitted_h) // 2
    pixels = np.full((height, width, 3), PAD_GREY, np.uint8)
    mask = np.zeros((height, width), bool)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    pixels[top:top + fitted_h, left:left + fitted_w] = cv2.resize(rgb, (fitted_w, fitted_h), interpolation=interpolation)
    small = cv2.resize(truth.astype(np.uint8) * 255, (fitted_w, fitted_h), interpolation=cv2.INTER_LINEAR)
    mask[top:top + fitted_h, left:left + fitted_w] = small > 127
    return pixels, mask


def add_sensor_noise(pixels: np.ndarray, rng: np.random.Generator, read_sigma: float = 2.0,
                     shot_gain: float = 0.05) -> np.ndarray:
    """Gaussian read noise plus shot noise whose variance grows with brightness (Poisson-like)."""
    value = pixels.astype(np.float32)
    sigma = np.sqrt(read_sigma ** 2 + shot_gain * value)
    value += sigma * rng.standard_normal(value.shape, dtype=np.float32)
    return np.clip(np.rint(value), 0, 255).astype(np.uint8)


def _timestamp_ms(index: int) -> int:
    return round(index * 1000 / FPS)


def still_clip(rgb: np.ndarray, truth: np.ndarray, seed: int, frames: int = FRAMES,
               source_id: str = "still") -> Clip:
    """The fitted photo ``frames`` times, each with its own sensor noise; the truth never changes."""
    rng = np.random.default_rng([seed, 1])
    pixels, mask = fit(rgb, truth)
    clip = [Frame(add_sensor_noise(pixels, rng), _timestamp_ms(i), i, source_id) for i in range(frames)]
    return Clip(clip, [mask] * frames)


def motion_phases(seed: int) -> np.ndarray:
    """The four phases (radians) of a moving clip's path for ``seed``."""
    return np.random.default_rng([seed, 3]).uniform(0.0, 2.0 * math.pi, 4)


def motion_matrix(index: int, frames: int, size: tuple[int, int], phases: np.ndarray,
                  motion: Motion = Motion()) -> np.ndarray:
    """The 2 x 3 affine map of frame ``index``: a turn and zoom about the frame's centre, then a shift.
    Each of shift x, shift y, zoom and turn follows a sine over the clip, with its own ``phases``
    (radians, four of them); frame 0 is always the identity."""
    t = 2.0 * math.pi * index / max(frames - 1, 1)
    dx, dy, zoom, turn = ((math.sin(t + p) - math.sin(p)) / 2.0 for p in phases)  # each in [-1, 1]
    matrix = cv2.getRotationMatrix2D((size[0] / 2.0, size[1] / 2.0), motion.turn_deg * turn, 1.0 + motion.zoom * zoom)
    matrix[0, 2] += motion.shift_px * dx
    matrix[1, 2] += motion.shift_px * 0.5 * dy
    return matrix


def warp_truth(mask: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The true mask moved by ``matrix``: bilinear, then cut at half (so it follows the picture)."""
    height, width = mask.shape
    moved = cv2.warpAffine(mask.astype(np.uint8) * 255, matrix, (width, height), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0,))
    return moved > 127


def moving_clip(rgb: np.ndarray, truth: np.ndarray, seed: int, frames: int = FRAMES,
                motion: Motion = Motion(), source_id: str = "moving") -> Clip:
    """The fitted photo moving along a smooth seeded path while the exposure ramps, with sensor noise."""
    rng = np.random.default_rng([seed, 2])
    pixels, mask = fit(rgb, truth)
    phases = motion_phases(seed)
    height, width = mask.shape
    out_frames, truths = [], []
    for i in range(frames):
        matrix = motion_matrix(i, frames, (width, height), phases, motion)
        moved = cv2.warpAffine(pixels, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(PAD_GREY,) * 3)
        gain = motion.gain_start + (motion.gain_end - motion.gain_start) * i / max(frames - 1, 1)
        exposed = cv2.convertScaleAbs(moved, alpha=gain)
        out_frames.append(Frame(add_sensor_noise(exposed, rng), _timestamp_ms(i), i, source_id))
        truths.append(warp_truth(mask, matrix))
    return Clip(out_frames, truths)


def flicker(masks: Sequence[np.ndarray]) -> float:
    """Mean absolute change of the mask from each frame to the next (0: steady; NaN under two frames)."""
    if len(masks) < 2:
        return float("nan")
    return float(np.mean([np.abs(np.asarray(b, np.float32) - np.asarray(a, np.float32)).mean()
                          for a, b in pairwise(masks)]))


def clip_iou(masks: Sequence[np.ndarray], truths: Sequence[np.ndarray]) -> float:
    """Mean over the frames of the IoU of ``mask > 0.5`` with the truth."""
    if len(masks) != len(truths) or not masks:
        raise ValueError(f"need one truth per mask, got {len(masks)} masks and {len(truths)} truths")
    return float(np.mean([mask_iou(np.asarray(m) > 0.5, t) for m, t in zip(masks, truths, strict=True)]))


def run_clip(pipeline, clip: Clip, look: Look, per_frame: bool = False) -> list[np.ndarray]:
    """The final mask of each frame. ``per_frame``: each frame goes in as its own source, so the
    pipeline forgets everything between frames."""
    pipeline.reset()
    masks = []
    for frame in clip.frames:
        if per_frame:
            frame = Frame(frame.pixels, frame.timestamp_ms, frame.index, f"{frame.source_id}/{frame.index}")
        masks.append(pipeline.process(frame, look).mask)
    pipeline.reset()
    return masks


def photo_seed(set_name: str, stem: str) -> int:
    """A fixed seed per photo, whatever else is in the run."""
    return zlib.crc32(f"{set_name}/{stem}".encode())


@dataclass
class PhotoScores:
    set_name: str
    stem: str
    live_flicker: float
    per_frame_flicker: float
    live_iou: float
    per_frame_iou: float


def score_photo(live, per_frame, rgb: np.ndarray, truth: np.ndarray, look: Look, seed: int,
                set_name: str = "", stem: str = "", frames: int = FRAMES) -> PhotoScores:
    """Both clips of one photo through the live pipeline and through per-frame processing."""
    name = f"{set_name}/{stem}"
    still = still_clip(rgb, truth, seed, frames, source_id=f"{name} still")
    moving = moving_clip(rgb, truth, seed, frames, source_id=f"{name} moving")
    return PhotoScores(
        set_name, stem,
        live_flicker=flicker(run_clip(live, still, look)),
        per_frame_flicker=flicker(run_clip(per_frame, still, look, per_frame=True)),
        live_iou=clip_iou(run_clip(live, moving, look), moving.truths),
        per_frame_iou=clip_iou(run_clip(per_frame, moving, look, per_frame=True), moving.truths),
    )


@dataclass(frozen=True)
class VideoFigures:
    """Means over ``n`` photos, and how many times steadier live is than per-frame (``flicker_ratio``:
    the ratio of the mean flickers)."""

    n: int
    live_flicker: float
    per_frame_flicker: float
    flicker_ratio: float
    live_iou: float
    per_frame_iou: float

    def to_json(self) -> dict:
        return {"n": self.n, "live_flicker": self.live_flicker, "per_frame_flicker": self.per_frame_flicker,
                "flicker_ratio": self.flicker_ratio, "live_iou": self.live_iou, "per_frame_iou": self.per_frame_iou}


def summarise(rows: Sequence[PhotoScores]) -> VideoFigures:
    """The figures of ``rows`` (NaN throughout, n 0, when there are none)."""
    if not rows:
        nan = float("nan")
        return VideoFigures(0, nan, nan, nan, nan, nan)
    mean = {name: float(np.mean([getattr(r, name) for r in rows]))
            for name in ("live_flicker", "per_frame_flicker", "live_iou", "per_frame_iou")}
    ratio = mean["per_frame_flicker"] / mean["live_flicker"] if mean["live_flicker"] > 0 else float("inf")
    return VideoFigures(len(rows), mean["live_flicker"], mean["per_frame_flicker"], ratio, mean["live_iou"],
                        mean["per_frame_iou"])


@dataclass
class VideoScores:
    model: str
    photos: list[PhotoScores] = field(default_factory=list)

    def summary(self) -> VideoFigures:
        return summarise(self.photos)

    def by_set(self) -> dict[str, VideoFigures]:
        sets: dict[str, list[PhotoScores]] = {}
        for row in self.photos:
            sets.setdefault(row.set_name, []).append(row)
        return {name: summarise(rows) for name, rows in sorted(sets.items())}


@dataclass(frozen=True)
class VideoReport:
    """``hairtint eval-video``: each model's figures over all its photos (``models``) and by set
    (``sets``), on clips of ``frames`` frames."""

    frames: int
    models: Mapping[str, VideoFigures]
    sets: Mapping[str, Mapping[str, VideoFigures]]

    @classmethod
    def of(cls, frames: int, scores: Sequence[VideoScores]) -> VideoReport:
        return cls(frames, {s.model: s.summary() for s in scores}, {s.model: s.by_set() for s in scores})

    def to_json(self) -> dict:
        return {"frames": self.frames,
                "models": {key: {**figures.to_json(), "sets": {name: row.to_json() for name, row in self.sets[key].items()}}
                           for key, figures in self.models.items()}}

    def table(self) -> str:
        width = max(40, *(len(key) for key in self.models))
        lines = [f"{'model':<{width}} {'set':<22} {'n':>4} {'flicker live':>13} {'per-frame':>10} {'ratio':>7} "
                 f"{'IoU live':>9} {'per-frame':>10}"]
        for key, figures in self.models.items():
            for set_name, s in [*self.sets[key].items(), ("all", figures)]:
                lines.append(f"{key:<{width}} {set_name:<22} {s.n:>4} {s.live_flicker:>13.5f} "
                             f"{s.per_frame_flicker:>10.5f} {s.flicker_ratio:>6.1f}x {s.live_iou:>9.4f} "
                             f"{s.per_frame_iou:>10.4f}")
        return "\n".join(lines)


def evaluate_video(live, per_frame, model_id: str, samples: list[tuple[str, Sample]], look: Look,
                   frames: int = FRAMES, progress: bool = True) -> VideoScores:
    """Every photo's clips through ``live`` (video mode) and ``per_frame`` (still mode) pipelines."""
    scores = VideoScores(model_id)
    for set_name, sample in tqdm(samples, desc=f"eval-video {model_id}", unit="photo", disable=not progress):
        rgb, truth = load_pair(sample)
        if truth.shape != rgb.shape[:2]:
            truth = cv2.resize(truth.astype(np.uint8), (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
        seed = photo_seed(set_name, sample.stem)
        scores.photos.append(score_photo(live, per_frame, rgb, truth, look, seed, set_name, sample.stem, frames))
    return scores
