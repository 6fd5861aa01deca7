"""``hairtint rollout status`` says where each fleet value came from and decides with the running kiosk
service's environment; ``rollout set`` takes any case; ``rollout policy`` checks a policy file (what
Ansible's ``validate:`` runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.catalog.rollout import rollout_bucket
from core.catalog.rollout_state import state_path, write_judgement
from core.tools import service_env
from hairtint_desktop.cli import main
from tests.registries import EXPERIMENTAL_ID, registry_with_experimental

INSIDE = next(f"00000000-0000-4000-8000-{n:012d}" for n in range(1000)
              if rollout_bucket(f"00000000-0000-4000-8000-{n:012d}", EXPERIMENTAL_ID) < 10)


@pytest.fixture
def fleet(tmp_path, monkeypatch):
    """A settings file inside the first 10 %, a registry with an experimental model, a policy file path,
    no stage in the environment and no running service."""
    registry = registry_with_experimental(tmp_path / "registry")
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: registry)
    settings = tmp_path / "config" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"install_id": INSIDE}))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    monkeypatch.setenv("HAIRTINT_FLEET_POLICY", str(tmp_path / "fleet.json"))
    for name in ("HAIRTINT_ROLLOUT_STAGE", "ROLLOUT_STAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(service_env, "main_pid", lambda unit: None)
    return tmp_path


def status(capsys, *extra) -> dict:
    assert main(["rollout", "status", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_status_says_where_each_value_came_from(fleet, capsys, monkeypatch):
    data = status(capsys)
    assert data["sources"]["stage"] == {"value": "disabled", "from": "default", "origin": ""}
    assert data["policy"]["path_from"] == "HAIRTINT_FLEET_POLICY" and data["policy"]["found"] is False
    assert data["sources"]["kiosk"]["from"] == "default" and data["sources"]["allowed_models"]["value"] is None
    (fleet / "config" / "settings.json").write_text(json.dumps({"install_id": INSIDE, "rollout_stage": "Fifty_Percent",
                                                                "fleet": {"kiosk": "front"}}))
    data = status(capsys)
    assert data["sources"]["stage"] == {"value": "fifty_percent", "from": "settings",
                                        "origin": str(fleet / "config" / "settings.json")}
    assert data["sources"]["kiosk"]["value"] == "front" and data["sources"]["kiosk"]["from"] == "settings"
    monkeypatch.setenv("ROLLOUT_STAGE", "FULL")  # the plan's spelling
    data = status(capsys)
    assert data["sources"]["stage"] == {"value": "full", "from": "environment", "origin": "ROLLOUT_STAGE"}
    assert data["assignment"] == "experimental"
    (fleet / "fleet.json").write_text(json.dumps({"stage": "disabled", "kiosk": "paris-3-front",
                                                  "allowed_models": [EXPERIMENTAL_ID]}))
    write_judgement(state_path(fleet / "config" / "settings.json"),
                    {"decision": "busy_machine", "p95_ms": 120.0, "stable_p95_ms": 118.0, "ratio": 1.02})
    assert main(["rollout", "status"]) == 0
    out = capsys.readouterr().out
    assert f"stage         disabled (from the fleet policy {fleet / 'fleet.json'})" in out
    assert "kiosk         paris-3-front (from the fleet policy)" in out
    assert f"models        {EXPERIMENTAL_ID} (from the fleet policy)" in out
    assert "warning       ROLLOUT_STAGE=full is ignored: the fleet policy sets disabled" in out
    latency = next(line for line in out.splitlines() if line.startswith("latency       busy_machine at ?: "))
    assert all(part in latency for part in ("p95_ms 120.0", "stable_p95_ms 118.0", "ratio 1.02"))
    assert "rollback      none" in out  # the latency figures hold nothing


def test_a_bad_policy_file_is_one_status_line_and_the_rest_still_shows(fleet, capsys):
    (fleet / "fleet.json").write_text('{"stage": "sideways"}')
    assert main(["rollout", "status"]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if "sideways" in line]
    assert len(lines) == 1 and lines[0].startswith(f"fleet policy  {fleet / 'fleet.json'} (from HAIRTINT_FLEET_POLICY)")
    assert "keeps the last good policy" in lines[0] and "sideways" not in captured.err


def test_status_decides_with_the_running_services_environment(fleet, capsys, monkeypatch):
    """The stage set in the kiosk service's unit (Environment=) is what the app runs with, whatever the
    shell that types ``rollout status`` has."""
    import os

    env = {**os.environ, "HAIRTINT_ROLLOUT_STAGE": "full"}
    env.pop("HAIRTINT_FLEET_POLICY")
    app = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE, env=env)
    try:
        monkeypatch.setattr(service_env, "main_pid", lambda unit: app.pid if unit == "hairtint-kiosk" else None)
        data = status(capsys)
        assert data["sources"]["stage"] == {"value": "full", "from": "environment", "origin": "HAIRTINT_ROLLOUT_STAGE"}
        assert data["environment"].startswith(f"the running service hairtint-kiosk's (pid {app.pid})")
        assert data["policy"]["path_from"] == "default"  # the service has no HAIRTINT_FLEET_POLICY
        assert "HAIRTINT_ROLLOUT_STAGE, HAIRTINT_FLEET_POLICY left out" in data["environment"]
        shell = status(capsys, "--service", "")
        assert shell["sources"]["stage"]["value"] == "disabled" and shell["environment"].startswith("this shell's")
    finally:
        app.communicate(b"")


def test_set_takes_any_case_and_says_when_the_fleet_policy_wins(fleet, capsys):
    assert main(["rollout", "set", "FULL"]) == 0
    assert json.loads((fleet / "config" / "settings.json").read_text())["rollout_stage"] == "full"
    (fleet / "fleet.json").write_text(json.dumps({"stage": "disabled"}))
    assert main(["rollout", "set", "Ten-Percent"]) == 0
    captured = capsys.readouterr()
    assert "rollout stage ten_percent written" in captured.out
    assert f"the fleet policy {fleet / 'fleet.json'} sets the stage disabled, which wins" in captured.err
    with pytest.raises(SystemExit):
        main(["rollout", "set", "most"])
    assert "'most' is not a rollout stage" in capsys.readouterr().err


def test_policy_checks_a_file_before_config_management_puts_it_in_place(fleet, capsys):
    good, bad = fleet / "good.json", fleet / "bad.json"
    good.write_text(json.dumps({"stage": "Full", "salon": "paris-3"}))
    bad.write_text(json.dumps({"stage": "full", "colour": "red"}))
    assert main(["rollout", "policy", str(good)]) == 0
    out = capsys.readouterr().out
    assert f"{good}: can be used" in out and "stage                full" in out and "salon                paris-3" in out
    assert main(["rollout", "policy", str(bad)]) == 2
    assert "'colour' is not a fleet policy key" in capsys.readouterr().err
    assert main(["rollout", "policy", str(fleet / "none.json")]) == 2
    assert main(["rollout", "policy"]) == 0  # the one in force (HAIRTINT_FLEET_POLICY): not there, sets nothing
    assert "not there: it sets nothing" in capsys.readouterr().out
