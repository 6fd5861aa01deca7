import dataclasses
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.demo import synthetic
from core.demo.synthetic import portrait_style, render_portrait
from core.io.images import load_image

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize("size", [(160, 120), (97, 61), (90, 160)])
def test_shapes_and_types(size):
    width, height = size
    rgb, mask = render_portrait(width, height, 0.5, seed=1)
    assert rgb.shape == (height, width, 3) and rgb.dtype == np.uint8
    assert mask.shape == (height, width) and mask.dtype == bool
    assert 0.03 < mask.mean() < 0.4


def test_deterministic_for_size_time_and_seed():
    a = render_portrait(160, 120, 1.25, seed=4)
    b = render_portrait(160, 120, 1.25, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], render_portrait(160, 120, 1.25, seed=5)[0])


def test_the_head_moves_but_gently():
    _, first = render_portrait(160, 120, 0.0, seed=2)
    _, later = render_portrait(160, 120, 1.0, seed=2)
    overlap = (first & later).sum() / (first | later).sum()
    assert 0.6 < overlap < 0.99


def test_hair_is_one_textured_region_above_the_shoulders():
    rgb, mask = render_portrait(320, 240, 0.0, seed=0)
    _count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
    biggest = stats[1:, cv2.CC_STAT_AREA].max()
    assert biggest > 0.9 * mask.sum()
    hair = rgb[mask].astype(float)
    assert hair.std(axis=0).mean() > 10  # strands of varying brightness, not a flat fill
    rows = np.nonzero(mask.any(axis=1))[0]
    assert rows.min() > 5 and rows.max() < 235  # head room above, shoulders below


def test_mask_is_exactly_where_the_hair_is(monkeypatch):
    """Recolour the hair by changing the style: the pixels that change are the mask (plus anti-aliased edges)."""
    original_style = synthetic.portrait_style
    rgb, mask = render_portrait(320, 240, 0.4, seed=0)
    try:
        green = lambda seed=0: dataclasses.replace(original_style(seed), hair_rgb=(0, 255, 0))  # noqa: E731
        monkeypatch.setattr(synthetic, "portrait_style", green)
        synthetic._scene.cache_clear()
        recoloured, mask_again = render_portrait(320, 240, 0.4, seed=0)
    finally:
        monkeypatch.undo()
        synthetic._scene.cache_clear()

    assert np.array_equal(mask, mask_again)
    changed = np.abs(recoloured.astype(int) - rgb.astype(int)).max(axis=2) > 15  # noise is identical: unchanged is 0
    near_mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert not (mask & ~changed).any()  # every hair pixel is hair
    assert (changed & ~near_mask).sum() <= 0.005 * mask.sum()  # only faint wisps lie outside it


def test_styles_differ_between_seeds():
    styles = {portrait_style(seed) for seed in range(12)}
    assert len({s.hair_rgb for s in styles}) >= 3
    assert len({s.skin_rgb for s in styles}) >= 3


def test_a_frame_is_cheap_once_the_scene_is_drawn():
    render_portrait(320, 240, 0.0, seed=0)
    start = time.perf_counter()
    for i in range(20):
        render_portrait(320, 240, i / 30, seed=0)
    per_frame_ms = (time.perf_counter() - start) * 1000 / 20
    assert per_frame_ms < 40  # ~2 ms on an idle laptop core; drawing the scene again would cost ~100x


def test_fixtures_match_the_renderer():
    """If this fails after changing the renderer, run fixtures/make_fixtures.py."""
    rgb, mask = render_portrait(640, 480, 0.0, seed=0)
    stored = load_image(FIXTURES / "portrait_640x480.png")
    stored_mask = load_image(FIXTURES / "portrait_640x480_mask.png")[:, :, 0] > 127
    assert np.abs(stored.astype(int) - rgb).mean() < 1.0  # tolerant of OpenCV drawing changes
    assert (stored_mask & mask).sum() / (stored_mask | mask).sum() > 0.99
