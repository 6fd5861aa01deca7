"""One running installation as the fleet sees it: which model it runs (the session's rollout
assignment), how that model is doing (a :class:`~core.fleet.rollback.HealthWatch` over every frame), the
automatic rollback, and the metrics (:class:`~core.fleet.telemetry.Telemetry`).

The app hands the live runner ``monitor.factory()`` and connects ``monitor.attach(switch, emit)``:
``switch`` takes a new pipeline factory (``LiveRunner.set_pipeline_factory``: the model is swapped on the
same source, without a restart), ``emit`` a live event for the window. When an experimental model that
the rollout chose breaks the rules, the monitor records why in the rollout state file, counts the
rollback, tells the window, and switches to the stable model, which stays until ``hairtint rollout
reset`` or until the fleet policy clears it. A model named in the settings (``model``) is what a person
asked for and is not rolled back.

The fleet policy file (:class:`~core.catalog.fleet_policy.PolicyWatch`) is looked at every few seconds
from the processing thread, on the frames' own calls, and by :meth:`FleetMonitor.poll_policy` (the app
calls it on a timer, so a kiosk whose camera is dead still follows the file): a new stage, list of allowed
models or a cleared rollback switches the model the same way; new kiosk/salon labels go to the metrics at
once. No Qt here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from core.catalog.fleet_policy import PolicyWatch, policy_path
from core.catalog.model_entry import ModelEntry
from core.catalog.rollout import Assignment
from core.catalog.rollout_state import RollbackRecord, clear_rollback, write_judgement, write_rollback
from core.errors import ConfigError, HairTintError
from core.fleet.feedback import FeedbackRule, feedback_figures, feedback_verdict
from core.fleet.rollback import GuardedPipeline, HealthWatch, ReferenceTimer, RollbackRules
from core.fleet.telemetry import Telemetry
from core.frames import RunningMode
from core.live.events import Event, Notice, Status

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.pipeline.pipeline import Pipeline, PipelineFactory

log = logging.getLogger(__name__)

NOTE_EVERY_S = 30.0  # a changed latency decision is logged and written to the state file at most this often


class FleetMonitor:
    """``build(entry, mode)`` makes a pipeline for a registry entry in a running mode (default: the session's);
    ``clock`` (seconds) drives the rolling window, ``now`` stamps a rollback record."""

    def __init__(self, session, *, rules: RollbackRules = RollbackRules(), telemetry: Telemetry | None = None,
                 build: Callable[[ModelEntry, RunningMode], Pipeline] | None = None, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = datetime.now, environ=None):
        self.session = session
        self.telemetry = telemetry or Telemetry(clock)
        self.watch = HealthWatch(rules, clock)
        self._build = build or self._session_build
        self._now, self._environ, self._clock = now, environ, clock
        self.policy = PolicyWatch(policy_path(session.settings.fleet_policy, environ)[0], clock)
        self.policy.poll()
        self._place: dict[str, str] = {}  # the settings' kiosk/salon labels (set_place); the policy's win
        if self.policy.policy.kiosk or self.policy.policy.salon:
            self.telemetry.set_place(self.policy.policy.place({}))
        self._noted: tuple[str, float] = ("judging", float("-inf"))  # the latency decision last written, when
        self._switch: Callable[[PipelineFactory], None] | None = None
        self._emit: Callable[[Event], None] | None = None
        self._lock = threading.Lock()
        self._policy_lock = threading.Lock()  # one thread looks at the policy file at a time
        self.rollback: RollbackRecord | None = None  # made by this monitor (also when it could not be written)
        self.assignment: Assignment | None = None

    def _session_build(self, entry: ModelEntry, mode: RunningMode) -> Pipeline:
        from core.pipeline.engine import build_pipeline  # lazy: OpenCV, loaded with the first pipeline

        return build_pipeline(self.session.pipeline_options(entry, mode))

    def attach(self, switch: Callable[[PipelineFactory], None], emit: Callable[[Event], None] | None = None
               ) -> None:
        self._switch, self._emit = switch, emit

    # ---- the model ------------------------------------------------------------------------------------
    def factory(self) -> PipelineFactory:
        """A pipeline factory for what this installation runs now; its pipelines report every frame. When
        the chosen model cannot be chosen or loaded (not in the registry, missing, tampered, damaged,
        named by path in kiosk mode), the stable default runs instead and the window is told why; when
        that fails too, the factory raises why, on the processing thread, which shows it."""
        assignment: Assignment | None
        problem: HairTintError | None
        try:
            assignment = self.session.assignment(environ=self._environ, held=self.rollback, policy=self.policy.policy)
        except HairTintError as exc:
            assignment, problem = None, exc
        else:
            problem = None
        with self._lock:
            self.assignment = assignment
            self.watch.reset()
            self._noted = ("judging", float("-inf"))
            if assignment is not None and assignment.cleared is not None and assignment.cleared == self.rollback:
                self.rollback = None
        if assignment is not None:
            if assignment.cleared is not None:
                self._clear(assignment.cleared)
            self.telemetry.set_assignment(assignment)
        watched = assignment is not None and assignment.name == "experimental"
        self.telemetry.latency_judgement({**self.watch.judgement.figures(),
                                          **({} if watched else {"decision": "not_watched"})})
        build = self._build
        fell_back: dict = {}  # (id, version) -> the fallback assignment, one per factory
        from core.pipeline.engine import build_or_fall_back  # lazy: OpenCV, loaded with the first pipeline

        def make(mode: RunningMode):
            def choose():
                if problem is not None:
                    raise problem
                return assignment.entry

            pipeline, entry, note = build_or_fall_back(choose, self.session.stable_entries,
                                                       lambda entry: build(entry, mode))
            running = assignment
            if note is not None:
                key = (entry.id, entry.version)
                running = fell_back.get(key) or fell_back.setdefault(key, self._fall_back(assignment, entry, note))
            log.info("model %s %s loaded (sha256 %s), assignment %s, rollout stage %s", entry.id, entry.version,
                     (entry.sha256 or "unchecked")[:12], running.name if running else "?",
                     running.stage.name if running else "?")
            watched = note is None and assignment is not None and assignment.name == "experimental"
            return GuardedPipeline(pipeline, lambda ok, ms, kind, frame: self.record(running, watched, ok, ms, kind,
                                                                                     frame),
                                   self._reference_timer(running, lambda entry: build(entry, mode))
                                   if watched and running is not None else None)

        return make

    def _reference_timer(self, running: Assignment, build: Callable[[ModelEntry], Pipeline]) -> ReferenceTimer:
        """The stable model and a second copy of ``running``'s, timed now and then side by side on the
        same frames (the latency rule)."""
        stable, watched = self.session.stable_entry(), running.entry
        return ReferenceTimer(lambda: build(stable), lambda: build(watched),
                              lambda stable_ms, watched_ms: self._reference(running, stable_ms, watched_ms),
                              self.watch.rules.reference_every_s, self._clock)

    def _fall_back(self, chosen, entry, note: str):
        """The model ``chosen`` (an Assignment, None when none could be chosen) cannot run and the stable
        ``entry`` runs instead: that becomes the assignment the metrics and the overlay report; an
        experimental model the rollout chose is rolled back (docs/ROLLBACK.md: a model named in the
        settings never is); the window is told why, in a banner that stays until dismissed."""
        record = None
        with self._lock:
            current = chosen is self.assignment
            if current and chosen is not None and chosen.name == "experimental" and self.rollback is None:
                failed = chosen.entry
                self.rollback = record = RollbackRecord(
                    time=self._now().isoformat(timespec="seconds"), model=f"{failed.id}@{failed.version}",
                    reason=f"it could not be loaded: {note.split(' — ')[0]}", figures={})
            running = self.session.fallback_assignment(entry, note, chosen, self._environ)
            if record is not None:
                running = replace(running, held=record)
            if current:
                self.assignment = running
        if record is not None:
            self._record_rollback(record)
        if current:
            self.telemetry.set_assignment(running)
            if self._emit is not None:
                self._emit(Notice(note + ("; recorded as a rollback (`hairtint rollout status`)" if record else "")))
        return running

    def record(self, assignment: Assignment | None, watched: bool, ok: bool, latency_ms: float | None,
               kind: str | None, frame=None) -> None:
        """One frame's outcome (the processing thread); now and then the fleet policy file is looked at."""
        self.telemetry.frame(ok, kind)
        self.poll_policy()
        with self._lock:
            if assignment is None or assignment is not self.assignment:  # a frame of a model already switched away from
                return
            self.watch.record(ok, latency_ms, frame)
            self.telemetry.error_rate.set(self.watch.error_rate())
            if watched:
                self._judged()
            reason = self.watch.verdict() if watched and self.rollback is None else None
            if reason is None:
                return
            entry = assignment.entry
            self.rollback = RollbackRecord(time=self._now().isoformat(timespec="seconds"),
                                           model=f"{entry.id}@{entry.version}", reason=reason,
                                           figures=self.watch.figures())
        self._roll_back(self.rollback)

    def judge_feedback(self, tally, rule: FeedbackRule = FeedbackRule()) -> str | None:
        """Staff's "Looks wrong" counts (``tally.of(entry)``, ``tally.stable()``: a
        ``core.fleet.feedback_tally.FeedbackTally``) against the feedback rule: an experimental model the
        rollout chose is rolled back for them, as for errors. The reason, or None."""
        with self._lock:
            a = self.assignment
            if a is None or a.name != "experimental" or self.rollback is not None:
                return None
            experimental, stable = tally.of(a.entry), tally.stable()
            reason = feedback_verdict(experimental, stable, rule)
            if reason is None:
                return None
            self.rollback = RollbackRecord(time=self._now().isoformat(timespec="seconds"),
                                           model=f"{a.entry.id}@{a.entry.version}", reason=reason,
                                           figures=feedback_figures(experimental, stable, rule))
        self._roll_back(self.rollback)
        return reason

    def _reference(self, assignment: Assignment | None, stable_ms: float, watched_ms: float) -> None:
        """Timings of the stable model and of ``assignment``'s, side by side (the processing thread)."""
        with self._lock:
            if assignment is self.assignment:
                self.watch.record_reference(stable_ms, watched_ms)

    def _judged(self) -> None:
        """The latency rule's judgement into the metrics; a new decision also into the log and the state
        file, at most once every NOTE_EVERY_S (under the lock)."""
        judgement = self.watch.judgement
        figures = judgement.figures()
        self.telemetry.latency_judgement(figures)
        decision, at = self._noted
        now = self._clock()
        if judgement.decision in (decision, "judging") or now - at < NOTE_EVERY_S:
            return
        self._noted = (judgement.decision, now)
        a = self.assignment
        model = "?" if a is None else f"{a.entry.id}@{a.entry.version}"
        log.info("latency of %s: %s", model, judgement.words())
        try:
            write_judgement(self.session.state_file, {"time": self._now().isoformat(timespec="seconds"),
                                                      "model": model, **figures})
        except ConfigError as exc:
            log.warning("%s", exc)

    # ---- the fleet policy ---------------------------------------------------------------------------------
    def set_place(self, labels: dict[str, str]) -> None:
        """The settings' ``kiosk``/``salon`` labels; the fleet policy's win over them."""
        self._place = dict(labels)
        self.telemetry.set_place(self.policy.policy.place(self._place))

    def poll_policy(self) -> bool:
        """Look at the fleet policy file if it is time to (any thread; each frame does, and the app on a
        timer for when no frames come); apply it when it changed. True when it changed."""
        if not self._policy_lock.acquire(blocking=False):
            return False  # another thread is looking at it now
        try:
            changed = self.policy.poll()
            if changed:
                self._policy_changed()
            return changed
        finally:
            self._policy_lock.release()

    def _policy_changed(self) -> None:
        """The fleet policy file changed: new labels at once; a new stage, list of allowed models or a
        cleared rollback switch the model when what this installation runs changes."""
        self.telemetry.set_place(self.policy.policy.place(self._place))
        try:
            next_ = self.session.assignment(environ=self._environ, held=self.rollback, policy=self.policy.policy)
        except HairTintError:
            return  # the factory shows why, when it is next made
        a = self.assignment
        same = a is not None and (next_.entry, next_.held, next_.stage.name, next_.candidate) == (
            a.entry, a.held, a.stage.name, a.candidate) and next_.cleared is None
        if same:
            return
        log.info("the fleet policy changes this installation's model: %s", next_.why)
        if self._switch is not None:
            self._switch(self.factory())
        else:
            self.factory()

    def _clear(self, record: RollbackRecord) -> None:
        log.warning("the fleet policy clears the rollback from %s recorded at %s (clear_rollbacks_at %s)",
                    record.model, record.time, self.policy.policy.to_json()["clear_rollbacks_at"])
        try:
            clear_rollback(self.session.state_file)
        except ConfigError as exc:
            log.error("%s", exc)

    def _record_rollback(self, record: RollbackRecord) -> None:
        log.warning("rolling back from %s: %s", record.model, record.reason)
        try:
            write_rollback(self.session.state_file, record)
        except ConfigError as exc:  # still fall back, for as long as this process runs
            log.error("%s", exc)
        self.telemetry.rolled_back()

    def _roll_back(self, record: RollbackRecord) -> None:
        self._record_rollback(record)
        if self._emit is not None:
            self._emit(Status(f"Back on the stable model: {record.model} was rolled back ({record.reason})"))
        if self._switch is not None:
            self._switch(self.factory())

    # ---- what the window shows ------------------------------------------------------------------------
    def observe(self, event) -> None:
        self.telemetry.observe(event)

    def status_line(self) -> str:
        """The status bar's note of the model this installation runs and its assignment."""
        a = self.assignment
        return "" if a is None else f"Model {a.entry.id} {a.entry.version} ({a.name})"

    def overlay_line(self) -> str:
        """The rollout line of the statistics overlay."""
        a = self.assignment
        if a is None:
            return "rollout    –"
        if a.fallback is not None and a.held is None:
            why = a.fallback.split(" — ")[0]
            return (f"rollout    {a.stage.name}, fallback ({a.entry.id} {a.entry.version}): "
                    f"{why if len(why) <= 90 else why[:89] + '…'}")
        if a.held is not None:
            return f"rollout    rolled back {a.held.time} — {a.held.model}: {a.held.reason}"
        return f"rollout    {a.stage.name}, {a.name} ({a.entry.id} {a.entry.version})"


__all__ = ["FleetMonitor"]
