"""The gate of ``hairtint models add`` on the real validation split: measured the same way as the
registered figures, so the default measured by it gives its registered IoU again and passes."""

import pytest

from core.catalog.registry import Registry
from core.tools import model_gate


@pytest.mark.slow
@pytest.mark.shared
def test_the_default_measured_by_the_gate_gives_its_registered_iou(shared_dir):
    default = Registry.load().resolve(None)
    verdict = model_gate.judge(default, default, [shared_dir / "datasets"])
    assert verdict.new == model_gate.registered_iou(default)  # every set, to the registry's four places
    assert verdict.passed and verdict.new_mean == verdict.default_mean
    assert verdict.photos == 560


def test_the_sets_mean_decides_at_the_registrys_precision():
    verdict = model_gate.Verdict("ours@0.1.0", "hairnet@2.2.0", {"a": 0.80, "b": 0.70},
                                 {"a": 0.70, "b": 0.79, "c": 0.99}, photos=10)
    assert verdict.default_mean == 0.745 and verdict.new_mean == 0.75 and verdict.passed  # c was not measured
    worse = model_gate.Verdict("ours@0.1.0", "hairnet@2.2.0", {"a": 0.7449}, {"a": 0.745}, photos=1)
    assert not worse.passed
    assert worse.lines()[1].split() == ["a", "0.7449", "against", "0.7450"]


def test_a_default_without_registered_figures_cannot_be_compared():
    default = Registry.load().resolve(None)
    bare = type(default)(id="x", version="1", file=default.file, sha256=default.sha256, details={"metrics": {}})
    with pytest.raises(model_gate.GateError, match="no registered validation IoU"):
        model_gate.registered_iou(bare)
