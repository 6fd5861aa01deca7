"""Holding files and the demo clip to the pace of their timestamps (a camera paces itself)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_FPS = 60.0  # upper bound for paced (non-camera) sources


def _wait(stop: threading.Event, seconds: float) -> None:
    stop.wait(seconds)


class Pacer:
    """Holds frames to the pace of their timestamps (files and the demo clip); also caps any source at
    ``max_fps``. ``clock`` and ``sleep(stop, seconds)`` are injectable; ``wait`` returns the delay."""

    def __init__(self, max_fps: float = MAX_FPS, clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[threading.Event, float], None] = _wait):
        self.min_gap = 1.0 / max_fps
        self._clock, self._sleep = clock, sleep
        self.reset()

    def reset(self) -> None:
        self._anchor: tuple[float, int] | None = None
        self._last_wall = -1e9
        self._last_ts: int | None = None

    def wait(self, timestamp_ms: int, stop: threading.Event) -> float:
        now = self._clock()
        if self._anchor is None or self._last_ts is None or timestamp_ms < self._last_ts:
            self._anchor = (now, timestamp_ms)
        due = self._anchor[0] + (timestamp_ms - self._anchor[1]) / 1000.0
        due = max(due, self._last_wall + self.min_gap)
        if due - now > 1.0 or now - due > 0.25:  # a jump in the timestamps, or we fell behind
            self._anchor = (now, timestamp_ms)
            due = max(now, self._last_wall + self.min_gap)
        delay = max(0.0, due - now)
        if delay:
            self._sleep(stop, delay)
        self._last_wall = max(due, now)
        self._last_ts = timestamp_ms
        return delay


__all__ = ["MAX_FPS", "Pacer"]
