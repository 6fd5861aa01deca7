"""Figures for the hairline itself: whether the dye follows the hair into the pixels where hair and skin
mix, and whether light strands take the shade.

``hairline`` looks at the band ``BAND_NEAR``..``BAND_FAR`` px outside a photo's true mask, in CIELAB.
For each band pixel, ``H`` is the mean colour of the hair within ``HAIR_RADIUS`` px (a box window) and
``S`` the mean colour of the non-hair ``SKIN_NEAR``..``SKIN_FAR`` px out (a box window of
``SKIN_RADIUS`` px), both in the original photo; ``H'`` is the same hair mean in the dyed output. A pixel
is skipped where either window holds none of its pixels, where hair and skin are too alike to tell
apart (``|H - S| < SEPARATE_DE``) or where the dye hardly moved the hair (``|H' - H| < DYED_DE``). The
rest get a hair share ``t`` (the pixel's colour ``I`` projected on the skin-to-hair line, clipped to
0..1) and, where ``t > 0``, a follow-through ``f``: how far the output ``O`` moved along the hair's own
move, as a share of ``t`` times that move (1: the pixel took the dye in proportion to its hair, 0: it
did not move).

- ``seam``: the share of mixed pixels (``t >= MIXED``) with ``f < SEAM_FOLLOW``: a dark or undyed line
  between the dyed hair and the skin.
- ``follow``: the median ``f`` of the mixed pixels.
- ``clean_bleed``: the share of clean pixels (``t < CLEAN``) whose colour changes visibly (Delta E 1976
  above ``edge_metrics.VISIBLE_DE``): dye on the skin beside the hair.

Each is NaN where it has no pixels to count; an output that leaves the hair as it was measures nothing
(every pixel is skipped), so all three are NaN then.

``light_follow``: in the true hair core (the mask eroded ``edge_metrics.CORE_INSET`` px), the median
a*b* move of the light pixels (L* above ``LIGHT_L``) over that of the mid-tone ones (``MID_L``): 1 when
light strands take the shade as far as the rest of the hair, 0 when they keep their own colour. NaN
with fewer than ``MIN_PIXELS`` of either.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from core.frames import Look, Shade
from core.tools import edge_metrics as em

COPPER_LOOK = Look(shade=Shade("Copper Red", (0xB4, 0x53, 0x2A)), intensity=70)
HAIRLINE_LOOKS = {"copper": COPPER_LOOK, "blue": em.TEST_LOOK}
FIGURES = (*(f"{figure}_{key}" for key in HAIRLINE_LOOKS for figure in ("seam", "follow", "clean")), "light_follow")
BAND_NEAR, BAND_FAR = 1, 8
HAIR_RADIUS = 15
SKIN_NEAR, SKIN_FAR, SKIN_RADIUS = 10, 20, 20
SEPARATE_DE, DYED_DE = 10.0, 5.0
MIXED, CLEAN, SEAM_FOLLOW = 0.35, 0.1, 0.3
LIGHT_L, MID_L, MIN_PIXELS = 80.0, (25.0, 65.0), 50


class Hairline(NamedTuple):
    """One photo's hairline figures (NaN where nothing was counted) and the per-pixel maps the report
    draws from: ``mixed`` (bool, band pixels counted as mixed hair and skin) and ``seamed`` (bool, the
    mixed pixels the dye did not follow into)."""

    seam: float
    follow: float
    clean_bleed: float
    mixed: np.ndarray
    seamed: np.ndarray


def hairline(original: np.ndarray, dyed: np.ndarray, truth: np.ndarray) -> Hairline:
    """``original`` and ``dyed``: uint8 RGB pictures of the same size; ``truth``: the true hair mask (bool)."""
    truth = truth.astype(bool)
    outside = em.distance_outside(truth)
    band = (outside >= BAND_NEAR) & (outside <= BAND_FAR)
    mixed, seamed = np.zeros(truth.shape, bool), np.zeros(truth.shape, bool)
    nan = float("nan")
    x, y, w, h = cv2.boundingRect(band.view(np.uint8))
    if w == 0 or h == 0 or not truth.any():
        return Hairline(nan, nan, nan, mixed, seamed)
    # only the rows and columns the windows around the band reach
    reach = max(HAIR_RADIUS, SKIN_RADIUS)
    y0, x0 = max(0, y - reach), max(0, x - reach)
    part = (slice(y0, y + h + reach), slice(x0, x + w + reach))
    before, after = em.lab(original[part]), em.lab(dyed[part])
    skin = (outside[part] >= SKIN_NEAR) & (outside[part] <= SKIN_FAR)
    ys, xs = np.nonzero(band[part])
    (hair_before, hair_after), hair_count = _local_means((before, after), truth[part], HAIR_RADIUS, ys, xs)
    (skin_mean,), skin_count = _local_means((before,), skin, SKIN_RADIUS, ys, xs)
    across = hair_before - skin_mean  # skin to hair
    move = hair_after - hair_before  # the hair's own move
    across2, move2 = _dot(across, across), _dot(move, move)
    counted = (hair_count > 0) & (skin_count > 0) & (across2 >= SEPARATE_DE**2) & (move2 >= DYED_DE**2)
    if not counted.any():
        return Hairline(nan, nan, nan, mixed, seamed)

    ys, xs = ys[counted] + y0, xs[counted] + x0
    pixel, out = before[ys - y0, xs - x0], after[ys - y0, xs - x0]
    skin_mean, across, move, across2, move2 = (a[counted] for a in (skin_mean, across, move, across2, move2))
    share = np.clip(_dot(pixel - skin_mean, across) / across2, 0.0, 1.0)
    is_mixed, is_clean = share >= MIXED, share < CLEAN
    follow = _dot(out[is_mixed] - pixel[is_mixed], move[is_mixed]) / (share[is_mixed] * move2[is_mixed])
    changed = np.linalg.norm(out[is_clean] - pixel[is_clean], axis=1) > em.VISIBLE_DE
    mixed[ys[is_mixed], xs[is_mixed]] = True
    seam = follow < SEAM_FOLLOW
    seamed[ys[is_mixed][seam], xs[is_mixed][seam]] = True
    return Hairline(float(seam.mean()) if seam.size else nan, float(np.median(follow)) if follow.size else nan,
                    float(changed.mean()) if changed.size else nan, mixed, seamed)


def light_follow(original: np.ndarray, dyed: np.ndarray, truth: np.ndarray) -> float:
    """The median a*b* move of the true hair core's light pixels over that of its mid-tone ones (NaN with
    too few of either, or where the mid-tone hair did not move)."""
    core = em.distance_inside(truth.astype(bool)) > em.CORE_INSET
    x, y, w, h = cv2.boundingRect(core.view(np.uint8))
    if w == 0 or h == 0:
        return float("nan")
    part = (slice(y, y + h), slice(x, x + w))
    before, core = em.lab(original[part]), core[part]
    change = (em.lab(dyed[part]) - before)[core]
    moved = np.hypot(change[:, 1], change[:, 2])
    light = before[..., 0][core]
    bright = moved[light > LIGHT_L]
    mid = moved[(light >= MID_L[0]) & (light <= MID_L[1])]
    if bright.size < MIN_PIXELS or mid.size < MIN_PIXELS:
        return float("nan")
    mid_move = float(np.median(mid))
    return float(np.median(bright)) / mid_move if mid_move > 0 else float("nan")


def hairline_figures(original: np.ndarray, dyed: dict[str, np.ndarray],
                     truth: np.ndarray) -> tuple[dict[str, float], dict[str, Hairline]]:
    """``FIGURES`` of one photo, and each look's ``Hairline`` (its maps, for a report); ``dyed``: the
    photo dyed with each of ``HAIRLINE_LOOKS``, by key."""
    figures, lines = {}, {}
    for key in HAIRLINE_LOOKS:
        line = lines[key] = hairline(original, dyed[key], truth)
        figures.update({f"seam_{key}": line.seam, f"follow_{key}": line.follow, f"clean_{key}": line.clean_bleed})
    figures["light_follow"] = light_follow(original, dyed["copper"], truth)
    return figures, lines


def look_names() -> dict[str, str]:
    """Each hairline look by key, as ``#rrggbb@intensity`` (for a JSON report)."""
    return {key: f"{look.shade.hex}@{look.intensity}" for key, look in HAIRLINE_LOOKS.items()}


def hairline_crop(seamed: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the ``size`` x ``size`` window (clipped to the picture) holding the most of
    ``seamed`` (or of any other map: ``Hairline.mixed`` where nothing seamed)."""
    return em.worst_crop(seamed, size)


def _local_means(labs: tuple[np.ndarray, ...], chosen: np.ndarray, radius: int, ys: np.ndarray,
                 xs: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """At the pixels (``ys``, ``xs``): the mean colour of the ``chosen`` pixels in the (2 ``radius`` + 1) px
    box around each, in each picture of ``labs``, and how many pixels there are (a mean is 0 where there
    are none)."""
    window = (2 * radius + 1, 2 * radius + 1)
    weight = chosen.astype(np.uint8)
    count = cv2.boxFilter(weight.astype(np.float32), -1, window, normalize=False, borderType=cv2.BORDER_CONSTANT)
    count = np.rint(count[ys, xs])  # a running sum leaves float crumbs where the box holds none
    share = 1.0 / np.maximum(count, 1.0)[:, None]
    means = [cv2.boxFilter(cv2.copyTo(lab, weight), -1, window, normalize=False,
                           borderType=cv2.BORDER_CONSTANT)[ys, xs] * share for lab in labs]
    return means, count


def _dot(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per-pixel dot product over the last axis."""
    return np.einsum("...k,...k->...", first, second)
