"""The head crop: where the square goes, when it is used, that the mask lands back in place, and that
a head far from the camera is segmented better through it."""

import numpy as np
import pytest

from core.catalog.registry import Registry
from core.frames import Frame, RunningMode
from core.pipeline.engine import open_segmenter, with_head_crop
from core.stages.head_crop import CroppingSegmenter, CropRule, HeadCropper, head_square, place_far
from core.tools.evaluate import collect_samples, first_per_set, load_pair, predict
from core.tools.mask_metrics import mask_iou

RULE = CropRule()


class Faces:
    """A face finder that reports what a test tells it to, and counts its calls."""

    def __init__(self, *faces):
        self.found, self.calls = list(faces), 0

    def faces(self, pixels):
        self.calls += 1
        return list(self.found)

    def close(self):
        pass


def frame(index=0, source="cam", size=(640, 480)):
    return Frame(np.zeros((size[1], size[0], 3), np.uint8), index * 33, index, source)


def test_the_square_sits_round_and_below_the_face_inside_the_frame():
    x0, y0, x1, y1 = head_square((300, 100, 40, 50), (640, 480), RULE)
    assert x1 - x0 == y1 - y0 == round(RULE.reach * 40)
    assert (x0 + x1) / 2 == pytest.approx(320, abs=1)
    assert (y0 + y1) / 2 == pytest.approx(125 + RULE.reach * 0 + RULE.drop * 40, abs=1)
    # near the corner it is moved inside; a huge face gives at most the frame's shorter side
    assert head_square((0, 0, 40, 50), (640, 480), RULE)[:2] == (0, 0)
    x0, y0, x1, y1 = head_square((600, 440, 400, 400), (640, 480), RULE)
    assert (x1 - x0, x1, y1) == (480, 640, 480)


def test_only_one_small_face_is_cropped_round():
    assert HeadCropper(Faces((300, 100, 60, 70))).region(frame()) is not None  # 60 px of 640: small
    assert HeadCropper(Faces((100, 100, 300, 300))).region(frame()) is None  # close to the camera
    assert HeadCropper(Faces()).region(frame()) is None  # nobody
    assert HeadCropper(Faces((50, 50, 40, 40), (400, 50, 40, 40))).region(frame()) is None  # two people


def test_cropping_starts_below_one_width_and_stops_above_another():
    between = (RULE.small + RULE.release) / 2 * 640
    finder = Faces((300, 100, between, between))
    cropper = HeadCropper(finder, every=1)
    assert cropper.region(frame(0)) is None  # not small enough to start
    finder.found = [(300, 100, 60, 60)]
    assert cropper.region(frame(1)) is not None
    finder.found = [(300, 100, between, between)]
    assert cropper.region(frame(2)) is not None  # ...but not large enough to stop
    finder.found = [(300, 100, RULE.release * 640 + 5, 60)]
    assert cropper.region(frame(3)) is None


def test_on_video_faces_are_looked_for_every_n_frames_and_afresh_on_a_new_source():
    finder = Faces((300, 100, 60, 70))
    cropper = HeadCropper(finder, every=10)
    boxes = [cropper.region(frame(i)) for i in range(25)]
    assert finder.calls == 3 and all(b == boxes[0] for b in boxes[:10])
    cropper.region(frame(25, source="other"))
    assert finder.calls == 4
    still = HeadCropper(finder, mode=RunningMode.IMAGE)
    for i in range(3):
        still.region(frame(i))
    assert finder.calls == 7


def test_the_square_follows_a_moving_face_part_way():
    finder = Faces((100, 100, 60, 60))
    cropper = HeadCropper(finder, every=1)
    first = cropper.region(frame(0))
    finder.found = [(300, 100, 60, 60)]
    second = cropper.region(frame(1))
    target = head_square((300, 100, 60, 60), (640, 480), RULE)
    assert first[0] < second[0] < target[0]
    assert second[2] - second[0] == second[3] - second[1]


class Inner:
    info, input_size = "model", (224, 224)

    def __init__(self):
        self.seen = []

    def segment(self, f):
        self.seen.append(f.pixels.shape)
        return np.ones(f.pixels.shape[:2], np.float32)

    def reset(self):
        pass

    def close(self):
        pass


def test_the_cropped_mask_lands_back_where_the_square_was():
    inner = Inner()
    segmenter = CroppingSegmenter(inner, HeadCropper(Faces((300, 100, 60, 70)), mode=RunningMode.IMAGE))
    hair = segmenter.segment(frame())
    x0, y0, x1, y1 = segmenter.last_region
    assert inner.seen == [(y1 - y0, x1 - x0, 3)]
    assert hair.shape == (480, 640) and hair[y0:y1, x0:x1].all() and hair.sum() == (x1 - x0) * (y1 - y0)
    whole = CroppingSegmenter(inner, HeadCropper(Faces(), mode=RunningMode.IMAGE))
    assert whole.segment(frame()).all() and whole.last_region is None


def test_a_far_photo_is_placed_with_its_mask():
    rgb = np.full((100, 80, 3), 200, np.uint8)
    truth = np.zeros((100, 80), bool)
    truth[:30] = True
    placed, placed_truth = place_far(rgb, truth, 0.25, seed=1)
    assert placed.shape == (480, 640, 3) and placed_truth.shape == (480, 640)
    assert placed_truth.sum() == pytest.approx(0.3 * 160 * 200, rel=0.1)
    again, _ = place_far(rgb, truth, 0.25, seed=1)
    assert np.array_equal(placed, again)


@pytest.mark.shared
def test_a_head_far_from_the_camera_is_segmented_far_better_through_the_crop(shared_dir):
    samples = first_per_set(collect_samples([shared_dir / "datasets" / "celebamaskhq_hair"], "val.txt"), 4)
    entry = Registry.load().resolve(None)
    plain = open_segmenter(entry, RunningMode.IMAGE)
    cropped = with_head_crop(open_segmenter(entry, RunningMode.IMAGE), RunningMode.IMAGE)
    try:
        gains = []
        for i, (_, sample) in enumerate(samples):
            rgb, truth = place_far(*load_pair(sample), 0.2, seed=i)
            gains.append(mask_iou(predict(cropped, rgb, i)[0] > 0.5, truth) - mask_iou(predict(plain, rgb, i)[0] > 0.5, truth))
    finally:
        plain.close()
        cropped.close()
    assert np.mean(gains) > 0.3, gains


def test_on_video_faces_are_looked_for_out_of_step_with_the_face_mesh():
    """The refine stage's face mesh runs on frames 0, 30, 60, …; the head crop's detector after the
    first frame on 15, 45, 75, …, so the two never add up on one frame."""
    finder = Faces((300, 100, 60, 70))
    cropper = HeadCropper(finder, every=30)
    looked = []
    for i in range(90):
        before = finder.calls
        cropper.region(frame(i))
        if finder.calls > before:
            looked.append(i)
    assert looked == [0, 15, 45, 75]


@pytest.mark.shared
def test_the_face_finder_keeps_only_faces_as_sure_as_asked(shared_dir):
    """MediaPipe's full-range graph ignores its own min_detection_confidence (it answers from about
    0.6): the finder checks the scores itself. On this photo of curls seen from behind it takes a hand
    for a face, at 0.65."""
    from core.io.images import load_image
    from core.stages.head_crop import FaceFinder

    photo = load_image(shared_dir / "datasets" / "figaro1k" / "images" / "figaro_Frame00414.jpg")
    loose, strict = FaceFinder(0.5), FaceFinder(0.7)
    try:
        assert len(loose.faces(photo)) == 1 and strict.faces(photo) == []
    finally:
        loose.close()
        strict.close()
