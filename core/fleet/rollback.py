"""When to give up on a model: errors and frame latency over a rolling window, and the rules that turn
them into a rollback.

:class:`HealthWatch` keeps the outcome of each frame (ok or failed, and its pipeline latency) for the
last ``window_s`` seconds of an injected clock, beside timings of the stable model on the same machine
and the camera's frame interval. It calls for a rollback when, with at least ``min_frames`` frames in
the window, more than ``max_error_rate`` of them failed, or when the model has been too slow for
``slow_for_s`` seconds: its p95 over the budget (the camera's frame interval), clearly worse than the
stable model's p95 (``max_ratio``), while the stable model keeps the budget -- a busy machine, where
the stable model misses it too, is never a reason (docs/adr/0011-a-fair-latency-rule.md). A failed
frame is an exception from the pipeline or an invalid mask (:func:`mask_problem`). A mask with no hair
in it is *not* a failure: nobody may be standing in front of the camera.

:class:`GuardedPipeline` wraps a pipeline and reports each frame's outcome; an invalid mask is turned
into a ModelError, so the frame is not shown. Its :class:`ReferenceTimer` times the stable model on a
live frame now and then (every ``reference_every_s``). No Qt here."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ModelError

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.frames import Frame, Look, Result
    from core.pipeline.pipeline import Pipeline, PipelineStats

FRAME_BUDGET_MS = 1000.0 / 30.0  # one frame at 30 fps: the budget while the camera's frame interval is unknown

#: The latency rule's judgements: metric label -> what it means.
DECISIONS = {
    "judging": "too few frames or stable-model timings in the window to judge",
    "within_budget": "within the frame budget",
    "busy_machine": "over the frame budget, but the stable model misses it too on this machine now",
    "like_stable": "over the frame budget, but not clearly slower than the stable model on this machine",
    "too_slow": "over the frame budget and clearly slower than the stable model, which keeps it",
}


@dataclass(frozen=True)
class RollbackRules:
    """``max_ratio``: how much slower than the stable model (p95 over p95, same machine, same window)
    counts as clearly worse; ``min_reference``: stable-model timings the window needs before the latency
    rule judges; ``reference_every_s``: how often the stable model is timed on a live frame."""

    max_error_rate: float = 0.02
    window_s: float = 60.0
    min_frames: int = 50
    frame_budget_ms: float = FRAME_BUDGET_MS
    slow_for_s: float = 30.0
    max_ratio: float = 1.25
    min_reference: int = 20
    reference_every_s: float = 0.5


@dataclass(frozen=True)
class LatencyJudgement:
    """The latency rule's view of the window: ``decision`` (a key of DECISIONS) and its figures.
    ``p95_ms``: the watched model's, every live frame; ``timed_p95_ms`` and ``paired_p95_ms``: the
    interleaved timings of the stable model and of the watched one (:class:`ReferenceTimer`), each run
    right after the other model, so both carry the same cost of switching models; ``ratio``: the median
    of the pairs' ratios (each pair timed within a moment, so the load of that moment cancels out);
    ``stable_p95_ms``: the stable model's p95 here had it run every frame (``p95_ms / ratio``).
    ``budget_ms``: the camera's frame interval (``frame_interval_ms``, None while not known) or else the
    rules' frame budget."""

    decision: str
    p95_ms: float
    stable_p95_ms: float
    ratio: float
    budget_ms: float
    frame_interval_ms: float | None
    window_s: float
    frames: int
    stable_frames: int
    timed_p95_ms: float = float("nan")
    paired_p95_ms: float = float("nan")

    def figures(self) -> dict:
        return {"decision": self.decision, "p95_ms": _round(self.p95_ms), "stable_p95_ms": _round(self.stable_p95_ms),
                "ratio": _round(self.ratio, 3), "frame_budget_ms": _round(self.budget_ms),
                "frame_interval_ms": None if self.frame_interval_ms is None else _round(self.frame_interval_ms),
                "latency_window_s": self.window_s, "stable_frames": self.stable_frames,
                "timed_stable_p95_ms": _round(self.timed_p95_ms), "paired_p95_ms": _round(self.paired_p95_ms)}

    def words(self) -> str:
        where = "the camera's frame interval" if self.frame_interval_ms else "no camera frame interval known yet"
        return (f"{DECISIONS[self.decision]}: p95 {self.p95_ms:.1f} ms against the stable model's "
                f"{self.stable_p95_ms:.1f} ms (ratio {self.ratio:.2f}) over {self.window_s:.0f} s, budget "
                f"{self.budget_ms:.1f} ms ({where})")


def _p95(window: deque[tuple[float, float]]) -> float:
    return float(np.percentile([ms for _, ms in window], 95)) if window else float("nan")


def _round(value: float, places: int = 2) -> float | None:
    return None if value != value else round(value, places)  # NaN (no figure) is JSON's null


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
    """The last ``rules.window_s`` seconds of frame outcomes, of the stable model's timings on the same
    machine (:meth:`record_reference`) and of the camera's frame interval. Not thread-safe: one
    processing thread.

    The latency rule judges the model fairly: it is too slow only when its p95 is over the budget (the
    camera's frame interval), more than ``max_ratio`` times the stable model's p95 over the same window,
    and the stable model keeps the budget -- on a busy machine, where the stable model misses it too, it
    never is. Being too slow for ``slow_for_s`` seconds in a row calls for a rollback."""

    def __init__(self, rules: RollbackRules = RollbackRules(), clock: Callable[[], float] = time.monotonic):
        self.rules, self._clock = rules, clock
        self._frames: deque[tuple[float, bool, float | None]] = deque()
        self._reference: deque[tuple[float, float]] = deque()
        self._paired: deque[tuple[float, float]] = deque()  # the watched model timed beside each of those
        self._intervals: deque[tuple[float, float]] = deque()
        self._last: tuple[int, int, str] | None = None  # the last frame's (timestamp_ms, index, source)
        self._slow_since: float | None = None
        self.judgement = self.judge()

    def reset(self) -> None:
        self._frames.clear()
        self._reference.clear()
        self._paired.clear()
        self._intervals.clear()
        self._last = self._slow_since = None
        self.judgement = self.judge()

    def record(self, ok: bool, latency_ms: float | None = None, frame=None) -> None:
        """One frame's outcome; ``frame`` (its ``timestamp_ms``, ``index`` and ``source_id``) gives the
        camera's frame interval, dropped frames included."""
        now = self._clock()
        self._frames.append((now, ok, latency_ms))
        if frame is not None:
            here = (frame.timestamp_ms, frame.index, frame.source_id)
            if self._last is not None and here[2] == self._last[2] and here[1] > self._last[1]:
                self._intervals.append((now, (here[0] - self._last[0]) / (here[1] - self._last[1])))
            self._last = here
        self._forget(now)
        self.judgement = self.judge()
        if self.judgement.decision == "too_slow":
            self._slow_since = now if self._slow_since is None else self._slow_since
        else:
            self._slow_since = None

    def record_reference(self, stable_ms: float, watched_ms: float) -> None:
        """One interleaved timing on a live frame: the stable model, then the watched model again, each
        right after the other model ran."""
        now = self._clock()
        self._reference.append((now, stable_ms))
        self._paired.append((now, watched_ms))

    def _forget(self, now: float) -> None:
        for window in (self._frames, self._reference, self._paired, self._intervals):
            while window and window[0][0] < now - self.rules.window_s:
                window.popleft()

    def error_rate(self) -> float:
        return sum(not ok for _, ok, _ in self._frames) / len(self._frames) if self._frames else 0.0

    def p95(self) -> float:
        latencies = [ms for _, ok, ms in self._frames if ok and ms is not None]
        return float(np.percentile(latencies, 95)) if latencies else float("nan")

    def frame_interval_ms(self) -> float | None:
        """The camera's frame interval (the median over the window), None while unknown."""
        intervals = [ms for _, ms in self._intervals if ms > 0]
        return float(np.median(intervals)) if intervals else None

    def judge(self) -> LatencyJudgement:
        r = self.rules
        p95 = self.p95()
        timed, paired = _p95(self._reference), _p95(self._paired)
        pairs = [w / s for (_, s), (_, w) in zip(self._reference, self._paired, strict=True) if s > 0]
        ratio = float(np.median(pairs)) if pairs else float("nan")  # each pair timed at the same moment
        stable = p95 / ratio if ratio > 0 else float("nan")  # NaN while either is missing
        interval = self.frame_interval_ms()
        budget = interval or r.frame_budget_ms
        if len(self._frames) < r.min_frames or min(len(self._reference), len(self._paired)) < r.min_reference \
                or not stable > 0:
            decision = "judging"
        elif p95 <= budget:
            decision = "within_budget"
        elif stable > budget:
            decision = "busy_machine"
        elif not ratio > r.max_ratio:
            decision = "like_stable"
        else:
            decision = "too_slow"
        return LatencyJudgement(decision, p95, stable, ratio, budget, interval, r.window_s, len(self._frames),
                                len(self._reference), timed, paired)

    def figures(self) -> dict:
        """The numbers a rollback record keeps."""
        slow = 0.0 if self._slow_since is None else self._clock() - self._slow_since
        return {"frames": len(self._frames), "errors": sum(not ok for _, ok, _ in self._frames),
                "error_rate": round(self.error_rate(), 4), "window_s": self.rules.window_s,
                "max_error_rate": self.rules.max_error_rate, **self.judgement.figures(),
                "max_ratio": self.rules.max_ratio, "slow_for_s": round(slow, 1)}

    def verdict(self) -> str | None:
        """Why the model should be rolled back, in words; None while it is healthy."""
        r = self.rules
        if len(self._frames) >= r.min_frames and self.error_rate() > r.max_error_rate:
            return (f"error rate {self.error_rate():.1%} over the last {len(self._frames)} frames "
                    f"is above {r.max_error_rate:.0%}")
        if self._slow_since is not None and self._clock() - self._slow_since >= r.slow_for_s:
            j = self.judgement
            return (f"p95 latency {j.p95_ms:.1f} ms has been over the frame budget of {j.budget_ms:.1f} ms and "
                    f"more than {r.max_ratio:g}x the stable model's p95 on this machine ({j.stable_p95_ms:.1f} ms, "
                    f"ratio {j.ratio:.2f}) for {self._clock() - self._slow_since:.0f} s")
        return None


class ReferenceTimer:
    """Times both models on this machine, side by side: every ``every_s`` seconds of ``clock``, on the
    live frame the watched model has just processed, it runs a stable pipeline and then a second copy of
    the watched one (``build_stable()``, ``build_watched()``, made at the first run), each right after the
    other model ran, and gives ``report(stable_ms, watched_ms)`` the two total latencies. The results are
    thrown away. The first ``warm_up`` runs are not reported (a model's first frames are slow: its
    weights are packed, its threads start); pipelines that cannot be built are logged once and never
    timed."""

    def __init__(self, build_stable: Callable[[], Pipeline], build_watched: Callable[[], Pipeline],
                 report: Callable[[float, float], None], every_s: float, clock: Callable[[], float] = time.monotonic,
                 warm_up: int = 3):
        self._builds, self._report, self.every_s, self._clock = (build_stable, build_watched), report, every_s, clock
        self._pipelines: tuple[Pipeline, ...] = ()
        self._warm_up = warm_up
        self._next = float("-inf")
        self._broken = False
        self.view = None  # the kiosk's view, so both are timed on the framed crop the live frames are worked at

    def after(self, frame: Frame, look: Look) -> None:
        now = self._clock()
        if self._broken or now < self._next:
            return
        self._next = now + self.every_s
        try:
            if not self._pipelines:
                self._pipelines = tuple(build() for build in self._builds)
            for pipeline in self._pipelines:
                pipeline.view = self.view
            stable, watched = (p.process(frame, look).timings_ms.get("total") for p in self._pipelines)
        except Exception as exc:  # noqa: BLE001  whatever fails, the models are not timed, nothing more
            if not self._pipelines:
                self._broken = True
                log.warning("the stable model cannot be timed beside the experimental one (%s): the latency "
                            "rule will not judge it", exc)
            return
        if self._warm_up > 0:
            self._warm_up -= 1
        elif stable is not None and watched is not None:
            self._report(stable, watched)

    def close(self) -> None:
        for pipeline in self._pipelines:
            pipeline.close()
        self._pipelines = ()


class GuardedPipeline:
    """A pipeline whose every frame is reported to ``report(ok, latency_ms, kind, frame)`` (kind: None,
    "exception" or "invalid_mask"); after each good frame ``reference`` (a :class:`ReferenceTimer`, when
    given) may time the stable model on it. It offers what the live runner asks of a pipeline:
    ``process`` (guarded), and ``model_info``, ``stats``, ``view``, ``reset`` and ``close``, which are the
    wrapped pipeline's."""

    def __init__(self, pipeline: Pipeline, report: Callable[[bool, float | None, str | None, Frame], None],
                 reference: ReferenceTimer | None = None):
        self.pipeline, self._report, self.reference = pipeline, report, reference

    @property
    def model_info(self):
        return self.pipeline.model_info

    @property
    def stats(self) -> PipelineStats:
        return self.pipeline.stats

    @property
    def view(self):
        """Where the kiosk's mirror shows the picture: the wrapped pipeline's (core.pipeline.framing)."""
        return getattr(self.pipeline, "view", None)

    @view.setter
    def view(self, view) -> None:
        self.pipeline.view = view
        if self.reference is not None:  # timed like the live frames: framed alike
            self.reference.view = view

    def reset(self) -> None:
        self.pipeline.reset()

    def close(self) -> None:
        self.pipeline.close()
        if self.reference is not None:
            self.reference.close()

    def process(self, frame: Frame, look: Look, also: tuple[Look, ...] = ()) -> Result:
        try:
            result = self.pipeline.process(frame, look, also)
        except Exception:
            self._report(False, None, "exception", frame)
            raise
        latency = result.timings_ms.get("total")
        problem = mask_problem(result.mask, result.frame)  # the frame it worked on (a large one is shrunk)
        if problem is not None:
            self._report(False, latency, "invalid_mask", frame)
            raise ModelError(f"the hair model gave {problem}")
        self._report(True, latency, None, frame)
        if self.reference is not None:
            self.reference.after(frame, look)
        return result


__all__ = ["DECISIONS", "FRAME_BUDGET_MS", "GuardedPipeline", "HealthWatch", "LatencyJudgement", "ReferenceTimer",
           "RollbackRules", "mask_problem"]
