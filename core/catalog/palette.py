"""Named hair shades: the built-in palette, user palette files, and turning a name or hex into a Shade.

A palette file is JSON: ``{"shades": [{"name": "Sunlit Amber", "hex": "#c8782a"}, ...]}``. Names are
compared without regard to case or repeated whitespace, so "sunlit  AMBER" finds "Sunlit Amber".

An entry may be a two-tone look (balayage, ombre): ``"hex"`` is the roots colour and ``"tips"`` the
colour the lengths blend into towards the ends, either ``#rrggbb`` or the name of a one-tone shade --
one in the same file first, else one of the built-in palette::

    {"name": "Honey Balayage", "hex": "#4d3020", "tips": "Honey Blonde"}
    {"name": "Lavender Tips", "hex": "#2e2019", "tips": "#b7a2d2"}

The tips of a two-tone look cannot themselves be a two-tone look, nor the look itself."""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from core.errors import PaletteError
from core.frames import Shade
from core.io.small_files import FileProblem, read_json

log = logging.getLogger(__name__)

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def _key(name: str) -> str:
    """The form names are compared in: case-folded, whitespace collapsed."""
    return " ".join(name.split()).casefold()


def parse_hex(text: str) -> tuple[int, int, int] | None:
    """``(r, g, b)`` for ``#rrggbb`` or ``rrggbb`` (surrounding whitespace allowed), else None."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _parse_shades(data, source: str, builtin: tuple[Shade, ...] = ()) -> list[Shade]:  # noqa: C901  one check per field
    """Validate decoded palette JSON; every message names ``source`` and the offending entry. Tips
    given by name are looked up in this file, then in ``builtin``."""
    if not isinstance(data, dict) or not isinstance(data.get("shades"), list):
        raise PaletteError(f'{source}: expected an object with a "shades" list, e.g. '
                           '{"shades": [{"name": "Sunlit Amber", "hex": "#c8782a"}]}')
    entries = data["shades"]
    if not entries:
        raise PaletteError(f'{source}: the "shades" list is empty; add at least one shade')
    shades: list[Shade] = []
    tips_specs: list[tuple[int, str, object]] = []  # (index in shades, where, the "tips" value)
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{source}: shade {number}"
        if not isinstance(entry, dict):
            raise PaletteError(f'{where} must be an object with "name" and "hex", got {entry!r}')
        name, hex_text = entry.get("name"), entry.get("hex")
        if not isinstance(name, str) or not name.strip():
            raise PaletteError(f'{where} ({entry!r}) has no "name"')
        name = " ".join(name.split())
        where = f'{source}: shade {number} "{name}"'
        if not isinstance(hex_text, str):
            raise PaletteError(f'{where} has no "hex" colour (expected "#rrggbb")')
        rgb = parse_hex(hex_text)
        if rgb is None:
            raise PaletteError(f'{where} has a bad hex colour {hex_text!r} (expected "#rrggbb")')
        key = _key(name)
        if key in seen:
            raise PaletteError(f"{where} duplicates the name of shade {seen[key]}")
        seen[key] = number
        shades.append(Shade(name=name, rgb=rgb))
        if "tips" in entry:
            tips_specs.append((len(shades) - 1, where, entry["tips"]))
    plain = {_key(s.name): s for s in builtin if s.tips is None}
    plain.update({_key(s.name): s for s in shades})  # this file's names win
    two_tone = {_key(s.name) for s in builtin if s.tips is not None} - {_key(s.name) for s in shades}
    two_tone |= {_key(shades[i].name) for i, _, _ in tips_specs}
    for i, where, spec in tips_specs:
        if isinstance(spec, str) and _key(spec) == _key(shades[i].name):
            raise PaletteError(f'{where} names itself as its "tips"; give another shade or "#rrggbb"')
        shades[i] = Shade(name=shades[i].name, rgb=shades[i].rgb, tips=_entry_tips(spec, where, plain, two_tone))
    return shades


def _entry_tips(spec, where: str, plain: dict[str, Shade], two_tone: set[str]) -> Shade:
    """The one-tone Shade a palette entry's ``"tips"`` names (``#rrggbb`` or a shade name)."""
    if not isinstance(spec, str) or not spec.strip():
        raise PaletteError(f'{where} has a bad "tips" {spec!r} (expected "#rrggbb" or the name of a shade)')
    key = _key(spec)
    if key in two_tone:
        raise PaletteError(f'{where} has "tips" {spec.strip()!r}, which is itself a two-tone look; '
                           'name a one-tone shade or give "#rrggbb"')
    if key in plain:
        return plain[key]
    rgb = parse_hex(spec)
    if rgb is None:
        raise PaletteError(f'{where} has "tips" {spec.strip()!r}, which is neither "#rrggbb" nor the name of a '
                           'shade in this file or the built-in palette')
    return Shade(name=_hex_name(rgb), rgb=rgb)


def _hex_name(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


MAX_PALETTE_BYTES = 1 << 20  # a palette of a thousand shades is about 100 KB


def load_palette(path: str | Path) -> list[Shade]:
    """Read a palette file; raises PaletteError naming the file and entry for anything unusable."""
    path = Path(path)
    try:
        data = read_json(path, MAX_PALETTE_BYTES)  # stat first: a pipe or device never blocks or fills memory
    except FileProblem as exc:
        if exc.missing:
            raise PaletteError(f"{path}: palette file not found") from None
        raise PaletteError(f"{path}: cannot read palette file: {exc}") from None
    shades = _parse_shades(data, str(path), _default_shades())
    log.debug("loaded %d shades from %s", len(shades), path)
    return shades


@lru_cache(maxsize=1)
def _default_shades() -> tuple[Shade, ...]:
    source = resources.files("core").joinpath("palettes", "default.json")
    return tuple(_parse_shades(json.loads(source.read_text(encoding="utf-8")), "built-in palette"))


DEFAULT_SHADE = "Sunlit Amber"


def default_index(shades: list[Shade]) -> int:
    """Where the starting shade (Sunlit Amber) sits in ``shades``; the first shade if it is absent."""
    wanted = DEFAULT_SHADE.casefold()
    return next((i for i, shade in enumerate(shades) if shade.name.casefold() == wanted), 0)


def default_palette() -> list[Shade]:
    """The shades that ship with HairTint (a fresh list; Shades themselves are immutable)."""
    return list(_default_shades())


def merge_palettes(base: list[Shade], extra: list[Shade]) -> list[Shade]:
    """``base`` with ``extra`` on top: a same-name shade (case-insensitive) is replaced in place,
    new names are appended in their own order."""
    merged = list(base)
    position = {_key(shade.name): i for i, shade in enumerate(merged)}
    for shade in extra:
        key = _key(shade.name)
        if key in position:
            merged[position[key]] = shade
        else:
            position[key] = len(merged)
            merged.append(shade)
    return merged


def resolve_color(spec: str, palette: list[Shade]) -> Shade:
    """A shade by name from ``palette``, or a custom one from ``#rrggbb`` / ``rrggbb`` (named like
    "#a1b2c3"). Names win over hex, so a shade called "c0ffee" stays reachable. A two-tone look comes
    back with its ``tips``."""
    key = _key(spec)
    for shade in palette:
        if _key(shade.name) == key:
            return shade
    rgb = parse_hex(spec)
    if rgb is not None:
        return Shade(name=_hex_name(rgb), rgb=rgb)
    names = ", ".join(shade.name for shade in palette) or "(the palette is empty)"
    raise PaletteError(f"unknown colour {spec.strip()!r}: use #rrggbb or one of: {names}")


NO_TIPS = "none"


def resolve_tips(spec: str, palette: list[Shade]) -> Shade | None:
    """The tips colour for an ombre: a one-tone shade by name, ``#rrggbb``, or None for "none"."""
    if _key(spec) == NO_TIPS:
        return None
    shade = resolve_color(spec, palette)
    if shade.tips is not None:
        raise PaletteError(f"tips {spec.strip()!r} is a two-tone look; name a one-tone shade, give #rrggbb "
                           f"or use {NO_TIPS!r}")
    return shade
