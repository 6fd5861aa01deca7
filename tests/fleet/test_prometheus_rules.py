"""packaging/prometheus/ as Prometheus's own tools see it: the rules load (promtool check rules), the
central and agent configurations are valid, and the unit tests of the alerts pass (promtool test rules:
a dead camera, a failing kiosk, a slow one, a silent one, one that does not answer, a fleet-wide
rollback, a model file that fails its checksum)."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.fleet.prometheus import PACKAGING, RULES, program

TESTS = sorted((PACKAGING / "tests").glob("*.yml"))


def _promtool(*args: str) -> str:
    done = subprocess.run([program("promtool"), *args], cwd=PACKAGING, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_rules_load():
    assert len(RULES) >= 2
    out = _promtool("check", "rules", *map(str, RULES))
    assert out.count("SUCCESS") == len(RULES)


@pytest.mark.parametrize(("name", "agent"), [("central.yml", False), ("agent.yml", True)])
def test_the_configurations_are_valid(name, agent):
    assert "SUCCESS" in _promtool("check", "config", *(["--agent"] if agent else []), name)


def test_the_alerts_fire_when_they_should_and_only_then():
    assert TESTS
    out = _promtool("test", "rules", *map(str, TESTS))
    assert "SUCCESS" in out and "FAILED" not in out


def test_every_alert_has_a_unit_test():
    text = "\n".join(path.read_text(encoding="utf-8") for path in TESTS)
    groups = [group for path in RULES for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]]
    alerts = {rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule}
    untested = sorted(name for name in alerts if f"alertname: {name}\n" not in text)
    assert not untested, f"alerts without a promtool test: {untested}"
