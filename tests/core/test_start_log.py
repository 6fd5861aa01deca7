"""The log names the model the live view loaded -- id, version, the start of its sha256 -- and its
rollout assignment, in one INFO line (what a person reads in ``journalctl`` first)."""

from __future__ import annotations

import logging
import uuid

from core.catalog.config import Settings
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.errors import ModelError
from core.fleet.monitor import FleetMonitor
from core.frames import RunningMode
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from core.tryon.session import Session
from tests.fakes import FakeSegmenter, Identity
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

INSIDE = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000)) if rollout_bucket(i, EXPERIMENTAL_ID) < 10)


def loaded_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "core.fleet.monitor" and r.levelno == logging.INFO and " loaded (sha256 " in r.getMessage()]


def monitor(tmp_path, broken: str | None = None) -> tuple[FleetMonitor, Registry]:
    registry = Registry.load(registry_with_experimental(tmp_path / "registry"))

    def build(entry, mode):
        if entry.id == broken:
            raise ModelError(f"model file for '{entry.id}' does not match its checksum")
        return Pipeline(FakeSegmenter(info=entry.info), PassThroughSmoother(), Identity(), Recolorer())

    session = Session(Settings(install_id=INSIDE), settings_path=tmp_path / "settings.json", registry=registry)
    return FleetMonitor(session, build=build, environ={ENV_STAGE: "ten_percent"}), registry


def test_the_model_and_its_assignment_are_logged_when_loaded(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="core.fleet.monitor")
    fleet, registry = monitor(tmp_path)
    fleet.factory()(RunningMode.VIDEO)
    entry = registry.resolve(f"{EXPERIMENTAL_ID}@0.9.0")
    assert loaded_lines(caplog) == [f"model {EXPERIMENTAL_ID} 0.9.0 loaded (sha256 {entry.sha256[:12]}), "
                                    "assignment experimental, rollout stage ten_percent"]


def test_a_fallback_logs_the_model_that_runs(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="core.fleet.monitor")
    fleet, _ = monitor(tmp_path, broken=EXPERIMENTAL_ID)
    fleet.factory()(RunningMode.VIDEO)
    (line,) = loaded_lines(caplog)
    assert line.startswith(f"model {STABLE_ID} 1.0.0 loaded (sha256 ") and "assignment fallback" in line
