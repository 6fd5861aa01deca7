"""docs/MONITORING.md's walk from one kiosk to the fleet dashboard works as written: the files it names
exist; the commands shown with their output (``$ ...``) run against an app's metrics served where the
documented settings say and print what the page shows; the Prometheus options it puts in ARGS are ones
Debian's prometheus takes; its promtool checks pass, on the files it copies into /etc/prometheus."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest

from core.fleet.telemetry import MetricsServer, Telemetry
from hairtint_desktop.cli import main
from tests.fleet.prometheus import PACKAGING, REPO, program

DOC = REPO / "docs" / "MONITORING.md"


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _blocks(*kinds: str) -> list[str]:
    return re.findall(rf"^```(?:{'|'.join(kinds)})\n(.*?)^```", _text(), flags=re.S | re.M)


def _shell_lines(program_name: str) -> list[str]:
    return [line.strip() for block in _blocks("sh") for line in block.splitlines()
            if line.strip().startswith(program_name + " ")]


def _as_from_a_checkout(line: str) -> str:
    """A command on the server's copies in /etc/prometheus, run on the checkout's files they were copied from."""
    return line.replace("/etc/prometheus/", "packaging/prometheus/")


def test_every_file_it_names_exists():
    named = set(re.findall(r"packaging/prometheus/[\w./*-]+\w", _text()))
    assert len(named) >= 6
    missing = sorted(path for path in named if not list(REPO.glob(path)))
    assert not missing, missing


def test_the_settings_it_shows_are_read_as_it_says():
    from core.catalog.config import settings_from_dict

    for block in _blocks("json"):
        settings, problems = settings_from_dict(json.loads(block))
        assert not problems and settings.metrics.port == 9464
        assert settings.fleet.labels() == {"kiosk": "kiosk-01", "salon": "north"}


def test_the_one_kiosk_commands_print_what_the_page_shows(tmp_path, monkeypatch, capsys):
    telemetry = Telemetry()
    telemetry.frame(True)
    settings = json.loads(_blocks("json")[0])
    telemetry.set_place({"kiosk": settings["fleet"]["kiosk"], "salon": settings["fleet"]["salon"]})
    app = MetricsServer(telemetry, port=0)  # the running app, on the documented port's stand-in
    settings["metrics"]["port"] = app.port
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    monkeypatch.setenv("HAIRTINT_CONFIG", str(tmp_path / "settings.json"))
    shown: dict[str, list[str]] = {}  # each command, and the output lines the page shows after it
    for block in _blocks("console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                shown[command] = []
            else:
                shown[command].append(line)
    try:
        ran = 0
        for command, lines in shown.items():
            command = command.replace(":9464/", f":{app.port}/")
            if command.startswith("hairtint "):
                assert main(shlex.split(command)[1:]) == 0, command
                out = capsys.readouterr().out
            elif command.startswith("curl ") and shutil.which("curl"):
                out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30).stdout
            else:
                continue
            ran += 1
            assert 'kiosk="kiosk-01"' in out and 'salon="north"' in out, command
            for expected in lines:  # the output the page shows, but for the figure
                assert expected.rsplit(" ", 1)[0] in out, (command, expected)
    finally:
        app.close()
    assert ran >= 2


def test_the_prometheus_options_it_sets_are_taken():
    args = re.findall(r"""ARGS="([^"]+)\"""", _text())
    assert len(args) == 2 and any("--enable-feature=agent" in a for a in args)
    assert any("--web.enable-remote-write-receiver" in a for a in args)
    for options in args:  # options that prometheus does not know fail before --version is reached
        done = subprocess.run([program("prometheus"), *shlex.split(_as_from_a_checkout(options)), "--version"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{options}: {done.stderr}"


@pytest.mark.parametrize("line", _shell_lines("promtool"))
def test_its_promtool_checks_pass(line):
    program("promtool")
    done = subprocess.run(["bash", "-c", _as_from_a_checkout(line)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"{line}:\n{done.stdout}{done.stderr}"
    assert "SUCCESS" in done.stdout + done.stderr and PACKAGING.is_dir()
