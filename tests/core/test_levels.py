import pytest

from core.frames import Look, Shade
from core.stages.levels import LIFT_LIMIT, LiftAdvice, level, lift, shade_level
from core.catalog.palette import default_palette, resolve_color

PALETTE = default_palette()


def shade(name: str) -> Shade:
    return resolve_color(name, PALETTE)


def test_levels_run_from_black_to_lightest_blonde():
    assert level(0.0) == 1.0 and level(100.0) == 10.0
    assert level(12.0) == 1.0 and level(19.0) == pytest.approx(2.0)
    assert shade_level(shade("Jet Black")) < 1.5
    assert shade_level(shade("Platinum Blonde")) > 9.5
    assert shade_level(shade("Chocolate Brown")) < shade_level(shade("Chestnut Brown")) < shade_level(shade("Honey Blonde"))


def test_lift_is_the_level_gap():
    assert lift(2.0, shade("Platinum Blonde")) == pytest.approx(shade_level(shade("Platinum Blonde")) - 2.0)
    assert lift(8.0, shade("Espresso")) < 0


def test_advice_speaks_only_beyond_three_levels_and_does_not_blink():
    advice, platinum = LiftAdvice(), Look(shade("Platinum Blonde"))
    natural = shade_level(platinum.shade) - LIFT_LIMIT
    assert advice.update(natural + 0.1, platinum) is None  # 2.9 levels: dye can do it
    said = advice.update(natural - 0.2, platinum)  # 3.2 levels
    assert said is not None and "Platinum Blonde" in said and "pre-lightening" in said
    assert advice.update(natural + 0.2, platinum) is not None  # 2.8: still said (hysteresis)
    assert advice.update(natural + 0.6, platinum) is None  # 2.4: gone
    assert advice.update(None, platinum) is None  # no hair measured


def test_advice_looks_at_the_lighter_of_roots_and_tips():
    dark_roots_light_tips = Look(shade("Espresso"), tips=shade("Honey Blonde"))
    assert LiftAdvice().update(1.5, dark_roots_light_tips) is not None
    assert LiftAdvice().update(1.5, Look(shade("Espresso"))) is None
