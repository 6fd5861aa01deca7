"""A "Looks wrong" report's picture (only with feedback.keep_snapshot): one folder per report, whole or
not at all."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from core.errors import HairTintError
from core.fleet import feedback_snapshot
from core.fleet.feedback_snapshot import keep_snapshot, snapshot_folder
from core.io.images import ImageWriteError, load_image

WHEN = datetime(2026, 12, 7, 9, 30, 5)
PIXELS = np.full((24, 32, 3), 90, np.uint8)
MASK = np.linspace(0, 1, 24 * 32, dtype=np.float32).reshape(24, 32)
DETAILS = {"model": "hairnet-hq", "version": "1.0.0", "assignment": "experimental"}


def test_two_reports_in_one_second_get_two_folders(tmp_path):
    first = keep_snapshot(tmp_path / "feedback", PIXELS, MASK, DETAILS, WHEN)
    second = keep_snapshot(tmp_path / "feedback", PIXELS, MASK, DETAILS, WHEN)
    assert first.name == "looks-wrong_20261207-093005_hairnet-hq-1-0-0" and second.name == first.name + "-2"
    assert np.array_equal(load_image(second / "frame.png"), PIXELS)
    assert load_image(second / "mask.png")[..., 0].max() == 255
    assert json.loads((second / "report.json").read_text())["time"] == "2026-12-07T09:30:05"


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    real = feedback_snapshot.save_image

    def failing(path, rgb):
        if Path(path).name == "mask.png":
            raise ImageWriteError(f"cannot save {path}: No space left on device")
        return real(path, rgb)

    monkeypatch.setattr(feedback_snapshot, "save_image", failing)
    with pytest.raises(HairTintError, match="No space left"):
        keep_snapshot(tmp_path, PIXELS, MASK, DETAILS, WHEN)
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_beside_the_settings_file_unless_one_is_named(tmp_path):
    assert snapshot_folder(None, tmp_path / "settings.json") == tmp_path / "feedback"
    assert snapshot_folder(str(tmp_path / "elsewhere"), tmp_path / "settings.json") == tmp_path / "elsewhere"
