"""A kiosk runs ``hairtint --kiosk`` without ``--verbose``: the line naming the model it loaded (id,
version, sha256, assignment) still reaches its log."""

from __future__ import annotations

import logging

import pytest

from hairtint_desktop.cli import main


@pytest.mark.slow
def test_the_model_loaded_is_logged_without_verbose(qtbot, tmp_path, photo_path, caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("core.fleet.monitor"), "level", logging.NOTSET)  # as a fresh process has it
    monkeypatch.setattr(logging.getLogger(), "level", logging.WARNING)  # as the command line sets it without -v
    assert main(["gui", "--source", str(photo_path), "--screenshot", str(tmp_path / "shot.png")]) == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "core.fleet.monitor" and r.levelno == logging.INFO]
    assert any(line.startswith("model hairnet ") and " loaded (sha256 " in line and "assignment stable" in line
               for line in lines), lines
