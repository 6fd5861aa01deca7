"""Regression pins: the shipped models' IoU and the shipped still pipeline's edge figures on a fixed
subset of ../shared's validation photos (the first 25 stems of each set's val.txt), through the same
path as ``hairtint eval``; for the default model also as the still pipeline segments a photo (with its
mirror image, ``--mirror``). A change that makes the model, the refinement or the recolour worse on
these photos fails here."""

import pytest

from core.catalog.registry import Registry
from core.frames import RunningMode
from core.pipeline.engine import build_refiner, open_segmenter
from core.stages.mirror import MirroredSegmenter
from core.stages.recolor import Recolorer
from core.tools.evaluate import EdgeJudge, collect_samples, evaluate_model, evaluate_true_masks, first_per_set

pytestmark = pytest.mark.slow  # the shipped models on the pinned photos of ../shared: a minute and more

SUBSET = 25
# measured with `hairtint eval --data ../shared/datasets --split val.txt --limit 25 --model hairnet@2.2.0
# --model hairnet@2.1.0 --model hairnet-int8 --model hairnet-hq --mirror --true-masks-at 256` (2026-12-07, with the
# matte and the reflectance lift); seam_copper and clean_copper: the hairline's seam and the dye on clean skin (core.tools.hairline_metrics)
PINNED = {
    "hairnet@2.2.0": {
        "celebamaskhq_hair": {"mean_iou": 0.8607, "boundary_f": 0.5107, "bleed": 0.2066, "coverage": 0.9460, "seam_copper": 0.1887, "clean_copper": 0.0420},
        "figaro1k": {"mean_iou": 0.9145, "boundary_f": 0.6601, "bleed": 0.1830, "coverage": 0.9790, "seam_copper": 0.1500, "clean_copper": 0.0353},
        "lfw_parts_hair": {"mean_iou": 0.6722, "boundary_f": 0.6599, "bleed": 0.0646, "coverage": 0.8118, "seam_copper": 0.4211, "clean_copper": 0.0337},
    },
    "hairnet@2.2.0 + mirror": {
        "celebamaskhq_hair": {"mean_iou": 0.8721, "boundary_f": 0.5133, "bleed": 0.2012, "coverage": 0.9462, "seam_copper": 0.1980, "clean_copper": 0.0418},
        "figaro1k": {"mean_iou": 0.9182, "boundary_f": 0.6608, "bleed": 0.1886, "coverage": 0.9801, "seam_copper": 0.1392, "clean_copper": 0.0380},
        "lfw_parts_hair": {"mean_iou": 0.6774, "boundary_f": 0.6689, "bleed": 0.0648, "coverage": 0.8143, "seam_copper": 0.3998, "clean_copper": 0.0319},
    },
    "hairnet@2.1.0": {
        "celebamaskhq_hair": {"mean_iou": 0.8519, "boundary_f": 0.4919, "bleed": 0.1997, "coverage": 0.9327, "seam_copper": 0.1954, "clean_copper": 0.0417},
        "figaro1k": {"mean_iou": 0.9074, "boundary_f": 0.6467, "bleed": 0.1796, "coverage": 0.9716, "seam_copper": 0.1593, "clean_copper": 0.0425},
        "lfw_parts_hair": {"mean_iou": 0.6300, "boundary_f": 0.6169, "bleed": 0.0576, "coverage": 0.7580, "seam_copper": 0.3767, "clean_copper": 0.0296},
    },
    "hairnet-int8@1.0.0": {
        "celebamaskhq_hair": {"mean_iou": 0.8496, "boundary_f": 0.4886, "bleed": 0.1956, "coverage": 0.9300, "seam_copper": 0.1932, "clean_copper": 0.0393},
        "figaro1k": {"mean_iou": 0.9067, "boundary_f": 0.6429, "bleed": 0.1783, "coverage": 0.9718, "seam_copper": 0.1698, "clean_copper": 0.0441},
        "lfw_parts_hair": {"mean_iou": 0.6307, "boundary_f": 0.6192, "bleed": 0.0587, "coverage": 0.7591, "seam_copper": 0.3968, "clean_copper": 0.0304},
    },
    # measured with `hairtint eval --data ../shared/datasets --split val.txt --limit 25 --model hairnet-e0` (2026-12-07)
    "hairnet-e0@1.0.0": {
        "celebamaskhq_hair": {"mean_iou": 0.8707, "boundary_f": 0.5053, "bleed": 0.1991, "coverage": 0.9408, "seam_copper": 0.1840, "clean_copper": 0.0477},
        "figaro1k": {"mean_iou": 0.9297, "boundary_f": 0.6756, "bleed": 0.1750, "coverage": 0.9783, "seam_copper": 0.1516, "clean_copper": 0.0264},
        "lfw_parts_hair": {"mean_iou": 0.7047, "boundary_f": 0.6938, "bleed": 0.0663, "coverage": 0.8522, "seam_copper": 0.3939, "clean_copper": 0.0330},
    },
    "hairnet-hq@1.0.0": {
        "celebamaskhq_hair": {"mean_iou": 0.8793, "boundary_f": 0.5237, "bleed": 0.2165, "coverage": 0.9532, "seam_copper": 0.1734, "clean_copper": 0.0397},
        "figaro1k": {"mean_iou": 0.9191, "boundary_f": 0.6672, "bleed": 0.1781, "coverage": 0.9751, "seam_copper": 0.1515, "clean_copper": 0.0287},
        "lfw_parts_hair": {"mean_iou": 0.6886, "boundary_f": 0.6849, "bleed": 0.0637, "coverage": 0.8323, "seam_copper": 0.3905, "clean_copper": 0.0369},
    },
}
# the stages after the model alone: each photo's true mask seen at 2.2.0's 256 x 256 input in place of the
# model's probability (`hairtint eval --data ../shared/datasets --split val.txt --limit 25 --true-masks-at 256`);
# LFW's coverage is the lowest: its true masks count beards as hair, and the face guard keeps beards out
PIPELINE_ON_TRUE_MASKS = {
    "celebamaskhq_hair": {"mean_iou": 0.9986, "boundary_f": 0.6735, "bleed": 0.1554, "coverage": 0.9805, "seam_copper": 0.1911, "clean_copper": 0.0064},
    "figaro1k": {"mean_iou": 0.9979, "boundary_f": 0.8042, "bleed": 0.1443, "coverage": 0.9892, "seam_copper": 0.1550, "clean_copper": 0.0133},
    "lfw_parts_hair": {"mean_iou": 0.9998, "boundary_f": 0.8676, "bleed": 0.0250, "coverage": 0.9213, "seam_copper": 0.5107, "clean_copper": 0.0074},
}
TOLERANCE = {"mean_iou": 0.01, "boundary_f": 0.01, "bleed": 0.01, "coverage": 0.01, "seam_copper": 0.02,
             "clean_copper": 0.01}
MIRROR = " + mirror"
# the dark-haired photos of the same subset lifted by the default model's still pipeline (core.tools.texture_metrics:
# medians over the dark photos, and the spread's 10th percentile); before the reflectance lift the platinum spread
# was about half of these
TEXTURE_PINNED = {
    "celebamaskhq_hair": {"spread_platinum": 0.7403, "spread_platinum_p10": 0.6688, "corr_platinum": 0.7885, "swatch_platinum": 9.6528, "spread_amber": 0.8505, "spread_amber_p10": 0.7711, "corr_amber": 0.8922, "swatch_amber": 7.5486},
    "figaro1k": {"spread_platinum": 0.8038, "spread_platinum_p10": 0.7308, "corr_platinum": 0.9039, "swatch_platinum": 7.5093, "spread_amber": 0.9392, "spread_amber_p10": 0.8286, "corr_amber": 0.9639, "swatch_amber": 5.0587},
    "lfw_parts_hair": {"spread_platinum": 0.9278, "spread_platinum_p10": 0.7921, "corr_platinum": 0.6494, "swatch_platinum": 14.7108, "spread_amber": 0.9720, "spread_amber_p10": 0.9148, "corr_amber": 0.8189, "swatch_amber": 12.1713},
}


@pytest.fixture(scope="module", params=sorted(PINNED))
def model_by_set(request, shared_dir):
    samples = first_per_set(collect_samples([shared_dir / "datasets"], "val.txt"), SUBSET)
    entry = Registry.load().get(request.param.removesuffix(MIRROR))
    segmenter = open_segmenter(entry, RunningMode.IMAGE)
    if request.param.endswith(MIRROR):
        segmenter = MirroredSegmenter(segmenter)
    edges = EdgeJudge(build_refiner(RunningMode.IMAGE), Recolorer())
    try:
        return request.param, evaluate_model(segmenter, entry.id, samples, progress=False, edges=edges).by_set()
    finally:
        segmenter.close()
        edges.close()


def test_the_default_model_is_the_pinned_stable_one():
    entry = Registry.load().resolve(None)
    assert (f"{entry.id}@{entry.version}", entry.stage) == ("hairnet@2.2.0", "stable")


@pytest.mark.shared
@pytest.mark.parametrize("figure", ["mean_iou", "boundary_f", "bleed", "coverage", "seam_copper", "clean_copper"])
def test_shipped_pipeline_figures_on_the_pinned_subset(model_by_set, figure):
    model, by_set = model_by_set
    assert set(by_set) == set(PINNED[model])
    for name, pinned in PINNED[model].items():
        assert by_set[name]["n"] == SUBSET
        assert by_set[name][figure] == pytest.approx(pinned[figure], abs=TOLERANCE[figure]), (model, name)


@pytest.mark.shared
def test_the_stages_after_the_model_keep_the_edge_when_the_mask_is_right(shared_dir):
    """Refine, face guard and recolour fed the true masks at the default model's input: what is left of
    bleed and coverage is theirs, and it is within issue 6's targets (bleed <= 4 %, coverage >= 0.97),
    so a change to those stages that adds a halo or loses hair fails here whatever the model does."""
    samples = first_per_set(collect_samples([shared_dir / "datasets"], "val.txt"), SUBSET)
    edges = EdgeJudge(build_refiner(RunningMode.IMAGE), Recolorer())
    try:
        scores = evaluate_true_masks(samples, 256, edges, progress=False)
    finally:
        edges.close()
    by_set = scores.by_set()
    assert set(by_set) == set(PIPELINE_ON_TRUE_MASKS)
    for name, pinned in PIPELINE_ON_TRUE_MASKS.items():
        for figure, value in pinned.items():
            assert by_set[name][figure] == pytest.approx(value, abs=TOLERANCE[figure]), (name, figure)
    overall = scores.summary()
    # issue 21's clean-skin and coverage targets hold on the true masks, and its seam target on the sets with
    # fine annotations (LFW's superpixel masks leave real hair outside the "true" edge)
    assert overall["clean_copper"] <= 0.02 and overall["coverage"] >= 0.95 and overall["follow_copper"] >= 0.6
    assert by_set["celebamaskhq_hair"]["seam_copper"] <= 0.2 and by_set["figaro1k"]["seam_copper"] <= 0.2


@pytest.mark.shared
@pytest.mark.parametrize("model_by_set", ["hairnet@2.2.0"], indirect=True)
def test_dark_hair_lifted_keeps_its_strands_on_the_pinned_subset(model_by_set):
    """The default model's still pipeline on the subset's dark-haired photos, Platinum Blonde at 80 and
    Sunlit Amber at 70: the strands' relative contrast, its correlation, and the distance to the swatch
    at intensity 100, as pinned."""
    _model, by_set = model_by_set
    for name, pinned in TEXTURE_PINNED.items():
        for figure, value in pinned.items():
            tolerance = 1.0 if figure.startswith("swatch") else 0.03
            assert by_set[name][figure] == pytest.approx(value, abs=tolerance), (name, figure)

