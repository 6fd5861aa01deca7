from pathlib import Path

import cv2
import numpy as np
import pytest

from core.frames import Frame, RunningMode
from core.io.images import load_image
from core.stages.face_landmarks import FaceTracker

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return load_image(FIXTURES / "portrait_640x480.png")


def shifted(pixels: np.ndarray, dx: float, dy: float) -> np.ndarray:
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(pixels, matrix, (pixels.shape[1], pixels.shape[0]), borderMode=cv2.BORDER_REPLICATE)


class Counting:
    """Counts the calls of a model's ``process`` and passes them on."""

    def __init__(self, model):
        self.model, self.calls = model, 0

    def process(self, pixels):
        self.calls += 1
        return self.model.process(pixels)

    def close(self):
        self.model.close()


@pytest.fixture
def tracker():
    tracker = FaceTracker(refresh_every=5)
    tracker._mesh = Counting(tracker._mesh)
    yield tracker
    tracker.close()


def confirmed(tracker: FaceTracker, portrait: np.ndarray) -> np.ndarray:
    """The face found on frame 0 and found again on frame 1 (a new face is looked for twice)."""
    tracker.find(Frame(portrait, 0, 0, "video"))
    return tracker.find(Frame(portrait, 33, 1, "video"))[0]


def test_the_mesh_runs_on_a_new_face_twice_then_every_refresh_and_the_face_is_followed_between(tracker, portrait):
    first = tracker.find(Frame(portrait, 0, 0, "video"))
    assert len(first) == 1 and first[0].shape == (468, 2)
    tracker.find(Frame(portrait, 33, 1, "video"))
    assert tracker._mesh.calls == 2  # the new face looked for again
    for i in range(2, 6):
        moved = tracker.find(Frame(shifted(portrait, 3 * i, 2 * i), 33 * i, i, "video"))
        assert tracker._mesh.calls == 2  # followed, no mesh
        offset = np.median(moved[0] - first[0], axis=0)
        assert offset == pytest.approx((3 * i, 2 * i), abs=2.0)
    tracker.find(Frame(shifted(portrait, 18, 12), 198, 6, "video"))
    assert tracker._mesh.calls == 3  # refreshed on the fifth frame after the mesh


def test_a_face_found_on_one_frame_only_is_not_held(tracker, portrait):
    """A face the mesh finds on one frame and not on the next is dropped there, not followed."""
    gray = np.full_like(portrait, 128)
    assert tracker.find(Frame(gray, 0, 0, "video")) == []
    assert len(tracker.find(Frame(portrait, 33, 1, "video"))) == 1
    assert tracker.find(Frame(gray, 66, 2, "video")) == []  # looked for again: gone
    assert tracker._mesh.calls == 3


def test_a_face_that_comes_closer_and_turns_is_followed(portrait):
    tracker = FaceTracker()
    try:
        first = confirmed(tracker, portrait)
        centre = first.mean(axis=0)
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), 4.0, 1.08)
        moved = cv2.warpAffine(portrait, matrix, (portrait.shape[1], portrait.shape[0]), borderMode=cv2.BORDER_REPLICATE)
        followed = tracker.find(Frame(moved, 66, 2, "video"))[0]
        expected = first @ matrix[:, :2].T + matrix[:, 2]
        assert np.median(np.hypot(*(followed - expected).T)) < 1.5
    finally:
        tracker.close()


def test_a_head_moving_for_a_second_is_followed_without_drifting(portrait):
    """28 frames between meshes of a head drifting, turning, coming closer and brightening, with fresh
    sensor noise each frame: the followed landmarks stay where the mesh's landmarks have gone."""
    tracker = FaceTracker()
    rng = np.random.default_rng(7)
    try:
        first = confirmed(tracker, portrait)
        centre = tuple(float(c) for c in first.mean(axis=0))
        for i in range(1, 29):
            matrix = cv2.getRotationMatrix2D(centre, 0.25 * i, 1.0 + 0.004 * i)
            matrix[:, 2] += (1.2 * i, -0.6 * i)
            moved = cv2.warpAffine(portrait, matrix, portrait.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)
            noisy = np.clip(moved * (1.0 + 0.008 * i) + rng.normal(0.0, 3.0, moved.shape), 0, 255).astype(np.uint8)
            followed = tracker.find(Frame(noisy, 33 * (i + 1), i + 1, "video"))[0]
        expected = first @ matrix[:, :2].T + matrix[:, 2]
        # each frame's fit made from the frame before let its errors add up to 0.75 px here
        assert np.median(np.hypot(*(followed - expected).T)) < 0.6  # 0.4 px here
    finally:
        tracker.close()


def test_a_new_source_a_gap_or_a_lost_face_runs_the_mesh(tracker, portrait):
    gray = np.full_like(portrait, 128)
    tracker.find(Frame(portrait, 0, 0, "video"))
    tracker.find(Frame(portrait, 0, 0, "other"))
    assert tracker._mesh.calls == 2
    tracker.find(Frame(portrait, 99, 3, "other"))  # frames 1 and 2 were skipped
    assert tracker._mesh.calls == 3
    assert tracker.find(Frame(gray, 132, 4, "other")) == []  # the face is gone
    assert tracker._mesh.calls == 4


def test_a_still_tracker_always_runs_the_mesh(portrait):
    tracker = FaceTracker(mode=RunningMode.IMAGE)
    tracker._mesh = Counting(tracker._mesh)
    try:
        for i in range(3):
            assert len(tracker.find(Frame(portrait, i, i, "photo"))) == 1
        assert tracker._mesh.calls == 3
    finally:
        tracker.close()


def test_closed_tracker_refuses_work(portrait):
    tracker = FaceTracker()
    tracker.close()
    with pytest.raises(RuntimeError):
        tracker.find(Frame(portrait, 0, 0, "video"))
