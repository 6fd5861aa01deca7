"""The installation's "Looks wrong" counts across restarts, and the fleet monitor's rollback for them:
an experimental model the rollout chose, reported three times as often as the stable models were on
this kiosk, is rolled back with the reason "feedback", recorded in the rollout state file."""

from __future__ import annotations

import json
import uuid

from core.catalog.config import Settings
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.catalog.rollout_state import read_rollback
from core.fleet.feedback import Tally
from core.fleet.feedback_tally import FILE, FeedbackTally
from core.fleet.monitor import FleetMonitor
from core.frames import RunningMode
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from core.tryon.session import Session
from tests.fakes import FakeSegmenter, Identity
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

INSIDE = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000)) if rollout_bucket(i, EXPERIMENTAL_ID) < 10)


def entries(tmp_path):
    registry = Registry.load(registry_with_experimental(tmp_path / "registry"))
    return registry, registry.resolve(f"{STABLE_ID}@1.0.0"), registry.resolve(f"{EXPERIMENTAL_ID}@0.9.0")


def counted(tally, entry, customers, reports):
    for _ in range(customers):
        tally.count(entry, "customers")
    for _ in range(reports):
        tally.count(entry, "reports")


def test_counts_outlive_the_process_and_two_writers_add_up(tmp_path):
    _, stable, experimental = entries(tmp_path)
    path = tmp_path / FILE
    first, second = FeedbackTally(path), FeedbackTally(path)
    counted(first, stable, 100, 2)
    counted(second, stable, 10, 1)
    counted(second, experimental, 5, 0)
    assert first.save() and second.save() and first.save()  # nothing more to add the second time
    again = FeedbackTally(path)
    assert again.of(stable) == Tally(110, 3) and again.of(experimental) == Tally(5, 0)
    assert again.stable() == Tally(110, 3)  # the experimental model is not the baseline
    assert set(json.loads(path.read_text())) == {f"{STABLE_ID}@1.0.0", f"{EXPERIMENTAL_ID}@0.9.0"}


def test_a_file_that_cannot_be_used_is_left_as_it_is(tmp_path, caplog):
    _, stable, _ = entries(tmp_path)
    path = tmp_path / FILE
    path.write_text("{not json")
    tally = FeedbackTally(path)
    assert tally.of(stable) == Tally() and "cannot be used" in caplog.text
    counted(tally, stable, 1, 1)
    assert tally.save() is False and path.read_text() == "{not json"
    path.write_text(json.dumps({"x@1": {"stage": "stable", "customers": -4, "reports": "many"}, "y": 3}))
    assert FeedbackTally(path).stable() == Tally(0, 0)  # unusable counts read as none


def monitor(tmp_path, settings: Settings) -> FleetMonitor:
    registry, _, _ = entries(tmp_path)

    def build(entry, mode):
        return Pipeline(FakeSegmenter(info=entry.info), PassThroughSmoother(), Identity(), Recolorer())

    session = Session(settings, settings_path=tmp_path / "settings.json", registry=registry)
    fleet = FleetMonitor(session, build=build, environ={ENV_STAGE: "ten_percent"})
    fleet.factory()(RunningMode.VIDEO)
    return fleet


def test_an_experimental_model_staff_report_too_often_is_rolled_back_for_feedback(tmp_path):
    fleet = monitor(tmp_path, Settings(install_id=INSIDE))
    switched, told = [], []
    fleet.attach(switched.append, told.append)
    assert fleet.assignment.name == "experimental"
    _, stable, experimental = entries(tmp_path)
    tally = FeedbackTally(tmp_path / FILE)
    counted(tally, stable, 1000, 10)  # 1 % on this kiosk before the rollout reached it
    counted(tally, experimental, 50, 2)
    assert fleet.judge_feedback(tally) is None  # 4 %: under three times
    counted(tally, experimental, 0, 1)
    reason = fleet.judge_feedback(tally)  # 6 %
    assert reason is not None and reason.startswith("feedback:")
    record = read_rollback(fleet.session.state_file)
    assert record.reason == reason and record.model == f"{EXPERIMENTAL_ID}@0.9.0"
    assert record.figures["experimental_reports"] == 3 and record.figures["stable_customers"] == 1000
    assert len(switched) == 1 and "rolled back (feedback:" in told[-1].message  # the live view swaps models
    assert fleet.assignment.name == "held" and fleet.assignment.entry.id == STABLE_ID
    counted(tally, experimental, 0, 10)
    assert fleet.judge_feedback(tally) is None and len(switched) == 1  # held: nothing more to roll back


def test_a_model_named_in_the_settings_is_not_rolled_back_for_feedback(tmp_path):
    fleet = monitor(tmp_path, Settings(install_id=INSIDE, model=EXPERIMENTAL_ID))
    _, stable, experimental = entries(tmp_path)
    tally = FeedbackTally(tmp_path / FILE)
    counted(tally, stable, 1000, 0)
    counted(tally, experimental, 100, 50)
    assert fleet.assignment.name == "requested" and fleet.judge_feedback(tally) is None
    assert read_rollback(fleet.session.state_file) is None
