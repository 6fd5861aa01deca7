"""The runbooks in docs/ are true to the code: every ``hairtint`` command in their shell blocks parses
with the real command line, and the fleet commands (rollout, metrics, models) are run, in the order a
runbook gives them, on a temporary settings folder and model registry; every metric MONITORING.md
names is one the app serves."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from core.fleet.telemetry import Telemetry
from hairtint_desktop.cli import SUBCOMMANDS, build_parser, main
from tests.registries import registry_with_experimental

DOCS = Path(__file__).resolve().parent.parent / "docs"
RUNBOOKS = ("ROLLOUT.md", "ROLLBACK.md", "INCIDENT_RESPONSE.md", "MONITORING.md")
RUN = ("rollout", "metrics", "models")  # quick and local: run them; the others (gui, bench) are parsed


def commands(doc: str) -> list[list[str]]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"^\s*```(?:sh|bash|console)\n(.*?)^\s*```", text, flags=re.S | re.M)
    return [shlex.split(line.strip()) for block in blocks for line in block.splitlines()
            if line.strip().startswith("hairtint ")]


@pytest.mark.parametrize("doc", RUNBOOKS)
def test_the_runbook_exists_and_names_commands(doc):
    assert (DOCS / doc).is_file()
    assert commands(doc) or doc == "MONITORING.md"


@pytest.mark.parametrize("doc", RUNBOOKS)
def test_every_command_in_the_runbook_works(doc, tmp_path, monkeypatch, capsys):
    registry = registry_with_experimental(tmp_path / "registry")
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: registry)
    settings = tmp_path / "config" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(json.dumps({"rollout_stage": "ten_percent", "metrics": {"port": 9}}))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)
    for argv in commands(doc):
        args = argv[1:]
        assert args[0] in SUBCOMMANDS, f"{doc}: {shlex.join(argv)}"
        build_parser().parse_args(args)  # SystemExit for anything the command line does not take
        if args[0] in RUN:
            assert main(args) == 0, f"{doc}: `{shlex.join(argv)}` failed: {capsys.readouterr().err}"


def test_every_metric_the_monitoring_runbook_names_is_served():
    text = (DOCS / "MONITORING.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w:])hairtint_[a-z_]+", text))  # not the recording rules' kiosk:hairtint_…
    served = Telemetry().text()
    missing = sorted(name for name in named if not re.search(rf"^(# TYPE )?{name}\b", served, flags=re.M))
    assert not missing and len(named) >= 12, missing
