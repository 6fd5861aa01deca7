"""The try-on state on its own: its changes and their events, the compare looks, the idle reset (what it
puts back, what it keeps) and the kiosk policy."""

from __future__ import annotations

import pytest

from core.catalog.config import KioskSettings
from core.catalog.palette import default_palette
from core.frames import DEFAULT_INTENSITY, DEFAULT_SHINE, Look, Shade
from core.tryon.session import Session
from core.tryon.state import (
    COMPARE_TILES,
    DEFAULT_DIVIDER,
    KEPT_FIELDS,
    RESET_FIELDS,
    Change,
    KioskPolicy,
    TryOnState,
    ViewMode,
)

PALETTE = default_palette()


def shade(name: str) -> Shade:
    return next(s for s in PALETTE if s.name == name)


def fields(state: TryOnState) -> dict:
    """The state's fields: its attributes, less its emitters and its source of fresh looks."""
    return {name: value for name, value in vars(state).items() if name not in ("events", "_fresh")}


def recorder(state: TryOnState) -> list[Change]:
    seen: list[Change] = []
    for name in ("look", "mode", "divider", "source", "palette", "looks", "reset"):
        getattr(state.events, name).connect(seen.append)
    return seen


@pytest.fixture
def state() -> TryOnState:
    return TryOnState(PALETTE, Session(palette=PALETTE).fresh_look, kiosk=KioskPolicy(True))


def test_starts_with_the_fresh_look_in_the_single_view(state):
    assert state.look == Look(shade("Sunlit Amber"), DEFAULT_INTENSITY, DEFAULT_SHINE, None)
    assert (state.mode, state.divider, state.source, state.tips_from_look) == (ViewMode.SINGLE, DEFAULT_DIVIDER,
                                                                                None, False)
    assert state.looks() == (state.look,)


def test_every_field_is_either_reset_or_kept():
    state = TryOnState(PALETTE, Session(palette=PALETTE).fresh_look)
    assert not set(RESET_FIELDS) & set(KEPT_FIELDS)
    assert set(fields(state)) == set(RESET_FIELDS) | set(KEPT_FIELDS)


def test_reset_puts_back_the_reset_fields_and_keeps_the_others(state):
    fresh = fields(state)
    state.open("camera:1")
    state.set_palette([*PALETTE, Shade("Salon Teal", (0x1F, 0x8A, 0x8A))])
    state.pick_shade(shade("Honey Balayage"))
    state.set_intensity(35)
    state.set_shine(90)
    state.set_mode("split")
    state.set_divider(0.2)
    state.set_mode("compare")
    before = fields(state)
    assert all(before[name] != fresh[name] for name in [*RESET_FIELDS, "palette", "source"])
    seen = recorder(state)
    state.reset()
    after = fields(state)
    assert {name: after[name] for name in RESET_FIELDS} == {name: fresh[name] for name in RESET_FIELDS}
    assert {name: after[name] for name in KEPT_FIELDS} == {name: before[name] for name in KEPT_FIELDS}
    # the reset is announced first (the runner forgets the last picture), then each field that changed
    assert [c.field for c in seen] == ["reset", "look", "mode", "divider", "looks"]
    assert seen[-1].value == (fresh["look"],) and len(seen[-1].old) == COMPARE_TILES


def test_a_change_is_announced_once_with_its_old_value_and_never_when_nothing_changed(state):
    seen = recorder(state)
    state.set_intensity(40)
    assert seen == [Change("look", state.look, state.look.with_(intensity=DEFAULT_INTENSITY)),
                    Change("looks", (state.look,), (state.look.with_(intensity=DEFAULT_INTENSITY),))]
    seen.clear()
    state.set_intensity(40)
    state.set_mode("split", on=False)  # not on: nothing to turn off
    state.set_divider(DEFAULT_DIVIDER)
    assert seen == []


def test_a_callback_disconnected_hears_nothing_more(state):
    seen = []
    state.events.look.connect(seen.append)
    state.events.look.connect(seen.append)  # once is enough
    state.set_shine(10)
    state.events.look.disconnect(seen.append)
    state.set_shine(20)
    assert [c.value.shine for c in seen] == [10]


def test_the_intensity_goes_to_the_looks_as_it_was_set(state):
    looks = []
    state.events.looks.connect(lambda change: looks.append(change.value))
    for value in (0, 100, 55):
        state.set_intensity(value)
    assert [tuple(look.intensity for look in value) for value in looks] == [(0,), (100,), (55,)]


def test_split_and_compare_exclude_each_other_and_compare_adds_the_next_shades(state):
    state.set_mode(ViewMode.SPLIT)
    state.set_mode(ViewMode.COMPARE)
    assert state.mode is ViewMode.COMPARE
    state.set_mode(ViewMode.SPLIT, on=False)  # split is not on: compare stays
    assert state.mode is ViewMode.COMPARE
    state.pick_shade(shade("Ocean Blue"))
    names = [look.shade.name for look in state.looks()]
    assert names == ["Ocean Blue", "Honey Balayage", "Copper Ombre", "Lavender Tips"]
    assert state.looks()[1].tips == shade("Honey Balayage").tips  # as a tap on that tile would give
    state.pick_tile(2)
    assert (state.look.shade, state.look.tips) == (shade("Copper Ombre"), shade("Copper Red"))
    state.set_mode(ViewMode.COMPARE, on=False)
    assert state.mode is ViewMode.SINGLE and len(state.looks()) == 1


def test_the_divider_stays_between_the_edges(state):
    state.set_divider(1.7)
    assert state.divider == 1.0
    state.set_divider(-1)
    assert state.divider == 0.0


def test_opening_the_same_source_again_is_announced(state):
    seen = []
    state.events.source.connect(seen.append)
    state.open("camera:0")
    state.open("camera:0")  # e.g. the same camera at another resolution
    assert seen == [Change("source", "camera:0", None), Change("source", "camera:0", "camera:0")]


def test_a_new_palette_keeps_the_shade_of_the_same_name_else_picks_the_default(state):
    state.pick_shade(shade("Auburn"))
    state.set_palette([Shade("Salon Teal", (1, 2, 3)), shade("Auburn")])
    assert state.look.shade == shade("Auburn")
    state.set_palette([Shade("Salon Teal", (1, 2, 3)), shade("Sunlit Amber")])
    assert state.look.shade == shade("Sunlit Amber")  # the default shade


def test_the_kiosk_policy_guards_the_settings_with_the_pin_and_locks_out_guessing():
    now = [100.0]
    policy = KioskPolicy(True, KioskSettings(pin="2468", idle_reset_s=30), clock=lambda: now[0])
    assert policy.touch and policy.staff_only and not policy.files and not policy.settings_locked
    assert policy.check_pin("2468") and policy.idle_reset_s == 30
    for _ in range(5):
        assert not policy.check_pin("0000")
    assert not policy.check_pin("2468") and policy.lockout_left_s() == 60
    now[0] += 60
    assert policy.check_pin("2468")
    policy.apply(KioskSettings(pin=None))
    assert policy.settings_locked and not policy.check_pin("")
    desktop = KioskPolicy()
    assert desktop.files and not desktop.touch and not desktop.staff_only


def test_quitting_a_kiosk_from_the_screen_needs_the_pin_and_a_new_pin_is_4_to_8_digits():
    assert KioskPolicy().may_quit  # the desktop app
    unset = KioskPolicy(True, KioskSettings(pin=None))
    assert not unset.may_quit and not unset.check_pin("") and not unset.may_quit
    policy = KioskPolicy(True, KioskSettings(pin="2468"))
    assert not policy.may_quit and not policy.check_pin("1111") and not policy.may_quit
    assert policy.check_pin("2468") and policy.may_quit
    policy.lock()
    assert not policy.may_quit
    assert [KioskPolicy.new_pin_problem(p) is None for p in ("123", "1234", "12345678", "123456789", "12a4", "١٢٣٤")] \
        == [False, True, True, False, False, False]
