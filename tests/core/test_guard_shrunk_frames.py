"""The rollback guard checks a pipeline's mask against the frame the pipeline worked on: a live pipeline
shrinks a frame above its pixel budget (a 1080p camera to 720p), and that is not a faulty model."""

from __future__ import annotations

import numpy as np

from core.fleet.rollback import GuardedPipeline
from core.frames import Frame, Look
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from tests.fakes import FakeSegmenter, Identity, shade


def test_a_shrunk_frame_is_not_a_wrong_sized_mask():
    reports = []
    pipeline = Pipeline(FakeSegmenter(), PassThroughSmoother(), Identity(), Recolorer(), max_pixels=320 * 180)
    guarded = GuardedPipeline(pipeline, lambda ok, _latency, kind, *_frame: reports.append((ok, kind)))
    frame = Frame(np.full((360, 640, 3), 90, np.uint8), timestamp_ms=0, index=0, source_id="t")
    result = guarded.process(frame, Look(shade("Copper Red")))
    assert result.frame.pixels.shape[:2] == result.mask.shape == (180, 320)
    assert reports == [(True, None)]
