"""Rolling latency percentiles: the pipeline's timing of each stage, and the window's of each frame."""

from __future__ import annotations

from collections import deque

import numpy as np


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
