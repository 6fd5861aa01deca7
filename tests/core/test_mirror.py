"""The mirror-averaged segmenter: it is the mean of the two answers put back the right way round, it
leaves a symmetric answer alone, and only the still pipeline uses it."""

import numpy as np
import pytest

from core.frames import Frame, RunningMode
from core.stages.mirror import MirroredSegmenter


class LeftLeaning:
    """Hair 1.0 on the left half of whatever it is shown and 0.2 on the right; counts what it sees."""

    info, input_size = "model", (208, 208)

    def __init__(self):
        self.seen, self.resets, self.closed = [], 0, False

    def segment(self, frame):
        self.seen.append(frame.pixels.copy())
        height, width = frame.pixels.shape[:2]
        hair = np.full((height, width), 0.2, np.float32)
        hair[:, : width // 2] = 1.0
        return hair

    def reset(self):
        self.resets += 1

    def close(self):
        self.closed = True


def frame():
    pixels = np.zeros((4, 6, 3), np.uint8)
    pixels[:, 0] = 255  # a white left edge, to tell the mirror image by
    return Frame(pixels, 0, 0, "photo")


def test_the_two_answers_are_averaged_the_right_way_round():
    inner = LeftLeaning()
    hair = MirroredSegmenter(inner).segment(frame())
    assert hair.dtype == np.float32 and hair.shape == (4, 6)
    assert np.allclose(hair, 0.6)  # left: 1.0 and (mirrored back) 0.2; right: the same the other way
    first, second = inner.seen
    assert first[:, 0].all() and not first[:, -1].any()
    assert second[:, -1].all() and not second[:, 0].any()  # the second look was at the mirror image


def test_an_answer_that_is_its_own_mirror_image_is_left_alone():
    class Even(LeftLeaning):
        def segment(self, frame):
            return np.tile(np.array([0.1, 0.9, 0.5, 0.5, 0.9, 0.1], np.float32), (4, 1))

    hair = MirroredSegmenter(Even()).segment(frame())
    assert np.allclose(hair, [0.1, 0.9, 0.5, 0.5, 0.9, 0.1])


def test_reset_and_close_reach_the_inner_segmenter():
    inner = LeftLeaning()
    mirrored = MirroredSegmenter(inner)
    mirrored.reset()
    mirrored.close()
    assert inner.resets == 1 and inner.closed
    assert mirrored.info == "model" and mirrored.input_size == (208, 208)


def test_answers_of_two_sizes_are_an_error_not_a_wrong_mask():
    class Uneven(LeftLeaning):
        def segment(self, frame):
            self.seen.append(frame.pixels)
            return np.zeros((4, 6) if len(self.seen) == 1 else (3, 3), np.float32)

    with pytest.raises(ValueError, match="mirror image"):
        MirroredSegmenter(Uneven()).segment(frame())


def test_only_the_still_pipeline_segments_the_mirror_image_too():
    from core.pipeline.engine import PipelineOptions, build_pipeline

    def inner_of(pipeline):
        segmenter = pipeline.segmenter
        return getattr(segmenter, "inner", segmenter)  # behind the head crop

    still, live = build_pipeline(PipelineOptions(running_mode=RunningMode.IMAGE)), build_pipeline()
    plain_still = build_pipeline(PipelineOptions(running_mode=RunningMode.IMAGE, mirror=False))
    try:
        assert isinstance(inner_of(still), MirroredSegmenter)
        assert not isinstance(inner_of(live), MirroredSegmenter)
        assert not isinstance(inner_of(plain_still), MirroredSegmenter)
    finally:
        for pipeline in (still, live, plain_still):
            pipeline.close()
