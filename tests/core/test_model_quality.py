"""Regression pin: the shipped model's IoU on a fixed subset of ../shared's validation photos (the first
25 stems of each set's val.txt), through the same path as ``hairtint eval``. A change that makes the
shipped model worse on these photos fails here."""

import pytest

from core.engine import open_segmenter
from core.evaluate import collect_samples, evaluate_model, first_per_set
from core.registry import Registry

SUBSET = 25
# measured with `hairtint eval --data ../shared/datasets --split val.txt --limit 25` for hairnet 1.0.0
PINNED_MEAN_IOU = {"celebamaskhq_hair": 0.8469, "figaro1k": 0.8906, "lfw_parts_hair": 0.6608}
TOLERANCE = 0.01


@pytest.mark.shared
def test_shipped_model_iou_on_the_pinned_subset(shared_dir):
    samples = first_per_set(collect_samples([shared_dir / "datasets"], "val.txt"), SUBSET)
    entry = Registry.load().resolve(None)
    segmenter = open_segmenter(entry, video=False)
    scores = evaluate_model(segmenter, entry.id, samples, progress=False)
    segmenter.close()
    by_set = scores.by_set()
    assert set(by_set) == set(PINNED_MEAN_IOU)
    for name, pinned in PINNED_MEAN_IOU.items():
        assert by_set[name]["n"] == SUBSET
        assert by_set[name]["mean_iou"] == pytest.approx(pinned, abs=TOLERANCE), name
