"""Alpha from the picture where the hair is thin: a matte, not a mask.

At the hairline, in curls and on flyaways a pixel is a mixture of fine hair and the skin or background
behind it. The model's mask (even the true one) says only *where* the hair is; left as it is, those
mixed pixels keep the old hair colour beside freshly dyed hair, a wig line. Here each pixel of an
unknown band around the mask's edge gets the share of it that is hair, from its colour.

- A trimap from the coarse mask: sure hair deeper than ``band_in`` inside its edge, sure not-hair
  further than ``band_out`` outside it, both shares of the frame's longer side (so a head is treated
  alike at any resolution), and the unknown band between.
- Near each band pixel, ``F`` is the mean colour of the sure hair and ``B`` that of the sure not-hair.
  The pixel's alpha is its colour projected on the line between them (a colour-line model, as in
  closed-form and guided-filter matting): ``alpha = (I - B).(F - B) / |F - B|^2``, stretched so that
  ``low`` counts as 0 and ``high`` as 1 (sensor noise on bare skin stays 0).
- That is ``alpha = w . I + c`` with ``w`` and ``c`` varying slowly, so both are worked out on a small
  copy of the frame and applied at full resolution like the guided filter's coefficients: the fine
  strands come from the full-size picture, the arithmetic from the small one.
- Where hair and background look alike (``|F - B|`` below ``min_contrast``) colour cannot tell them
  apart and the mask's own coefficients are kept; the two blend in between, and at the band's edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class MatteSettings:
    """``band_out`` / ``band_in``: the unknown band's reach outside / inside the mask's edge, as a share
    of the frame's longer side. ``window``: the neighbourhood F and B are averaged over, in band widths;
    ``back_reach``: how many times wider B is looked for where that neighbourhood has too little of it.
    ``cheek_reach``: the share of ``band_out`` the band reaches over a face's cheeks.
    ``low`` / ``high``: the projected share mapped to alpha 0 / 1. ``min_contrast`` / ``full_contrast``:
    |F - B| (RGB, 0-1) below which the mask's alpha is kept, and from which the matte's is taken whole.
    ``work_width``: width of the small copy the coefficients are worked out on (at most the frame's).
    ``min_band_px``: the band reaches at least this many of the frame's pixels each way."""

    band_out: float = 0.024
    band_in: float = 0.008
    min_band_px: float = 5.0
    window: float = 2.0
    back_reach: float = 1.5
    cheek_reach: float = 0.5
    low: float = 0.1
    high: float = 0.95
    min_contrast: float = 0.08
    full_contrast: float = 0.16
    work_width: int = 256

    def __post_init__(self):
        if not (0.0 <= self.band_in < 0.2 and 0.0 < self.band_out < 0.2):
            raise ValueError(f"band_in and band_out must be shares of the frame below 0.2, got {self.band_in}, {self.band_out}")
        if not 0.0 <= self.low < self.high <= 1.0:
            raise ValueError(f"need 0 <= low < high <= 1, got {self.low}, {self.high}")
        if not 0.0 <= self.min_contrast < self.full_contrast:
            raise ValueError(f"need 0 <= min_contrast < full_contrast, got {self.min_contrast}, {self.full_contrast}")
        if self.window <= 0:
            raise ValueError(f"window must be positive, got {self.window}")
        if self.back_reach < 1.0:
            raise ValueError(f"back_reach must be at least 1, got {self.back_reach}")
        if not 0.0 <= self.cheek_reach <= 1.0:
            raise ValueError(f"cheek_reach must be in [0, 1], got {self.cheek_reach}")
        if self.work_width < 8:
            raise ValueError(f"work_width must be at least 8, got {self.work_width}")


def trimap(mask: np.ndarray, band_in: float, band_out: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sure_hair, sure_not, unknown_weight)`` for a coarse alpha ``mask`` (float32 0-1, cut at 0.5):
    two uint8 0/1 planes and a float32 weight, 1 in the band and fading to 0 over a pixel at its
    borders. ``band_in`` / ``band_out`` are in the mask's pixels."""
    return _trimap(*_distances(mask), band_in, band_out)


def _distances(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's distance to the edge of ``mask`` cut at 0.5: inside the hair, and outside it."""
    hair = (mask >= 0.5).view(np.uint8)
    inside = cv2.distanceTransform(np.pad(hair, 1, mode="edge"), cv2.DIST_L2, 3)[1:-1, 1:-1]
    outside = cv2.distanceTransform(1 - hair, cv2.DIST_L2, 3)
    return inside, outside


def _trimap(inside: np.ndarray, outside: np.ndarray, band_in: float,
            band_out: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sure_hair = (inside > band_in).view(np.uint8)
    sure_not = (outside > band_out).view(np.uint8)
    # 1 inside the band, falling linearly to 0 one pixel beyond each of its borders
    weight = np.minimum(np.clip(band_in + 1.0 - inside, 0.0, 1.0), np.clip(band_out + 1.0 - outside, 0.0, 1.0))
    return sure_hair, sure_not, weight.astype(np.float32)


def _local_means(guide: np.ndarray, where: np.ndarray, sizes: tuple[int, ...], ys: np.ndarray,
                 xs: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each box size, at the pixels (``ys``, ``xs``): the mean colour (N x 3) of the pixels ``where``
    (uint8 0/1) in a box of that size round each, and the share (N) of the box they fill."""
    weight = where.astype(np.float32)
    chosen = guide * weight[..., None]
    out = []
    for size in sizes:
        share = cv2.blur(weight, (size, size), borderType=cv2.BORDER_REFLECT)[ys, xs]
        total = cv2.blur(chosen, (size, size), borderType=cv2.BORDER_REFLECT)[ys, xs]
        out.append((total / np.maximum(share, 1e-4)[:, None], share))
    return out


def colour_line_coefficients(guide: np.ndarray, mask: np.ndarray, fallback: list[np.ndarray], band_in: float,
                             band_out: float, settings: MatteSettings = MatteSettings(),
                             cheeks: np.ndarray | None = None) -> list[np.ndarray]:
    """Coefficients ``[a_r, a_g, a_b, b]`` (H x W float32, for a guide scaled 0-255) such that
    ``a . pixel + b`` is the alpha: the colour-line matte in the unknown band, ``fallback`` (the mask's
    own coefficients, same form) in sure hair, sure not-hair and where hair and background look alike.
    ``guide``: the small copy (float32 RGB 0-1); ``mask``: the coarse alpha at its size; ``band_in``,
    ``band_out``: the band in its pixels. ``cheeks`` (uint8 0/1 at the guide's size, optional): the
    faces' cheeks, where the band reaches out only ``settings.cheek_reach`` as far. The arithmetic is
    done on the band's pixels only."""
    s = settings
    inside, outside = _distances(mask)
    sure_hair, sure_not, unknown = _trimap(inside, outside, band_in, band_out)
    ys, xs = np.nonzero(unknown)
    if not len(ys):
        return fallback
    size = max(3, round(s.window * (band_in + band_out)) | 1)
    (hair_colour, hair_share), = _local_means(guide, sure_hair, (size,), ys, xs)
    # Where the band's own window sees too little sure background (a bay of the mask, a long fringe), its
    # background colour comes from a window ``back_reach`` times as wide, rather than none at all.
    (back_colour, back_share), (wide_colour, wide_share) = _local_means(
        guide, sure_not, (size, round(s.back_reach * size) | 1), ys, xs)
    seen = np.clip(back_share * 20.0, 0.0, 1.0)[:, None]
    back_colour = back_colour * seen + wide_colour * (1.0 - seen)
    back_share = np.maximum(back_share, wide_share)
    line = hair_colour - back_colour
    length2 = np.einsum("ij,ij->i", line, line)
    trust = np.clip((np.sqrt(length2) - s.min_contrast) / (s.full_contrast - s.min_contrast), 0.0, 1.0)
    trust *= np.clip(hair_share * 20.0, 0.0, 1.0) * np.clip(back_share * 20.0, 0.0, 1.0)  # both sides seen
    weight = unknown[ys, xs] * trust
    if cheeks is not None:
        # over a face's cheeks the band reaches out only ``cheek_reach`` as far: skin turning into shadow
        # beside dark hair has the colour of a mixture of the two, and would take the dye as a glow
        near = np.clip(s.cheek_reach * band_out + 1.0 - outside[ys, xs], 0.0, 1.0)
        weight *= np.where(cheeks[ys, xs] > 0, near, np.float32(1.0))
    if not weight.any():
        return fallback
    span = s.high - s.low
    slopes = line * (1.0 / (np.maximum(length2, 1e-6) * span))[:, None]  # per 0-1 unit of the guide
    offset = -np.einsum("ij,ij->i", back_colour, slopes) - s.low / span
    mine = [slopes[:, 0] / 255.0, slopes[:, 1] / 255.0, slopes[:, 2] / 255.0, offset]
    out = []
    for old, new in zip(fallback, mine, strict=True):
        plane = np.array(old, dtype=np.float32, copy=True)
        here = plane[ys, xs]
        plane[ys, xs] = here + weight * (new - here)
        out.append(plane)
    return out
