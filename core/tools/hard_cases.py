"""The hard-cases slice: labelled photos where a hair model is most often wrong about *what* is hair
(headwear, sunglasses, dark hair on a dark ground, clutter beside the hair), listed in a CSV file with
the columns ``set``, ``stem``, ``kind`` and ``note`` (``docs/models/hard-cases.csv``: 100 validation
photos, each looked at and given its kind by eye, not chosen by any model's errors).

``hairtint eval --hard-cases FILE`` reports each model on the listed photos that are among the ones it
evaluates: IoU, failures, and the *false-positive area*, the share of what the model calls hair that is
not hair (``core.metrics.false_positive_area``): a dyed hat or poster."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.errors import DataError

COLUMNS = ("set", "stem", "kind", "note")
ALL = "all hard cases"


def load_hard_cases(path: Path) -> dict[tuple[str, str], str]:
    """``(set, stem) -> kind`` from the CSV file at ``path`` (DataError naming what is wrong)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = tuple(reader.fieldnames or ())
    except OSError as exc:
        raise DataError(f"cannot read the hard-cases file {path}: {exc.strerror or exc}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataError(f"the hard-cases file {path} is not a CSV file: {exc}") from None
    if not rows:
        raise DataError(f"the hard-cases file {path} lists no photos")
    missing = [name for name in COLUMNS[:3] if name not in header]
    if missing:
        raise DataError(f"the hard-cases file {path} has no column {', '.join(missing)} (needs {', '.join(COLUMNS)})")
    cases = {}
    for number, row in enumerate(rows, start=2):
        key = ((row["set"] or "").strip(), (row["stem"] or "").strip())
        kind = (row["kind"] or "").strip()
        if not all(key) or not kind:
            raise DataError(f"the hard-cases file {path}, line {number}: set, stem and kind are all needed")
        cases[key] = kind
    return cases


def slice_summary(scores, cases: dict[tuple[str, str], str]) -> dict[str, dict]:
    """Per kind of hard case, and for all of them (``ALL``), over the photos of ``scores``
    (``evaluate.ModelScores``) that ``cases`` lists: ``n``, ``mean_iou``, ``failure_rate`` and
    ``fp_area`` (the mean false-positive area; NaN where nothing was called hair). Kinds with no photo
    among the scores are left out."""
    from core.tools.evaluate import FAILURE_IOU

    picked: dict[str, list[int]] = {}
    for index, (set_name, sample) in enumerate(scores.stems):
        kind = cases.get((set_name, sample.stem))
        if kind is not None:
            picked.setdefault(kind, []).append(index)
            picked.setdefault(ALL, []).append(index)
    out = {}
    for kind in sorted(picked, key=lambda name: (name == ALL, name)):
        ious = np.asarray([scores.ious[i] for i in picked[kind]], np.float64)
        fps = np.asarray([scores.fps[i] for i in picked[kind]], np.float64)
        fps = fps[~np.isnan(fps)]
        out[kind] = {"n": int(ious.size), "mean_iou": float(ious.mean()),
                     "failure_rate": float((ious < FAILURE_IOU).mean()),
                     "fp_area": float(fps.mean()) if fps.size else float("nan")}
    return out
