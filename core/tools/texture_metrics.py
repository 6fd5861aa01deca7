"""Figures for the hair's strand texture: whether the dye keeps the strands' own light and shade, and
whether a light shade reaches its swatch colour instead of a grey.

All are measured in the true hair core (the true mask eroded ``edge_metrics.CORE_INSET`` px), on
*relative strand detail* in linear light: ``Y`` is the linear-light luminance of the picture (sRGB
decoded, ``Y = 0.2126 R + 0.7152 G + 0.0722 B``) and ``detail = Y / local(Y) - 1``, where ``local`` is
the Gaussian-weighted (sigma ``SIGMA`` px) mean of ``Y`` over the true hair only (a normalised
convolution: the skin or background beside the hair does not pull a pixel's local mean, which it would
at the core's rim, most of all for dark hair before bright skin). The divide is guarded by ``EPS``.
Detail is relative, so a change of reflectance (a dye that scales the hair's linear light, as a real
lift does) leaves it as it was, while adding a constant (lifting every strand by the same amount of
light or L*) flattens it.

- ``spread_ratio``: std(detail of the dyed output) / std(detail of the original) over the core: 1 when
  the strands keep their relative contrast, 0 for a flat paint.
- ``correlation``: the Pearson correlation of the two details over the core: 1 when each strand stays
  where it was relative to its neighbours; 0 where the output has no detail left at all.
- ``dark``: whether the original hair counts as dark (mean CIELAB L* of the core below ``DARK_L``).

Both ratios are NaN with fewer than ``MIN_PIXELS`` core pixels or where the original core has no
detail (std below ``FLAT``).

``swatch_distance``: CIELAB Delta E 1976 between the mean Lab colour of the dyed core and the swatch
colour (NaN with fewer than ``MIN_PIXELS`` core pixels): a lighter shade at intensity 100 should land
within Delta E 10 of its swatch, not a grey.

``texture_figures`` gives, per look, ``spread_<key>``, ``corr_<key>`` (at the look's intensity) and
``swatch_<key>`` (at intensity 100), on dark hair only (NaN on the rest, which is not dyed for them: a
lift is what loses strands), and ``dark`` (1 or 0). ``eval`` reports their medians over the dark photos, and each spread's 10th
percentile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np

from core.catalog.palette import default_palette, resolve_color
from core.frames import Look
from core.tools import edge_metrics as em

TEXTURE_LOOKS = {
    "platinum": Look(shade=resolve_color("Platinum Blonde", default_palette()), intensity=80),
    "amber": Look(shade=resolve_color("Sunlit Amber", default_palette()), intensity=70),
}
FIGURES = (*(f"{figure}_{key}" for key in TEXTURE_LOOKS for figure in ("spread", "corr", "swatch")), "dark")
SIGMA = 3.0
EPS = 1e-4
FLAT = 1e-6
DARK_L = 35.0
MIN_PIXELS = 200
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)
_REACH = int(np.ceil(4 * SIGMA)) + 1  # px a Gaussian of SIGMA reaches (OpenCV's kernel for float32)


class Texture(NamedTuple):
    """One dyed photo's texture figures (the ratios NaN where nothing was counted)."""

    spread_ratio: float
    correlation: float
    dark: bool


def _srgb_to_linear() -> np.ndarray:
    """Linear light (0-1) of each uint8 sRGB value, a 256-entry table."""
    c = np.arange(256, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


_LINEAR = _srgb_to_linear()


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Linear-light luminance Y (0-1, float32) of a uint8 sRGB picture."""
    return _LINEAR[rgb] @ LUMA


def detail(rgb: np.ndarray, hair: np.ndarray) -> np.ndarray:
    """Relative strand detail ``Y / local(Y) - 1`` of a uint8 RGB picture, ``local`` the Gaussian mean
    of ``Y`` over the ``hair`` pixels (bool) only; meaningful on the hair."""
    y = luminance(rgb)
    weight = hair.astype(np.float32)
    mass = cv2.GaussianBlur(weight, (0, 0), SIGMA)
    local = cv2.GaussianBlur(y * weight, (0, 0), SIGMA) / np.maximum(mass, EPS)
    return y / np.maximum(local, EPS) - 1.0


def core_box(truth: np.ndarray, reach: int = 0) -> tuple[np.ndarray, tuple[slice, slice] | None]:
    """(core, part): the true hair core (bool, the whole picture) and the rows and columns of its bounding
    box widened by ``reach`` px (clipped to the picture); ``part`` is None where the core is empty."""
    core = em.distance_inside(truth.astype(bool)) > em.CORE_INSET
    x, y, w, h = cv2.boundingRect(core.view(np.uint8))
    if w == 0 or h == 0:
        return core, None
    y0, x0 = max(0, y - reach), max(0, x - reach)
    return core, (slice(y0, y + h + reach), slice(x0, x + w + reach))


def is_dark(original: np.ndarray, truth: np.ndarray) -> bool:
    """Whether the photo's true hair core has a mean L* below ``DARK_L`` (False where the core is empty)."""
    core, part = core_box(truth)
    if part is None:
        return False
    return bool(em.lab(original[part])[..., 0][core[part]].mean() < DARK_L)


def texture(original: np.ndarray, dyed: np.ndarray, truth: np.ndarray) -> Texture:
    """``original`` and ``dyed``: uint8 RGB pictures of the same size; ``truth``: the true hair mask (bool)."""
    truth = truth.astype(bool)
    nan = float("nan")
    dark = is_dark(original, truth)
    core, part = core_box(truth, _REACH)
    if part is None or np.count_nonzero(core) < MIN_PIXELS:
        return Texture(nan, nan, dark)
    hair, core = truth[part], core[part]
    before = detail(original[part], hair)[core].astype(np.float64)
    after = detail(dyed[part], hair)[core].astype(np.float64)
    spread_before, spread_after = before.std(), after.std()
    if spread_before < FLAT:
        return Texture(nan, nan, dark)
    if spread_after < FLAT:  # nothing left to correlate: a flat paint
        return Texture(float(spread_after / spread_before), 0.0, dark)
    covariance = np.mean((before - before.mean()) * (after - after.mean()))
    return Texture(float(spread_after / spread_before), float(covariance / (spread_before * spread_after)), dark)


def swatch_distance(dyed: np.ndarray, truth: np.ndarray, rgb_swatch: tuple[int, int, int]) -> float:
    """Delta E 1976 between the mean CIELAB colour of the dyed true hair core and the swatch colour
    (``rgb_swatch``: sRGB 0-255, e.g. ``Shade.rgb``); NaN with fewer than ``MIN_PIXELS`` core pixels."""
    core, part = core_box(truth.astype(bool))
    if part is None or np.count_nonzero(core) < MIN_PIXELS:
        return float("nan")
    mean = em.lab(dyed[part])[core[part]].astype(np.float64).mean(axis=0)
    swatch = em.lab(np.array([[rgb_swatch]], np.uint8))[0, 0]
    return float(np.linalg.norm(mean - swatch))


def texture_figures(original: np.ndarray, dye: Callable[[Look], np.ndarray], truth: np.ndarray) -> dict[str, float]:
    """``FIGURES`` of one photo; ``dye(look)``: the photo dyed with a look, asked for (each of
    ``TEXTURE_LOOKS``, and each at intensity 100) only where the hair is dark: elsewhere all but ``dark``
    are NaN."""
    nan = float("nan")
    if not is_dark(original, truth):
        return {name: 0.0 if name == "dark" else nan for name in FIGURES}
    figures = {"dark": 1.0}
    for key, look in TEXTURE_LOOKS.items():
        kept = texture(original, dye(look), truth)
        full = dye(Look(shade=look.shade, intensity=100, shine=look.shine))
        figures.update({f"spread_{key}": kept.spread_ratio, f"corr_{key}": kept.correlation,
                        f"swatch_{key}": swatch_distance(full, truth, look.shade.rgb)})
    return figures


def look_names() -> dict[str, str]:
    """Each texture look by key, as ``#rrggbb@intensity`` (for a JSON report)."""
    return {key: f"{look.shade.hex}@{look.intensity}" for key, look in TEXTURE_LOOKS.items()}
