"""``hairtint rollout`` and ``hairtint metrics`` on a temporary settings folder and registry."""

from __future__ import annotations

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.catalog.rollout import rollout_bucket
from core.catalog.rollout_state import RollbackRecord, state_path, write_rollback
from core.fleet.telemetry import MetricsServer, Telemetry
from hairtint_desktop.cli import main
from tests.registries import EXPERIMENTAL_ID, registry_with_experimental

INSIDE = next(f"00000000-0000-4000-8000-{n:012d}" for n in range(1000)
              if rollout_bucket(f"00000000-0000-4000-8000-{n:012d}", EXPERIMENTAL_ID) < 10)


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """A settings file for an installation inside the first 10 %, and a registry with an experimental model."""
    registry = registry_with_experimental(tmp_path / "registry")
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: registry)
    settings = tmp_path / "config" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"install_id": INSIDE, "rollout_percent": 10}))  # a file from before stages
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)
    return settings


def test_status_says_which_model_runs_and_why(fleet, capsys):
    assert main(["rollout", "status"]) == 0
    out = capsys.readouterr().out
    assert "stage         ten_percent (from the settings file" in out and INSIDE in out
    assert f"model         {EXPERIMENTAL_ID}@0.9.0 (experimental)" in out and "is under 10" in out
    assert main(["rollout", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["assignment"] == "experimental" and data["bucket"] < 10 and data["rollback"] is None


def test_set_writes_the_stage_and_the_environment_overrides_it(fleet, capsys, monkeypatch):
    assert main(["rollout", "set", "disabled"]) == 0
    assert json.loads(fleet.read_text())["rollout_stage"] == "disabled"
    assert main(["rollout", "status"]) == 0
    assert "model         hairnet@1.0.0 (stable)" in capsys.readouterr().out
    monkeypatch.setenv("HAIRTINT_ROLLOUT_STAGE", "full")
    assert main(["rollout", "status"]) == 0
    assert "stage         full (from HAIRTINT_ROLLOUT_STAGE)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["rollout", "set", "most"])


def test_status_says_why_after_a_rollback_and_reset_clears_it(fleet, capsys):
    write_rollback(state_path(fleet), RollbackRecord(time="2026-12-01T10:00:00", model=f"{EXPERIMENTAL_ID}@0.9.0",
                   reason="error rate 10.0% over the last 50 frames is above 2%", figures={"error_rate": 0.1}))
    assert main(["rollout", "status"]) == 0
    out = capsys.readouterr().out
    assert "assignment    held" in out and "model         hairnet@1.0.0 (stable)" in out
    assert "automatic at 2026-12-01T10:00:00" in out and "error rate 10.0%" in out and "error_rate 0.1" in out
    assert main(["rollout", "reset"]) == 0
    assert "rollback cleared" in capsys.readouterr().out and not state_path(fleet).exists()
    assert main(["rollout", "rollback", "--reason", "staff saw bad edges"]) == 0
    assert main(["rollout", "status"]) == 0
    assert "manual at" in capsys.readouterr().out


@pytest.mark.slow
def test_metrics_prints_this_installations_figures_or_the_running_apps(fleet, capsys):
    assert main(["metrics", "--local"]) == 0
    out = capsys.readouterr().out
    assert "hairtint_frames_total" in out and 'assignment="experimental"' in out
    telemetry = Telemetry()
    telemetry.frame(True)
    server = MetricsServer(telemetry, port=0)
    try:
        assert main(["metrics", "--url", server.url, "--prometheus"]) == 0
    finally:
        server.close()
    text = capsys.readouterr().out
    samples = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
    assert samples["hairtint_frames_total"] == 1


def test_metrics_from_an_address_that_does_not_answer_is_an_error(fleet, capsys):
    assert main(["metrics", "--url", "http://127.0.0.1:9/metrics"]) == 2
    assert "the app is not reachable at http://127.0.0.1:9/metrics" in capsys.readouterr().err
