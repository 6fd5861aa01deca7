"""TemporalSmoother on synthetic clips: a head drawn with numpy, and a 'segmenter' whose hair edge
wobbles a few pixels from frame to frame with confident (near 0/1) values, the flicker MediaPipe's
uncertainty-only smoothing lets through."""

from itertools import pairwise

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.frames import Frame
from core.stages.smooth import EmaSmoother, SmoothedRefiner, SmoothSettings, TemporalSmoother, UncertaintySmoother

HEIGHT, WIDTH = 240, 320
FRAMES = 30
SETTLE = 5  # frames left out of the figures while the smoothers fill their history


def draw_head(centre_x: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(RGB frame, true hair mask): textured hair around a flat skin face on a gradient backdrop,
    with camera noise."""
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    hair = ((xs - centre_x) / 80) ** 2 + ((ys - 110) / 78) ** 2 < 1
    face = ((xs - centre_x) / 50) ** 2 + ((ys - 155) / 62) ** 2 < 1
    hair &= ~face
    pixels = np.stack([150 + 40 * xs / WIDTH, np.full_like(xs, 160), 175 - 30 * ys / HEIGHT], axis=-1)
    pixels[face] = (224, 172, 140)
    strands = 30 * np.sin((xs - centre_x) * 0.9 + 3 * np.sin(ys * 0.05))
    pixels[hair] = np.stack([70 + strands, 45 + 0.7 * strands, 30 + 0.5 * strands], axis=-1)[hair]
    pixels += rng.normal(0, 2.0, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8), hair


def wobbly_mask(truth: np.ndarray, rng: np.random.Generator, wobble_px: float = 3.0) -> np.ndarray:
    """A sharp (confident) mask whose edge is pushed in or out by a smooth random field, new each frame."""
    inside = truth.astype(np.uint8)
    distance = cv2.distanceTransform(inside, cv2.DIST_L2, 5) - cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
    field = cv2.resize(rng.normal(0, 1, (6, 8)).astype(np.float32), (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC)
    logit = np.clip((distance + wobble_px * field) / 0.7, -30, 30)
    return (1 / (1 + np.exp(-logit))).astype(np.float32)


def make_clip(step_px: float, seed: int, start_x: float = 100.0):
    """[(frame, raw mask, true mask)] with the head moving ``step_px`` to the right each frame."""
    rng = np.random.default_rng(seed)
    clip = []
    for i in range(FRAMES):
        pixels, truth = draw_head(start_x + step_px * i, rng)
        clip.append((Frame(pixels, 33 * i, i, "clip"), wobbly_mask(truth, rng), truth))
    return clip


@pytest.fixture(scope="module")
def still_clip():
    return make_clip(0.0, seed=1, start_x=160.0)


@pytest.fixture(scope="module")
def moving_clip():
    return make_clip(3.0, seed=2)


def run(smoother, clip, size=None):
    out = []
    for frame, mask, _ in clip:
        if size is not None:
            mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
        out.append(smoother.smooth(mask, frame))
    return out


def flicker(masks) -> float:
    """Mean absolute change from one frame's mask to the next."""
    masks = masks[SETTLE:]
    return float(np.mean([np.abs(b - a).mean() for a, b in pairwise(masks)]))


def mean_iou(masks, clip) -> float:
    scores = []
    for mask, (_, _, truth) in list(zip(masks, clip, strict=True))[SETTLE:]:
        hair = mask > 0.5
        scores.append((hair & truth).sum() / (hair | truth).sum())
    return float(np.mean(scores))


def test_still_head_flicker_is_far_below_raw_and_below_uncertainty_only(still_clip):
    raw = flicker([mask for _, mask, _ in still_clip])
    ours = flicker(run(TemporalSmoother(), still_clip))
    baseline = flicker(run(UncertaintySmoother(), still_clip))
    print(f"still-head flicker: raw {raw:.4f}, uncertainty-only {baseline:.4f}, temporal {ours:.4f}")
    assert ours < 0.3 * raw
    assert ours <= baseline


def test_still_head_flicker_is_suppressed_for_a_small_mask_too(still_clip):
    size = (192, 192)
    raw = flicker([cv2.resize(mask, size, interpolation=cv2.INTER_AREA) for _, mask, _ in still_clip])
    smoothed = run(TemporalSmoother(), still_clip, size=size)
    assert all(mask.shape == (192, 192) and mask.dtype == np.float32 for mask in smoothed)
    assert flicker(smoothed) < 0.3 * raw


def test_moving_head_is_followed_without_lag_unlike_an_ema_as_steady(still_clip, moving_clip):
    ours_flicker = flicker(run(TemporalSmoother(), still_clip))
    # The least-smoothing EMA that is at least as steady as ours on the still head.
    alphas = [a for a in np.arange(0.05, 1.0, 0.05) if flicker(run(EmaSmoother(a), still_clip)) <= ours_flicker]
    assert alphas, "no EMA matches the temporal smoother's steadiness"
    ema_iou = mean_iou(run(EmaSmoother(max(alphas)), moving_clip), moving_clip)
    ours_iou = mean_iou(run(TemporalSmoother(), moving_clip), moving_clip)
    raw_iou = mean_iou([mask for _, mask, _ in moving_clip], moving_clip)
    print(f"moving-head IoU: raw {raw_iou:.3f}, temporal {ours_iou:.3f}, EMA(alpha={max(alphas):.2f}) {ema_iou:.3f}")
    assert ours_iou >= raw_iou - 0.01  # no lag to speak of
    assert ours_iou > ema_iou + 0.05


def test_reset_forgets_history(still_clip):
    smoother = TemporalSmoother()
    run(smoother, still_clip[:10])
    frame, _, _ = still_clip[10]
    fresh = np.random.default_rng(3).random((HEIGHT, WIDTH)).astype(np.float32)
    assert not np.array_equal(smoother.smooth(fresh, frame), fresh)  # with history, the mask is blended
    smoother.reset()
    np.testing.assert_array_equal(smoother.smooth(fresh, frame), fresh)


def test_a_new_shape_or_source_or_a_long_gap_forgets_history(still_clip):
    smoother = TemporalSmoother()
    run(smoother, still_clip[:10])
    frame, _, _ = still_clip[10]
    rng = np.random.default_rng(4)

    small = rng.random((192, 192)).astype(np.float32)
    out = smoother.smooth(small, frame)
    assert out.shape == (192, 192)
    np.testing.assert_array_equal(out, small)

    half = cv2.resize(frame.pixels, (WIDTH // 2, HEIGHT // 2))
    resized = Frame(half, frame.timestamp_ms + 33, frame.index + 1, "clip")
    mask = rng.random((HEIGHT // 2, WIDTH // 2)).astype(np.float32)
    np.testing.assert_array_equal(smoother.smooth(mask, resized), mask)

    other = Frame(half, resized.timestamp_ms + 33, 0, "another camera")
    mask = rng.random((HEIGHT // 2, WIDTH // 2)).astype(np.float32)
    np.testing.assert_array_equal(smoother.smooth(mask, other), mask)

    late = Frame(half, other.timestamp_ms + 5000, 1, "another camera")
    mask = rng.random((HEIGHT // 2, WIDTH // 2)).astype(np.float32)
    np.testing.assert_array_equal(smoother.smooth(mask, late), mask)


def test_the_result_is_read_only_history():
    frame = Frame(np.zeros((48, 64, 3), np.uint8), 0, 0, "s")
    out = TemporalSmoother().smooth(np.full((48, 64), 0.5, np.float32), frame)
    with pytest.raises(ValueError):
        out[0, 0] = 1.0


def test_settings_are_checked():
    with pytest.raises(ValueError):
        SmoothSettings(still_weight=1.0)
    with pytest.raises(ValueError):
        SmoothSettings(motion_low=10, motion_high=5)


@settings(max_examples=25, deadline=None)
@given(
    height=st.integers(8, 60),
    width=st.integers(8, 60),
    mask_size=st.sampled_from([None, (16, 16), (33, 7)]),
    seed=st.integers(0, 2**16),
)
def test_output_keeps_the_shape_and_stays_between_previous_and_new(height, width, mask_size, seed):
    rng = np.random.default_rng(seed)
    shape = (height, width) if mask_size is None else mask_size
    smoother = TemporalSmoother()
    previous = None
    for i in range(4):
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        mask = rng.random(shape).astype(np.float32)
        out = smoother.smooth(mask, Frame(pixels, 33 * i, i, "h"))
        assert out.shape == shape and out.dtype == np.float32
        if previous is not None:  # a convex blend of the two, so also within [0, 1]
            assert np.all(out >= np.minimum(previous, mask) - 1e-6)
            assert np.all(out <= np.maximum(previous, mask) + 1e-6)
        previous = out


def test_exposure_drift_and_noise_on_a_still_head_are_not_movement(still_clip):
    """The picture brightens 1.5 % a frame (auto exposure) with fresh noise: the hair has not moved, so
    a confidently flickering mask is still held steady."""
    drifting = []
    for i, (frame, mask, truth) in enumerate(still_clip):
        brighter = cv2.convertScaleAbs(frame.pixels, alpha=1.0 + 0.015 * i)
        drifting.append((Frame(brighter, frame.timestamp_ms, frame.index, frame.source_id), mask, truth))
    raw = flicker([mask for _, mask, _ in drifting])
    assert flicker(run(TemporalSmoother(), drifting)) < 0.3 * raw


class AddNoise:
    """A 'refiner' that adds fresh noise to the mask each frame, as refining against a noisy frame does."""

    def __init__(self):
        self.rng, self.closed = np.random.default_rng(0), False

    def refine(self, mask, frame):
        return np.clip(mask + self.rng.normal(0, 0.1, mask.shape).astype(np.float32), 0, 1)

    def close(self):
        self.closed = True


def test_smoothed_refiner_steadies_what_the_refiner_adds_and_follows_a_moving_head(still_clip, moving_clip):
    def final(refiner, clip):
        return [refiner.refine(truth.astype(np.float32), frame) for frame, _, truth in clip]

    noisy, steadied = final(AddNoise(), still_clip), final(SmoothedRefiner(AddNoise()), still_clip)
    assert flicker(steadied) < 0.3 * flicker(noisy)
    moving_plain = mean_iou(final(AddNoise(), moving_clip), moving_clip)
    assert mean_iou(final(SmoothedRefiner(AddNoise()), moving_clip), moving_clip) >= moving_plain - 0.01


def test_smoothed_refiner_resets_and_closes_its_refiner(still_clip):
    inner = AddNoise()
    inner.rng = np.random.default_rng(5)
    refiner = SmoothedRefiner(inner)
    for frame, mask, _ in still_clip[:5]:
        refiner.refine(mask, frame)
    frame, mask, _ = still_clip[5]
    inner.refine = lambda m, f: m  # from here on the inner refiner changes nothing
    assert not np.array_equal(refiner.refine(mask, frame), mask)  # blended with the history
    refiner.reset()
    np.testing.assert_array_equal(refiner.refine(mask, frame), mask)
    refiner.close()
    assert inner.closed
