"""The fleet policy file: what it may hold and how a bad one is refused, where the stage comes from (fleet
file > HAIRTINT_ROLLOUT_STAGE > ROLLOUT_STAGE > settings > default, any case), the allowed models, held
rollbacks cleared once, and a running app that re-reads the file, keeps the last good one and never
writes it."""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from core.catalog.config import Settings, settings_from_dict
from core.catalog.fleet_policy import (
    DEFAULT_POLICY_FILE,
    ENV_POLICY,
    FleetPolicy,
    PolicyError,
    PolicyWatch,
    policy_path,
    read_policy,
)
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, ENV_STAGE_ALIAS, assign, effective_stage, rollout_bucket
from core.catalog.rollout_state import RollbackRecord, read_rollback, write_rollback
from core.fleet.monitor import FleetMonitor
from core.frames import Frame, Look, RunningMode, Shade
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from core.tryon.session import Session
from tests.fakes import Clock, FakeSegmenter, Identity
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

GOOD = {"stage": "Ten_Percent", "kiosk": "paris-3-front", "salon": "paris-3",
        "allowed_models": [EXPERIMENTAL_ID], "clear_rollbacks_at": "2026-12-07T09:00:00+01:00"}


def write(path, data) -> None:
    path.write_text(data if isinstance(data, str) else json.dumps(data))


# ---- the file ------------------------------------------------------------------------------------------
def test_a_good_policy_is_read_with_every_value(tmp_path):
    write(tmp_path / "fleet.json", GOOD)
    policy = read_policy(tmp_path / "fleet.json")
    assert (policy.found, policy.stage, policy.kiosk, policy.salon) == (True, "ten_percent", "paris-3-front", "paris-3")
    assert policy.allowed_models == (EXPERIMENTAL_ID,) and policy.allows(EXPERIMENTAL_ID, "0.9.0")
    assert not policy.allows("hairnet-hq", "1.0.0")
    assert policy.clear_rollbacks_at == datetime.fromisoformat("2026-12-07T08:00:00+00:00")
    assert read_policy(tmp_path / "none.json") == FleetPolicy(path=tmp_path / "none.json")  # missing: sets nothing
    write(tmp_path / "nulls.json", {"stage": None, "kiosk": None})
    assert read_policy(tmp_path / "nulls.json").stage is None


@pytest.mark.parametrize("content, expected", [
    ({"stage": "most"}, "stage: 'most' is not a rollout stage"),
    ({"stgae": "full"}, "'stgae' is not a fleet policy key"),
    ({"kiosk": str(uuid.uuid4())}, "kiosk: that is an id, not a name"),
    ({"salon": "a/b"}, "salon: expected a name"),
    ({"allowed_models": "hairnet"}, "allowed_models: expected a list of model ids"),
    ({"clear_rollbacks_at": "yesterday"}, "clear_rollbacks_at: expected an ISO 8601 time"),
    ([1, 2], "it holds [1, 2], not an object"),
    ("{ half", "it is not valid JSON (line 1"),
])
def test_a_bad_policy_is_one_clear_error_naming_the_file(tmp_path, content, expected):
    write(tmp_path / "fleet.json", content)
    with pytest.raises(PolicyError) as caught:
        read_policy(tmp_path / "fleet.json")
    assert str(caught.value).startswith(f"The fleet policy {tmp_path / 'fleet.json'} cannot be used: ")
    assert expected in str(caught.value)


def test_the_policy_path_comes_from_the_environment_then_the_settings_then_the_default(tmp_path):
    assert policy_path(None, {}) == (DEFAULT_POLICY_FILE, "default")
    assert policy_path("/srv/fleet.json", {}) == (Path("/srv/fleet.json"), "settings")
    assert policy_path("/srv/fleet.json", {ENV_POLICY: str(tmp_path / "f.json")}) == (tmp_path / "f.json", ENV_POLICY)
    settings, warnings = settings_from_dict({"fleet_policy": "/srv/fleet.json"})
    assert settings.fleet_policy == "/srv/fleet.json" and not warnings


# ---- the stage -------------------------------------------------------------------------------------------
def test_the_stage_comes_from_the_fleet_file_then_the_environment_then_the_settings(tmp_path):
    policy = FleetPolicy(path=tmp_path / "fleet.json", found=True, stage="fifty_percent")
    both = {ENV_STAGE: "full", ENV_STAGE_ALIAS: "disabled"}
    assert effective_stage("ten_percent", {}, FleetPolicy()) == effective_stage("ten_percent", {})
    assert effective_stage("ten_percent", {}).source == "settings"
    fleet = effective_stage("ten_percent", both, policy)
    assert (fleet.name, fleet.source, fleet.origin) == ("fifty_percent", "fleet", str(tmp_path / "fleet.json"))
    assert "HAIRTINT_ROLLOUT_STAGE=full is ignored: the fleet policy sets fifty_percent" in fleet.warning
    env = effective_stage("ten_percent", both)
    assert (env.name, env.origin) == ("full", ENV_STAGE) and "ROLLOUT_STAGE=disabled is ignored" in env.warning


@pytest.mark.parametrize("value", ["FULL", "Full", " full ", "full"])
def test_the_plans_rollout_stage_spelling_and_any_case_are_accepted(value):
    stage = effective_stage("disabled", {ENV_STAGE_ALIAS: value})
    assert (stage.name, stage.source, stage.origin, stage.warning) == ("full", "environment", ENV_STAGE_ALIAS, None)
    assert effective_stage("disabled", {ENV_STAGE: value.lower().replace("full", "Ten-Percent")}).name == "ten_percent"
    settings, warnings = settings_from_dict({"rollout_stage": value})
    assert settings.rollout_stage == "full" and not warnings


def test_a_stage_that_is_not_one_is_ignored_with_a_warning():
    stage = effective_stage("fifty_percent", {ENV_STAGE_ALIAS: "most"})
    assert stage.name == "fifty_percent" and stage.source == "settings" and "ROLLOUT_STAGE='most'" in stage.warning


# ---- what it decides ------------------------------------------------------------------------------------
@pytest.fixture
def registry(tmp_path):
    return Registry.load(registry_with_experimental(tmp_path / "registry"))


INSIDE = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000)) if rollout_bucket(i, EXPERIMENTAL_ID) < 10)


def test_an_experimental_model_the_policy_does_not_allow_is_not_rolled_out(registry, tmp_path):
    stage = effective_stage("full", {})
    allowed = assign(registry, install_id=INSIDE, stage=stage, policy=FleetPolicy(allowed_models=(EXPERIMENTAL_ID,)))
    assert allowed.entry.id == EXPERIMENTAL_ID
    other = assign(registry, install_id=INSIDE, stage=stage, policy=FleetPolicy(allowed_models=("hairnet-hq",)))
    assert other.entry.id == STABLE_ID and "allows none of the experimental models" in other.why
    by_version = FleetPolicy(allowed_models=(f"{EXPERIMENTAL_ID}@0.9.0",))
    assert assign(registry, install_id=INSIDE, stage=stage, policy=by_version).entry.id == EXPERIMENTAL_ID


def test_a_rollback_recorded_before_the_clear_time_is_cleared_and_a_later_one_is_not(registry):
    now = datetime.now().astimezone()
    policy = FleetPolicy(clear_rollbacks_at=now - timedelta(hours=1))
    old = RollbackRecord(time=(now - timedelta(hours=2)).replace(tzinfo=None).isoformat(timespec="seconds"),
                         model=f"{EXPERIMENTAL_ID}@0.9.0", reason="too slow")
    new = RollbackRecord(time=(now - timedelta(minutes=5)).replace(tzinfo=None).isoformat(timespec="seconds"),
                         model=f"{EXPERIMENTAL_ID}@0.9.0", reason="too slow")
    stage = effective_stage("full", {})
    cleared = assign(registry, install_id=INSIDE, stage=stage, held=old, policy=policy)
    assert (cleared.entry.id, cleared.held, cleared.cleared) == (EXPERIMENTAL_ID, None, old)
    kept = assign(registry, install_id=INSIDE, stage=stage, held=new, policy=policy)
    assert (kept.name, kept.held, kept.cleared) == ("held", new, None)
    damaged = RollbackRecord(time="?", model="?", reason="the state file cannot be read")
    assert assign(registry, install_id=INSIDE, stage=stage, held=damaged, policy=policy).held is None
    later = FleetPolicy(clear_rollbacks_at=now + timedelta(hours=1))  # takes effect when its time comes
    assert assign(registry, install_id=INSIDE, stage=stage, held=old, policy=later).held == old


# ---- a running app -----------------------------------------------------------------------------------------
def test_the_watch_looks_at_the_file_every_few_seconds_and_keeps_the_last_good_policy(tmp_path, caplog):
    path, clock = tmp_path / "fleet.json", Clock(100.0)
    watch = PolicyWatch(path, clock, every_s=5)
    assert not watch.poll() and watch.policy == FleetPolicy(path=path)  # no file: nothing set
    write(path, {"stage": "full"})
    assert not watch.poll()  # looked at 0 s ago
    clock.t += 5
    assert watch.poll() and watch.policy.stage == "full"
    clock.t += 5
    assert not watch.poll()  # unchanged: not read again
    write(path, {"stage": "sideways"})
    os.utime(path, ns=(1, 1))
    with caplog.at_level(logging.ERROR, "core.catalog.fleet_policy"):
        for _ in range(3):
            clock.t += 5
            assert not watch.poll()
    assert watch.policy.stage == "full" and "sideways" in watch.problem
    assert len(caplog.records) == 1 and "keeping the last good policy" in caplog.records[0].message
    path.unlink()
    clock.t += 5
    assert watch.poll() and watch.policy == FleetPolicy(path=path) and watch.problem is None


LOOK = Look(Shade("Copper", (180, 80, 40)))
PIXELS = np.full((48, 64, 3), 120, np.uint8)


def test_a_running_app_follows_the_fleet_file_without_a_restart_and_never_writes_it(registry, tmp_path, caplog):
    policy_file = tmp_path / "etc" / "fleet.json"
    policy_file.parent.mkdir()
    write(policy_file, {"stage": "disabled", "kiosk": "paris-3-front"})
    os.utime(policy_file, ns=(10**18, 10**18))
    session = Session(Settings(install_id=INSIDE), settings_path=tmp_path / "settings.json", registry=registry)
    now = datetime.now().astimezone()
    held = RollbackRecord(time=(now - timedelta(days=1)).replace(tzinfo=None).isoformat(timespec="seconds"),
                          model=f"{EXPERIMENTAL_ID}@0.9.0", reason="too slow")
    write_rollback(session.state_file, held)
    clock = Clock(1000.0)
    monitor = FleetMonitor(session, clock=clock, environ={ENV_POLICY: str(policy_file), ENV_STAGE: "full"},
                           build=lambda entry, mode: Pipeline(FakeSegmenter(info=entry.info), PassThroughSmoother(),
                                                              Identity(), Recolorer()))
    factories = [monitor.factory()]
    monitor.attach(factories.append)
    assert monitor.assignment.name == "held" and monitor.assignment.stage.source == "fleet"
    monitor.set_place({"kiosk": "from-settings", "salon": "paris"})
    assert monitor.telemetry.place == {"kiosk": "paris-3-front", "salon": "paris"}

    def frames(seconds: float):
        pipeline = factories[-1](RunningMode.VIDEO)
        for i in range(int(seconds * 10)):
            clock.t += 0.1
            pipeline.process(Frame(PIXELS, int(clock.t * 1000), i, "camera:0"), LOOK)

    caplog.set_level(logging.INFO)
    write(policy_file, {"stage": "FULL", "salon": "paris-3",
                        "clear_rollbacks_at": (now - timedelta(hours=1)).isoformat(timespec="seconds")})
    frames(6)
    assert len(factories) == 2 and monitor.assignment.entry.id == EXPERIMENTAL_ID  # switched, no restart
    assert monitor.assignment.stage.name == "full" and read_rollback(session.state_file) is None  # cleared once
    assert monitor.telemetry.place == {"kiosk": "from-settings", "salon": "paris-3"}
    assert any("clears the rollback" in r.message for r in caplog.records)
    write(policy_file, "{ not json")
    frames(6)
    assert monitor.policy.policy.stage == "full" and monitor.assignment.entry.id == EXPERIMENTAL_ID  # last good kept
    assert sum("cannot be used" in r.message for r in caplog.records) == 1
    write(policy_file, {"stage": "full", "allowed_models": ["hairnet-hq"]})
    os.utime(policy_file, ns=(7 * 10**17, 7 * 10**17))
    frames(6)
    assert monitor.assignment.entry.id == STABLE_ID and len(factories) == 3
    assert "allows none of the experimental models" in monitor.assignment.why
    assert policy_file.stat().st_mtime_ns == 7 * 10**17  # read, never written
    assert json.loads(policy_file.read_text()) == {"stage": "full", "allowed_models": ["hairnet-hq"]}
