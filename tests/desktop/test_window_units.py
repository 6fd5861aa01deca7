"""The window's small units on their own: layout plan, settings plan, snapshot saving, overlay feed."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from core.catalog.config import Settings
from core.frames import Frame, Look, Result, RunningMode, Shade
from core.live import FrameInfo
from core.tryon.session import SettingsChange
from hairtint_desktop.layout_plan import MIN_TOUCH_PX, plan_layout, swatch_extent
from hairtint_desktop.overlay_feed import WAITING, OverlayFeed
from hairtint_desktop.settings_flow import plan_settings
from hairtint_desktop.snapshot import save_snapshot, usable_folder

AMBER = Look(Shade("Sunlit Amber", (200, 120, 42)))


@pytest.mark.parametrize("width, height", [(1280, 800), (1920, 1080), (1080, 1920), (1180, 760)])
@pytest.mark.parametrize("touch", [True, False])
def test_every_shade_fits_at_touch_size_without_scrolling(width, height, touch):
    plan = plan_layout(width, height, 14, other_height=460, other_width=320, touch=touch)
    cell_w, cell_h = swatch_extent(plan.button_size)
    rows = math.ceil(14 / plan.columns)
    assert plan.button_size >= MIN_TOUCH_PX
    assert plan.below == (height > width)
    if plan.below:
        assert plan.columns * cell_w + 320 <= width and rows * cell_h <= height * 0.5
    elif plan.side_by_side:
        assert rows * cell_h <= height and plan.columns * cell_w + 320 <= width * 0.5
    else:
        assert rows * cell_h + 460 <= height and plan.columns * cell_w <= width * 0.45


def test_settings_plan_reopens_the_camera_only_when_it_is_shown_or_picked():
    old = Settings(camera_index=0)
    new = old.with_(camera_index=2)
    change = SettingsChange.between(old, new)
    assert plan_settings(change, new, "camera:0").reopen == "camera:2"
    assert plan_settings(change, new, "synthetic").reopen is None
    assert plan_settings(SettingsChange(), old, "synthetic", reopen_camera=True).reopen == "camera:0"
    model = plan_settings(SettingsChange.between(old, old.with_(model="x")), old, "camera:0")
    assert model.model and model.reopen is None  # a new model is built on the same source


def test_snapshot_is_saved_under_a_free_name(tmp_path):
    pixels = np.full((8, 8, 3), 90, np.uint8)
    result = Result(Frame(pixels, 0, 0, "t"), pixels, np.zeros((8, 8), np.float32))
    when = datetime(2026, 5, 6, 7, 8, 9)
    first = save_snapshot(result, AMBER, tmp_path, when)
    second = save_snapshot(result, AMBER, tmp_path, when)
    assert first.ok and first.path.name == "hairtint_sunlit-amber_70_20260506-070809.jpg"
    assert second.path.name.endswith("-2.jpg")
    assert not save_snapshot(result, AMBER, tmp_path / "missing" / "deeper", when).ok
    assert usable_folder(str(tmp_path)) == str(tmp_path) and usable_folder(str(tmp_path / "nope")) is None


def test_overlay_feed_refreshes_a_few_times_a_second_and_at_once_for_stills():
    now = [0.0]
    feed = OverlayFeed(clock=lambda: now[0], every_s=0.25)
    info = FrameInfo(0, 0, 1, RunningMode.VIDEO, "s", 0, {"fps": 30.0}, "m 1")
    assert feed.due(info)
    now[0] = 0.1
    assert not feed.due(info)
    assert feed.due(FrameInfo(0, 0, 1, RunningMode.IMAGE, "s", 0, {}, "m 1"))
    now[0] = 0.5
    assert feed.due(info)
    assert OverlayFeed.text(None, size=None, display_fps=0, latency={}) == WAITING
    assert "m 1" in OverlayFeed.text(info, size=(64, 48), display_fps=29.0, latency={})
