"""The ``hairtint`` entry point (issue 25): ``--help`` lists the app's options beside the subcommands, and
a reader of the output that goes away ends a command quietly (exit 141, nothing on stderr), handled once
at the entry point. The pipe cases run the real command in a child whose stdout is a pipe whose reader
has already gone: deterministic, where ``| head -2`` races the command's first lines."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hairtint_desktop.cli import main
from hairtint_desktop.commands.registry import COMMANDS, Option
from hairtint_desktop.terminal import PIPE_CLOSED
from tests.conftest import REPO


def test_help_lists_the_apps_options_beside_the_subcommands(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for each in COMMANDS["gui"].options:  # --source, --kiosk, --screenshot, --config, --size, ...
        if isinstance(each, Option):
            assert f"  {each.flags[0]}" in out, each.flags
    for name in ("recolor", "eval", "rollout", "models", "soak"):
        assert f"    {name}" in out, name
    assert "the app's options" in out


def test_the_apps_options_still_go_to_the_app(monkeypatch):
    seen = {}
    monkeypatch.setattr("hairtint_desktop.app.run_gui", lambda **kwargs: seen.update(kwargs) or 0)
    assert main(["--kiosk", "--source", "synthetic", "--size", "640x480"]) == 0
    assert seen["kiosk"] is True and seen["source"] == "synthetic" and seen["size"] == (640, 480)


def _into_a_closed_pipe(tmp_path, *args: str) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line
    env = dict(os.environ, HAIRTINT_CONFIG=str(tmp_path / "settings.json"), PYTHONPATH=str(REPO))
    try:
        return subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", *args], stdout=write_end,
                              stderr=subprocess.PIPE, cwd=tmp_path, env=env, timeout=300)
    finally:
        os.close(write_end)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["rollout", "status"], ["models", "list"]])
def test_a_closed_pipe_ends_the_command_quietly_with_141(tmp_path, command):
    done = _into_a_closed_pipe(tmp_path, *command)
    assert done.stderr == b"", done.stderr.decode(errors="replace")
    assert done.returncode == PIPE_CLOSED == 141


@pytest.mark.slow
def test_help_into_a_closed_pipe_says_nothing(tmp_path):
    done = _into_a_closed_pipe(tmp_path, "--help")
    assert done.stderr == b"", done.stderr.decode(errors="replace")
    assert done.returncode in (0, PIPE_CLOSED)  # argparse's exit after a write it could not make, or ours
