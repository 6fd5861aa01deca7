"""The hard-cases slice (core.tools.hard_cases) and the false-positive area (core.tools.mask_metrics): the CSV file is
read or refused with a clear message, each kind is summed up over the listed photos the scores hold, and
the false-positive area is the share of the called hair that is not hair."""

from pathlib import Path

import numpy as np
import pytest

from core.errors import DataError
from core.io.datasets import Sample
from core.tools.evaluate import ModelScores
from core.tools.hard_cases import ALL, load_hard_cases, slice_summary
from core.tools.mask_metrics import false_positive_area

LISTED = Path(__file__).resolve().parents[2] / "docs" / "models" / "hard-cases.csv"


def test_false_positive_area_is_the_share_of_called_hair_that_is_not_hair():
    truth = np.zeros((10, 10), bool)
    truth[:5] = True
    called = np.zeros((10, 10), bool)
    called[:8] = True  # 50 hair pixels and 30 that are not
    assert false_positive_area(called, truth) == pytest.approx(30 / 80)
    assert false_positive_area(truth, truth) == 0.0
    assert np.isnan(false_positive_area(np.zeros((10, 10), bool), truth))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_hard_cases_file_is_read_by_set_and_stem(tmp_path):
    cases = load_hard_cases(write(tmp_path / "h.csv", "set,stem,kind,note\na,s0,headwear,cap\nb,s1, dark ground ,\n"))
    assert cases == {("a", "s0"): "headwear", ("b", "s1"): "dark ground"}


@pytest.mark.parametrize("text, expected", [
    ("", "lists no photos"),
    ("set,stem,kind\n", "lists no photos"),
    ("set,stem,note\na,s0,cap\n", "no column kind"),
    ("set,stem,kind\na,,headwear\n", "line 2"),
    ("set,stem,kind\na,s0,\n", "line 2"),
])
def test_a_bad_hard_cases_file_is_refused_with_what_is_wrong(tmp_path, text, expected):
    with pytest.raises(DataError, match=expected):
        load_hard_cases(write(tmp_path / "h.csv", text))


def test_a_missing_or_unreadable_hard_cases_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="cannot read the hard-cases file"):
        load_hard_cases(tmp_path / "missing.csv")
    (tmp_path / "bad.csv").write_bytes(b"set,stem,kind\n\xff\xfe,\x00,x\n")
    with pytest.raises(DataError, match="hard-cases file"):
        load_hard_cases(tmp_path / "bad.csv")


def scores_of(rows) -> ModelScores:
    """ModelScores of (set, stem, iou, fp) rows."""
    scores = ModelScores("m")
    for set_name, stem, iou, fp in rows:
        scores.add(set_name, Sample(stem, Path(f"{stem}.jpg"), Path(f"{stem}.png")), iou, 1.0, None, fp)
    return scores


def test_the_slice_sums_up_each_kind_and_all_over_the_listed_photos_only():
    scores = scores_of([("a", "s0", 0.9, 0.1), ("a", "s1", 0.3, 0.6), ("a", "s2", 0.8, float("nan")),
                        ("a", "s3", 0.95, 0.0), ("b", "s0", 0.1, 0.9)])
    cases = {("a", "s0"): "headwear", ("a", "s1"): "headwear", ("a", "s2"): "clutter", ("c", "s9"): "clutter"}
    out = slice_summary(scores, cases)
    assert list(out) == ["clutter", "headwear", ALL]  # the kinds, then all of them
    headwear = {name: out["headwear"][name] for name in ("n", "mean_iou", "failure_rate", "fp_area")}
    assert headwear == {"n": 2, "mean_iou": pytest.approx(0.6), "failure_rate": 0.5, "fp_area": pytest.approx(0.35)}
    assert out["clutter"]["n"] == 1 and np.isnan(out["clutter"]["fp_area"])  # nothing called hair there
    assert out[ALL]["n"] == 3 and out[ALL]["mean_iou"] == pytest.approx((0.9 + 0.3 + 0.8) / 3)
    assert slice_summary(scores, {("z", "s0"): "headwear"}) == {}


def test_the_listed_hard_cases_are_a_hundred_validation_photos_of_four_kinds():
    cases = load_hard_cases(LISTED)
    assert len(cases) == 100
    assert set(cases.values()) == {"headwear", "sunglasses", "dark ground", "clutter"}
    assert {name for name, _ in cases} == {"celebamaskhq_hair", "figaro1k", "lfw_parts_hair"}
