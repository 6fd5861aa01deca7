"""Issue 23, items 1-3 end to end: ``hairtint rollout set`` refuses a settings file it cannot read and
leaves it byte for byte; the app writes only what it changed; a damaged or odd ``rollout_state.json``
gives ``rollout status``, ``recolor`` and the app a rollback, never a TypeError or a hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.catalog.config import MAX_SETTINGS_BYTES, read_settings
from core.catalog.rollout_state import state_path
from hairtint_desktop.cli import main
from tests.conftest import FIXTURES, REPO
from tests.desktop.conftest import INSTALL_ID

KEPT = {"install_id": INSTALL_ID, "kiosk": {"pin": "4711"}, "snapshot_dir": "/srv/snaps"}
TRAILING_COMMA = json.dumps(KEPT, indent=2)[:-2] + ",\n}"  # line 7 is the "}" after the comma
DAMAGED_STATES = [b'{"rollback": {"figures": [1, 2]}}', b"[1, 2]", b'{"rollback": "yes"}']


@pytest.mark.parametrize("content, says", [
    (TRAILING_COMMA.encode(), "line 7"),
    (json.dumps(KEPT).encode("utf-16"), "line 1"),
    (b"{" + b" " * MAX_SETTINGS_BYTES + b"}", "more than the"),
], ids=["trailing-comma", "utf-16", "over-the-cap"])
def test_rollout_set_refuses_a_settings_file_it_cannot_read(tmp_path, capsys, content, says):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    assert main(["rollout", "set", "ten_percent", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Settings file {path} cannot be read, so it is left as it is and nothing was saved" in err
    assert says in err and "Traceback" not in err
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_rollout_set_changes_the_stage_only(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**KEPT, "future": 1}))
    assert main(["rollout", "set", "ten_percent", "--config", str(path)]) == 0
    assert json.loads(path.read_text()) == {**KEPT, "future": 1, "rollout_stage": "ten_percent"}


def test_a_stage_set_from_a_shell_survives_the_app_toggling_the_overlay(make_window, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(KEPT))
    settings, _ = read_settings(path)
    window = make_window(settings=settings, settings_path=path)
    assert main(["rollout", "set", "full", "--config", str(path)]) == 0
    window.overlay_action.trigger()  # F2: the overlay on, saved at once
    assert window.settings.overlay
    data = json.loads(path.read_text())
    assert data["rollout_stage"] == "full" and data["overlay"] is True and data["kiosk"] == {"pin": "4711"}


def test_two_windows_on_one_file_keep_each_others_keys(make_window, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(KEPT))
    first = make_window(settings=read_settings(path)[0], settings_path=path)
    second = make_window(settings=read_settings(path)[0], settings_path=path)
    first.overlay_action.trigger()
    second.apply_settings(second.settings.with_(colour_beard=True))
    first.overlay_action.trigger()  # off again: only the overlay is written
    got = read_settings(path)[0]
    assert (got.overlay, got.colour_beard, got.kiosk.pin) == (False, True, "4711")


def test_the_app_runs_on_defaults_says_so_and_leaves_an_unreadable_file_alone(make_window, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(TRAILING_COMMA)
    settings, warnings = read_settings(path)
    window = make_window(settings=settings, settings_path=path, config_warnings=warnings)
    assert "line 7" in window.banner.message and "using the defaults" in window.banner.message
    window.overlay_action.trigger()
    assert "left as it is and nothing was saved" in window.banner.message
    assert path.read_text() == TRAILING_COMMA


@pytest.mark.parametrize("content", DAMAGED_STATES)
def test_rollout_status_reports_a_damaged_state_file_as_a_rollback(tmp_path, capsys, content):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(KEPT))
    state_path(settings).write_bytes(content)
    assert main(["rollout", "status", "--config", str(settings)]) == 0
    out = capsys.readouterr().out
    assert "assignment    held" in out and "rollback      " in out and "rollback      none" not in out
    assert main(["rollout", "status", "--json", "--config", str(settings)]) == 0
    assert json.loads(capsys.readouterr().out)["rollback"] is not None
    assert state_path(settings).read_bytes() == content


def test_recolor_runs_with_a_damaged_state_file(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(KEPT))
    state_path(settings).write_bytes(DAMAGED_STATES[0])
    out = tmp_path / "out"
    assert main(["recolor", str(FIXTURES / "portrait_640x480.png"), "-o", str(out), "--config", str(settings)]) == 0
    assert len(list(out.iterdir())) == 1


@pytest.mark.parametrize("content", DAMAGED_STATES)
def test_the_app_opens_with_a_damaged_state_file(make_window, tmp_path, content):
    settings = tmp_path / "settings.json"
    state_path(settings).write_bytes(content)
    window = make_window(settings_path=settings)
    assert window.fleet.assignment is None or window.fleet.assignment.held is not None
    assert window.session.assignment().held is not None


def _cli(*args: str) -> subprocess.CompletedProcess:
    """``hairtint`` in a child bounded by a timeout: a FIFO that were opened would block it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=REPO)


@pytest.mark.slow
@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.symlink_to("/dev/zero")], ids=["fifo", "link-to-dev-zero"])
def test_a_fifo_or_a_device_for_either_file_finishes_with_a_message(tmp_path, make):
    settings, state = tmp_path / "settings.json", tmp_path / "rollout_state.json"
    make(state)
    make(settings)
    status = _cli("rollout", "status", "--config", str(settings))
    assert status.returncode == 0 and "assignment    held" in status.stdout
    assert "not a regular file" in status.stdout and "using the defaults" in status.stderr
    refused = _cli("rollout", "set", "full", "--config", str(settings))
    assert refused.returncode == 2 and "not a regular file" in refused.stderr and "Traceback" not in refused.stderr
    assert not settings.is_file() and not state.is_file()
