"""Staged rollout: the stage (settings, environment), the split of installations, stickiness, growth
only forward, and a rollback holding an installation on the stable model."""

from __future__ import annotations

import json
import uuid
from itertools import pairwise

import pytest

from core.catalog.config import ROLLOUT_STAGES, Settings
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, effective_stage, in_rollout, rollout_bucket
from core.catalog.rollout_state import RollbackRecord, clear_rollback, read_rollback, write_rollback
from core.tryon.session import Session
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

IDS = [str(uuid.UUID(int=i * 7919 + 12345, version=4)) for i in range(10_000)]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return Registry.load(registry_with_experimental(tmp_path_factory.mktemp("registry")))


def _runs_experimental(registry, stage: str) -> set[str]:
    return {i for i in IDS if registry.choose(None, stage, i).id == EXPERIMENTAL_ID}


@pytest.mark.parametrize("stage, share", [("ten_percent", 0.10), ("fifty_percent", 0.50)])
def test_a_stage_reaches_about_its_share_of_10000_installations(registry, stage, share):
    assert abs(len(_runs_experimental(registry, stage)) / len(IDS) - share) < 0.02


def test_disabled_reaches_none_and_full_reaches_all(registry):
    assert not _runs_experimental(registry, "disabled")
    assert _runs_experimental(registry, "full") == set(IDS)


def test_a_new_experimental_version_of_the_stable_model_reaches_no_one_without_the_rollout(tmp_path):
    """A retrained ``hairnet`` registered as experimental (``hairtint models add``'s default) is newer than
    the stable one but is not the default: with the rollout disabled every installation keeps the stable
    version; the new one is reached through the rollout or by naming its version."""
    path = registry_with_experimental(tmp_path, experimental_id=STABLE_ID)  # hairnet 1.0.0 stable + 0.9.0
    data = json.loads(path.read_text())
    data["models"][1]["version"] = "2.0.0"  # the experimental one is the newer
    path.write_text(json.dumps(data))
    registry = Registry.load(path)
    assert (registry.resolve(None).version, registry.resolve(STABLE_ID).version) == ("1.0.0", "1.0.0")
    assert {registry.choose(None, "disabled", i).version for i in IDS[:200]} == {"1.0.0"}
    assert {registry.choose(None, "full", i).version for i in IDS[:200]} == {"2.0.0"}
    assert registry.resolve(f"{STABLE_ID}@2.0.0").stage == "experimental"


def test_the_assignment_is_sticky(registry):
    again = Registry.load(registry.path)  # a restart reads the registry afresh
    assert [rollout_bucket(i, EXPERIMENTAL_ID) for i in IDS[:500]] == \
        [rollout_bucket(i, EXPERIMENTAL_ID) for i in IDS[:500]]
    assert _runs_experimental(registry, "ten_percent") == _runs_experimental(again, "ten_percent")


@pytest.mark.slow
def test_a_growing_stage_only_adds_installations(registry):
    reached = [_runs_experimental(registry, stage) for stage in ROLLOUT_STAGES]
    for smaller, larger in pairwise(reached):
        assert smaller <= larger and len(smaller) < len(larger)


def test_buckets_differ_per_model():
    assert [rollout_bucket(i, "a") for i in IDS[:100]] != [rollout_bucket(i, "b") for i in IDS[:100]]
    assert all(0 <= rollout_bucket(i, "a") < 100 for i in IDS[:1000])
    assert in_rollout(IDS[0], "a", "full") and not in_rollout(IDS[0], "a", "disabled")


def test_the_environment_overrides_the_settings_stage():
    assert effective_stage("disabled", {}).name == "disabled"
    stage = effective_stage("disabled", {ENV_STAGE: "ten_percent"})
    assert (stage.name, stage.source, stage.warning) == ("ten_percent", "environment", None)
    bad = effective_stage("fifty_percent", {ENV_STAGE: "most"})
    assert bad.name == "fifty_percent" and bad.source == "settings" and "most" in bad.warning


def test_the_session_explains_the_assignment(registry, tmp_path, monkeypatch):
    inside = next(i for i in IDS if rollout_bucket(i, EXPERIMENTAL_ID) < 10)
    outside = next(i for i in IDS if rollout_bucket(i, EXPERIMENTAL_ID) >= 50)
    settings_file = tmp_path / "settings.json"
    monkeypatch.setenv(ENV_STAGE, "ten_percent")
    session = Session(Settings(install_id=inside), settings_path=settings_file, registry=registry)
    chosen = session.assignment()
    assert (chosen.entry.id, chosen.name, chosen.stage.source) == (EXPERIMENTAL_ID, "experimental", "environment")
    assert f"bucket {chosen.bucket} of {EXPERIMENTAL_ID} is under 10" in chosen.why
    away = Session(Settings(install_id=outside), settings_path=settings_file, registry=registry).assignment()
    assert away.entry.id == STABLE_ID and "is not under 10" in away.why
    pinned = session.assignment(settings=session.settings.with_(model=STABLE_ID))
    assert pinned.name == "requested" and pinned.entry.id == STABLE_ID


def test_an_installation_keeps_its_bucket_at_every_start_with_nothing_written(registry, tmp_path, monkeypatch):
    from tests.core.test_config import SYSTEMD_APP_SPECIFIC, machine_id_files

    first_machine, second_machine = SYSTEMD_APP_SPECIFIC
    machine_id_files(monkeypatch, tmp_path / "machine", etc=first_machine)
    settings_file = tmp_path / "config" / "settings.json"
    starts = [Session.load(settings_file, registry=registry).assignment() for _ in range(3)]  # three restarts
    assert {(a.install_id, a.bucket) for a in starts} == {(SYSTEMD_APP_SPECIFIC[first_machine], starts[0].bucket)}
    assert starts[0].bucket == rollout_bucket(SYSTEMD_APP_SPECIFIC[first_machine], EXPERIMENTAL_ID)
    assert not (tmp_path / "config").exists()
    Session.load(settings_file, registry=registry).save()  # an explicit save pins the id
    machine_id_files(monkeypatch, tmp_path / "machine", etc=second_machine)  # the system re-installed
    again = Session.load(settings_file, registry=registry).assignment()
    assert (again.install_id, again.bucket) == (starts[0].install_id, starts[0].bucket)
    elsewhere = Session.load(tmp_path / "other" / "settings.json", registry=registry).assignment()
    assert elsewhere.install_id == SYSTEMD_APP_SPECIFIC[second_machine]  # another machine, its own id


def test_a_rollback_holds_the_installation_on_stable_until_reset(registry, tmp_path):
    inside = next(i for i in IDS if rollout_bucket(i, EXPERIMENTAL_ID) < 10)
    session = Session(Settings(install_id=inside, rollout_stage="full"), settings_path=tmp_path / "settings.json",
                      registry=registry)
    assert session.model_entry().id == EXPERIMENTAL_ID
    record = RollbackRecord(time="2026-12-01T10:00:00", model=f"{EXPERIMENTAL_ID}@0.9.0",
                            reason="error rate 5.0 % > 2.0 %", figures={"error_rate": 0.05})
    write_rollback(session.state_file, record)
    assert session.state_file == tmp_path / "rollout_state.json"
    assert read_rollback(session.state_file) == record
    held = session.assignment()
    assert held.entry.id == STABLE_ID and held.name == "held" and "hairtint rollout reset" in held.why
    assert clear_rollback(session.state_file) and not clear_rollback(session.state_file)
    assert session.model_entry().id == EXPERIMENTAL_ID


def test_a_corrupt_state_file_is_read_as_a_rollback(tmp_path):
    path = tmp_path / "rollout_state.json"
    path.write_text("{ half")
    record = read_rollback(path)
    assert record is not None and "cannot be read" in record.reason
