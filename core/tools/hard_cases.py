"""The hard-cases slice: labelled photos where a hair model is most often wrong about *what* is hair
(headwear, sunglasses, dark hair on a dark ground, clutter beside the hair), listed in a CSV file with
the columns ``set``, ``stem``, ``kind`` and ``note`` (``docs/models/hard-cases.csv``: 100 validation
photos, each looked at and given its kind by eye, not chosen by any model's errors).

``hairtint eval --hard-cases FILE`` reports each model on the listed photos that are among the ones it
evaluates: IoU, failures, and the *false-positive area*, the share of what the model calls hair that is
not hair (``core.tools.mask_metrics.false_positive_area``): a dyed hat or poster."""

from __future__ import annotations

import csv
from pathlib import Path

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
    """``ModelScores.summary`` of each kind of hard case, and of all of them (``ALL``, last), over the
    photos of ``scores`` (``evaluate.ModelScores``) that ``cases`` lists; kinds with no photo among the
    scores are left out."""
    out = scores.grouped(lambda set_name, sample: cases.get((set_name, sample.stem)))
    every = scores.grouped(lambda set_name, sample: ALL if (set_name, sample.stem) in cases else None)
    return {**out, **every}
