"""FaceGuard on the drawn portrait fixture (MediaPipe's short-range detector finds its face) and on one
real photo from ../shared: the inner face is taken out of the hair mask, the hair above the forehead,
beside the face and far from it is kept, and a frame without a face leaves the mask as it was."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.frames import Frame, RunningMode
from core.io.images import load_image
from core.pipeline.pipeline import Pipeline
from core.stages.face_guard import FaceGuard, cheeks
from core.stages.refine import Refiner

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

# Points on fixtures/portrait_640x480.png (x, y): the face spans about x 265..390, eyes at y 200,
# eyebrows at y 183, mouth at y 253; the hair's top is at y 115.
FACE_POINTS = {"nose": (329, 222), "mouth": (326, 253), "left cheek": (298, 238), "right cheek": (356, 238),
               "eye": (300, 201), "eyebrow": (305, 183), "other eyebrow": (350, 183)}
FOREHEAD_SKIN = (330, 178)  # bare skin between the fringe and the brows
KEPT_POINTS = {"hair above the forehead": (325, 135), "fringe": (330, 150),
               "hair beside the cheek": (252, 280), "far corner": (60, 60), "shirt": (320, 420)}


@pytest.fixture
def guard():
    guard = FaceGuard(mode=RunningMode.IMAGE)
    yield guard
    guard.close()


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    return load_image(FIXTURES / "portrait_640x480.png")


def all_ones(shape) -> np.ndarray:
    mask = np.ones(shape, np.float32)
    mask.setflags(write=False)
    return mask


def test_portrait_face_is_taken_out_of_the_mask_and_the_hair_kept(guard, portrait):
    frame = Frame(portrait, 0, 0, "portrait")
    mask = all_ones(portrait.shape[:2])
    out = guard.protect(mask, frame)
    assert out.shape == mask.shape and out.dtype == np.float32
    for name, (x, y) in FACE_POINTS.items():
        assert out[y, x] < 0.05, name
    for name, (x, y) in KEPT_POINTS.items():
        assert out[y, x] > 0.95, name
    truth = load_image(FIXTURES / "portrait_640x480_mask.png")[:, :, 0] > 127
    # the drawn hair is kept but for its shadowed strands at the temples, which match the skin's colour
    assert out[truth].mean() > 0.97


def test_bare_forehead_skin_is_taken_out_where_the_mask_is_unsure(guard, portrait):
    frame = Frame(portrait, 0, 0, "portrait")
    x, y = FOREHEAD_SKIN
    unsure = np.full(portrait.shape[:2], 0.6, np.float32)
    assert guard.protect(unsure, frame)[y, x] < 0.03
    assert guard.protect(unsure, frame)[KEPT_POINTS["fringe"][::-1]] == pytest.approx(0.6, abs=0.01)
    # where the mask is sure, the skin test gives way (blonde hair can match the skin's colour)
    assert guard.protect(all_ones(portrait.shape[:2]), frame)[y, x] > 0.95


def test_hair_hanging_over_the_face_keeps_its_colour_where_skin_would_not(guard, portrait):
    """A dark lock over the cheek beside the eye, where the mask is sure, is let in; the same sure mask
    over skin-coloured pixels is not, and the eyes never are (the all-ones test above)."""
    lock = np.zeros(portrait.shape[:2], bool)
    lock[205:225, 265:300] = True  # the cheek beside and below the eye, above the nose
    mask = np.where(lock, 1.0, 0.0).astype(np.float32)
    dyed = portrait.copy()
    dyed[lock] = (70, 45, 30)  # dark brown hair
    over_hair = guard.protect(mask, Frame(dyed, 0, 0, "lock"))[lock]
    over_skin = guard.protect(mask, Frame(portrait, 0, 0, "skin"))[lock]
    assert np.median(over_hair) > 0.9 and np.median(over_skin) < 0.05
    assert over_hair.mean() > over_skin.mean() + 0.2


def test_a_lock_past_the_eyes_corner_keeps_its_colour_beside_the_eye(guard, portrait):
    """A dark lock hanging past the outer corner of the eye is let in right up to the eye: no notch where
    it crosses the eyes' margin. The margin still keeps lids and lashes out when the lock is skin-coloured
    (nothing beyond the margin is let in), and the eye itself stays protected under a lock that covers it."""
    beside = (slice(200, 211), slice(284, 290))  # between the lock's outer part and the eye's corner (x 290)
    lock = np.zeros(portrait.shape[:2], bool)
    lock[198:232, 276:292] = True
    dyed = portrait.copy()
    dyed[lock] = (70, 45, 30)
    mask = lock.astype(np.float32)
    assert np.median(guard.protect(mask, Frame(dyed, 0, 0, "lock"))[beside]) > 0.6
    assert np.median(guard.protect(mask, Frame(portrait, 0, 0, "skin"))[beside]) < 0.05
    wide = np.zeros(portrait.shape[:2], bool)
    wide[198:232, 276:300] = True
    dyed = portrait.copy()
    dyed[wide] = (70, 45, 30)
    assert guard.protect(wide.astype(np.float32), Frame(dyed, 0, 0, "over the eye"))[203:207, 295:300].max() < 0.05


def test_a_mask_sure_only_over_an_eye_leaves_the_eye_protected(guard, portrait):
    """Every cell the hair-over-the-face test could change is an eye's: nothing is left to test."""
    x, y = FACE_POINTS["eye"]
    mask = np.zeros(portrait.shape[:2], np.float32)
    mask[y - 3 : y + 4, x - 4 : x + 5] = 1.0
    assert guard.protect(mask, Frame(portrait, 0, 0, "eye"))[y, x] < 0.05


@pytest.fixture(scope="module")
def shared_guard():
    guard = FaceGuard(mode=RunningMode.IMAGE)
    yield guard
    guard.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coarse=arrays(np.float32, (6, 8), elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 0.96875, 1.0])))
def test_any_mask_is_only_ever_lowered_and_stays_in_range(shared_guard, portrait, coarse):
    """Masks of every kind over the face (sure, unsure, patchy, anywhere): the guard never fails, never
    raises the mask and never leaves [0, 1]."""
    mask = cv2.resize(coarse, (640, 480), interpolation=cv2.INTER_NEAREST)
    out = shared_guard.protect(mask, Frame(portrait, 0, 0, "portrait"))
    assert out.dtype == np.float32 and out.shape == mask.shape
    assert (out >= 0).all() and (out <= mask + 1e-6).all()


def test_inputs_are_not_modified(guard, portrait):
    pixels = portrait.copy()
    frame = Frame(pixels, 0, 0, "portrait")
    mask = np.random.default_rng(0).random(portrait.shape[:2]).astype(np.float32)
    before = mask.copy()
    out = guard.protect(mask, frame)
    assert np.array_equal(mask, before)
    assert np.array_equal(frame.pixels, portrait)
    assert out is not mask and out.dtype == np.float32
    assert np.all(out <= mask)  # only lowers the mask


def test_float64_mask_comes_back_float32(guard, portrait):
    out = guard.protect(np.ones(portrait.shape[:2]), Frame(portrait, 0, 0, "portrait"))
    assert out.dtype == np.float32 and out.shape == portrait.shape[:2]


def test_no_face_leaves_the_mask_unchanged(guard):
    frame = Frame(np.full((480, 640, 3), 128, np.uint8), 0, 0, "gray")
    mask = np.random.default_rng(1).random((480, 640)).astype(np.float32)
    out = guard.protect(mask, frame)
    assert np.array_equal(out, mask) and out.shape == mask.shape and out.dtype == np.float32


def test_mask_must_be_frame_sized(guard, portrait):
    with pytest.raises(ValueError):
        guard.protect(np.ones((240, 320), np.float32), Frame(portrait, 0, 0, "portrait"))


def test_video_follows_the_face_and_a_lost_face_or_new_source_is_looked_for_afresh(portrait):
    guard = FaceGuard()
    gray = np.full_like(portrait, 128)
    mask = all_ones(portrait.shape[:2])
    x, y = FACE_POINTS["nose"]
    try:
        assert guard.protect(mask, Frame(portrait, 0, 10, "video"))[y, x] < 0.05
        assert guard.protect(mask, Frame(portrait, 33, 11, "video"))[y, x] < 0.05
        # the face is gone: nothing is protected
        assert np.array_equal(guard.protect(mask, Frame(gray, 66, 12, "video")), mask)
        guard.protect(mask, Frame(portrait, 0, 0, "video"))
        assert np.array_equal(guard.protect(mask, Frame(gray, 0, 1, "another")), mask)
    finally:
        guard.close()


def test_refiner_applies_and_closes_its_face_guard(portrait):
    guard = FaceGuard()
    refiner = Refiner(face_guard=guard)
    frame = Frame(portrait, 0, 0, "portrait")
    out = refiner.refine(all_ones(portrait.shape[:2]), frame)
    x, y = FACE_POINTS["nose"]
    assert out[y, x] < 0.05
    x, y = KEPT_POINTS["hair above the forehead"]
    assert out[y, x] > 0.95
    refiner.close()
    with pytest.raises(RuntimeError):
        guard.protect(all_ones(portrait.shape[:2]), Frame(portrait, 0, 0, "again"))


def test_pipeline_close_closes_the_refiner():
    closed = []

    class Stage:
        def __init__(self, name):
            self.name = name

        def close(self):
            closed.append(self.name)

    Pipeline(Stage("segmenter"), None, Stage("refiner"), None).close()
    assert closed == ["segmenter", "refiner"]
    Pipeline(Stage("segmenter"), None, object(), None).close()  # a refiner without close is fine


@pytest.mark.shared
def test_real_photo_face_is_taken_out_and_its_hair_kept(shared_dir, guard):
    """celebahq_27636: a frontal face, 512 x 512; eyes at y 247, nose tip (257, 327), mouth y 384."""
    data = shared_dir / "datasets" / "celebamaskhq_hair"
    pixels = load_image(data / "images" / "celebahq_27636.jpg")
    hair = load_image(data / "masks" / "celebahq_27636.png")[:, :, 0] > 127
    out = guard.protect(all_ones(pixels.shape[:2]), Frame(pixels, 0, 0, "photo"))
    for name, (x, y) in {"nose": (257, 327), "mouth": (258, 384), "left cheek": (190, 330),
                         "right cheek": (320, 330)}.items():
        assert out[y, x] < 0.05, name
    assert hair[40, 256] and out[40, 256] > 0.95  # the top of the head
    assert out[20, 20] > 0.95
    assert out[hair].mean() > 0.98


def test_a_beard_takes_the_colour_only_when_asked(portrait):
    frame = Frame(portrait, 0, 0, "portrait")
    mask = all_ones(portrait.shape[:2])
    chin, lips = (326, 286), FACE_POINTS["mouth"]
    for colour_beard, chin_kept in ((False, False), (True, True)):
        guard = FaceGuard(mode=RunningMode.IMAGE, colour_beard=colour_beard)
        try:
            out = guard.protect(mask, frame)
        finally:
            guard.close()
        assert bool(out[chin[1], chin[0]] > 0.95) == chin_kept
        assert out[chin[1], chin[0]] > 0.95 or out[chin[1], chin[0]] < 0.05
        assert out[lips[1], lips[0]] < 0.05  # lips are never hair
        assert out[FACE_POINTS["nose"][1], FACE_POINTS["nose"][0]] < 0.05


def test_cheeks_are_the_face_below_the_eyes_at_the_asked_size(guard, portrait):
    """``cheeks``: the portrait's face outline from eye level down, drawn at a copy's size; nothing above
    the eyes, beside the face or without a face."""
    faces = guard.find(Frame(portrait, 0, 0, "portrait"))
    assert len(faces) == 1
    zone = cheeks(faces, (320, 240), 0.5)  # a half-size copy
    assert zone.shape == (240, 320) and zone.dtype == np.uint8
    for name in ("left cheek", "right cheek", "mouth"):
        x, y = FACE_POINTS[name]
        assert zone[y // 2, x // 2] == 1, name
    for x, y in (FACE_POINTS["eyebrow"], FOREHEAD_SKIN, KEPT_POINTS["hair beside the cheek"], KEPT_POINTS["far corner"]):
        assert zone[y // 2, x // 2] == 0, (x, y)
    assert not cheeks([], (320, 240), 0.5).any()
