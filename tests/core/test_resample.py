"""Small copies of a frame: shared between the stages, and the same as shrinking the pixels afresh."""

import numpy as np
import pytest

from core.frames import Frame
from core.stages.resample import shrink, shrink_frame


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    return Frame(rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8), 0, 0, "t")


def test_a_kept_copy_is_the_copy_shrink_makes_and_is_shared(frame):
    for size in [(160, 90), (256, 144), (1024, 576), (640, 360)]:
        kept = shrink_frame(frame, size)
        assert np.array_equal(kept, shrink(frame.pixels, size)), size
        assert shrink_frame(frame, size) is kept and not kept.flags.writeable
    # the halvings were made once: 1920 -> 960 -> 480 -> 240 (for 160 and 256 wide)
    assert [h.shape[1] for h in frame.small_copies["halves"]] == [1920, 960, 480, 240]


def test_a_frame_of_the_asked_size_is_its_own_copy(frame):
    assert shrink_frame(frame, (1920, 1080)) is frame.pixels


def test_a_new_frame_starts_with_no_copies(frame):
    shrink_frame(frame, (160, 90))
    assert Frame(frame.pixels, 1, 1, "t").small_copies == {}
