import numpy as np
import pytest

from core.frames import Frame, Look, Shade
from core.pipeline.latency import RollingLatency
from core.pipeline.pipeline import STAGES, Pipeline, PipelineStats
from core.tools.mask_metrics import mask_iou
from tests.fakes import Clock, FakeSegmenter, Identity


class RecordingSmoother:
    def __init__(self):
        self.resets, self.seen = 0, []

    def smooth(self, mask, frame):
        self.seen.append(frame.index)
        return mask

    def reset(self):
        self.resets += 1


def frame(i, source="a"):
    return Frame(np.zeros((4, 6, 3), np.uint8), timestamp_ms=i * 33, index=i, source_id=source)


LOOK = Look(Shade("Test", (200, 100, 50)))


def test_each_stage_is_timed_and_the_total_is_their_sum():
    pipeline = Pipeline(FakeSegmenter(share=1.0, value=0.9), RecordingSmoother(), Identity(), Identity(),
                        clock=Clock(step=0.002))
    result = pipeline.process(frame(0), LOOK)
    assert set(result.timings_ms) == {*STAGES, "total"}
    assert all(result.timings_ms[s] == pytest.approx(2.0) for s in STAGES)
    assert result.timings_ms["total"] == pytest.approx(8.0)
    assert result.mask.shape == (4, 6)


def test_a_new_source_resets_temporal_state_once():
    segmenter, smoother = FakeSegmenter(), RecordingSmoother()
    pipeline = Pipeline(segmenter, smoother, Identity(), Identity())
    for i in range(3):
        pipeline.process(frame(i, "a"), LOOK)
    assert smoother.resets == 1
    pipeline.process(frame(0, "b"), LOOK)
    assert smoother.resets == 2 and segmenter.resets == 2


def test_stats_percentiles_and_fps():
    stats = PipelineStats(window=100)
    for i in range(100):
        stats.add({"total": float(i + 1), "segment": 1.0}, finished_s=i / 25.0)
    summary = stats.summary()
    assert summary["fps"] == pytest.approx(25.0)
    assert summary["total"]["p50"] == pytest.approx(50.5)
    assert summary["total"]["p95"] == pytest.approx(95.05)
    assert summary["total"]["p99"] == pytest.approx(99.01)


def test_rolling_latency_keeps_only_the_window():
    latency = RollingLatency(window=10)
    for ms in [1000.0] * 10 + [1.0] * 10:
        latency.add(ms)
    assert len(latency) == 10 and latency.percentile(99) == 1.0
    assert np.isnan(RollingLatency().percentile(50))


def test_mask_iou():
    a = np.zeros((4, 4), bool)
    b = np.zeros((4, 4), bool)
    assert mask_iou(a, b) == 1.0  # both empty: agree
    a[:2] = True
    assert mask_iou(a, b) == 0.0
    b[1:3] = True
    assert mask_iou(a, b) == pytest.approx(1 / 3)


def test_a_new_source_resets_every_stage_with_state():
    from core.pipeline.pipeline import PassThroughSmoother

    resets = []

    class Stage(Identity):
        def __init__(self, name):
            self.name = name

        def reset(self):
            resets.append(self.name)

        def segment(self, frame):
            return np.zeros(frame.pixels.shape[:2], np.float32)

    pipeline = Pipeline(Stage("segmenter"), PassThroughSmoother(), Stage("refiner"), Stage("recolourer"))
    pixels = np.zeros((8, 8, 3), np.uint8)
    look = Look(Shade("x", (1, 2, 3)))
    pipeline.process(Frame(pixels, 0, 0, "a"), look)
    assert resets == ["segmenter", "refiner"]
    pipeline.process(Frame(pixels, 33, 1, "a"), look)
    assert resets == ["segmenter", "refiner"]
    pipeline.process(Frame(pixels, 0, 0, "b"), look)
    assert resets == ["segmenter", "refiner"] * 2
