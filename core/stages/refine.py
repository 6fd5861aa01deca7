"""Edge-aware clean-up of the hair mask, at the frame's size.

A fast guided filter (He and Sun, 2015): the colour guided filter's linear coefficients are fitted on
small copies of the frame and the mask, then upsampled and applied to the full-size frame, so the
mask's edge follows the picture's edges at full resolution for the price of a small filter. Before
fitting, small stray blobs are dropped and small holes in the hair filled; after it, the band between
``low`` and ``high`` is stretched to 0..1, which sharpens the edge and removes the faint probability a
blurred or swollen mask leaves on flat skin or background; an optional feather softens the result.
An optional FaceGuard then lowers the mask over the inner face of each face it finds."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np

from core.frames import Frame
from core.stages.face_guard import FaceGuard, cheeks
from core.stages.matte import MatteSettings, colour_line_coefficients
from core.stages.resample import shrink, shrink_frame, work_size

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefineSettings:
    """``radius_share``: guided-filter window radius as a share of the frame's width, so a photo and a
    video frame of the same scene are refined alike. ``eps``: its regularisation (guide in
    0..1; larger follows the picture's edges less). ``min_blob_fraction``: hair blobs smaller than this
    share of the frame are dropped; ``max_hole_fraction``: holes in the hair smaller than this share are
    filled. ``low``/``high``: the filtered band stretched to 0..1. ``feather_px``: Gaussian sigma of the
    final softening (0: none). ``work_width``: width of the small copies the filter is fitted on."""

    radius_share: float = 0.025
    eps: float = 1e-4
    min_blob_fraction: float = 0.002
    max_hole_fraction: float = 0.001
    low: float = 0.4
    high: float = 0.6
    feather_px: float = 0.0
    work_width: int = 160

    def __post_init__(self):
        if not 0.0 < self.radius_share <= 0.5:
            raise ValueError(f"radius_share must be in (0, 0.5], got {self.radius_share}")
        if self.eps < 1e-6:
            raise ValueError(f"eps must be at least 1e-6, got {self.eps}")
        for name in ("min_blob_fraction", "max_hole_fraction"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if not 0.0 <= self.low < self.high <= 1.0:
            raise ValueError(f"need 0 <= low < high <= 1, got {self.low}, {self.high}")
        if self.feather_px < 0:
            raise ValueError(f"feather_px must not be negative, got {self.feather_px}")
        if self.work_width < 8:
            raise ValueError(f"work_width must be at least 8, got {self.work_width}")


class Refiner:
    """``refine`` returns a new float32 mask in [0, 1] at the frame's size. Stateless but for the optional
    ``face_guard``, which ``close`` closes."""

    def __init__(self, settings: RefineSettings = RefineSettings(), face_guard: FaceGuard | None = None,
                 matte: MatteSettings | None = None):
        self.settings = settings
        self.face_guard = face_guard
        self.matte = matte

    def close(self) -> None:
        if self.face_guard is not None:
            self.face_guard.close()

    def reset(self) -> None:
        """Forget the faces found on earlier frames."""
        if self.face_guard is not None:
            self.face_guard.reset()

    def refine(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        s = self.settings
        mask = np.asarray(mask, dtype=np.float32)
        if mask.ndim != 2:
            raise ValueError(f"a mask must be H x W, got shape {mask.shape}")
        height, width = frame.pixels.shape[:2]
        small_size = work_size(width, height, s.work_width)
        guide = shrink_frame(frame, small_size).astype(np.float32) * np.float32(1.0 / 255.0)
        small = np.clip(shrink(mask, small_size), 0.0, 1.0)  # a new array: safe to edit
        self._remove_blobs_and_holes(small)
        radius = max(1, round(s.radius_share * small_size[0]))
        *slopes, offset = guided_coefficients(guide, small, radius, s.eps)
        # Fold the guide's 0..255 scale and the low..high stretch into the small coefficient planes, then
        # apply them plane by plane at full size (splitting a full-size 4-channel float image is slow).
        span = s.high - s.low
        planes = [slope * (1.0 / (255.0 * span)) for slope in slopes] + [(offset - s.low) * (1.0 / span)]
        faces = self.face_guard.find(frame) if self.face_guard is not None else []
        if self.matte is not None:
            planes = self._matte(self.matte, planes, frame, small_size, faces)
        out: np.ndarray = np.zeros((height, width), np.float32)
        small_height, small_width = planes[3].shape
        small_box, box = _reach(planes, shrink_frame(frame, (small_width, small_height)), width, height)
        part, pixels = out[box], frame.pixels[box]
        if part.size:
            size = (part.shape[1], part.shape[0])
            part[...] = _enlarge(planes[3][small_box], *size)
            for channel, slope in zip(cv2.split(pixels), planes[:3], strict=True):
                cv2.accumulateProduct(channel.astype(np.float32), _enlarge(slope[small_box], *size), part)
            cv2.threshold(part, 1.0, 1.0, cv2.THRESH_TRUNC, dst=part)  # clip to [0, 1], faster than np.clip
            cv2.threshold(part, 0.0, 0.0, cv2.THRESH_TOZERO, dst=part)
        if s.feather_px > 0:
            kernel = 2 * math.ceil(2 * s.feather_px) + 1
            out = cv2.GaussianBlur(out, (kernel, kernel), s.feather_px)
        if self.face_guard is not None:
            out = self.face_guard.protect(out, frame, faces)
        return out

    def _matte(self, matte: MatteSettings, planes: list[np.ndarray], frame: Frame, small_size: tuple[int, int],
               faces: list[np.ndarray]) -> list[np.ndarray]:
        """The coefficient planes with the colour-line matte in the band round the mask's edge
        (``core.stages.matte``, with ``matte``), on a copy of the frame ``matte.work_width`` wide; the band is narrower
        over the cheeks of ``faces`` (landmarks)."""
        height, width = frame.pixels.shape[:2]
        size = work_size(width, height, matte.work_width)
        if size != small_size:
            planes = [cv2.resize(p, size, interpolation=cv2.INTER_LINEAR) for p in planes]
        guide = shrink_frame(frame, size).astype(np.float32)
        coarse = _applied(planes, guide)
        m, side, scale = matte, max(width, height), size[0] / width  # scale: the copy's pixels per frame pixel
        band_in, band_out = (max(share * side, m.min_band_px) * scale for share in (m.band_in, m.band_out))
        zone = cheeks(faces, size, scale) if faces else None
        return colour_line_coefficients(guide * np.float32(1.0 / 255.0), coarse, planes, band_in, band_out, m, zone)

    def _remove_blobs_and_holes(self, small: np.ndarray) -> None:
        """Zero hair blobs and fill holes below the size limits, in place, on the small mask."""
        s = self.settings
        area = small.size
        hair = (small > 0.5).astype(np.uint8)
        if s.min_blob_fraction > 0:
            _, labels, stats, _ = cv2.connectedComponentsWithStats(hair, connectivity=8)
            tiny = stats[:, cv2.CC_STAT_AREA] < s.min_blob_fraction * area
            tiny[0] = False  # label 0 is the background
            if tiny.any():
                drop = tiny[labels].astype(np.uint8)
                # Take the blob's soft rim too; one pixel cannot reach another blob (8-connectivity).
                small[cv2.dilate(drop, np.ones((3, 3), np.uint8)) > 0] = 0.0
                log.debug("refiner dropped %d small blobs", int(tiny.sum()))
        if s.max_hole_fraction > 0:
            _, labels, stats, _ = cv2.connectedComponentsWithStats(1 - hair, connectivity=4)
            left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
            right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
            inside = (left > 0) & (top > 0) & (right < small.shape[1]) & (bottom < small.shape[0])
            holes = inside & (stats[:, cv2.CC_STAT_AREA] < s.max_hole_fraction * area)
            holes[0] = False  # label 0 is the hair
            if holes.any():
                small[holes[labels]] = 1.0
                log.debug("refiner filled %d small holes", int(holes.sum()))


def _applied(planes: list[np.ndarray], guide: np.ndarray) -> np.ndarray:
    """The alpha (unclipped) that coefficient planes ``[a_r, a_g, a_b, b]`` give on ``guide``, a copy of
    the frame at their size (0-255)."""
    out = planes[3].copy()
    for k, slope in enumerate(planes[:3]):
        out += slope * guide[..., k]
    return out


def _reach(planes: list[np.ndarray], guide: np.ndarray, width: int, height: int) -> tuple[tuple, tuple]:
    """Where the alpha can be above 0: ``(small_box, box)``, slices ``(rows, columns)`` of the planes and
    of the frame that cover each other. The coefficients applied to the small copy ``guide`` (uint8, the
    planes' size) are above 0 there, widened by four small pixels for what the full-size picture adds;
    outside it the alpha is 0, so the full-size work is done only inside it. Empty slices: none."""
    small = _applied(planes, guide)
    x, y, w, h = cv2.boundingRect((small > 0.0).view(np.uint8))
    rows, cols = small.shape
    sy0, sy1, sx0, sx1 = max(0, y - 4), min(rows, y + h + 4), max(0, x - 4), min(cols, x + w + 4)
    if w == 0 or h == 0:
        sy1, sx1 = sy0, sx0
    fy, fx = height / rows, width / cols
    sy0, sx0, sy1, sx1 = _aligned(sy0, fy, -1), _aligned(sx0, fx, -1), _aligned(sy1, fy, 1, rows), _aligned(sx1, fx, 1, cols)
    small_box = (slice(sy0, sy1), slice(sx0, sx1))
    box = (slice(round(sy0 * fy), round(sy1 * fy)), slice(round(sx0 * fx), round(sx1 * fx)))
    return small_box, box


def _aligned(edge: int, scale: float, step: int, end: int = 0) -> int:
    """The small-pixel edge nearest ``edge`` in the direction ``step`` (at most 8 away, stopping at 0 or
    ``end``) that falls on a frame pixel's edge, so that enlarging a block between two such edges places
    it as enlarging the whole plane does."""
    for candidate in range(edge, edge + 9 * step, step):
        if candidate <= 0 or (end and candidate >= end) or abs(candidate * scale - round(candidate * scale)) < 1e-6:
            return min(max(candidate, 0), end) if end else max(candidate, 0)
    return edge


def _enlarge(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR)


def guided_coefficients(guide: np.ndarray, mask: np.ndarray, radius: int, eps: float) -> list[np.ndarray]:
    """The colour guided filter's window-averaged coefficients ``[a_r, a_g, a_b, b]`` (H x W float32
    planes) such that ``a . guide + b`` is the guided filter of ``mask`` (guide H x W x 3 float32)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def mean(plane):
        return cv2.blur(plane, size, borderType=cv2.BORDER_REFLECT)

    # Contiguous planes and one box filter each: faster than strided views of H x W x 3 arrays.
    red, green, blue = cv2.split(guide)
    mr, mg, mb, mp = mean(red), mean(green), mean(blue), mean(mask)
    cr = mean(red * mask) - mr * mp
    cg = mean(green * mask) - mg * mp
    cb = mean(blue * mask) - mb * mp
    rr = mean(red * red) - mr * mr + eps
    rg = mean(red * green) - mr * mg
    rb = mean(red * blue) - mr * mb
    gg = mean(green * green) - mg * mg + eps
    gb = mean(green * blue) - mg * mb
    bb = mean(blue * blue) - mb * mb + eps
    # (Sigma + eps I)^-1 cov, with the symmetric 3 x 3 inverse written out by cofactors.
    inv_rr, inv_rg, inv_rb = gg * bb - gb * gb, gb * rb - rg * bb, rg * gb - gg * rb
    inv_gg, inv_gb, inv_bb = rr * bb - rb * rb, rb * rg - rr * gb, rr * gg - rg * rg
    scale = 1.0 / (rr * inv_rr + rg * inv_rg + rb * inv_rb)
    a_r = (inv_rr * cr + inv_rg * cg + inv_rb * cb) * scale
    a_g = (inv_rg * cr + inv_gg * cg + inv_gb * cb) * scale
    a_b = (inv_rb * cr + inv_gb * cg + inv_bb * cb) * scale
    b = mp - a_r * mr - a_g * mg - a_b * mb
    return [mean(a_r), mean(a_g), mean(a_b), mean(b)]
