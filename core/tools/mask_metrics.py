"""How well a mask matches the truth: IoU and false-positive area."""

from __future__ import annotations

import numpy as np


def mask_iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks; two empty masks agree perfectly (1.0)."""
    predicted, truth = predicted.astype(bool), truth.astype(bool)
    union = np.logical_or(predicted, truth).sum()
    if union == 0:
        return 1.0
    return float(np.logical_and(predicted, truth).sum() / union)


def false_positive_area(predicted: np.ndarray, truth: np.ndarray) -> float:
    """The share of the ``predicted`` hair (bool) that is not ``truth``: what a dye would colour that is
    not hair. NaN where nothing is predicted."""
    predicted = predicted.astype(bool)
    called = int(predicted.sum())
    if called == 0:
        return float("nan")
    return float(np.logical_and(predicted, ~truth.astype(bool)).sum() / called)
