"""The names a central Prometheus tells kiosks apart by: settings fleet.kiosk and fleet.salon (the host
name by default, never the install id) on every series the app serves; the label that said three things
now says one; a model that cannot be loaded is counted by why."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.catalog.config import FleetSettings, Settings, settings_from_dict
from core.catalog.registry import Registry
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.fleet.monitor import FleetMonitor
from core.fleet.telemetry import Telemetry, failure_reason
from core.frames import RunningMode
from core.tryon.session import Session
from tests.registries import EXPERIMENTAL_ID, registry_with_experimental

INSTALL_ID = "6f1c2b4e-3d5a-4c7b-9e8f-0a1b2c3d4e5f"


def _samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def test_the_settings_name_the_kiosk_and_its_salon():
    settings, problems = settings_from_dict({"fleet": {"kiosk": " kiosk-07 ", "salon": "Salon North"}})
    assert not problems
    assert settings.fleet.labels() == {"kiosk": "kiosk-07", "salon": "Salon North"}


def test_by_default_the_kiosk_is_the_host_name_and_there_is_no_salon(monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: "Kiosk-12.salon-north.example")
    assert Settings().fleet.labels() == {"kiosk": "kiosk-12"}


@pytest.mark.parametrize(("value", "why"), [(INSTALL_ID, "install id never goes into the metrics"),
                                            ('a"b', "up to 64 letters"), ("x" * 65, "up to 64 letters"),
                                            (7, "up to 64 letters")])
def test_an_id_or_a_name_that_is_not_one_is_refused_with_the_default_kept(value, why):
    settings, problems = settings_from_dict({"fleet": {"kiosk": value}})
    assert settings.fleet == FleetSettings()
    assert len(problems) == 1 and problems[0].startswith("fleet.kiosk: ") and why in problems[0]


def test_every_series_served_carries_the_place_and_never_the_install_id():
    telemetry = Telemetry()
    telemetry.frame(True)
    telemetry.set_place(FleetSettings(kiosk="kiosk-07", salon="north").labels())
    samples = _samples(telemetry.text())
    assert len(samples) > 20
    assert all(s.labels["kiosk"] == "kiosk-07" and s.labels["salon"] == "north" for s in samples)
    assert INSTALL_ID not in telemetry.text()


def test_the_stage_labels_say_which_stage(tmp_path):
    session = Session(Settings(install_id=INSTALL_ID), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(registry_with_experimental(tmp_path / "registry")))
    telemetry = Telemetry()
    telemetry.set_assignment(session.assignment(environ={}))
    labels = {s.name: s.labels for s in _samples(telemetry.text()) if s.name.endswith("_info")}
    assert labels["hairtint_model_info"]["model_stage"] == "stable"
    assert labels["hairtint_rollout_info"]["rollout_stage"] == "disabled"
    assert "stage" not in labels["hairtint_model_info"] and "stage" not in labels["hairtint_rollout_info"]


def test_a_model_that_fails_its_checksum_is_counted_as_such(tmp_path):
    path = registry_with_experimental(tmp_path / "registry")
    data = json.loads(path.read_text())
    data["models"][1]["sha256"] = "0" * 64  # the experimental entry: its file no longer matches
    path.write_text(json.dumps(data))
    inside = next(i for i in (f"00000000-0000-4000-8000-{n:012d}" for n in range(1000))
                  if rollout_bucket(i, EXPERIMENTAL_ID) < 10)
    session = Session(Settings(install_id=inside), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(path))

    def build(entry, mode):
        entry.verify()
        return entry

    monitor = FleetMonitor(session, build=build, environ={ENV_STAGE: "ten_percent"})
    monitor.attach(lambda factory: None)
    monitor.factory()(RunningMode.VIDEO)
    failures = {s.labels["reason"]: s.value for s in _samples(monitor.telemetry.text())
                if s.name == "hairtint_model_failures_total"}
    assert failures == {"checksum": 1, "missing": 0, "other": 0}


@pytest.mark.parametrize(("note", "reason"), [
    ("model file x.tflite does not match its checksum in the registry: it was changed", "checksum"),
    ("the registry entry 'a@1' has no sha256, so its file x.tflite cannot be checked", "checksum"),
    ("model file x.tflite for 'a' is missing (expected at /m/x.tflite)", "missing"),
    ("no model 'no-such-model' in the registry", "other")])
def test_why_a_model_could_not_be_loaded(note, reason):
    assert failure_reason(note + " — running the stable model hairnet 1.0.0 instead") == reason
