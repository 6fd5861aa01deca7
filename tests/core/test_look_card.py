"""The look card (core.tryon.look_card): both pictures on it as they were given, the text rows drawn, a
printable size, a plain name, written whole or not at all; and CUPS's printer check and ``lp`` command
(core.io.printing), driven through a recording command runner."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import cv2
import numpy as np
import pytest
from PIL import Image

from core.frames import Look, Shade
from core.io.outputs import OutputError
from core.io.printing import Cups, lp_command, run_command
from core.tryon.look_card import DPI, card_name, look_line, printable, render_card, save_card, shown_date

AMBER = Shade("Sunlit Amber", (200, 120, 42))
WHEN = datetime(2026, 12, 7, 10, 15, 0)


def pictures(width=640, height=480) -> tuple[np.ndarray, np.ndarray]:
    """A before with a gradient and a square, and an after that differs from it everywhere."""
    rng = np.random.default_rng(3)
    ys, xs = np.mgrid[0:height, 0:width]
    before = np.stack([xs * 255 // width, ys * 255 // height, np.full_like(xs, 90)], -1).astype(np.uint8)
    before[height // 4:height // 2, width // 4:width // 2] = (20, 200, 60)
    before = np.clip(before + rng.integers(0, 8, before.shape), 0, 255).astype(np.uint8)
    after = before.copy()
    after[..., 0] = 255 - after[..., 0]
    return before, after


def region(card: np.ndarray, box) -> np.ndarray:
    x, y, w, h = box
    return card[y:y + h, x:x + w].astype(int)


def test_the_card_holds_both_pictures_as_given_on_a_6x4_inch_card():
    before, after = pictures()
    card = render_card(before, after, Look(AMBER, 70), WHEN)
    assert card.pixels.dtype == np.uint8 and sorted(card.pixels.shape[:2]) == [4 * DPI, 6 * DPI]
    for box, picture, other in ((card.before, before, after), (card.after, after, before)):
        w, h = box[2:]
        assert w > 500 and h > 370 and abs(w / h - 640 / 480) < 0.01  # large, the picture's shape kept
        shown = region(card.pixels, box)
        assert np.abs(shown - cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA)).mean() < 1
        assert np.abs(shown - cv2.resize(other, (w, h), interpolation=cv2.INTER_AREA)).mean() > 40
    bx, by, bw, bh = card.before
    ax, ay = card.after[:2]
    assert bx + bw <= ax or by + bh <= ay  # side by side or stacked, never overlapping


def test_a_wide_picture_is_stacked_and_a_tall_one_side_by_side():
    wide = render_card(*pictures(1280, 480), Look(AMBER), WHEN)
    tall = render_card(*pictures(480, 800), Look(AMBER), WHEN)
    assert wide.after[1] > wide.before[1] + wide.before[3]  # below
    assert tall.after[0] > tall.before[0] + tall.before[2]  # beside
    assert tall.pixels.shape[:2] == (4 * DPI, 6 * DPI) and wide.pixels.shape[:2] == (6 * DPI, 4 * DPI)


def ink_rows(card: np.ndarray, top: int, bottom: int) -> int:
    """How many pixels between rows ``top`` and ``bottom`` are drawn darker than the paper."""
    band = card[top:bottom].astype(int)
    return int(((band.max(-1) < 200) & (band.min(-1) < 150)).sum())


def test_the_text_rows_are_drawn_and_say_the_look():
    before, after = pictures()
    look = Look(AMBER, 70, shine=30)
    rendered = render_card(before, after, look, WHEN)
    card, photos_top = rendered.pixels, rendered.before[1]
    assert ink_rows(card, 0, photos_top - 10) > 2000  # the shade's name in the header
    assert ink_rows(card, card.shape[0] - 150, card.shape[0]) > 1500  # the intensity and date in the footer
    other_name = render_card(before, after, Look(Shade("Ocean Blue", (40, 80, 160)), 70), WHEN).pixels
    other_day = render_card(before, after, look, datetime(2027, 1, 1)).pixels
    stronger = render_card(before, after, look.with_(intensity=100), WHEN).pixels
    assert (other_name[:photos_top] != card[:photos_top]).any()  # the header says the shade
    assert (other_day[-150:] != card[-150:]).any() and (stronger[-150:] != card[-150:]).any()
    assert look_line(look) == "Intensity 70%   Shine 30" and shown_date(WHEN) == "7 December 2026"
    tips = look.with_(tips=Shade("Platinum Blonde", (228, 218, 198)))
    assert look_line(tips).endswith("Tips: Platinum Blonde")


def test_names_are_drawn_in_letters_the_font_has():
    assert printable("Crème Brûlée") == "Creme Brulee"
    assert printable("  Copper\tRed ") == "Copper Red"
    assert printable("桜") == "Your look"


def test_pictures_that_are_not_rgb_are_refused_with_one_message():
    before, after = pictures()
    with pytest.raises(ValueError, match="after picture must be uint8"):
        render_card(before, after[..., 0], Look(AMBER), WHEN)


def test_the_card_is_saved_under_a_plain_name_at_300_dpi_and_never_over_a_file(tmp_path):
    before, after = pictures()
    look = Look(AMBER, 70)
    card = render_card(before, after, look, WHEN)
    first, second = save_card(card, tmp_path, look, WHEN), save_card(card, tmp_path, look, WHEN)
    assert card_name(look, WHEN) == "hairtint-look_20261207-101500_sunlit-amber.jpg" == first.name
    assert second.name == "hairtint-look_20261207-101500_sunlit-amber-2.jpg"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])
    with Image.open(first) as image:
        assert image.size == card.pixels.shape[1::-1] and round(image.info["dpi"][0]) == DPI


def test_a_card_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    card = render_card(*pictures(), Look(AMBER), WHEN)

    def full_disk(_src, _dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        save_card(card, tmp_path, Look(AMBER), WHEN)
    assert list(tmp_path.iterdir()) == []  # no card, no temporary file
    monkeypatch.undo()
    with pytest.raises(OutputError, match="does not exist"):
        save_card(card, tmp_path / "gone", Look(AMBER), WHEN)
    assert list(tmp_path.iterdir()) == []


class Runner:
    """A command runner that records each command and answers from ``replies`` (by the command's words)."""

    def __init__(self, replies: dict[tuple[str, ...], tuple[int, str]]):
        self.replies, self.commands = replies, []

    def __call__(self, args):
        self.commands.append(list(args))
        return self.replies.get(tuple(args[:2]), (0, ""))


def everything(_name: str) -> str:
    return "/usr/bin/x"


LPSTAT_P = ("printer Front is idle.  enabled since Mon 07 Dec 2026 09:00:00\n"
            "printer Office disabled since Mon 07 Dec 2026 09:00:00 -\n\treason unknown\n"
            "printer Back now printing Back-3.  enabled since Mon 07 Dec 2026 09:00:00\n")


def test_the_printer_is_the_enabled_default_else_the_first_enabled_one():
    replies = {("lpstat", "-d"): (0, "system default destination: Back\n"), ("lpstat", "-p"): (0, LPSTAT_P)}
    assert Cups(Runner(replies), everything).printer() == "Back"
    replies[("lpstat", "-d")] = (0, "system default destination: Office\n")  # disabled
    assert Cups(Runner(replies), everything).printer() == "Front"
    replies[("lpstat", "-d")] = (0, "no system default destination\n")
    assert Cups(Runner(replies), everything).printer() == "Front"
    replies[("lpstat", "-p")] = (1, "lpstat: No destinations added.\n")
    assert Cups(Runner(replies), everything).printer() is None


def test_without_cups_nothing_is_run_and_there_is_no_printer():
    runner = Runner({})
    assert Cups(runner, lambda name: None if name == "lp" else "/usr/bin/lpstat").printer() is None
    assert runner.commands == []


def test_printing_sends_exactly_this_lp_command(tmp_path):
    card = tmp_path / "-odd name.jpg"
    runner = Runner({})
    assert Cups(runner, everything).print_file(card, "Front") is None
    assert runner.commands == [["lp", "-d", "Front", "-n", "1", "-t", "HairTint look card", "-o", "fit-to-page",
                                "--", str(card)]]
    assert lp_command(card, "Front") == runner.commands[0]
    failing = Runner({("lp", "-d"): (1, "lp: The printer or class does not exist.\n")})
    assert Cups(failing, everything).print_file(card, "Gone") == (
        "The card could not be sent to Gone: lp: The printer or class does not exist.")


def test_the_command_runner_gives_the_status_and_output_or_why_it_could_not_run(tmp_path):
    assert run_command([sys.executable, "-c", "import os; print(os.environ['LC_ALL'])"]) == (0, "C\n")
    status, text = run_command([str(tmp_path / "no-such-lp")])
    assert status == 127 and "no-such-lp" in text
