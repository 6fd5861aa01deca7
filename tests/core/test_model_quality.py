"""Regression pins: the shipped model's IoU and the shipped still pipeline's edge figures on a fixed
subset of ../shared's validation photos (the first 25 stems of each set's val.txt), through the same
path as ``hairtint eval``. A change that makes the model, the refinement or the recolour worse on these
photos fails here."""

import pytest

from core.engine import build_refiner, open_segmenter
from core.evaluate import EdgeJudge, collect_samples, evaluate_model, first_per_set
from core.recolor import Recolorer
from core.registry import Registry

SUBSET = 25
# measured with `hairtint eval --data ../shared/datasets --split val.txt --limit 25` (hairnet 1.0.0)
PINNED = {
    "celebamaskhq_hair": {"mean_iou": 0.8469, "boundary_f": 0.4960, "bleed": 0.1311, "coverage": 0.9413},
    "figaro1k": {"mean_iou": 0.8906, "boundary_f": 0.6251, "bleed": 0.1184, "coverage": 0.9626},
    "lfw_parts_hair": {"mean_iou": 0.6608, "boundary_f": 0.6830, "bleed": 0.0413, "coverage": 0.8161},
}
TOLERANCE = {"mean_iou": 0.01, "boundary_f": 0.01, "bleed": 0.01, "coverage": 0.01}


@pytest.fixture(scope="module")
def by_set(shared_dir):
    samples = first_per_set(collect_samples([shared_dir / "datasets"], "val.txt"), SUBSET)
    entry = Registry.load().resolve(None)
    segmenter = open_segmenter(entry, video=False)
    edges = EdgeJudge(build_refiner(still=True), Recolorer())
    try:
        return evaluate_model(segmenter, entry.id, samples, progress=False, edges=edges).by_set()
    finally:
        segmenter.close()
        edges.close()


@pytest.mark.shared
@pytest.mark.parametrize("figure", ["mean_iou", "boundary_f", "bleed", "coverage"])
def test_shipped_pipeline_figures_on_the_pinned_subset(by_set, figure):
    assert set(by_set) == set(PINNED)
    for name, pinned in PINNED.items():
        assert by_set[name]["n"] == SUBSET
        assert by_set[name][figure] == pytest.approx(pinned[figure], abs=TOLERANCE[figure]), name
