import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.catalog.palette import (
    default_index,
    default_palette,
    load_palette,
    merge_palettes,
    parse_hex,
    resolve_color,
    resolve_tips,
)
from core.errors import PaletteError
from core.frames import Shade


def write_palette(tmp_path, data, name="mine.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_default_palette_is_a_usable_set_of_named_shades():
    shades = default_palette()
    assert 10 <= len(shades) <= 20
    names = [shade.name.casefold() for shade in shades]
    assert len(set(names)) == len(names)
    assert Shade("Sunlit Amber", (200, 120, 42)) in shades
    for shade in shades:
        assert all(isinstance(v, int) and 0 <= v <= 255 for v in shade.rgb)


def test_default_palette_hands_out_a_fresh_list():
    first = default_palette()
    first.clear()
    assert len(default_palette()) >= 10


def test_load_palette_reads_names_and_both_hex_forms(tmp_path):
    path = write_palette(tmp_path, {"shades": [
        {"name": "  Deep   Teal ", "hex": "#1F5F5B"},
        {"name": "Mint", "hex": "a8e6cf"},
    ]})
    assert load_palette(path) == [Shade("Deep Teal", (0x1F, 0x5F, 0x5B)), Shade("Mint", (0xA8, 0xE6, 0xCF))]
    assert load_palette(str(path)) == load_palette(path)


def assert_refused(path, expected: list[str]) -> None:
    """Loading ``path`` fails with a message naming the file and holding each of ``expected``."""
    with pytest.raises(PaletteError) as caught:
        load_palette(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message


@pytest.mark.parametrize("content, expected", [
    ("{not json", ["not valid JSON", "line 1"]),
    ([{"name": "A", "hex": "#000000"}], ['"shades" list']),
    ({"colours": []}, ['"shades" list']),
    ({"shades": []}, ["empty"]),
    ({"shades": [{"name": "Ok", "hex": "#000000"}, "Mint"]}, ["shade 2", "'Mint'"]),
    ({"shades": [{"name": "Ok", "hex": "#000000"}, {"hex": "#ffffff"}]}, ["shade 2", 'no "name"']),
    ({"shades": [{"name": "   ", "hex": "#ffffff"}]}, ["shade 1", 'no "name"']),
    ({"shades": [{"name": "Mint"}]}, ['shade 1 "Mint"', 'no "hex"']),
    ({"shades": [{"name": "Mint", "hex": "#12345g"}]}, ['shade 1 "Mint"', "'#12345g'"]),
    ({"shades": [{"name": "Mint", "hex": "#fff"}]}, ['"Mint"', "bad hex"]),
    ({"shades": [{"name": "Mint", "hex": 0xFFFFFF}]}, ['"Mint"', 'no "hex"']),
    ({"shades": [{"name": "Mint", "hex": "#ffffff"}, {"name": "MINT ", "hex": "#000000"}]},
     ['shade 2 "MINT"', "duplicates", "shade 1"]),
])
def test_load_palette_rejects_bad_files_naming_file_and_entry(tmp_path, content, expected):
    assert_refused(write_palette(tmp_path, content), expected)


def test_load_palette_missing_file(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(PaletteError, match="not found") as caught:
        load_palette(path)
    assert str(path) in str(caught.value)


def test_load_palette_unreadable_file(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"shades": [{"name": "Cr\xe8me", "hex": "#fff8e7"}]}')
    with pytest.raises(PaletteError, match="cannot read"):
        load_palette(path)
    with pytest.raises(PaletteError, match="cannot read"):
        load_palette(tmp_path)  # a folder


def test_merge_palettes_overrides_by_name_and_appends_new():
    base = [Shade("Honey Blonde", (1, 1, 1)), Shade("Auburn", (2, 2, 2))]
    extra = [Shade("Mint", (3, 3, 3)), Shade("honey  BLONDE", (4, 4, 4))]
    merged = merge_palettes(base, extra)
    assert merged == [Shade("honey  BLONDE", (4, 4, 4)), Shade("Auburn", (2, 2, 2)), Shade("Mint", (3, 3, 3))]
    assert base == [Shade("Honey Blonde", (1, 1, 1)), Shade("Auburn", (2, 2, 2))]


def test_merge_palettes_later_extra_wins_over_earlier_extra():
    merged = merge_palettes([], [Shade("Mint", (1, 1, 1)), Shade("MINT", (2, 2, 2))])
    assert merged == [Shade("MINT", (2, 2, 2))]


def test_resolve_color_by_name_is_case_and_space_tolerant():
    palette = default_palette()
    assert resolve_color("  sunlit   AMBER\t", palette) == Shade("Sunlit Amber", (200, 120, 42))


@pytest.mark.parametrize("spec", ["#A1B2C3", "a1b2c3", "  #a1b2c3 "])
def test_resolve_color_by_hex(spec):
    assert resolve_color(spec, default_palette()) == Shade("#a1b2c3", (0xA1, 0xB2, 0xC3))


def test_resolve_color_prefers_a_shade_named_like_hex():
    palette = [Shade("c0ffee", (1, 2, 3))]
    assert resolve_color("C0FFEE", palette) == Shade("c0ffee", (1, 2, 3))
    assert resolve_color("#c0ffee", palette).rgb == (0xC0, 0xFF, 0xEE)


@pytest.mark.parametrize("spec", ["Sunlit Ambr", "#12345", "#1234567", "", "rgb(1,2,3)"])
def test_resolve_color_unknown_lists_available_names(spec):
    with pytest.raises(PaletteError) as caught:
        resolve_color(spec, default_palette())
    message = str(caught.value)
    assert "Sunlit Amber" in message and "Jet Black" in message and "#rrggbb" in message


@settings(max_examples=60, deadline=None)
@given(st.tuples(*[st.integers(0, 255)] * 3), st.booleans(), st.booleans())
def test_hex_round_trips(rgb, with_hash, upper):
    text = Shade("x", rgb).hex
    text = text if with_hash else text[1:]
    text = text.upper() if upper else text
    assert parse_hex(text) == rgb
    assert resolve_color(text, []).rgb == rgb


HONEY = Shade("Honey Blonde", (0xC9, 0x9B, 0x5E))


def test_default_palette_has_two_tone_looks_and_still_starts_on_sunlit_amber():
    shades = default_palette()
    assert shades[default_index(shades)] == Shade("Sunlit Amber", (200, 120, 42))  # one-tone, unchanged
    looks = {shade.name: shade.tips for shade in shades if shade.tips is not None}
    assert looks["Honey Balayage"] == HONEY  # tips named after a shade of the same palette
    assert len(looks) >= 2
    assert all(tips.tips is None and tips in shades for tips in looks.values())


def test_load_palette_reads_two_tone_looks_by_hex_and_by_name(tmp_path):
    path = write_palette(tmp_path, {"shades": [
        {"name": "Teal Dip", "hex": "#222222", "tips": "#1F8A8A"},
        {"name": "Sun Kissed", "hex": "#333333", "tips": "  sea   GLASS"},  # a later entry of this file
        {"name": "Sea Glass", "hex": "#a0d8c8"},
        {"name": "Honey Melt", "hex": "#444444", "tips": "Honey Blonde"},  # a built-in shade
    ]})
    teal, sun, sea, honey = load_palette(path)
    assert teal == Shade("Teal Dip", (0x22, 0x22, 0x22), tips=Shade("#1f8a8a", (0x1F, 0x8A, 0x8A)))
    assert sun.tips == sea == Shade("Sea Glass", (0xA0, 0xD8, 0xC8))
    assert sea.tips is None
    assert honey.tips == HONEY
    assert len({teal, sun, sea, honey}) == 4  # still hashable


def test_a_file_shade_wins_over_the_built_in_one_for_tips(tmp_path):
    path = write_palette(tmp_path, {"shades": [
        {"name": "Honey Melt", "hex": "#444444", "tips": "Honey Blonde"},
        {"name": "honey blonde", "hex": "#ffcc00"},
    ]})
    assert load_palette(path)[0].tips == Shade("honey blonde", (0xFF, 0xCC, 0x00))


@pytest.mark.parametrize("tips, expected", [
    ("#12345", ['shade 1 "Dip"', "'#12345'", "neither"]),
    ("Mauve Thunder", ['shade 1 "Dip"', "'Mauve Thunder'", "built-in palette"]),
    (42, ['shade 1 "Dip"', 'bad "tips" 42']),
    ("  ", ['shade 1 "Dip"', 'bad "tips"']),
    ("dip", ['shade 1 "Dip"', "itself"]),
    ("Other Dip", ['shade 1 "Dip"', "'Other Dip'", "two-tone"]),
    ("Honey Balayage", ['shade 1 "Dip"', "'Honey Balayage'", "two-tone"]),  # a built-in two-tone look
])
def test_load_palette_rejects_bad_tips_naming_file_and_entry(tmp_path, tips, expected):
    path = write_palette(tmp_path, {"shades": [
        {"name": "Dip", "hex": "#000000", "tips": tips},
        {"name": "Other Dip", "hex": "#111111", "tips": "#ffffff"},
    ]})
    assert_refused(path, expected)


def test_resolve_color_of_a_two_tone_look_gives_roots_and_tips():
    shade = resolve_color("honey BALAYAGE", default_palette())
    assert shade.name == "Honey Balayage" and shade.hex == "#4d3020" and shade.tips == HONEY


def test_resolve_tips():
    palette = default_palette()
    assert resolve_tips("None", palette) is None
    assert resolve_tips("honey blonde", palette) == HONEY
    assert resolve_tips("#102030", palette) == Shade("#102030", (0x10, 0x20, 0x30))
    with pytest.raises(PaletteError, match="two-tone"):
        resolve_tips("Copper Ombre", palette)
    with pytest.raises(PaletteError, match="Mauve"):
        resolve_tips("Mauve", palette)


def test_a_shade_tips_must_be_one_tone():
    with pytest.raises(ValueError, match="one-tone"):
        Shade("A", (1, 1, 1), tips=Shade("B", (2, 2, 2), tips=HONEY))


def test_a_palette_that_is_a_pipe_or_a_device_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "palette.json"
    os.mkfifo(fifo)
    with pytest.raises(PaletteError, match="not a regular file"):
        load_palette(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    with pytest.raises(PaletteError, match="not a regular file"):
        load_palette(zero)
