"""The runbooks in docs/ are true to the code: every ``hairtint`` command in their shell blocks parses
with the real command line, and the fleet commands (rollout, metrics, models) are run, in the order a
runbook gives them, on a temporary settings folder and model registry, with an app's metrics served
where the settings say; every metric MONITORING.md names is one the app serves; every ``systemctl`` and
``journalctl`` command names the unit packaging/ installs, as the user unit it is; a command that
cannot share the machine with the running kiosk (the camera, the CPU) comes after the kiosk's stop and
before its start; the log line a runbook quotes is the one the app writes."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from core.fleet.telemetry import MetricsServer, Telemetry
from hairtint_desktop.cli import SUBCOMMANDS, build_parser, main
from tests.registries import registry_with_experimental

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
UNIT = "hairtint-kiosk"  # packaging/hairtint-kiosk.service
ALONE = ("gui", "bench")  # they need the camera, or the whole CPU, that the running kiosk holds
RUNBOOKS = ("ROLLOUT.md", "ROLLBACK.md", "INCIDENT_RESPONSE.md", "MONITORING.md")
RUN = ("rollout", "metrics", "models")  # quick and local: run them; the others (gui, bench) are parsed


def shell_blocks(doc: str) -> list[list[str]]:
    """The lines of each shell block in ``doc``."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"^\s*```(?:sh|bash|console)\n(.*?)^\s*```", text, flags=re.S | re.M)
    return [[line.strip() for line in block.splitlines() if line.strip()] for block in blocks]


def commands(doc: str, program: str = "hairtint") -> list[list[str]]:
    return [shlex.split(line) for block in shell_blocks(doc) for line in block if line.startswith(program + " ")]


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
    app = MetricsServer(Telemetry(), port=0)  # the running app's metrics, where the settings say
    settings.write_text(json.dumps({"rollout_stage": "ten_percent", "metrics": {"port": app.port}}))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)
    try:
        for argv in commands(doc):
            args = argv[1:]
            assert args[0] in SUBCOMMANDS, f"{doc}: {shlex.join(argv)}"
            build_parser().parse_args(args)  # SystemExit for anything the command line does not take
            if args[0] in RUN:
                assert main(args) == 0, f"{doc}: `{shlex.join(argv)}` failed: {capsys.readouterr().err}"
    finally:
        app.close()


def test_with_the_app_down_metrics_says_so_as_the_runbook_does(tmp_path, monkeypatch, capsys):
    settings = tmp_path / "settings.json"
    app = MetricsServer(Telemetry(), port=0)
    app.close()  # the port of an app that has stopped
    settings.write_text(json.dumps({"metrics": {"port": app.port}}))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(settings))
    assert ["hairtint", "metrics"] in commands("INCIDENT_RESPONSE.md")
    assert main(["metrics"]) != 0
    out, err = capsys.readouterr()
    said = f"the app is not reachable at http://127.0.0.1:{app.port}/metrics"
    assert out == "" and said in err  # never a table of zeros
    text = " ".join((DOCS / "INCIDENT_RESPONSE.md").read_text(encoding="utf-8").split())
    assert "the app is not reachable at" in text.replace("**", "")  # the runbook says what to do then


def test_systemd_commands_name_the_kiosk_user_unit():
    assert (REPO / "packaging" / f"{UNIT}.service").is_file()
    assert "systemd/user" in (REPO / "packaging" / "install.sh").read_text(encoding="utf-8")  # a user unit
    found = {doc: commands(doc, "systemctl") + commands(doc, "journalctl") for doc in RUNBOOKS}
    for doc, argvs in found.items():
        for argv in argvs:
            assert "--user" in argv and (UNIT in argv or f"{UNIT}.service" in argv), f"{doc}: {shlex.join(argv)}"
    incident = {tuple(argv) for argv in found["INCIDENT_RESPONSE.md"]}
    for needed in [("systemctl", "--user", "restart", UNIT), ("systemctl", "--user", "status", UNIT),
                   ("journalctl", "--user", "-u", UNIT, "-f")]:
        assert needed in incident, needed


@pytest.mark.parametrize("doc", RUNBOOKS)
def test_what_needs_the_kiosk_stopped_runs_between_its_stop_and_its_start(doc):
    for block in shell_blocks(doc):
        for i, line in enumerate(block):
            argv = shlex.split(line)
            if argv[:1] == ["hairtint"] and argv[1] in ALONE:
                assert f"systemctl --user stop {UNIT}" in block[:i], f"{doc}: {line} while the kiosk runs"
                assert f"systemctl --user start {UNIT}" in block[i + 1:], f"{doc}: {line}, and the kiosk not started again"


def test_the_log_line_the_runbook_quotes_is_the_apps(tmp_path, caplog):
    import logging

    from core.frames import RunningMode
    from tests.core.test_start_log import loaded_lines, monitor

    text = " ".join((DOCS / "INCIDENT_RESPONSE.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"`(model \S+ \S+ loaded \(sha256 .*?\), assignment \w+, rollout stage \w+)`", text)
    assert quoted is not None
    caplog.set_level(logging.INFO, logger="core.fleet.monitor")
    fleet, _ = monitor(tmp_path)
    fleet.factory()(RunningMode.VIDEO)
    (written,) = loaded_lines(caplog)
    shape = r"model [\w.-]+ [\w.-]+ loaded \(sha256 [0-9a-f]{12}\), assignment [a-z]+, rollout stage [a-z_]+"
    assert re.fullmatch(shape, written), written
    assert re.fullmatch(shape, quoted.group(1)), quoted.group(1)
