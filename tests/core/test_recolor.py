from itertools import pairwise

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.catalog.palette import default_palette
from core.frames import Frame, Look, Shade
from core.stages.recolor import Recolorer
from core.tools.texture_metrics import detail
from tests.fakes import shade

PALETTE = default_palette()
SHADES = st.sampled_from([*PALETTE, Shade("#ffffff", (255, 255, 255)), Shade("#000000", (0, 0, 0))])


def hair_patch(height=96, width=80, base=(58, 38, 26), seed=0) -> np.ndarray:
    """Dark brown wavy strands: fine stripes of varying brightness, a sheen band and grain."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = xs + 4 * np.sin(ys / 15.0)
    strands = sum(amp * np.sin(2 * np.pi * wave / period + rng.uniform(0, 6.3))
                  for period, amp in ((3.1, 0.35), (5.7, 0.25), (11.3, 0.2)))
    sheen = np.exp(-((ys - 0.35 * height) / (0.08 * height)) ** 2)
    grain = rng.normal(0.0, 0.15, (height, width)).astype(np.float32)
    brightness = np.clip(1.0 + 0.35 * strands + 1.2 * sheen + grain, 0.15, None)
    return np.clip(np.array(base, np.float32) * brightness[..., None], 0, 255).astype(np.uint8)


def rank_correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Spearman's rank correlation of two flat arrays (ties broken by position)."""
    return float(np.corrcoef(first.argsort().argsort(), second.argsort().argsort())[0, 1])


def lab(pixels: np.ndarray) -> np.ndarray:
    """CIELAB with L in 0-100 and a, b centred on 0."""
    return cv2.cvtColor(pixels.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def hue_gap(pixels: np.ndarray, swatch: Shade) -> float:
    """Degrees between the mean a/b hue of ``pixels`` and the swatch's hue."""
    mean_ab = lab(pixels).reshape(-1, 3)[:, 1:].mean(axis=0)
    swatch_ab = lab(np.array([[swatch.rgb]], np.uint8))[0, 0, 1:]
    gap = np.degrees(np.arctan2(mean_ab[1], mean_ab[0]) - np.arctan2(swatch_ab[1], swatch_ab[0]))
    return abs((gap + 180.0) % 360.0 - 180.0)


def lab_distance(pixels: np.ndarray, swatch: Shade) -> float:
    """CIELAB distance from the mean colour of ``pixels`` to the swatch."""
    mean = lab(pixels).reshape(-1, 3).mean(axis=0)
    return float(np.linalg.norm(mean - lab(np.array([[swatch.rgb]], np.uint8))[0, 0]))


@pytest.fixture(scope="module")
def hair():
    return hair_patch()


@pytest.fixture(scope="module")
def full_mask(hair):
    return np.ones(hair.shape[:2], np.float32)


@st.composite
def pictures(draw):
    """A random small picture and a mask with exact zeros, soft values and tiny non-zero values."""
    height, width = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    mask = rng.random((height, width), dtype=np.float32)
    mask[mask < draw(st.floats(0.0, 1.0))] = 0.0
    mask[rng.random((height, width)) < 0.1] = 1e-6
    mask[rng.random((height, width)) < 0.2] = 1.0
    return pixels, mask


looks = st.builds(Look, shade=SHADES, intensity=st.integers(0, 100), shine=st.integers(0, 100),
                  tips=st.none() | SHADES)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(pictures(), looks)
def test_pixels_outside_the_mask_are_untouched(picture, look):
    pixels, mask = picture
    before = pixels.copy()
    out = Recolorer().recolor(pixels, mask, look)
    assert out.dtype == np.uint8 and out.shape == pixels.shape
    assert np.array_equal(out[mask == 0], pixels[mask == 0])
    assert np.array_equal(pixels, before)  # the input is not written to


@settings(max_examples=40, deadline=None)
@given(pictures(), looks)
def test_intensity_zero_returns_the_input_exactly(picture, look):
    pixels, mask = picture
    out = Recolorer().recolor(pixels, mask, look.with_(intensity=0))
    assert np.array_equal(out, pixels) and out is not pixels


def test_empty_mask_returns_a_copy(hair):
    out = Recolorer().recolor(hair, np.zeros(hair.shape[:2], np.float32), Look(shade("Copper Red"), intensity=100))
    assert np.array_equal(out, hair) and out is not hair


@pytest.mark.parametrize("size", [(1, 1), (1, 7), (7, 1), (2, 2)])
def test_tiny_pictures_are_recoloured(size):
    pixels = np.full((*size, 3), (60, 40, 25), np.uint8)
    look = Look(shade("Platinum Blonde"), intensity=100, tips=shade("Ocean Blue"))
    out = Recolorer().recolor(pixels, np.ones(size, np.float32), look)
    assert out.shape == pixels.shape and out.dtype == np.uint8
    assert out.astype(int).sum() > pixels.astype(int).sum() + 100 * out.size // 3


def test_read_only_frame_pixels_are_accepted(hair, full_mask):
    frame = Frame(pixels=hair, timestamp_ms=0, index=0, source_id="test")
    out = Recolorer().recolor(frame.pixels, full_mask, Look(shade("Auburn")))
    assert out.flags.writeable and not np.array_equal(out, hair)


def test_bad_inputs_are_refused(hair):
    recolorer, look = Recolorer(), Look(shade("Auburn"))
    with pytest.raises(ValueError, match="mask"):
        recolorer.recolor(hair, np.ones((3, 3), np.float32), look)
    with pytest.raises(ValueError, match="uint8"):
        recolorer.recolor(hair.astype(np.float32), np.ones(hair.shape[:2], np.float32), look)


@pytest.mark.parametrize("base", [(58, 38, 26), (20, 16, 14), (200, 170, 120)], ids=["brown", "near-black", "blonde"])
@pytest.mark.parametrize("name", ["Platinum Blonde", "Sunlit Amber", "Copper Red", "Jet Black", "Ocean Blue",
                                  "Pastel Lavender"])
def test_strand_texture_survives(full_mask, base, name):
    hair = hair_patch(base=base)
    out = Recolorer().recolor(hair, full_mask, Look(shade(name), intensity=100, shine=30))
    before, after = lab(hair)[..., 0].ravel(), lab(out)[..., 0].ravel()
    assert rank_correlation(before, after) >= 0.9  # every strand keeps its place among its neighbours
    # not a flat wash: at least half the contrast, relative to lightness when going darker
    assert after.std() >= 0.5 * before.std() * min(1.0, after.mean() / before.mean())
    if after.mean() > before.mean() + 10.0:  # a lift keeps the strands' relative contrast (issue 22's measure)
        whole = full_mask > 0
        kept, now = detail(hair, whole).ravel(), detail(out, whole).ravel()
        assert now.std() >= 0.8 * kept.std() and np.corrcoef(kept, now)[0, 1] >= 0.9


def test_dark_hair_lifted_keeps_its_relative_contrast_where_a_shift_would_flatten_it(full_mask):
    """Black hair lifted to platinum: a reflectance change keeps the strands' contrast relative to their
    surroundings; adding the same lightness to every strand (what the recolour did before) keeps barely
    half of it."""
    hair = hair_patch(base=(20, 16, 14))
    whole = full_mask > 0
    out = Recolorer().recolor(hair, full_mask, Look(shade("Platinum Blonde"), intensity=100, shine=0))
    shifted = lab(hair)
    shifted[..., 0] += lab(out)[..., 0].mean() - shifted[..., 0].mean()
    shifted = (cv2.cvtColor(shifted, cv2.COLOR_Lab2RGB).clip(0, 1) * 255).round().astype(np.uint8)
    spread = detail(out, whole).std() / detail(hair, whole).std()
    flat = detail(shifted, whole).std() / detail(hair, whole).std()
    print(f"relative contrast kept: lift {spread:.2f}, a shift of L* {flat:.2f}")
    assert spread >= 0.85 and flat < 0.6


@pytest.mark.parametrize("name", ["Honey Blonde", "Sunlit Amber", "Copper Red", "Burgundy", "Ocean Blue",
                                  "Pastel Lavender"])
def test_hue_moves_to_the_swatch(hair, full_mask, name):
    out = Recolorer().recolor(hair, full_mask, Look(shade(name), intensity=100))
    assert hue_gap(out, shade(name)) < min(3.0, hue_gap(hair, shade(name)) / 2)


@pytest.mark.parametrize("name, gain", [("Platinum Blonde", 45.0), ("Honey Blonde", 25.0), ("Sunlit Amber", 20.0)])
def test_dark_hair_dyed_light_gets_lighter(hair, full_mask, name, gain):
    out = Recolorer().recolor(hair, full_mask, Look(shade(name), intensity=100))
    assert lab(out)[..., 0].mean() > lab(hair)[..., 0].mean() + gain


def test_light_hair_dyed_black_gets_darker(full_mask):
    blonde = hair_patch(base=(200, 170, 120))
    out = Recolorer().recolor(blonde, full_mask, Look(shade("Jet Black"), intensity=100))
    assert lab(out)[..., 0].mean() < lab(blonde)[..., 0].mean() - 40.0


@pytest.mark.parametrize("name", ["Platinum Blonde", "Copper Red", "Ocean Blue", "Pastel Lavender", "Jet Black"])
def test_more_intensity_moves_further_to_the_swatch(hair, full_mask, name):
    recolorer = Recolorer()
    distances = [lab_distance(recolorer.recolor(hair, full_mask, Look(shade(name), intensity=i)), shade(name))
                 for i in (0, 25, 50, 75, 100)]
    assert all(later < earlier for earlier, later in pairwise(distances)), distances


def test_soft_mask_blends_partially(hair):
    recolorer, look = Recolorer(), Look(shade("Platinum Blonde"), intensity=100)
    full = recolorer.recolor(hair, np.ones(hair.shape[:2], np.float32), look)
    half = recolorer.recolor(hair, np.full(hair.shape[:2], 0.5, np.float32), look)
    middle = (hair.astype(np.float32) + full) / 2
    assert np.abs(half - middle).max() <= 1.0


def test_shine_brightens_bright_strands_only(hair, full_mask):
    recolorer = Recolorer()
    matte = lab(recolorer.recolor(hair, full_mask, Look(shade("Chestnut Brown"), intensity=100, shine=0)))[..., 0]
    shiny = lab(recolorer.recolor(hair, full_mask, Look(shade("Chestnut Brown"), intensity=100, shine=100)))[..., 0]
    original = lab(hair)[..., 0]
    bright, dark = original >= np.percentile(original, 90), original <= np.percentile(original, 50)
    assert (shiny - matte)[bright].mean() > 4.0
    assert abs((shiny - matte)[dark].mean()) < 1.0


def test_ombre_runs_from_root_shade_to_tip_shade(hair, full_mask):
    roots, tips = shade("Espresso"), shade("Honey Blonde")
    recolorer = Recolorer()
    out = recolorer.recolor(hair, full_mask, Look(roots, intensity=100, tips=tips))
    plain = recolorer.recolor(hair, full_mask, Look(roots, intensity=100))
    height = hair.shape[0]
    top, bottom = out[: height // 4], out[-height // 8 :]
    assert lab_distance(bottom, tips) < lab_distance(bottom, roots) - 20.0
    assert lab_distance(top, roots) < lab_distance(top, tips) - 20.0
    assert np.array_equal(top, plain[: height // 4])  # the roots are the plain shade
    rows = lab(out)[..., 0].mean(axis=1)
    assert rows[-height // 8 :].mean() > rows[height // 2 - 4 : height // 2 + 4].mean() > rows[: height // 8].mean()


def test_ombre_follows_the_hair_not_the_picture():
    """Roots and tips are the top and bottom of the masked hair, wherever it sits in the picture."""
    picture = np.zeros((200, 80, 3), np.uint8)
    picture[120:] = hair_patch(80, 80)
    mask = np.zeros(picture.shape[:2], np.float32)
    mask[120:] = 1.0
    look = Look(shade("Jet Black"), intensity=100, tips=shade("Platinum Blonde"))
    out = Recolorer().recolor(picture, mask, look)
    assert lab(out[120:130])[..., 0].mean() < 20.0
    assert lab(out[-10:])[..., 0].mean() > 60.0


def test_platinum_on_dark_hair_keeps_strands_below_white(hair, full_mask):
    """At 100 with full shine, the lightest strands roll off towards white instead of clipping into flat
    white streaks: none reaches it, and the brightest twentieth of them still differ from one another
    (not necessarily in their old order: a strand on a bright sheen rolls off further than one as bright
    on darker hair)."""
    original = lab(hair)[..., 0]
    out = lab(Recolorer().recolor(hair, full_mask, Look(shade("Platinum Blonde"), intensity=100, shine=100)))[..., 0]
    assert out.max() < 99.5
    assert np.percentile(out, 99) - np.percentile(out, 1) > 15.0  # highlights and shadows kept
    brightest = original >= np.percentile(original, 95)
    assert out[brightest].std() > 0.3  # a streak clipped to one value would have none


def test_a_soft_edge_over_skin_moves_only_by_its_share_of_the_hair_change(hair):
    """The skin share of a half-hair edge pixel keeps its colour: no grey or pale band."""
    pixels = hair.copy()
    pixels[:, -12:] = (214, 168, 146)  # forehead skin beside the hair
    mask = np.ones(hair.shape[:2], np.float32)
    mask[:, -12:] = 0.5
    look = Look(shade("Platinum Blonde"), intensity=100)
    moved = np.linalg.norm(lab(Recolorer().recolor(pixels, mask, look)) - lab(pixels), axis=2)
    hair_moved = moved[:, : -24].mean()
    assert hair_moved > 30.0
    assert moved[:, -12:].max() <= 0.5 * hair_moved + 3.0


def test_a_thin_strand_takes_the_colour_in_proportion_to_its_alpha(hair):
    """A strand of the hair's own colour that the mask is unsure of moves by its alpha's share of the
    change the same strand takes when the mask is sure. The share is measured in RGB, where the recolour
    composites (its CIELAB distances are not linear in a blend). The strand has its neighbours' mean
    colour: the colour the recolour gives an unsure pixel's hair."""
    pixels = hair.copy()
    pixels[:, 40:44] = hair[:, 30:54].mean(axis=1, keepdims=True).round().astype(np.uint8)
    mask = np.ones(hair.shape[:2], np.float32)
    mask[:, 40:44] = 0.3  # a strand the mask is unsure of, surrounded by sure hair
    look = Look(shade("Ocean Blue"), intensity=100)
    recolorer = Recolorer()
    strand = pixels[:, 40:44].astype(np.float32)
    full = recolorer.recolor(pixels, np.ones_like(mask), look)[:, 40:44].astype(np.float32)
    soft = recolorer.recolor(pixels, mask, look)[:, 40:44].astype(np.float32)
    share = np.linalg.norm(soft - strand, axis=2).mean() / np.linalg.norm(full - strand, axis=2).mean()
    assert share == pytest.approx(0.3, abs=0.05)


def test_ombre_runs_along_each_head():
    """Two heads at different heights: each one's top is the roots shade, each one's ends the tips."""
    picture = np.zeros((260, 200, 3), np.uint8)
    mask = np.zeros(picture.shape[:2], np.float32)
    for top, left in ((0, 0), (130, 110)):
        picture[top : top + 120, left : left + 80] = hair_patch(120, 80, seed=top)
        mask[top : top + 120, left : left + 80] = 1.0
    look = Look(shade("Jet Black"), intensity=100, tips=shade("Platinum Blonde"))
    light = lab(Recolorer().recolor(picture, mask, look))[..., 0]
    for top, left in ((0, 0), (130, 110)):
        head = light[top : top + 120, left : left + 80]
        assert head[:15].mean() < 25.0, top  # roots dark at the top of this head
        assert head[-10:].mean() > 60.0, top  # tips light at its ends
