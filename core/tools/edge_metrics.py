"""Figures for the hair's edge, measured against a photo's true mask.

- ``boundary_f``: boundary F-measure of the hair outline at a pixel tolerance (Perazzi et al., 2016):
  the share of the predicted outline within ``tolerance`` px of the true one (precision) and the
  reverse (recall), combined as their harmonic mean.
- ``recolour_edge``: what a customer sees when the hair is dyed a strong test shade at intensity 100.
  *Bleed* is the share of the band ``BAND_NEAR``..``BAND_FAR`` px outside the true hair whose colour
  changes visibly (CIELAB Delta E 1976 above ``VISIBLE_DE``): halos on the background, a tinted or
  pale band on the forehead. *Coverage* is the share of the true hair core (the true mask eroded
  ``CORE_INSET`` px) that moves at least half as far towards the shade as it does when the true mask
  is used, counted where the true-mask recolour changes the pixel visibly at all.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from core.frames import Look, Shade

TEST_SHADE = Shade("#2e6fd8", (0x2E, 0x6F, 0xD8))
TEST_LOOK = Look(shade=TEST_SHADE, intensity=100)
VISIBLE_DE = 6.0
BAND_NEAR, BAND_FAR = 3, 15
CORE_INSET = 3
BOUNDARY_TOLERANCE = 3


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (L 0-100, a and b centred on 0) of a uint8 RGB picture, float32."""
    return cv2.cvtColor(rgb.astype(np.float32) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2Lab)


def delta_e(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per-pixel CIELAB Delta E 1976 between two uint8 RGB pictures of the same size."""
    return np.linalg.norm(lab(first) - lab(second), axis=2)


def distance_outside(truth: np.ndarray) -> np.ndarray:
    """For each pixel, its distance in px to the nearest true-hair pixel (0 on the hair)."""
    return cv2.distanceTransform((~truth).astype(np.uint8), cv2.DIST_L2, 5)


def distance_inside(truth: np.ndarray) -> np.ndarray:
    """For each hair pixel, its distance in px to the nearest non-hair pixel (0 off the hair)."""
    padded = np.pad(truth.astype(np.uint8), 1)  # the picture's border is not an edge of the hair
    return cv2.distanceTransform(padded, cv2.DIST_L2, 5)[1:-1, 1:-1]


def outline(mask: np.ndarray) -> np.ndarray:
    """The 1-px inner outline of a boolean mask (pixels of the mask with a 4-neighbour outside it)."""
    m = mask.astype(np.uint8)
    return (m - cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_REPLICATE)).astype(bool)


def boundary_f(predicted: np.ndarray, truth: np.ndarray, tolerance: float = BOUNDARY_TOLERANCE) -> float:
    """Boundary F-measure of two boolean masks; 1.0 when neither has an outline."""
    pred_edge, true_edge = outline(predicted), outline(truth)
    if not pred_edge.any() and not true_edge.any():
        return 1.0
    if not pred_edge.any() or not true_edge.any():
        return 0.0
    to_true = cv2.distanceTransform((~true_edge).astype(np.uint8), cv2.DIST_L2, 5)
    to_pred = cv2.distanceTransform((~pred_edge).astype(np.uint8), cv2.DIST_L2, 5)
    precision = float((to_true[pred_edge] <= tolerance).mean())
    recall = float((to_pred[true_edge] <= tolerance).mean())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


class EdgeRecolour(NamedTuple):
    """Bleed and coverage of one photo (NaN where the band or the core is empty), and the per-pixel
    maps the report draws from: ``bled`` (bool, band pixels that changed visibly)."""

    bleed: float
    coverage: float
    bled: np.ndarray


def recolour_edge(original: np.ndarray, ours: np.ndarray, reference: np.ndarray, truth: np.ndarray) -> EdgeRecolour:
    """``ours``: the photo recoloured through the pipeline's mask; ``reference``: recoloured through the
    true mask; both with ``TEST_LOOK``. ``truth``: the true hair mask (bool)."""
    base = lab(original)
    moved_ours = lab(ours) - base
    moved_true = lab(reference) - base
    outside = distance_outside(truth)
    band = (outside > BAND_NEAR) & (outside <= BAND_FAR)
    bled = band & (np.linalg.norm(moved_ours, axis=2) > VISIBLE_DE)
    bleed = float(bled.sum() / band.sum()) if band.any() else float("nan")

    core = distance_inside(truth) > CORE_INSET
    true_len2 = np.einsum("ijk,ijk->ij", moved_true, moved_true)
    counted = core & (true_len2 > VISIBLE_DE * VISIBLE_DE)
    if counted.any():
        # how far ours went along the true-mask recolour's direction, as a share of its length
        along = np.einsum("ijk,ijk->ij", moved_ours, moved_true)[counted] / true_len2[counted]
        coverage = float((along >= 0.5).mean())
    else:
        coverage = float("nan")
    return EdgeRecolour(bleed, coverage, bled)


def worst_crop(bled: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the ``size`` x ``size`` window (clipped to the picture) holding the most bleed."""
    height, width = bled.shape
    size = max(8, min(size, height, width))
    density = cv2.boxFilter(bled.astype(np.float32), -1, (size, size), normalize=False,
                            borderType=cv2.BORDER_CONSTANT)
    cy, cx = np.unravel_index(int(np.argmax(density)), density.shape)
    x0 = int(np.clip(cx - size // 2, 0, width - size))
    y0 = int(np.clip(cy - size // 2, 0, height - size))
    return x0, y0, size, size
