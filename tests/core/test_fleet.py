"""Automatic rollback: the rolling window and its rules, invalid masks, and a live runner that falls back
from a failing experimental model to the stable one on the same source, recording why."""

from __future__ import annotations

import threading
import uuid

import numpy as np
import pytest

from core.catalog.config import Settings
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.catalog.rollout_state import read_rollback
from core.fleet.monitor import FleetMonitor
from core.fleet.rollback import HealthWatch, RollbackRules, mask_problem
from core.fleet.telemetry import rows
from core.frames import Frame, Look, RunningMode, Shade
from core.live import LiveRunner, Processed
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from core.tryon.session import Session
from tests.fakes import Clock, FakeSegmenter, Identity, ListSource
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

LOOK = Look(Shade("Copper", (180, 80, 40)))
PIXELS = np.full((48, 64, 3), 120, np.uint8)


# ---- the rules --------------------------------------------------------------------------------------
def test_errors_above_two_percent_of_the_window_call_for_a_rollback():
    clock = Clock(1000.0)
    watch = HealthWatch(RollbackRules(min_frames=50), clock)
    for i in range(100):
        clock.t += 1 / 30
        watch.record(ok=i not in (10, 60), latency_ms=10)  # 2 of 100: not above 2 %
    assert watch.verdict() is None
    watch.record(ok=False)
    assert "error rate 3.0%" in watch.verdict() and watch.figures()["errors"] == 3


def test_a_few_frames_are_not_enough_to_judge_and_old_errors_leave_the_window():
    clock = Clock(1000.0)
    watch = HealthWatch(RollbackRules(min_frames=50, window_s=60), clock)
    for _ in range(10):
        watch.record(ok=False)
    assert watch.verdict() is None  # 10 frames: too few to judge
    clock.t += 61
    for _ in range(60):
        clock.t += 0.5
        watch.record(ok=True, latency_ms=5)
    assert watch.figures()["errors"] == 0 and watch.verdict() is None


@pytest.mark.parametrize("mask, expected", [
    (None, "no mask"), (np.zeros((0, 0), np.float32), "empty"), (np.zeros((10, 10), np.float32), "wrong size"),
    (np.full((48, 64), np.nan, np.float32), "not numbers"), (np.full((48, 64), 3.0, np.float32), "outside"),
])
def test_invalid_masks_are_named(mask, expected):
    assert expected in mask_problem(mask, Frame(PIXELS, 0, 0, "s"))


def test_a_mask_with_no_hair_is_not_a_failure():
    assert mask_problem(np.zeros((48, 64), np.float32), Frame(PIXELS, 0, 0, "s")) is None


# ---- the fallback, end to end -------------------------------------------------------------------------
class Segmenter(FakeSegmenter):
    """Hair in the top half; every ``fail_every``-th frame gives a NaN mask (0: never). Each frame moves
    the clock on by one frame's time."""

    def __init__(self, info, fail_every: int, clock: Clock):
        super().__init__(share=0.5, info=info)
        self.fail_every, self.clock = fail_every, clock

    def segment(self, frame):
        self.clock.t += 1 / 30
        mask = super().segment(frame)
        if self.fail_every and self.calls % self.fail_every == 0:
            mask[:] = np.nan
        return mask


def live_camera(spec: str) -> ListSource:
    return ListSource(spec, [PIXELS], loop=True, live=True)


def inside_install_id() -> str:
    return next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000))
                if rollout_bucket(i, EXPERIMENTAL_ID) < 10)


@pytest.mark.slow
def test_a_failing_experimental_model_falls_back_to_stable_without_a_restart(tmp_path):
    registry = Registry.load(registry_with_experimental(tmp_path / "registry"))
    session = Session(Settings(install_id=inside_install_id()), settings_path=tmp_path / "settings.json",
                      registry=registry)
    clock, built = Clock(1000.0), []

    def build(entry, mode):
        built.append(entry.id)
        segmenter = Segmenter(entry.info, fail_every=10 if entry.stage == "experimental" else 0, clock=clock)
        return Pipeline(segmenter, PassThroughSmoother(), Identity(), Recolorer())

    monitor = FleetMonitor(session, build=build, clock=clock, environ={ENV_STAGE: "ten_percent"})
    on_stable, events = threading.Event(), []

    def emit(event):
        events.append(event)
        monitor.observe(event)
        if isinstance(event, Processed) and event.info.model.startswith(f"{STABLE_ID} "):
            on_stable.set()

    runner = LiveRunner(monitor.factory(), live_camera, emit)
    monitor.attach(runner.set_pipeline_factory, emit)
    assert monitor.assignment.entry.id == EXPERIMENTAL_ID
    runner.start("camera:0", LOOK)
    try:
        assert on_stable.wait(30), "never switched to the stable model"
    finally:
        assert runner.stop()
    assert built[0] == EXPERIMENTAL_ID and built[-1] == STABLE_ID
    record = read_rollback(session.state_file)
    assert record == monitor.rollback and record.model == f"{EXPERIMENTAL_ID}@0.9.0"
    assert "error rate" in record.reason and record.figures["frames"] <= 60  # within the window
    assert record.figures["error_rate"] > 0.02 and record.by == "automatic"
    assert any("Back on the stable model" in getattr(e, "message", "") for e in events)
    assert monitor.assignment.name == "held" and "rolled back" in monitor.overlay_line()
    figures = {(name, tuple(sorted(labels.items()))): value for name, labels, value in monitor.telemetry.rows()}
    assert figures[("hairtint_rollbacks_total", ())] == 1 and figures[("hairtint_rollback_active", ())] == 1
    assert figures[("hairtint_errors_total", (("kind", "invalid_mask"),))] >= 1
    assert figures[("hairtint_model_info", (("model", STABLE_ID), ("model_stage", "stable"), ("version", "1.0.0")))] == 1
    # a restart stays on the stable model until the rollback is reset
    again = FleetMonitor(Session(session.settings, settings_path=tmp_path / "settings.json", registry=registry),
                         build=build, clock=clock, environ={ENV_STAGE: "ten_percent"})
    again.factory()
    assert again.assignment.entry.id == STABLE_ID and again.assignment.held == record


def test_a_model_named_in_the_settings_is_never_rolled_back(tmp_path):
    registry = Registry.load(registry_with_experimental(tmp_path / "registry"))
    session = Session(Settings(install_id=inside_install_id(), model=EXPERIMENTAL_ID),
                      settings_path=tmp_path / "settings.json", registry=registry)
    clock = Clock(1000.0)
    monitor = FleetMonitor(session, clock=clock, build=lambda entry, mode: Pipeline(
        Segmenter(entry.info, 2, clock), PassThroughSmoother(), Identity(), Recolorer()))
    pipeline = monitor.factory()(RunningMode.VIDEO)
    failures = 0
    for i in range(200):
        try:
            pipeline.process(Frame(PIXELS, i * 33, i, "camera:0"), LOOK)
        except Exception:  # noqa: BLE001  any failed frame counts
            failures += 1
    assert failures == 100 and monitor.rollback is None and not session.state_file.exists()
    assert dict(((n, tuple(lb.items())), v) for n, lb, v in rows(monitor.telemetry.text()))[
        ("hairtint_errors_total", (("kind", "invalid_mask"),))] == 100
