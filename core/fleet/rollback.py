"""When to give up on a model: errors and frame latency over a rolling window, and the rules that turn
them into a rollback.

:class:`HealthWatch` keeps the outcome of each frame (ok or failed, and its pipeline latency) for the
last ``window_s`` seconds of an injected clock. It calls for a rollback when, with at least
``min_frames`` frames in the window, more than ``max_error_rate`` of them failed, or when the window's
p95 latency has stayed over ``frame_budget_ms`` for ``slow_for_s`` seconds. A failed frame is an
exception from the pipeline or an invalid mask (:func:`mask_problem`). A mask with no hair in it is
*not* a failure: nobody may be standing in front of the camera.

:class:`GuardedPipeline` wraps a pipeline and reports each frame's outcome; an invalid mask is turned
into a ModelError, so the frame is not shown. No Qt here."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelError

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.frames import Frame, Look, Result
    from core.pipeline.pipeline import Pipeline, PipelineStats

FRAME_BUDGET_MS = 1000.0 / 30.0  # one frame at 30 fps


@dataclass(frozen=True)
class RollbackRules:
    max_error_rate: float = 0.02
    window_s: float = 60.0
    min_frames: int = 50
    frame_budget_ms: float = FRAME_BUDGET_MS
    slow_for_s: float = 30.0


def mask_problem(mask, frame) -> str | None:
    """What is wrong with a pipeline's mask for ``frame`` (None: nothing): no mask, an empty one, the
    wrong size, values that are not numbers or outside [0, 1]."""
    if mask is None:
        return "no mask"
    mask = np.asarray(mask)
    if mask.size == 0:
        return "an empty mask"
    if mask.shape[:2] != frame.pixels.shape[:2]:
        return f"a mask of the wrong size ({mask.shape[:2]} for a {frame.pixels.shape[:2]} frame)"
    if not np.issubdtype(mask.dtype, np.number) or not np.isfinite(mask).all():
        return "a mask with values that are not numbers"
    if mask.min() < 0 or mask.max() > 1.0 + 1e-3:
        return f"a mask outside [0, 1] ({float(mask.min()):.3g} to {float(mask.max()):.3g})"
    return None


class HealthWatch:
    """The last ``rules.window_s`` seconds of frame outcomes. Not thread-safe: one processing thread."""

    def __init__(self, rules: RollbackRules = RollbackRules(), clock: Callable[[], float] = time.monotonic):
        self.rules, self._clock = rules, clock
        self._frames: deque[tuple[float, bool, float | None]] = deque()
        self._slow_since: float | None = None

    def reset(self) -> None:
        self._frames.clear()
        self._slow_since = None

    def record(self, ok: bool, latency_ms: float | None = None) -> None:
        now = self._clock()
        self._frames.append((now, ok, latency_ms))
        while self._frames and self._frames[0][0] < now - self.rules.window_s:
            self._frames.popleft()
        p95 = self.p95()
        if len(self._frames) >= self.rules.min_frames and p95 > self.rules.frame_budget_ms:
            self._slow_since = now if self._slow_since is None else self._slow_since
        else:
            self._slow_since = None

    def error_rate(self) -> float:
        return sum(not ok for _, ok, _ in self._frames) / len(self._frames) if self._frames else 0.0

    def p95(self) -> float:
        latencies = [ms for _, ok, ms in self._frames if ok and ms is not None]
        return float(np.percentile(latencies, 95)) if latencies else float("nan")

    def figures(self) -> dict:
        """The numbers a rollback record keeps."""
        slow = 0.0 if self._slow_since is None else self._clock() - self._slow_since
        return {"frames": len(self._frames), "errors": sum(not ok for _, ok, _ in self._frames),
                "error_rate": round(self.error_rate(), 4), "p95_ms": round(self.p95(), 2),
                "slow_for_s": round(slow, 1), "window_s": self.rules.window_s,
                "max_error_rate": self.rules.max_error_rate, "frame_budget_ms": round(self.rules.frame_budget_ms, 2)}

    def verdict(self) -> str | None:
        """Why the model should be rolled back, in words; None while it is healthy."""
        r = self.rules
        if len(self._frames) >= r.min_frames and self.error_rate() > r.max_error_rate:
            return (f"error rate {self.error_rate():.1%} over the last {len(self._frames)} frames "
                    f"is above {r.max_error_rate:.0%}")
        if self._slow_since is not None and self._clock() - self._slow_since >= r.slow_for_s:
            return (f"p95 latency {self.p95():.1f} ms has been over the frame budget of {r.frame_budget_ms:.1f} ms "
                    f"for {self._clock() - self._slow_since:.0f} s")
        return None


class GuardedPipeline:
    """A pipeline whose every frame is reported to ``report(ok, latency_ms, kind)`` (kind: None,
    "exception" or "invalid_mask"). It offers what the live runner asks of a pipeline: ``process``
    (guarded), and ``model_info``, ``stats``, ``reset`` and ``close``, which are the wrapped pipeline's."""

    def __init__(self, pipeline: Pipeline, report: Callable[[bool, float | None, str | None], None]):
        self.pipeline, self._report = pipeline, report

    @property
    def model_info(self):
        return self.pipeline.model_info

    @property
    def stats(self) -> PipelineStats:
        return self.pipeline.stats

    def reset(self) -> None:
        self.pipeline.reset()

    def close(self) -> None:
        self.pipeline.close()

    def process(self, frame: Frame, look: Look, also: tuple[Look, ...] = ()) -> Result:
        try:
            result = self.pipeline.process(frame, look, also)
        except Exception:
            self._report(False, None, "exception")
            raise
        latency = result.timings_ms.get("total")
        problem = mask_problem(result.mask, result.frame)  # the frame it worked on (a large one is shrunk)
        if problem is not None:
            self._report(False, latency, "invalid_mask")
            raise ModelError(f"the hair model gave {problem}")
        self._report(True, latency, None)
        return result


__all__ = ["FRAME_BUDGET_MS", "GuardedPipeline", "HealthWatch", "RollbackRules", "mask_problem"]
