"""video_eval: the clips are deterministic and their truth follows the motion; flicker and IoU on tiny
inputs with known answers; live vs per-frame runs through a real Pipeline with fake stages."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.frames import Look, Shade
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.tools import video_eval as ve
from tests.fakes import Identity

LOOK = Look(Shade("Test", (200, 100, 50)))


def two_tone_photo(height=120, width=160):
    """A dark 'hair' disc on a light backdrop, and its mask."""
    ys, xs = np.mgrid[0:height, 0:width]
    hair = (xs - width * 0.45) ** 2 + (ys - height * 0.4) ** 2 < (height * 0.3) ** 2
    rgb = np.full((height, width, 3), 200, np.uint8)
    rgb[hair] = (40, 30, 20)
    return rgb, hair


class DarkIsHair:
    """A fake segmenter: hair where the picture is dark. ``warm_up``: the first frame after a reset
    says no hair at all (stands in for a model that needs its previous mask)."""

    def __init__(self, warm_up=False):
        self.warm_up, self.fresh = warm_up, True

    def segment(self, frame):
        grey = frame.pixels.mean(axis=2)
        mask = (grey < 110).astype(np.float32)
        if self.warm_up and self.fresh:
            mask[:] = 0.0
        self.fresh = False
        return mask

    def reset(self):
        self.fresh = True

    def close(self):
        pass


def fake_pipeline(warm_up=False):
    return Pipeline(DarkIsHair(warm_up), PassThroughSmoother(), Identity(), Identity())


def test_fit_letterboxes_and_keeps_the_mask_on_the_photo():
    rgb, hair = two_tone_photo(100, 200)  # 2:1 into 4:3: bars above and below
    pixels, mask = ve.fit(rgb, hair)
    assert pixels.shape == (480, 640, 3) and mask.shape == (480, 640)
    assert np.all(pixels[:79] == ve.PAD_GREY) and np.all(pixels[-79:] == ve.PAD_GREY)
    assert not mask[:80].any() and not mask[-80:].any()
    assert mask.sum() == pytest.approx(hair.sum() * 3.2 ** 2, rel=0.03)
    assert np.all(pixels[mask].mean(axis=0) < 60)  # the mask lies on the dark disc


@pytest.mark.slow
def test_still_clip_is_deterministic_noisy_and_timed_at_30_fps():
    rgb, hair = two_tone_photo()
    a, b = ve.still_clip(rgb, hair, seed=7, frames=5), ve.still_clip(rgb, hair, seed=7, frames=5)
    c = ve.still_clip(rgb, hair, seed=8, frames=5)
    assert all(np.array_equal(x.pixels, y.pixels) for x, y in zip(a.frames, b.frames, strict=True))
    assert not np.array_equal(a.frames[0].pixels, c.frames[0].pixels)
    assert not np.array_equal(a.frames[0].pixels, a.frames[1].pixels)  # fresh noise every frame
    assert [f.timestamp_ms for f in a.frames] == [0, 33, 67, 100, 133]
    assert [f.index for f in a.frames] == list(range(5))
    assert len({f.source_id for f in a.frames}) == 1
    fitted, mask = ve.fit(rgb, hair)
    assert all(np.array_equal(t, mask) for t in a.truths)
    noise = a.frames[0].pixels.astype(np.float32) - fitted
    assert 1.0 < noise.std() < 6.0 and abs(noise.mean()) < 0.5


@pytest.mark.slow
def test_moving_clip_is_deterministic_and_its_truth_follows_the_transform():
    rgb, hair = two_tone_photo()
    frames = 12
    a = ve.moving_clip(rgb, hair, seed=3, frames=frames)
    b = ve.moving_clip(rgb, hair, seed=3, frames=frames)
    assert all(np.array_equal(x.pixels, y.pixels) for x, y in zip(a.frames, b.frames, strict=True))
    assert all(np.array_equal(x, y) for x, y in zip(a.truths, b.truths, strict=True))
    assert [f.timestamp_ms for f in a.frames] == [round(i * 1000 / 30) for i in range(frames)]
    _, mask = ve.fit(rgb, hair)
    ys, xs = np.nonzero(mask)
    centre = np.array([[[xs.mean(), ys.mean()]]], np.float64)
    phases = ve.motion_phases(3)
    moved_centres = []
    for i, (frame, truth) in enumerate(zip(a.frames, a.truths, strict=True)):
        matrix = ve.motion_matrix(i, frames, (640, 480), phases)
        assert np.array_equal(truth, ve.warp_truth(mask, matrix))
        expected = cv2.transform(centre, matrix)[0, 0]
        ty, tx = np.nonzero(truth)
        assert np.hypot(tx.mean() - expected[0], ty.mean() - expected[1]) < 1.0
        # the picture moved with it: the truth lies on the dark disc
        assert frame.pixels[truth].mean() < 0.5 * frame.pixels[~truth].mean()
        moved_centres.append(expected)
    assert np.ptp(np.array(moved_centres), axis=0).max() > 20  # it really moves
    assert np.allclose(ve.motion_matrix(0, frames, (640, 480), phases), [[1, 0, 0], [0, 1, 0]])
    backdrop = [f.pixels[~t].mean() for f, t in zip(a.frames, a.truths, strict=True)]
    assert backdrop[-1] > 1.3 * backdrop[0]  # the exposure ramps up


def test_flicker_known_answers():
    zero, one = np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)
    corner = zero.copy()
    corner[0, 0] = 1.0
    assert ve.flicker([zero, zero, zero]) == 0.0
    assert ve.flicker([zero, one, one]) == pytest.approx(0.5)
    assert ve.flicker([zero, corner]) == pytest.approx(0.25)
    assert ve.flicker([zero, corner * 0.5, zero]) == pytest.approx(0.125)
    assert np.isnan(ve.flicker([zero]))


def test_clip_iou_known_answers():
    truth = np.zeros((4, 4), bool)
    truth[:, :2] = True
    half = truth.astype(np.float32)
    assert ve.clip_iou([half * 0.6], [truth]) == pytest.approx(1.0)
    assert ve.clip_iou([half * 0.5], [truth]) == pytest.approx(0.0)  # not above 0.5
    quarter = np.zeros((4, 4), np.float32)
    quarter[:, :1] = 1.0
    assert ve.clip_iou([half, quarter], [truth, truth]) == pytest.approx(0.75)
    with pytest.raises(ValueError):
        ve.clip_iou([half], [truth, truth])


def test_per_frame_forgets_between_frames_and_live_does_not():
    rgb, hair = two_tone_photo()
    clip = ve.still_clip(rgb, hair, seed=1, frames=4)
    live = ve.run_clip(fake_pipeline(warm_up=True), clip, LOOK)
    per_frame = ve.run_clip(fake_pipeline(warm_up=True), clip, LOOK, per_frame=True)
    assert [m.max() for m in live] == [0.0, 1.0, 1.0, 1.0]
    assert [m.max() for m in per_frame] == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.slow
def test_score_photo_on_a_stateless_fake_is_steady_and_close_to_the_truth():
    rgb, hair = two_tone_photo()
    scores = ve.score_photo(fake_pipeline(), fake_pipeline(), rgb, hair, LOOK, seed=5, set_name="s", stem="a", frames=6)
    assert scores.live_flicker < 1e-3  # noise flips only the odd pixel on the blurred rim
    assert scores.live_iou > 0.95
    # nothing in the fake remembers a frame, so live and per-frame see the same
    assert (scores.live_flicker, scores.live_iou) == (scores.per_frame_flicker, scores.per_frame_iou)


def test_summaries_are_means_and_the_ratio_of_mean_flickers():
    rows = [ve.PhotoScores("a", "1", 0.01, 0.05, 0.8, 0.7), ve.PhotoScores("a", "2", 0.03, 0.07, 0.6, 0.7),
            ve.PhotoScores("b", "3", 0.02, 0.04, 0.9, 0.9)]
    scores = ve.VideoScores("m", rows)
    overall = scores.summary()
    assert overall.n == 3
    assert overall.live_flicker == pytest.approx(0.02) and overall.per_frame_flicker == pytest.approx(0.16 / 3)
    assert overall.flicker_ratio == pytest.approx((0.16 / 3) / 0.02)
    assert overall.live_iou == pytest.approx(2.3 / 3)
    by_set = scores.by_set()
    assert list(by_set) == ["a", "b"] and by_set["a"].flicker_ratio == pytest.approx(3.0)
    assert ve.summarise([]).n == 0


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), frames=st.integers(2, 6))
def test_clips_have_the_asked_length_and_a_truth_per_frame(seed, frames):
    rgb, hair = two_tone_photo(60, 80)
    for clip in (ve.still_clip(rgb, hair, seed, frames), ve.moving_clip(rgb, hair, seed, frames)):
        assert len(clip.frames) == len(clip.truths) == frames
        assert all(f.pixels.shape == (480, 640, 3) and t.shape == (480, 640) and t.dtype == bool
                   for f, t in zip(clip.frames, clip.truths, strict=True))
