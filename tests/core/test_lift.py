"""The reflectance lift (core.stages.lift): linear light and 8-bit L convert both ways, the roll-offs leave
what is below their knee alone and never reach their ceiling, the gain brings the hair's mean to the
shade, and the split into base and detail keeps each strand's relative contrast through a lift."""

import cv2
import numpy as np
import pytest

from core.stages import lift


def test_levels_and_linear_light_convert_both_ways():
    levels = np.arange(256, dtype=np.float64)
    y = lift.y_of_level(levels)
    assert y[0] == 0.0 and y[-1] == pytest.approx(1.0)
    assert np.all(np.diff(y) > 0)
    np.testing.assert_allclose(lift.level_of_y(y.astype(np.float32)), levels, atol=0.02)
    # CIELAB: L* 50 is 18.4 % of white's light
    assert float(lift.y_of_level(50 * 2.55)) == pytest.approx(0.1842, abs=1e-3)


def test_a_roll_off_leaves_the_range_below_its_knee_and_bends_smoothly_below_its_ceiling():
    y = np.linspace(0.0, 5.0, 2001)
    out = lift.roll_off(y, 0.6, 0.8)
    below = y <= 0.6
    np.testing.assert_array_equal(out[below], y[below])
    assert np.all(np.diff(out) > 0) and out.max() < 0.8
    slope = np.diff(out) / np.diff(y)
    knee = int(np.searchsorted(y, 0.6))
    assert slope[knee] == pytest.approx(1.0, abs=0.02)  # no kink at the knee
    np.testing.assert_allclose(lift.roll_off(np.array([0.3, 0.9]), 0.5, 0.5), [0.3, 0.5], atol=1e-5)  # no room


@pytest.mark.parametrize("target", [20.0, 60.0, 120.0, 200.0, 225.0])
@pytest.mark.parametrize("hair", [(5, 40), (30, 90), (150, 210)], ids=["black", "brown", "blonde"])
def test_the_gain_brings_the_hairs_mean_to_the_shade(target, hair):
    share = np.zeros(256)
    share[hair[0] : hair[1]] = 1.0
    share /= share.sum()
    gain = lift.solve_gain(share, target)
    assert float(lift.level_map(gain, target) @ share) == pytest.approx(lift.AIM * target, abs=0.5)
    assert (gain > 1.0) == (target > float(share @ np.arange(256)))  # lighter shades lift, darker ones darken


def test_the_level_map_takes_one_gain_or_many():
    many = lift.level_map(np.array([0.5, 2.0, 8.0]), 200.0)
    assert many.shape == (3, 256)
    np.testing.assert_allclose(many[1], lift.level_map(2.0, 200.0))
    assert np.all(many[0] <= many[1]) and np.all(many[1] <= many[2])


def striped(base_level: int = 40, contrast: float = 0.35, size: int = 64) -> np.ndarray:
    """8-bit L of hair in vertical strands: each column's light ``1 +- contrast`` times the base's."""
    rng = np.random.default_rng(3)
    factor = 1.0 + contrast * rng.uniform(-1, 1, size)
    y = float(lift.y_of_level(base_level)) * np.repeat(factor[None, :], size, axis=0)
    return np.clip(np.rint(lift.level_of_y(y.astype(np.float32))), 0, 255).astype(np.uint8)


def test_the_split_keeps_each_strand_relative_to_the_hair_around_it():
    light = striped()
    core = np.ones(light.shape, bool)
    strands = lift.split(light, core)
    y = cv2.LUT(light, lift.y_of_level(np.arange(256)).astype(np.float32))
    np.testing.assert_allclose(strands.base * strands.detail, y, rtol=1e-5)
    assert abs(float(np.median(strands.detail)) - 1.0) < 0.1


def test_skin_beside_the_hair_does_not_pull_its_base():
    """The base is a mean over the hair only: bright or dark skin beside it leaves the hair's base as it is."""
    core = np.zeros((64, 64), bool)
    core[:, :48] = True
    bases = []
    for skin in (200, 0):
        light = striped()
        light[:, 48:] = skin
        bases.append(lift.split(light, core).base[:, :48])
    np.testing.assert_allclose(bases[0], bases[1], rtol=1e-5)


def test_a_lift_scales_every_strand_alike_until_it_nears_white():
    """Dark strands lifted to a mid shade: the new light over the old is the same factor for each strand
    (a change of reflectance), so the strands' contrast relative to one another is kept."""
    light = striped(base_level=40)
    strands = lift.split(light, np.ones(light.shape, bool))
    new = lift.lifted(strands, 4.0, 150.0)
    y_old = strands.base * strands.detail
    y_new = lift.y_of_level(new.astype(np.float64))
    ratio = y_new / y_old
    assert ratio.std() / ratio.mean() < 0.01 and ratio.mean() == pytest.approx(4.0, rel=0.01)


def test_shine_brightens_only_where_asked_and_stays_below_white():
    light = striped(base_level=120)
    strands = lift.split(light, np.ones(light.shape, bool))
    shine = np.ones(light.shape, np.float32)
    shine[:, :8] = 1.3
    plain = lift.lifted(strands, 3.0, 220.0)
    shiny = lift.lifted(strands, 3.0, 220.0, shine)
    assert np.all(shiny[:, :8] > plain[:, :8]) and np.array_equal(shiny[:, 8:], plain[:, 8:])
    assert shiny.max() < 255.0
