import csv
from pathlib import Path

import numpy as np
import pytest

from core.frames import Frame, Look, RunningMode, Shade
from core.stages.levels import HOLD, LIFT_LIMIT, LiftAdvice, hair_level, level, lift, shade_level
from tests.fakes import shade

LABELLED = Path(__file__).resolve().parents[2] / "docs" / "models" / "hair-levels.csv"


def test_levels_run_from_black_to_lightest_blonde():
    assert level(0.0) == 1.0 and level(100.0) == 10.0
    assert level(12.0) == 1.0 and level(19.0) == pytest.approx(2.0)
    assert shade_level(shade("Jet Black")) < 1.5
    assert shade_level(shade("Platinum Blonde")) > 9.5
    assert shade_level(shade("Chocolate Brown")) < shade_level(shade("Chestnut Brown")) < shade_level(shade("Honey Blonde"))


def test_hair_in_a_picture_reads_lighter_when_golden_than_when_ash():
    assert hair_level(0.0, 0.0) == 1.0 and hair_level(100.0, 30.0) == 10.0
    assert hair_level(38.0, 0.0) == pytest.approx(5.0)
    assert hair_level(38.0, 20.0) > hair_level(38.0, 0.0) + 1.0


def test_lift_is_the_gap_in_whole_levels():
    assert lift(2.2, shade("Platinum Blonde")) == round(shade_level(shade("Platinum Blonde"))) - 2
    assert lift(8.0, shade("Espresso")) < 0


def test_advice_speaks_beyond_three_whole_levels_in_the_same_words():
    advice, platinum = LiftAdvice(), Look(shade("Platinum Blonde"))
    top = round(shade_level(platinum.shade))
    assert advice.update(top - LIFT_LIMIT, platinum) is None  # three levels: dye can do it
    fresh = LiftAdvice()
    said = fresh.update(top - LIFT_LIMIT - 1.2, platinum)  # reads as four levels below
    assert said == (f"Platinum Blonde is {LIFT_LIMIT + 1} levels lighter than this hair (level {top - LIFT_LIMIT - 1}): "
                    f"in the salon, more than {LIFT_LIMIT} levels needs pre-lightening first")
    assert advice.update(None, platinum) is None  # no hair measured


def test_the_hairs_level_holds_while_its_reading_wavers():
    advice, platinum = LiftAdvice(), Look(shade("Platinum Blonde"))
    held = round(shade_level(platinum.shade)) - LIFT_LIMIT - 1  # four levels below: said
    assert advice.update(held, platinum) is not None
    for reading in (held + 0.6, held + HOLD - 0.01, held + 0.5):  # rounds up now and then, but stays near
        assert advice.update(reading, platinum) is not None
    assert advice.update(held + HOLD + 0.05, platinum) is None  # moved on: three levels now
    assert advice.update(held + 0.45, platinum) is None  # held at the new level until it moves back
    assert advice.update(held, platinum) is not None


def test_advice_looks_at_the_lighter_of_roots_and_tips():
    dark_roots_light_tips = Look(shade("Espresso"), tips=shade("Honey Blonde"))
    assert LiftAdvice().update(1.5, dark_roots_light_tips) is not None
    assert LiftAdvice().update(1.5, Look(shade("Espresso"))) is None


def test_the_labelled_photos_are_forty_or_more_with_a_level_and_a_reason():
    rows = list(csv.DictReader(LABELLED.open()))
    assert len(rows) >= 40
    assert all(1 <= int(row["level"]) <= 10 and row["why"].strip() for row in rows)
    assert len({row["level"] for row in rows}) >= 8  # they span the scale


@pytest.mark.shared
@pytest.mark.slow
def test_the_still_pipeline_reads_the_labelled_photos_within_one_level(shared_dir):
    """The level the app reads from each labelled photo (the still pipeline's hair level) is within one of
    the level named by eye on at least 80 % of them (85 % when calibrated, 2026-12-07)."""
    from core.io.images import load_image
    from core.pipeline.engine import PipelineOptions, build_pipeline

    pipeline = build_pipeline(PipelineOptions(running_mode=RunningMode.IMAGE))
    look = Look(Shade("grey", (128, 128, 128)), intensity=1)  # at 0 nothing is measured
    hits = []
    try:
        for row in csv.DictReader(LABELLED.open()):
            photo = load_image(shared_dir / "datasets" / row["set"] / "images" / f"{row['stem']}.jpg")
            read = pipeline.process(Frame(photo, 0, 0, row["stem"]), look).hair_level
            hits.append(read is not None and abs(round(read) - int(row["level"])) <= 1)
    finally:
        pipeline.close()
    print(f"within one level: {np.mean(hits):.0%} of {len(hits)}")
    assert np.mean(hits) >= 0.8
