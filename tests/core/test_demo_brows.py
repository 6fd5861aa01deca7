"""The demo clip, through the live pipeline with the shipped model: the drawn person's eyebrows keep
their colour while the hair is dyed (they used to take the hair's colour)."""

import cv2
import numpy as np
import pytest

from core.frames import RunningMode
from core.io.sources import SyntheticSource
from core.pipeline.engine import build_pipeline
from core.stages.face_guard import LEFT_BROW, RIGHT_BROW
from core.stages.face_landmarks import FaceTracker
from core.tools.edge_metrics import TEST_LOOK, VISIBLE_DE, delta_e


def brow_pixels(tracker: FaceTracker, frame) -> np.ndarray:
    """The eyebrows' pixels by a fresh face mesh on this frame (a 1 px inset of each brow's outline)."""
    canvas = np.zeros(frame.pixels.shape[:2], np.uint8)
    (landmarks,) = tracker.find(frame)
    for brow in (RIGHT_BROW, LEFT_BROW):
        cv2.fillConvexPoly(canvas, cv2.convexHull(np.round(landmarks[list(brow)]).astype(np.int32)), 1)
    return cv2.erode(canvas, np.ones((3, 3), np.uint8)) > 0


@pytest.mark.slow
def test_the_demo_clip_keeps_the_eyebrows_while_the_hair_is_dyed():
    pipeline, measure = build_pipeline(), FaceTracker(mode=RunningMode.IMAGE)
    try:
        with SyntheticSource(640, 480, frames=45) as source:
            for frame in iter(source.read, None):
                result = pipeline.process(frame, TEST_LOOK)
                moved = delta_e(result.pixels, frame.pixels)
                brows = brow_pixels(measure, frame)
                assert brows.sum() > 100
                assert (moved[brows] > VISIBLE_DE).mean() < 0.05, frame.index
                hair = source.truth(frame.index)
                assert (moved[hair] > VISIBLE_DE).mean() > 0.5  # the hair itself is dyed
    finally:
        pipeline.close()
        measure.close()
