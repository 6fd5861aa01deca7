"""Refiner on synthetic pictures drawn with numpy: size and range, blob and hole clean-up, and no halo
of hair probability onto flat skin next to the hair."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.frames import Frame
from core.stages.refine import Refiner, RefineSettings, guided_coefficients

HEIGHT, WIDTH = 240, 320
EDGE = 150  # hair left of this column, skin from it on
SKIN = (222, 172, 138)


def hair_texture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Dark brown wavy strands with grain, float32 RGB."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    strands = 35 * np.sin(xs * 0.8 + 4 * np.sin(ys * 0.07)) + rng.normal(0, 10, (height, width))
    return np.stack([80 + strands, 55 + 0.8 * strands, 40 + 0.6 * strands], axis=-1)


def to_frame(pixels: np.ndarray, seed: int = 0) -> Frame:
    noisy = pixels + np.random.default_rng(seed).normal(0, 2.0, pixels.shape)
    return Frame(np.clip(noisy, 0, 255).astype(np.uint8), 0, 0, "test")


def hair_beside_skin() -> tuple[Frame, np.ndarray]:
    """Textured hair on the left, flat skin on the right, and the true hair mask."""
    pixels = np.empty((HEIGHT, WIDTH, 3), np.float32)
    pixels[:, :EDGE] = hair_texture(HEIGHT, EDGE)
    pixels[:, EDGE:] = SKIN
    truth = np.zeros((HEIGHT, WIDTH), np.float32)
    truth[:, :EDGE] = 1.0
    return to_frame(pixels), truth


@pytest.mark.parametrize("frame_size", [(240, 320), (480, 640)])
@pytest.mark.parametrize("mask_size", [None, (192, 192), (96, 128)])
def test_returns_a_float32_mask_in_range_at_the_frame_size(frame_size, mask_size):
    rng = np.random.default_rng(0)
    height, width = frame_size
    frame = Frame(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), 0, 0, "t")
    shape = frame_size if mask_size is None else mask_size
    mask = rng.uniform(-0.2, 1.2, shape).astype(np.float32)  # a little out of range on purpose
    out = Refiner().refine(mask, frame)
    assert out.shape == frame_size
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_a_small_mask_is_enlarged_to_follow_the_frame():
    frame, truth = hair_beside_skin()
    small = cv2.resize(truth, (192, 192), interpolation=cv2.INTER_AREA)
    out = Refiner().refine(small, frame)
    assert out[:, : EDGE - 4].min() > 0.9
    assert out[:, EDGE + 4 :].max() < 0.1


@pytest.mark.parametrize("dilate_px, blur_px", [(0, 4.0), (4, 3.0)])
def test_no_halo_on_flat_skin_next_to_hair(dilate_px, blur_px):
    """The raw mask spills across the hair's edge (blurred, or swollen and blurred): the refined mask
    has much less hair on the skin side and keeps the hair."""
    frame, truth = hair_beside_skin()
    raw = cv2.dilate(truth, np.ones((1, 2 * dilate_px + 1), np.uint8)) if dilate_px else truth
    raw = cv2.GaussianBlur(raw, (0, 0), blur_px)
    out = Refiner().refine(raw, frame)
    skin_raw, skin_out = raw[:, EDGE:].sum(), out[:, EDGE:].sum()
    hair_raw, hair_out = raw[:, :EDGE].sum(), out[:, :EDGE].sum()
    print(f"dilate {dilate_px} blur {blur_px}: skin-side mass raw {skin_raw:.0f} refined {skin_out:.0f}; "
          f"hair-side mass raw {hair_raw:.0f} refined {hair_out:.0f}")
    assert skin_out < 0.5 * skin_raw
    if dilate_px == 0:
        assert hair_out >= hair_raw  # the blurred edge's lost hair comes back
    else:
        assert hair_out >= 0.995 * hair_raw  # raw is already 1 over all the hair: nothing to gain
    assert out[:, : EDGE - 3].mean() > 0.99


def blobs_and_holes_scene():
    """Hair (textured) wherever the mask says so, backdrop elsewhere: a big region with a small and a
    large hole showing the backdrop, a tiny stray blob (a dark button, say) and a medium blob."""
    mask = np.zeros((HEIGHT, WIDTH), np.float32)
    mask[40:200, 20:180] = 1.0  # main region
    mask[60:90, 230:260] = 1.0  # medium blob: 900 px
    mask[150:158, 240:248] = 1.0  # tiny blob: 64 px
    mask[70:76, 60:66] = 0.0  # small hole: 36 px
    mask[110:150, 100:140] = 0.0  # large hole: 1600 px
    pixels = np.where(mask[..., None] > 0, hair_texture(HEIGHT, WIDTH, seed=1), np.float32([190, 200, 210]))
    return to_frame(pixels), mask


def test_tiny_blobs_go_small_holes_close_and_big_regions_stay():
    frame, mask = blobs_and_holes_scene()
    area = HEIGHT * WIDTH
    settings = RefineSettings(min_blob_fraction=0.002, max_hole_fraction=0.001)
    assert 64 < settings.min_blob_fraction * area < 900  # the tiny blob is under the limit, the medium one over
    assert 36 < settings.max_hole_fraction * area < 1600  # the small hole is under the limit, the large one over
    out = Refiner(settings).refine(cv2.GaussianBlur(mask, (0, 0), 1.5), frame)
    assert out[146:162, 236:252].max() < 0.05  # tiny blob gone
    assert out[65:85, 235:255].min() > 0.9  # medium blob kept
    assert out[70:76, 60:66].min() > 0.9  # small hole filled
    assert out[118:142, 108:132].max() < 0.1  # large hole kept
    assert out[45:65, 25:175].mean() > 0.97  # main region kept


def test_without_clean_up_the_tiny_blob_and_small_hole_survive():
    """The same scene with clean-up off: shows the test above measures the clean-up, not the filter."""
    frame, mask = blobs_and_holes_scene()
    out = Refiner(RefineSettings(min_blob_fraction=0.0, max_hole_fraction=0.0)).refine(
        cv2.GaussianBlur(mask, (0, 0), 1.5), frame)
    assert out[146:162, 236:252].max() > 0.5
    assert out[70:76, 60:66].min() < 0.5


def guided_filter_by_windows(guide: np.ndarray, mask: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """The colour guided filter written out: a least-squares fit per window, then averaged."""
    height, width = mask.shape
    size = 2 * radius + 1
    padded_guide = cv2.copyMakeBorder(guide, radius, radius, radius, radius, cv2.BORDER_REFLECT).astype(np.float64)
    padded_mask = cv2.copyMakeBorder(mask, radius, radius, radius, radius, cv2.BORDER_REFLECT).astype(np.float64)
    fits = np.zeros((height, width, 4))
    for y in range(height):
        for x in range(width):
            colours = padded_guide[y : y + size, x : x + size].reshape(-1, 3)
            values = padded_mask[y : y + size, x : x + size].reshape(-1)
            centred = colours - colours.mean(axis=0)
            slope = np.linalg.solve(centred.T @ centred / len(values) + eps * np.eye(3),
                                    centred.T @ (values - values.mean()) / len(values))
            fits[y, x] = (*slope, values.mean() - slope @ colours.mean(axis=0))
    padded_fits = cv2.copyMakeBorder(fits.astype(np.float32), radius, radius, radius, radius, cv2.BORDER_REFLECT)
    mean_fits = cv2.blur(padded_fits, (size, size))[radius:-radius, radius:-radius]
    return (mean_fits[..., :3] * guide).sum(axis=-1) + mean_fits[..., 3]


@pytest.mark.parametrize("contrast", [1.0, 0.25])
def test_coefficients_give_the_guided_filter(contrast):
    rng = np.random.default_rng(5)
    guide = cv2.GaussianBlur(rng.random((24, 32, 3)).astype(np.float32), (0, 0), 1.0)
    guide = ((guide - guide.mean()) * 4 * contrast + 0.5).astype(np.float32)
    mask = (cv2.GaussianBlur(rng.random((24, 32)).astype(np.float32), (0, 0), 2) > 0.5).astype(np.float32)
    a_r, a_g, a_b, b = guided_coefficients(guide, mask, 3, 1e-3)
    ours = a_r * guide[..., 0] + a_g * guide[..., 1] + a_b * guide[..., 2] + b
    np.testing.assert_allclose(ours, guided_filter_by_windows(guide, mask, 3, 1e-3), atol=1e-3)
    assert np.abs(ours - cv2.blur(mask, (7, 7))).max() > 0.1  # the guide matters: not a plain box blur


def test_settings_are_checked():
    with pytest.raises(ValueError):
        RefineSettings(radius_share=0)
    with pytest.raises(ValueError):
        RefineSettings(low=0.8, high=0.2)
    with pytest.raises(ValueError):
        RefineSettings(feather_px=-1)


@settings(max_examples=25, deadline=None)
@given(
    height=st.integers(4, 80),
    width=st.integers(4, 80),
    mask_shape=st.sampled_from([None, (16, 16), (7, 33)]),
    seed=st.integers(0, 2**16),
)
def test_any_size_gives_a_mask_at_the_frame_size_in_range(height, width, mask_shape, seed):
    rng = np.random.default_rng(seed)
    frame = Frame(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), 0, 0, "h")
    mask = rng.random(mask_shape or (height, width)).astype(np.float32)
    out = Refiner().refine(mask, frame)
    assert out.shape == (height, width) and out.dtype == np.float32
    assert np.all((out >= 0.0) & (out <= 1.0))
