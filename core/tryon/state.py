"""The try-on's state, without Qt: the look being tried (shade, intensity, shine, tips), how the picture is
shown (single, before/after with its divider, compare), the source, the palette, and the kiosk's policy.

Widgets set it and follow it; the live runner follows it. Each change is announced to the callbacks
connected to that field's :class:`Emitter` (``state.events.look.connect(callback)``) as a typed
:class:`Change`, napari's evented-model shape without Qt. ``events.looks`` carries what the runner
processes: the look, and in compare mode the next shades of the palette as a tap on each would give them.

:meth:`TryOnState.reset` is a kiosk's idle reset: the fields in :data:`RESET_FIELDS` go back to their
fresh values, those in :data:`KEPT_FIELDS` stay; ``events.reset`` then tells whoever holds something of the
last customer outside the state (the picture, the runner's held frame, dialogs, notes) to drop it."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from core.catalog.config import KioskSettings
from core.catalog.palette import default_index
from core.frames import Look, Shade

T = TypeVar("T")

COMPARE_TILES = 4  # the compare view: the chosen shade and the next three
DEFAULT_DIVIDER = 0.5
MAX_PIN_ATTEMPTS = 5
PIN_LOCKOUT_S = 60.0
MIN_PIN_DIGITS, MAX_PIN_DIGITS = 4, 8  # a new staff PIN set on the screen

#: What :meth:`TryOnState.reset` puts back for the next customer, and what it keeps: every field of the
#: state is in exactly one of the two (tests/core/test_tryon_state.py checks both).
RESET_FIELDS = ("look", "tips_from_look", "mode", "divider")
KEPT_FIELDS = ("palette", "source", "kiosk")


class ViewMode(str, Enum):  # noqa: UP042  a StrEnum would print and format its members differently
    SINGLE = "single"  # the recoloured picture
    SPLIT = "split"  # before on the left of the divider, after on the right
    COMPARE = "compare"  # 2 x 2 tiles: the chosen shade and the next ones


@dataclass(frozen=True)
class Change(Generic[T]):
    """``field`` changed from ``old`` to ``value``."""

    field: str
    value: T
    old: T


class Emitter(Generic[T]):
    """The callbacks that want to hear of one field's changes, called in the order they connected."""

    def __init__(self, field: str):
        self.field = field
        self._callbacks: list[Callable[[Change[T]], object]] = []

    def connect(self, callback: Callable[[Change[T]], object]) -> Callable[[Change[T]], object]:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[[Change[T]], object]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, value: T, old: T) -> None:
        change = Change(self.field, value, old)
        for callback in list(self._callbacks):
            callback(change)


class StateEvents:
    """One emitter per field of :class:`TryOnState`, ``looks`` (derived) and ``reset`` (value: the state)."""

    def __init__(self):
        self.look: Emitter[Look] = Emitter("look")
        self.mode: Emitter[ViewMode] = Emitter("mode")
        self.divider: Emitter[float] = Emitter("divider")
        self.source: Emitter[str | None] = Emitter("source")
        self.palette: Emitter[tuple[Shade, ...]] = Emitter("palette")
        self.looks: Emitter[tuple[Look, ...]] = Emitter("looks")
        self.reset: Emitter[TryOnState] = Emitter("reset")


class KioskPolicy:
    """What a kiosk does differently, in one place: touch-sized controls; no file dialogs, drops or
    snapshots and no settings written on its own; customers cannot quit; settings only behind the staff
    PIN of the configuration (none configured: locked), with a lockout after too many wrong PINs; an idle
    reset after ``idle_reset_s``. Quitting from the screen needs the PIN too (with none configured it is
    refused: the service manager stops a kiosk). With ``on`` False, the desktop app: everything allowed,
    no PIN."""

    def __init__(self, on: bool = False, settings: KioskSettings | None = None, clock=time.monotonic):
        self.on = on
        self._clock = clock
        self._failures = 0
        self._locked_until = 0.0
        self.unlocked = False  # the right PIN was entered and staff have not left the settings since
        self.apply(settings or KioskSettings())

    def apply(self, settings: KioskSettings) -> None:
        self.pin: str | None = settings.pin or None
        self.idle_reset_s = settings.idle_reset_s

    @property
    def touch(self) -> bool:
        return self.on

    @property
    def files(self) -> bool:
        """File dialogs, dropped photos, snapshots and settings written on their own are allowed."""
        return not self.on

    @property
    def staff_only(self) -> bool:
        """Settings and quitting are for staff, behind the PIN."""
        return self.on

    @property
    def settings_locked(self) -> bool:
        return self.pin is None

    @property
    def may_quit(self) -> bool:
        """Quitting from the screen: always on the desktop; in a kiosk only behind the staff PIN."""
        return not self.on or (self.pin is not None and self.unlocked)

    def lock(self) -> None:
        """Staff left the settings (or the kiosk went idle): the PIN is needed again."""
        self.unlocked = False

    @staticmethod
    def new_pin_problem(pin: str) -> str | None:
        """Why ``pin`` cannot be a new staff PIN (None: it can): 4 to 8 digits."""
        if not pin.isascii() or not pin.isdigit() or not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
            return f"A PIN is {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits."
        return None

    def lockout_left_s(self) -> float:
        """Seconds until a PIN may be tried again (0: now)."""
        return max(0.0, self._locked_until - self._clock())

    def check_pin(self, entered: str) -> bool:
        """True for the configured PIN; never while locked (no PIN, or too many wrong ones lately)."""
        if self.pin is None or self.lockout_left_s() > 0:
            return False
        if hmac.compare_digest(entered.encode(), self.pin.encode()):
            self._failures = 0
            self.unlocked = True
            return True
        self._failures += 1
        if self._failures >= MAX_PIN_ATTEMPTS:
            self._failures = 0
            self._locked_until = self._clock() + PIN_LOCKOUT_S
        return False


def index_of(palette, name: str) -> int:
    """The index of the shade called ``name`` (case and spacing aside) in ``palette``; -1 when none is."""
    key = " ".join(name.split()).casefold()
    return next((i for i, shade in enumerate(palette) if shade.name.casefold() == key), -1)


class TryOnState:
    """``fresh()`` gives the starting look (``Session.fresh_look``); the palette's shade of that name is
    picked. Fields are read as attributes and changed through the methods, which announce each change."""

    def __init__(self, palette, fresh: Callable[[], Look], *, kiosk: KioskPolicy | None = None):
        self.events = StateEvents()
        self._fresh = fresh
        self.palette: tuple[Shade, ...] = tuple(palette)
        self.source: str | None = None
        self.kiosk = kiosk or KioskPolicy()
        self.look, self.tips_from_look, self.mode, self.divider = self._fresh_values()

    # ---- derived ---------------------------------------------------------------------------------
    @property
    def shade_index(self) -> int:
        return index_of(self.palette, self.look.shade.name)

    def preview(self, shade: Shade) -> Look:
        """The look a tap on ``shade`` would give now (a compare tile)."""
        return self.look.with_(shade=shade, tips=self._tips_after_pick(shade)[0])

    def looks(self) -> tuple[Look, ...]:
        """What the runner processes: the look; in compare mode also the next shades of the palette."""
        if self.mode is not ViewMode.COMPARE or not self.palette:
            return (self.look,)
        start, count = max(0, self.shade_index), len(self.palette)
        return (self.look, *(self.preview(self.palette[(start + i) % count])
                             for i in range(1, min(COMPARE_TILES, count))))

    # ---- the look --------------------------------------------------------------------------------
    def pick_shade(self, shade: Shade) -> None:
        """A swatch picked: a two-tone look brings its tips; a one-tone shade drops tips that came with a
        look but keeps tips the person picked."""
        tips, from_look = self._tips_after_pick(shade)
        self._set_look(self.look.with_(shade=shade, tips=tips), from_look)

    def pick_tile(self, index: int) -> None:
        """Compare tile ``index`` tapped (0: the chosen shade itself)."""
        if index > 0 and self.palette:
            self.pick_shade(self.palette[(max(0, self.shade_index) + index) % len(self.palette)])

    def set_intensity(self, intensity: int) -> None:
        self._set_look(self.look.with_(intensity=intensity), self.tips_from_look)

    def set_shine(self, shine: int) -> None:
        self._set_look(self.look.with_(shine=shine), self.tips_from_look)

    def set_tips(self, tips: Shade | None) -> None:
        """Tips picked by the person: they stay when a one-tone shade is picked next."""
        self._set_look(self.look.with_(tips=tips), False)

    # ---- the view, the source and the palette -----------------------------------------------------
    def set_mode(self, mode: ViewMode | str, on: bool = True) -> None:
        """Turn ``mode`` on (split and compare exclude each other), or off (back to single)."""
        mode = ViewMode(mode)
        if on:
            self._set_view(mode, self.divider)
        elif self.mode is mode:
            self._set_view(ViewMode.SINGLE, self.divider)

    def set_divider(self, fraction: float) -> None:
        self._set_view(self.mode, min(1.0, max(0.0, float(fraction))))

    def open(self, spec: str) -> None:
        """Open ``spec``; announced even when it is the source already open (opening it again reopens it)."""
        old, self.source = self.source, spec
        self.events.source.emit(spec, old)

    def set_palette(self, palette) -> None:
        """The shade of the same name stays picked (from the new palette); else the default shade is picked."""
        old_looks, old = self.looks(), self.palette
        self.palette = tuple(palette)
        if self.palette != old:
            self.events.palette.emit(self.palette, old)
        i = index_of(self.palette, self.look.shade.name)
        shade = self.palette[i if i >= 0 else default_index(list(self.palette))] if self.palette else self.look.shade
        if shade != self.look.shade:
            self.pick_shade(shade)
        else:
            self._announce_looks(old_looks)

    # ---- the idle reset --------------------------------------------------------------------------
    def reset(self) -> None:
        """The next customer's start: RESET_FIELDS fresh, KEPT_FIELDS kept; ``events.reset`` first, so the
        runner forgets the last picture before it hears of the fresh look."""
        old_look, old_mode, old_divider, old_looks = self.look, self.mode, self.divider, self.looks()
        self.look, self.tips_from_look, self.mode, self.divider = self._fresh_values()
        self.events.reset.emit(self, self)
        self._announce(old_look, old_mode, old_divider, old_looks)

    # ---- internal --------------------------------------------------------------------------------
    def _fresh_values(self) -> tuple[Look, bool, ViewMode, float]:
        look = self._fresh()
        i = index_of(self.palette, look.shade.name)
        shade = self.palette[max(0, i)] if self.palette else look.shade
        look = look.with_(shade=shade, tips=shade.tips)
        return look, shade.tips is not None, ViewMode.SINGLE, DEFAULT_DIVIDER

    def _tips_after_pick(self, shade: Shade) -> tuple[Shade | None, bool]:
        if shade.tips is not None or self.tips_from_look:
            return shade.tips, shade.tips is not None
        return self.look.tips, self.tips_from_look

    def _set_look(self, look: Look, tips_from_look: bool) -> None:
        old_look, old_looks = self.look, self.looks()
        self.look, self.tips_from_look = look, tips_from_look
        self._announce(old_look, self.mode, self.divider, old_looks)

    def _set_view(self, mode: ViewMode, divider: float) -> None:
        old_mode, old_divider, old_looks = self.mode, self.divider, self.looks()
        self.mode, self.divider = mode, divider
        self._announce(self.look, old_mode, old_divider, old_looks)

    def _announce(self, old_look: Look, old_mode: ViewMode, old_divider: float, old_looks) -> None:
        if self.look != old_look:
            self.events.look.emit(self.look, old_look)
        if self.mode is not old_mode:
            self.events.mode.emit(self.mode, old_mode)
        if self.divider != old_divider:
            self.events.divider.emit(self.divider, old_divider)
        self._announce_looks(old_looks)

    def _announce_looks(self, old_looks: tuple[Look, ...]) -> None:
        looks = self.looks()
        if looks != old_looks:
            self.events.looks.emit(looks, old_looks)


__all__ = [
    "COMPARE_TILES",
    "DEFAULT_DIVIDER",
    "KEPT_FIELDS",
    "RESET_FIELDS",
    "Change",
    "Emitter",
    "KioskPolicy",
    "StateEvents",
    "TryOnState",
    "ViewMode",
    "index_of",
]
