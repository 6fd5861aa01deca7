"""The colour-line matte (core.stages.matte) on synthetic pictures drawn with numpy, through
``Refiner(matte=MatteSettings())`` and against ``Refiner(matte=None)``: mixed hair/skin pixels outside
a hard mask get their share of hair as alpha, skin inside a soft mask edge loses it, the mask is kept
where hair and background look alike and away from the edge; the settings' guards; the trimap."""

from itertools import pairwise

import numpy as np
import pytest

from core.frames import Frame
from core.stages.matte import MatteSettings, colour_line_coefficients, trimap
from core.stages.refine import Refiner

SIZE = 200
HAIR = np.array((40, 28, 20), np.float32)  # dark hair
SKIN = np.array((210, 170, 150), np.float32)
DARK = np.array((46, 33, 26), np.float32)  # a background as dark as the hair
BRIGHT = np.array((200, 180, 150), np.float32)  # a highlight on a strand
SHARES = (0.8, 0.6, 0.4, 0.2)  # hair's share of the mixed rows just below the hair, top to bottom


def to_frame(pixels: np.ndarray, noise: float = 1.5, seed: int = 0) -> Frame:
    noisy = pixels + np.random.default_rng(seed).normal(0, noise, pixels.shape) if noise else pixels
    return Frame(np.clip(np.round(noisy), 0, 255).astype(np.uint8), timestamp_ms=0, index=0, source_id="t")


def hard_mask(height: int, width: int, top: int) -> np.ndarray:
    """The true mask of hair on rows above ``top``: binary, so it cannot say a pixel is part hair."""
    mask = np.zeros((height, width), np.float32)
    mask[:top] = 1.0
    return mask


def hair_over_skin_with_mixed_rows(height: int, width: int) -> tuple[np.ndarray, int]:
    """Hair above row ``top``, skin below, and under the hair one row per share in SHARES whose colour is
    that mixture of hair and skin (fine hair over skin), float32 RGB."""
    top = height // 2
    pixels = np.empty((height, width, 3), np.float32)
    pixels[:] = SKIN
    pixels[:top] = HAIR
    for i, t in enumerate(SHARES):
        pixels[top + i] = t * HAIR + (1 - t) * SKIN
    return pixels, top


@pytest.mark.parametrize("height, width", [(SIZE, SIZE), (300, 400)])  # 400 wide: the matte's copy is smaller
def test_mixed_pixels_outside_a_hard_mask_get_their_share_of_hair(height, width):
    pixels, top = hair_over_skin_with_mixed_rows(height, width)
    frame, mask = to_frame(pixels), hard_mask(height, width, top)
    settings = MatteSettings()
    matte = Refiner(matte=settings).refine(mask, frame)
    plain = Refiner(matte=None).refine(mask, frame)
    band = [matte[top + i] for i in range(len(SHARES))]
    means = [row.mean() for row in band]
    expected = [np.clip((t - settings.low) / (settings.high - settings.low), 0.0, 1.0) for t in SHARES]
    print(f"{height}x{width} band rows, matte: {np.round(means, 3)} expected {np.round(expected, 3)}; "
          f"no matte: {np.round([plain[top + i].mean() for i in range(len(SHARES))], 3)}")
    assert all(a > b + 0.1 for a, b in pairwise(means))  # more hair, more alpha
    for row, share in zip(band, expected, strict=True):
        assert np.abs(row - share).max() < 0.1
    assert matte[top + len(SHARES) + 6 :].max() < 0.05  # bare skin well below stays bare
    assert matte[: top - 10].min() > 0.99  # and the hair stays hair
    # Without the matte the hard mask's edge stays hard: the thinner fine hair keeps alpha ~0 and so
    # would keep its old colour beside the dyed hair, the wig line the matte removes.
    for i, t in enumerate(SHARES):
        if t <= 0.6:
            assert plain[top + i].max() < 0.05
    errors = [np.abs(plain[top + i] - share).mean() for i, share in enumerate(expected)]
    assert np.mean(errors) > 0.25


def test_skin_inside_the_soft_edge_of_the_mask_gets_no_alpha():
    """The mask reaches 0.9 to 0.6 over four columns of plain skin beside the hair: colour says they are
    skin, so the matte takes their alpha away; the refiner alone keeps much of it."""
    edge = SIZE // 2  # hair left of this column, skin from it on
    pixels = np.empty((SIZE, SIZE, 3), np.float32)
    pixels[:] = SKIN
    pixels[:, :edge] = HAIR
    frame = to_frame(pixels)
    mask = np.zeros((SIZE, SIZE), np.float32)
    mask[:, :edge] = 1.0
    soft = slice(edge, edge + 4)
    mask[:, soft] = [0.9, 0.8, 0.7, 0.6]
    matte = Refiner(matte=MatteSettings()).refine(mask, frame)
    plain = Refiner(matte=None).refine(mask, frame)
    print(f"soft-edge skin columns, matte: {np.round(matte[:, soft].mean(0), 3)}, "
          f"no matte: {np.round(plain[:, soft].mean(0), 3)}")
    assert matte[:, soft].max() < 0.05
    assert plain[:, soft].max() > 0.5  # the refiner alone leaves hair on this skin
    assert matte[:, edge - 3 : edge].mean() > 0.95  # the hair beside it keeps its alpha
    assert matte[:, : edge - 10].min() > 0.99


def test_where_hair_and_background_look_alike_the_mask_is_kept():
    """Left half: hair over skin with mixed rows (the matte acts there). Right half: hair over a
    background as dark as itself, where colour cannot tell them apart: there the refiner's own alpha is
    kept exactly. A matte that trusted colour anyway would turn the picture's noise into alpha."""
    pixels, top = hair_over_skin_with_mixed_rows(SIZE, SIZE)
    pixels[top:, SIZE // 2 :] = DARK
    frame, mask = to_frame(pixels, noise=2.0), hard_mask(SIZE, SIZE, top)
    plain = Refiner(matte=None).refine(mask, frame)
    matte = Refiner(matte=MatteSettings()).refine(mask, frame)
    rows = slice(top - 10, top + 10)
    left, right = slice(0, 60), slice(140, SIZE)  # clear of the window round the skin/dark boundary
    gap = np.abs(matte[rows, right] - plain[rows, right]).max()
    print(f"dark-on-dark band: largest change {gap:.2e}")
    assert gap < 1e-3
    assert np.abs(matte[rows, left] - plain[rows, left]).max() > 0.3  # the matte is at work on the left
    careless = Refiner(matte=MatteSettings(min_contrast=0.0, full_contrast=1e-3)).refine(mask, frame)
    assert np.abs(careless[rows, right] - plain[rows, right]).max() > 0.1  # what the contrast guard prevents


def test_sure_hair_keeps_full_alpha_despite_bright_highlights():
    """Bright strands far inside the hair are not read as skin: the matte acts only in the band round
    the mask's edge. The same strand inside the band is read from its colour."""
    top = 120  # hair above this row, skin below
    pixels = np.empty((SIZE, SIZE, 3), np.float32)
    pixels[:] = SKIN
    pixels[:top] = HAIR
    deep = (slice(10, 70), [40, 41, 90, 140, 141])  # 50 rows and more from the edge
    pixels[deep] = BRIGHT
    near = (slice(top - 3, top), [170])  # inside the band
    pixels[near] = BRIGHT
    frame, mask = to_frame(pixels), hard_mask(SIZE, SIZE, top)
    matte = Refiner(matte=MatteSettings()).refine(mask, frame)
    plain = Refiner(matte=None).refine(mask, frame)
    print(f"strand alpha deep {matte[deep].min():.3f}, in the band {np.round(matte[near], 3)} "
          f"(no matte {np.round(plain[near], 3)})")
    assert matte[deep].min() > 0.99
    assert np.abs(matte[: top - 40] - plain[: top - 40]).max() < 1e-3
    assert matte[near].max() < 0.1 and plain[near].max() > 0.5


def test_a_gap_between_locks_takes_its_background_from_further_away():
    """Skin shows through a narrow gap between two dark locks, and the model half-fills the gap. Near the
    gap's top its band sees little sure skin; a wider look for the background (``back_reach``) lets
    colour lower the gap's alpha there, while the locks keep theirs."""
    pixels = np.empty((SIZE, SIZE, 3), np.float32)
    pixels[:] = SKIN
    pixels[: SIZE // 2] = HAIR
    gap = (slice(SIZE // 2 - 20, SIZE // 2), slice(SIZE // 2 - 3, SIZE // 2 + 3))
    pixels[gap] = SKIN
    mask = hard_mask(SIZE, SIZE, SIZE // 2)
    mask[gap] = 0.7
    frame = to_frame(pixels)
    near = Refiner(matte=MatteSettings(back_reach=1.0)).refine(mask, frame)
    wide = Refiner(matte=MatteSettings()).refine(mask, frame)
    inner = (gap[0], slice(gap[1].start + 1, gap[1].stop - 1))
    print(f"gap alpha: back_reach 1 {near[inner].mean():.3f}, default {wide[inner].mean():.3f}")
    assert wide[inner].mean() < near[inner].mean() - 0.1
    locks = (slice(10, SIZE // 2 - 30), slice(None))
    assert wide[locks].min() > 0.99 and near[locks].min() > 0.99


def test_over_the_cheeks_the_band_reaches_out_half_as_far():
    """Skin turning into shadow beside dark hair has the colour of a mixture of the two. Over a face's
    cheeks the band stops at ``cheek_reach`` of its reach: a darker ramp of skin further out than that
    keeps the mask's alpha (0) there, while the mixed rows next to the hair still get theirs."""
    height = width = SIZE
    pixels, top = hair_over_skin_with_mixed_rows(height, width)
    shade = np.linspace(0.45, 0.0, 8)[:, None]  # skin darkening towards the hair, 4..11 px below it
    pixels[top + 4 : top + 12] = (shade * HAIR + (1 - shade) * SKIN)[:, None]
    frame, mask = to_frame(pixels), hard_mask(height, width, top)
    settings = MatteSettings(band_out=0.05, band_in=0.01)  # 10 px out at 200 px
    guide = frame.pixels.astype(np.float32) / 255.0
    fallback = [np.zeros((height, width), np.float32)] * 3 + [mask.copy()]
    args = (guide, mask, fallback, 2.0, 10.0, settings)
    everywhere = np.ones((height, width), np.uint8)
    open_band = _alpha(colour_line_coefficients(*args), guide)
    cheek_band = _alpha(colour_line_coefficients(*args, cheeks=everywhere), guide)
    untouched = _alpha(colour_line_coefficients(*args, cheeks=np.zeros_like(everywhere)), guide)
    shadow = slice(top + 7, top + 12)  # 7 px out and more: beyond half the band
    print(f"shadow rows: open band {np.round(open_band[shadow].mean(1), 2)}, cheeks {np.round(cheek_band[shadow].mean(1), 2)}")
    assert open_band[top + 6].mean() > 0.1 and cheek_band[shadow].max() < 0.01
    np.testing.assert_allclose(cheek_band[top : top + 3], open_band[top : top + 3], atol=0.05)  # mixed rows
    np.testing.assert_array_equal(untouched, open_band)


def _alpha(planes, guide):
    """The clipped alpha coefficient planes give on ``guide`` (0-1)."""
    return np.clip(planes[3] + sum(planes[k] * guide[..., k] * 255.0 for k in range(3)), 0.0, 1.0)


@pytest.mark.parametrize("kwargs", [
    dict(low=0.5, high=0.5),
    dict(low=0.7, high=0.6),
    dict(low=-0.1),
    dict(high=1.1),
    dict(band_in=-0.01),
    dict(band_in=0.2),
    dict(band_out=0.0),
    dict(band_out=-0.01),
    dict(band_out=0.25),
    dict(min_contrast=0.16, full_contrast=0.16),
    dict(min_contrast=0.3, full_contrast=0.2),
    dict(min_contrast=-0.01),
    dict(window=0.0),
    dict(window=-1.0),
    dict(back_reach=0.5),
    dict(cheek_reach=-0.1),
    dict(cheek_reach=1.5),
    dict(work_width=7),
    dict(work_width=0),
])
def test_settings_reject_bad_values(kwargs):
    with pytest.raises(ValueError):
        MatteSettings(**kwargs)


def test_settings_accept_edge_values():
    MatteSettings()
    MatteSettings(band_in=0.0, low=0.0, high=1.0, min_contrast=0.0, work_width=8, window=0.01)


def test_trimap_band_grows_with_band_out_and_sure_parts_are_disjoint():
    mask = hard_mask(60, 80, 30)  # hair on rows 0-29
    band_in = 3.0
    widths = []
    for band_out in (2.0, 4.0, 8.0):
        sure_hair, sure_not, unknown = trimap(mask, band_in, band_out)
        assert sure_hair.dtype == np.uint8 and sure_not.dtype == np.uint8 and unknown.dtype == np.float32
        assert not (sure_hair & sure_not).any()
        assert not sure_hair[mask < 0.5].any() and not sure_not[mask >= 0.5].any()
        full = unknown == 1.0
        assert not (full & (sure_hair | sure_not).astype(bool)).any()  # the band is neither sure part
        per_column = full.sum(axis=0)
        assert (per_column == per_column[0]).all()  # a straight band along the straight edge
        assert abs(per_column[0] - (band_in + band_out)) <= 1
        rows = np.flatnonzero(full[:, 40])
        assert rows.min() < 30 <= rows.max()  # on both sides of the edge
        widths.append(int(full.sum()))
    print(f"unknown pixels for band_out 2, 4, 8: {widths}")
    assert widths[0] < widths[1] < widths[2]


def test_trimap_of_a_disk_puts_the_band_round_its_rim():
    ys, xs = np.mgrid[0:80, 0:80]
    radius = np.hypot(ys - 40, xs - 40)
    mask = (radius < 20).astype(np.float32)
    sure_hair, sure_not, unknown = trimap(mask, 4.0, 6.0)
    assert not (sure_hair & sure_not).any()
    assert (sure_hair[radius < 14] == 1).all() and (sure_not[radius > 28] == 1).all()
    assert (unknown[(radius > 17) & (radius < 24)] == 1.0).all()
    assert (unknown[(radius < 13) | (radius > 29)] == 0.0).all()


def test_no_band_returns_the_fallback_untouched():
    """A mask with no edge (all hair) has no unknown band: the mask's own coefficients come back."""
    guide = np.full((20, 30, 3), 0.5, np.float32)
    fallback = [np.full((20, 30), v, np.float32) for v in (0.1, 0.2, 0.3, 0.4)]
    out = colour_line_coefficients(guide, np.ones((20, 30), np.float32), fallback, 3.0, 3.0)
    assert out is fallback
