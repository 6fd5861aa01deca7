import json

import pytest

from core.io.outputs import figures_json


def _strict(text: str):
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_figures_that_are_not_finite_numbers_are_written_as_null():
    data = {"n": 2, "iou": 0.5, "bleed": float("nan"), "sets": {"a": {"ratio": float("inf")}},
            "runs": [1.0, float("-inf")], "pair": (float("nan"), "x")}
    assert _strict(figures_json(data)) == {"n": 2, "iou": 0.5, "bleed": None, "sets": {"a": {"ratio": None}},
                                           "runs": [1.0, None], "pair": [None, "x"]}


def test_plain_json_dumps_would_not_be_strict():  # why figures_json exists
    with pytest.raises(ValueError):
        _strict(json.dumps({"bleed": float("nan")}))
