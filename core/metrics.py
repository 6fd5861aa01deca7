"""Quality and timing figures: mask IoU, false-positive area, rolling latency percentiles."""

from __future__ import annotations

from collections import deque

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


class RollingLatency:
    """The last ``window`` samples of one timing, in milliseconds, with percentiles on demand."""

    def __init__(self, window: int = 300):
        self._samples: deque[float] = deque(maxlen=window)

    def add(self, ms: float) -> None:
        self._samples.append(float(ms))

    def clear(self) -> None:
        self._samples.clear()

    def __len__(self) -> int:
        return len(self._samples)

    def percentile(self, q: float) -> float:
        if not self._samples:
            return float("nan")
        return float(np.percentile(np.fromiter(self._samples, dtype=np.float64), q))

    def summary(self) -> dict[str, float]:
        if not self._samples:
            return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
        values = np.percentile(np.fromiter(self._samples, dtype=np.float64), [50, 95, 99])
        return {"p50": float(values[0]), "p95": float(values[1]), "p99": float(values[2])}
