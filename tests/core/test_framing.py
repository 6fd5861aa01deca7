"""The kiosk's mirror framing on its own: the crop has the view's aspect ratio and stays inside the frame,
frames the head at the share asked for, follows a moving face smoothly (no jump, bounded speed, a still
picture while the face sways inside the dead zone), holds when the face is briefly lost and eases out
to the whole frame when it is gone. And with the demo's person 1 m from a 1080p camera, found by the
face detector the pipeline runs, the head takes at least 40 % of the screen's height."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from core.demo.synthetic import HEAD_AT_1M, portrait_boxes, render_portrait
from core.pipeline.framing import Framer, FramingRule, aim, head_box, head_share_of_view, whole_crop

FRAME = (1280, 720)
DT = 1 / 30


def face_at(cx: float, cy: float, size: float = 90.0) -> tuple[float, float, float, float]:
    return cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2


def centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def inside(box, frame=FRAME) -> bool:
    eps = 1e-6
    return box[0] >= -eps and box[1] >= -eps and box[2] <= frame[0] + eps and box[3] <= frame[1] + eps


def run(framer: Framer, faces, aspect: float = 0.8, frame=FRAME) -> list:
    return [framer.update(face, frame, aspect, DT) for face in faces]


@pytest.mark.parametrize("aspect", [0.5625, 0.8, 1.0, 16 / 10, 16 / 9, 2.4])
def test_every_crop_has_the_views_aspect_ratio_and_lies_inside_the_frame(aspect):
    rng = np.random.default_rng(3)
    framer = Framer()
    for _ in range(300):  # faces anywhere, of any size, some off the edges, some frames without
        face = None if rng.random() < 0.2 else face_at(rng.uniform(-50, 1330), rng.uniform(-50, 770), rng.uniform(20, 500))
        x0, y0, x1, y1 = framer.update(face, FRAME, aspect, float(rng.uniform(0, 0.2)))
        assert (x1 - x0) / (y1 - y0) == pytest.approx(aspect, rel=1e-9)
        assert inside((x0, y0, x1, y1))
        assert y1 - y0 >= FramingRule().min_crop * FRAME[1] - 1e-6 or (x1 - x0) >= FRAME[0] - 1e-6


def test_the_first_frame_is_framed_on_the_head_at_once():
    face = face_at(640, 330)
    crop = Framer().update(face, FRAME, 0.8, DT, head_share=0.5)
    head = head_box(face)
    assert (head[3] - head[1]) / (crop[3] - crop[1]) == pytest.approx(0.5)
    assert centre(crop)[0] == pytest.approx(centre(head)[0])
    # the head's centre sits a little above the picture's middle: there is hair below the chin
    assert (centre(head)[1] - crop[1]) / (crop[3] - crop[1]) == pytest.approx(FramingRule().head_at)


def test_no_face_at_all_shows_the_whole_frame_covering_the_view():
    crop = Framer().update(None, FRAME, 0.8, DT)
    assert crop == pytest.approx(whole_crop(FRAME, 0.8))
    assert crop[3] - crop[1] == FRAME[1]  # a tall view: the frame's full height, its middle part


def test_a_face_that_moves_across_is_followed_smoothly_with_a_bounded_speed():
    rule = FramingRule()
    framer = Framer(rule)
    crops = run(framer, [face_at(400, 360)] * 30 + [face_at(900, 360)] * 150)
    steps = [math.dist(centre(a), centre(b)) for a, b in pairwise(crops)]
    heights = [c[3] - c[1] for c in crops]
    assert max(steps) <= rule.max_pan * max(heights) * DT + 1e-6  # never a jump
    speeds = np.array(steps) / DT
    assert np.abs(np.diff(speeds)).max() <= rule.pan_accel * max(heights) * DT + 1e-6  # it speeds up and
    assert np.abs(np.diff(speeds)).max() < 0.1 * speeds.max()  # slows down gently
    arrived = aim(face_at(900, 360), FRAME, 0.8, rule.screen_head_share)
    assert centre(crops[-1])[0] == pytest.approx(arrived[0], abs=2)
    assert all(b[0] >= a[0] - 1e-6 for a, b in pairwise(crops[30:]))  # no overshoot back


def test_a_small_sway_inside_the_dead_zone_leaves_the_picture_still():
    framer = Framer()
    run(framer, [face_at(640, 360)] * 60)
    settled = framer.crop
    sway = [face_at(640 + 6 * math.sin(i / 5), 360 + 4 * math.cos(i / 7)) for i in range(120)]  # ~7 % of a head
    assert all(crop == settled for crop in run(framer, sway))


def test_a_face_lost_for_a_moment_keeps_the_framing_then_it_eases_out_to_the_whole_frame():
    rule = FramingRule()
    framer = Framer(rule)
    framed = run(framer, [face_at(500, 300)] * 60)[-1]
    held = run(framer, [None] * round(rule.hold_s / DT * 0.9))
    assert all(crop == pytest.approx(framed) for crop in held)
    out = run(framer, [None] * round((rule.hold_s * 0.1 + 6) / DT))
    steps = [math.dist(centre(a), centre(b)) for a, b in pairwise(out)]
    assert max(steps) <= rule.max_pan * FRAME[1] * DT + 1e-6  # eased, not snapped
    assert out[-1] == pytest.approx(whole_crop(FRAME, 0.8), abs=1.0)
    back = run(framer, [face_at(500, 300)] * 2)  # the next face: eased in from the whole frame
    assert math.dist(centre(back[-1]), centre(out[-1])) <= rule.max_pan * FRAME[1] * 2 * DT + 1e-6


def test_a_face_at_the_frames_edge_is_framed_as_far_as_the_frame_goes():
    crop = Framer().update(face_at(20, 20, 60), FRAME, 16 / 9, DT)
    assert inside(crop) and crop[0] == pytest.approx(0) and crop[1] == pytest.approx(0)


def test_the_view_being_shorter_than_the_screen_is_made_up_for_up_to_a_limit():
    rule = FramingRule()
    assert head_share_of_view(1080, 1080, rule) == pytest.approx(rule.screen_head_share)
    assert head_share_of_view(1300, 1920, rule) == pytest.approx(rule.screen_head_share * 1920 / 1300)
    assert head_share_of_view(400, 1920, rule) == rule.max_head_share


class Finder:
    """A face finder that finds what the test says, counting its calls."""

    def __init__(self, faces):
        self.found, self.calls, self.closed = faces, 0, False

    def faces(self, pixels):
        self.calls += 1
        return list(self.found)

    def close(self):
        self.closed = True


def test_the_pipeline_gives_each_result_the_largest_face_looked_for_every_few_frames():
    from core.frames import Frame, Look
    from core.pipeline.pipeline import PassThroughSmoother, Pipeline
    from core.stages.face_box import FaceLocator
    from core.stages.recolor import Recolorer
    from tests.fakes import FakeSegmenter, Identity, shade

    finder = Finder([(10.0, 10.0, 20.0, 20.0), (100.0, 50.0, 60.0, 70.0)])
    pipeline = Pipeline(FakeSegmenter(), PassThroughSmoother(), Identity(), Recolorer(),
                        locator=FaceLocator(finder, every=3))
    pixels = np.zeros((240, 320, 3), np.uint8)
    boxes = [pipeline.process(Frame(pixels, i * 33, i, "a"), Look(shade("Auburn"))).face_box for i in range(7)]
    assert boxes == [(100.0, 50.0, 160.0, 120.0)] * 7 and finder.calls == 3  # frames 0, 3 and 6
    finder.found = []
    assert pipeline.process(Frame(pixels, 0, 0, "b"), Look(shade("Auburn"))).face_box is None  # a new source
    pipeline.close()
    assert finder.closed
    plain = Pipeline(FakeSegmenter(), PassThroughSmoother(), Identity(), Recolorer())
    assert plain.process(Frame(pixels, 0, 0, "a"), Look(shade("Auburn"))).face_box is None


def test_the_demo_draws_a_person_1_m_away_and_its_spec_says_so():
    from core.io.source_spec import parse_spec
    from core.io.sources import open_source

    spec = parse_spec("synthetic:1920x1080@1m")
    assert spec.problem is None and spec.size == (1920, 1080) and spec.distance_m == 1.0
    assert parse_spec("synthetic:640x480").distance_m is None
    assert parse_spec("synthetic:640x480@0m").problem and parse_spec("synthetic:640x480@near").problem
    source = open_source("synthetic:320x180@1m")
    frame = source.read()
    _, mask = render_portrait(320, 180, 0.0, source.seed, head=HEAD_AT_1M)
    rows = np.nonzero(mask.any(axis=1))[0]
    _, head = portrait_boxes(320, 180, 0.0, source.seed, head=HEAD_AT_1M)
    assert frame.pixels.shape == (180, 320, 3)
    assert (head[3] - head[1]) / 180 == pytest.approx(HEAD_AT_1M, rel=1e-6)
    assert rows[0] == pytest.approx(head[1], abs=3)  # the drawn hair's crown is where the head box says
    _, close = portrait_boxes(320, 180, 0.0, source.seed)  # the default: a close portrait, about twice as large
    assert (close[3] - close[1]) / 180 > 1.9 * HEAD_AT_1M


# The screens the issue names, with the picture's part of each as the kiosk lays them out today
# (tests/desktop/test_kiosk_mirror.py measures the same on the real window, whatever its layout then).
SCREENS = {(1280, 800): (686, 800), (1920, 1080): (1146, 1080), (1080, 1920): (1080, 1345)}


@pytest.mark.slow  # the face detector (MediaPipe) on drawn 1080p frames
@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_person_1_m_from_a_1080p_camera_takes_40_percent_of_the_screens_height(screen):
    import cv2

    from core.frames import Frame
    from core.stages.face_box import FaceLocator

    view_w, view_h = SCREENS[screen]
    shown = (1280, 720)  # the live pipeline's working size for a 1080p camera (LIVE_PIXELS)
    locator, framer = FaceLocator(every=1), Framer()
    shares = []
    try:
        for i in range(45):  # a second and a half of the swaying demo person
            t = i / 30
            pixels, _ = render_portrait(1920, 1080, t, 6, head=HEAD_AT_1M)
            frame = Frame(cv2.resize(pixels, shown, interpolation=cv2.INTER_AREA), round(t * 1000), i, "demo")
            face = locator.locate(frame)
            assert face is not None
            crop = framer.update(face, shown, view_w / view_h, DT, head_share_of_view(view_h, screen[1]))
            true_head = portrait_boxes(1920, 1080, t, 6, head=HEAD_AT_1M)[1]
            head_px = (true_head[3] - true_head[1]) * shown[1] / 1080 * view_h / (crop[3] - crop[1])
            shares.append(head_px / screen[1])
    finally:
        locator.close()
    assert min(shares) >= 0.40, f"the head takes {min(shares):.0%} of a {screen[0]}x{screen[1]} screen's height"
