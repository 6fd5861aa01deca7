"""The statistics overlay's text: refreshed a few times a second from the latest frame's figures (at
once for a still), with an injectable clock; the window puts the text on the overlay widget."""

from __future__ import annotations

import time
from collections.abc import Callable

from core.frames import RunningMode
from core.live import FrameInfo
from hairtint_desktop.widgets.overlay import format_stats

REFRESH_EVERY_S = 0.25
WAITING = "FPS        –\nwaiting for the first frame…"


class OverlayFeed:
    def __init__(self, clock: Callable[[], float] = time.perf_counter, every_s: float = REFRESH_EVERY_S):
        self._clock, self._every = clock, every_s
        self._at = -1e9

    def due(self, info: FrameInfo) -> bool:
        """True when the overlay should be redrawn for this frame (and marks it drawn)."""
        now = self._clock()
        if info.mode is RunningMode.IMAGE or now - self._at > self._every:
            self._at = now
            return True
        return False

    @staticmethod
    def text(info: FrameInfo | None, *, size: tuple[int, int] | None, display_fps: float, latency: dict,
             rollout: str | None = None) -> str:
        if info is None:
            return WAITING
        return format_stats(fps=info.stats.get("fps", float("nan")), display_fps=display_fps, stats=info.stats,
                            latency=latency, model=info.model, size=size, dropped=info.dropped, mode=info.mode,
                            rollout=rollout)


__all__ = ["REFRESH_EVERY_S", "WAITING", "OverlayFeed"]
