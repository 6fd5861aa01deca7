"""The shine and tips controls on their own (bound to a try-on state), offscreen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from core.catalog.palette import default_palette
from core.frames import DEFAULT_SHINE, Look, Shade
from core.tryon.session import Session
from core.tryon.state import TryOnState
from hairtint_desktop.widgets.look_controls import LookControls
from hairtint_desktop.widgets.swatches import SwatchButton
from tests.fakes import shade

PALETTE = default_palette()


@pytest.fixture
def state():
    return TryOnState(PALETTE, Session(palette=PALETTE).fresh_look)


@pytest.fixture
def controls(qtbot, state):
    widget = LookControls(state, touch=True)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_starts_at_default_shine_without_tips(controls, state):
    assert controls.shine == DEFAULT_SHINE and controls.tips is None
    state.pick_shade(shade("Auburn"))
    state.set_intensity(55)
    assert state.look == Look(shade("Auburn"), intensity=55, shine=DEFAULT_SHINE, tips=None)


def test_tips_offers_none_and_the_one_tone_shades(controls):
    assert controls.choices[0] is None
    assert controls.choices[1:] == [s for s in PALETTE if s.tips is None]
    assert shade("Honey Balayage") not in controls.choices  # a two-tone look is no tips colour
    assert controls.tips_box.itemText(0).startswith("None")
    assert [controls.tips_box.itemText(i) for i in range(1, 4)] == [s.name for s in controls.choices[1:4]]


def test_shine_slider_by_keyboard_sets_the_new_shine(qtbot, controls, state):
    seen = []
    state.events.look.connect(seen.append)
    controls.shine_slider.setFocus()
    qtbot.keyClick(controls.shine_slider, Qt.Key.Key_Right)
    assert [(c.value.shine, c.value.tips) for c in seen] == [(31, None)]
    qtbot.keyClick(controls.shine_slider, Qt.Key.Key_PageUp)
    assert [c.value.shine for c in seen] == [31, 41]
    assert controls.shine_label.text() == "41"
    assert state.look.shine == 41


def test_picking_tips_by_keyboard_sets_them_and_the_look_carries_them(qtbot, controls, state):
    seen = []
    state.events.look.connect(seen.append)
    controls.tips_box.setFocus()
    first = controls.choices[1]
    qtbot.keyClick(controls.tips_box, Qt.Key.Key_Down)
    assert [(c.value.shine, c.value.tips) for c in seen] == [(30, first)]
    state.pick_shade(shade("Espresso"))
    state.set_intensity(80)
    assert state.look == Look(shade("Espresso"), intensity=80, shine=30, tips=first)


def test_a_two_tone_look_brings_its_tips_and_takes_them_when_left(qtbot, controls, state):
    state.pick_shade(shade("Honey Balayage"))
    assert state.tips_from_look  # shown in the picker without being set back as the person's own pick
    assert controls.tips == shade("Honey Blonde") and controls.tips_box.currentText() == "Honey Blonde"
    assert state.look.tips == shade("Honey Blonde")
    state.pick_shade(shade("Copper Ombre"))
    assert controls.tips == shade("Copper Red")
    state.pick_shade(shade("Auburn"))
    assert controls.tips is None  # the tips came with the look


def test_tips_the_person_picked_stay_across_shades(qtbot, controls, state):
    state.pick_shade(shade("Honey Balayage"))
    blue = controls.choices.index(shade("Ocean Blue"))
    controls.tips_box.setCurrentIndex(blue)  # changed by hand after the look: now the person's own
    state.pick_shade(shade("Auburn"))
    assert controls.tips == shade("Ocean Blue")
    state.pick_shade(shade("Espresso"))
    assert controls.tips == shade("Ocean Blue")
    state.pick_shade(shade("Lavender Tips"))  # a two-tone look still brings its own
    assert controls.tips == shade("Pastel Lavender")


def test_preview_is_what_picking_the_shade_would_give(controls, state):
    state.pick_shade(shade("Honey Balayage"))
    controls.shine_slider.setValue(75)
    state.set_intensity(60)
    # a one-tone neighbour: the look's tips would go; a two-tone one: its own tips
    assert state.preview(shade("Auburn")) == Look(shade("Auburn"), intensity=60, shine=75, tips=None)
    assert state.preview(shade("Copper Ombre")).tips == shade("Copper Red")
    controls.tips_box.setCurrentIndex(controls.choices.index(shade("Jet Black")))
    assert state.preview(shade("Auburn")).tips == shade("Jet Black")
    for name in ("Auburn", "Copper Ombre", "Espresso"):
        expected = state.preview(shade(name))
        state.pick_shade(shade(name))
        assert state.look == expected and controls.tips == expected.tips


def test_tips_the_palette_lacks_get_one_extra_entry(controls, state):
    count = controls.tips_box.count()
    teal = Shade("Teal Dip", (9, 9, 9), tips=Shade("#1f8a8a", (0x1F, 0x8A, 0x8A)))
    state.pick_shade(teal)
    assert controls.tips_box.count() == count + 1 and controls.tips_box.currentText() == "#1f8a8a"
    state.pick_shade(Shade("Red Dip", (9, 9, 9), tips=Shade("#aa0000", (0xAA, 0, 0))))
    assert controls.tips_box.count() == count + 1 and controls.tips.rgb == (0xAA, 0, 0)
    state.pick_shade(shade("Honey Balayage"))
    assert controls.tips == shade("Honey Blonde")


def test_reset_restores_default_shine_and_no_tips(qtbot, controls, state):
    fresh = state.look
    controls.shine_slider.setValue(90)
    controls.tips_box.setCurrentIndex(3)
    state.reset()
    assert state.look == fresh  # the controls showed the reset without setting anything back
    assert controls.shine == DEFAULT_SHINE and controls.shine_label.text() == str(DEFAULT_SHINE)
    assert controls.tips is None and controls.tips_box.currentIndex() == 0
    state.pick_shade(shade("Auburn"))
    assert controls.tips is None


def test_a_new_palette_keeps_the_chosen_tips(controls, state):
    controls.tips_box.setCurrentIndex(controls.choices.index(shade("Ocean Blue")))
    state.set_palette([Shade("Salon Teal", (0x1F, 0x8A, 0x8A)), shade("Ocean Blue")])
    assert controls.choices == [None, Shade("Salon Teal", (0x1F, 0x8A, 0x8A)), shade("Ocean Blue")]
    assert controls.tips == shade("Ocean Blue")


def test_touch_sized_and_named_for_assistive_tech(controls):
    assert controls.shine_slider.height() >= 56 and controls.tips_box.height() >= 56
    assert controls.shine_slider.accessibleName() == "Shine"
    assert controls.tips_box.accessibleName() == "Tips shade"
    assert controls.shine_slider.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert controls.tips_box.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_a_two_tone_swatch_shows_both_colours_split_diagonally(qtbot):
    look = shade("Lavender Tips")
    button = SwatchButton(look, 96)
    qtbot.addWidget(button)
    image = button.grab().toImage()
    scale = image.width() / button.width()

    def colour(fx, fy):  # a point of the colour chip, as a share of its bounding square
        chip = min(button.width() - 20, (button.height() - 4) * 0.55)
        x0, y0 = button.width() / 2 - chip / 2, 10
        c = image.pixelColor(int((x0 + fx * chip) * scale), int((y0 + fy * chip) * scale))
        return c.red(), c.green(), c.blue()

    def near(a, b):
        return max(abs(p - q) for p, q in zip(a, b, strict=True)) <= 8

    assert near(colour(0.3, 0.3), look.rgb)  # top left: the roots
    assert near(colour(0.7, 0.7), look.tips.rgb)  # bottom right: the tips
    assert "Pastel Lavender" in button.toolTip()
    plain = SwatchButton(shade("Auburn"), 96)
    qtbot.addWidget(plain)
    image = plain.grab().toImage()
    assert near(colour(0.7, 0.7), shade("Auburn").rgb)
