""""Keep this look" (hairtint_desktop.keep_look): a card is written only on the tap, only into the folder the
salon chose; without one the kiosk says how to choose it and writes nothing; Print goes through ``lp`` on a
kiosk and the print dialog on the desktop, only where a printer is ready; the idle reset forgets the card."""

from __future__ import annotations

import json
import weakref
from datetime import datetime

import cv2
import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from core.catalog.config import KioskSettings, Settings
from core.io.images import load_image
from core.io.printing import Cups, lp_command
from hairtint_desktop.keep_look import CardPreview
from tests.desktop.conftest import INSTALL_ID, settle

WHEN = datetime(2026, 12, 7, 10, 15, 0)
NAME = "hairtint-look_20261207-101500_sunlit-amber.jpg"


def files_under(root) -> set:
    return {p for p in root.rglob("*") if p.is_file()}


def showing(qtbot, make_window, photo_path, *, kiosk: bool, folder=None, idle: float = 90.0):
    settings = Settings(install_id=INSTALL_ID, look_card_dir=str(folder) if folder else None,
                        kiosk=KioskSettings(pin="2468", idle_reset_s=idle))
    window = make_window(kiosk=kiosk, settings=settings)
    window.now = lambda: WHEN
    window.open_source(str(photo_path))
    qtbot.waitUntil(lambda: window.last_result is not None, timeout=5000)
    settle(qtbot, window.worker)
    return window


def tap(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def no_printer(_name: str) -> None:
    return None


class Runner:
    """CUPS's tools as a kiosk with the printer "Front" sees them; records every command."""

    def __init__(self, lp_status: int = 0):
        self.commands: list[list[str]] = []
        self.lp_status = lp_status

    def __call__(self, args):
        self.commands.append(list(args))
        if args[:2] == ["lpstat", "-d"]:
            return 0, "system default destination: Front\n"
        if args[:2] == ["lpstat", "-p"]:
            return 0, "printer Front is idle.  enabled since Mon 07 Dec 2026 09:00:00\n"
        return self.lp_status, "request id is Front-7 (1 file(s))\n" if self.lp_status == 0 else "lp: Forbidden\n"


@pytest.mark.slow  # the compare view's four looks first
def test_a_card_is_written_only_on_the_tap_into_the_chosen_folder(qtbot, make_window, photo_path, tmp_path):
    folder = tmp_path / "looks"
    folder.mkdir()
    window = showing(qtbot, make_window, photo_path, kiosk=True, folder=folder)
    window.keep_look.cups = Cups(Runner(), no_printer)
    kept = []
    window.keep_look.kept.connect(kept.append)
    window.state.set_mode("split")
    window.state.set_intensity(55)
    window.state.set_mode("compare")
    qtbot.waitUntil(lambda: bool(window.last_result.variants), timeout=5000)
    settle(qtbot, window.worker)
    assert list(folder.iterdir()) == [] and kept == [] and window.keep_look.preview is None  # nothing untapped
    assert window.controls.keep_button.isVisible() and window.controls.keep_button.isEnabled()
    tap(qtbot, window.controls.keep_button)
    path = folder / "hairtint-look_20261207-101500_sunlit-amber.jpg"
    assert sorted(folder.iterdir()) == [path] and kept == [str(path)]
    card = load_image(path)
    assert sorted(card.shape[:2]) == [1200, 1800]
    # the card shows the picture on screen, before and after, and the look it had
    kept_card, result = window.keep_look.card, window.last_result
    assert kept_card is not None and kept_card.look == window.last_info.looks[0] and kept_card.look.intensity == 55
    drawn = kept_card.drawn
    for (x, y, w, h), picture in ((drawn.before, result.frame.pixels), (drawn.after, result.pixels)):
        expected = cv2.resize(picture, (w, h), interpolation=cv2.INTER_AREA).astype(int)
        assert np.abs(kept_card.pixels[y:y + h, x:x + w] - expected).mean() < 1
        assert np.abs(card[y:y + h, x:x + w] - expected).mean() < 3  # and so does the file (a JPEG)
    assert np.abs(result.pixels.astype(int) - result.frame.pixels).mean() > 3  # which differ
    preview = window.keep_look.preview
    assert preview is not None and preview.isVisible() and NAME in preview.message.text()
    assert not preview.print_button.isVisible() and preview.no_printer.isVisible()  # no CUPS here
    tap(qtbot, preview.done_button)
    assert window.keep_look.preview is None and window.keep_look.card is None
    assert sorted(folder.iterdir()) == [path]  # Done writes nothing more


def test_without_a_folder_the_kiosk_says_how_to_choose_one_and_writes_nothing(qtbot, make_window, photo_path, tmp_path):
    before = files_under(tmp_path)
    window = showing(qtbot, make_window, photo_path, kiosk=True)
    asked = []
    window.keep_look.ask_folder = lambda: asked.append(1) or str(tmp_path)
    tap(qtbot, window.controls.keep_button)
    text = window.banner.label.text()
    assert "look_card_dir" in text and str(window.session.settings_file) in text and "Staff" in text
    assert asked == [] and window.keep_look.preview is None and window.keep_look.card is None
    assert not window.actions_.look_card_folder.isEnabled()  # no file dialogs on a kiosk
    window.settings = window.settings.with_(look_card_dir=str(tmp_path / "unplugged"))
    tap(qtbot, window.controls.keep_button)
    assert "unplugged" in window.banner.label.text() and "is not there" in window.banner.label.text()
    assert files_under(tmp_path) == before and window.keep_look.preview is None


def test_the_desktop_asks_for_the_folder_once_and_keeps_it(qtbot, make_window, photo_path, tmp_path):
    folder = tmp_path / "cards"
    folder.mkdir()
    window = showing(qtbot, make_window, photo_path, kiosk=False)
    window.keep_look.printers = lambda: []
    answers = [None, str(folder)]
    asked = []
    window.keep_look.ask_folder = lambda: asked.append(1) or answers.pop(0)
    tap(qtbot, window.controls.keep_button)  # cancelled: nothing written
    assert asked == [1] and list(folder.iterdir()) == [] and window.keep_look.preview is None
    tap(qtbot, window.controls.keep_button)
    assert asked == [1, 1] and [p.name for p in folder.iterdir()] == [NAME]
    assert window.settings.look_card_dir == str(folder)
    assert json.loads(window.session.settings_path.read_text())["look_card_dir"] == str(folder)
    window.keep_look.preview.done_button.click()
    tap(qtbot, window.controls.keep_button)  # not asked again
    assert asked == [1, 1] and len(list(folder.iterdir())) == 2
    other = tmp_path / "other"
    other.mkdir()
    answers.append(str(other))
    window.actions_.look_card_folder.trigger()  # File > Look card folder…
    assert asked == [1, 1, 1] and window.settings.look_card_dir == str(other) and list(other.iterdir()) == []


def test_the_kiosk_prints_the_card_with_lp_once(qtbot, make_window, photo_path, tmp_path):
    window = showing(qtbot, make_window, photo_path, kiosk=True, folder=tmp_path)
    runner = Runner()
    window.keep_look.cups = Cups(runner, lambda name: f"/usr/bin/{name}")
    printed = []
    window.keep_look.printed.connect(printed.append)
    path = window.keep_look.keep()
    assert runner.commands == [["lpstat", "-d"], ["lpstat", "-p"]]  # looked for a printer, printed nothing
    preview = window.keep_look.preview
    assert preview.print_button.isVisible() and preview.print_button.text() == "Print on Front"
    assert not preview.no_printer.isVisible()
    tap(qtbot, preview.print_button)
    assert runner.commands[2:] == [lp_command(path, "Front")] == [
        ["lp", "-d", "Front", "-n", "1", "-t", "HairTint look card", "-o", "fit-to-page", "--", str(path)]]
    assert printed == ["Front"] and preview.message.text() == "Sent to Front."
    assert not preview.print_button.isEnabled()  # one print per card
    runner.lp_status = 1
    window.keep_look.forget()
    window.keep_look.keep()
    tap(qtbot, window.keep_look.preview.print_button)
    assert "could not be sent to Front: lp: Forbidden" in window.keep_look.preview.message.text()
    assert printed == ["Front"] and window.keep_look.preview.print_button.isEnabled()


def test_the_desktop_prints_through_the_print_dialog_only_where_a_printer_is(qtbot, make_window, photo_path, tmp_path):
    window = showing(qtbot, make_window, photo_path, kiosk=False, folder=tmp_path / "cards")
    (tmp_path / "cards").mkdir()
    window.keep_look.printers = lambda: []
    window.keep_look.keep()
    assert not window.keep_look.preview.print_button.isVisible() and window.keep_look.preview.no_printer.isVisible()
    window.keep_look.forget()
    window.keep_look.printers = lambda: ["Office"]
    pdf = tmp_path / "printed.pdf"

    def dialog():  # the person picks a printer in the system's dialog: here, a PDF file
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf))
        return printer

    window.keep_look.ask_printer = dialog
    window.keep_look.keep()
    preview = window.keep_look.preview
    assert preview.print_button.isVisible()
    tap(qtbot, preview.print_button)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000  # the card's picture is in it
    window.keep_look.ask_printer = lambda: None  # the dialog cancelled
    assert window.keep_look.print_card() is False


def test_the_idle_reset_forgets_the_kept_card(qtbot, make_window, photo_path, tmp_path):
    folder = tmp_path / "looks"
    folder.mkdir()
    window = showing(qtbot, make_window, photo_path, kiosk=True, folder=folder)
    window.keep_look.cups = Cups(Runner(), no_printer)
    tap(qtbot, window.controls.keep_button)
    card, shown = weakref.ref(window.keep_look.card), [window.keep_look.preview]
    assert card() is not None and shown[0].isVisible()
    window.kiosk.apply_settings(window.settings.with_(kiosk=KioskSettings(pin="2468", idle_reset_s=0.3)))
    with qtbot.waitSignal(window.kiosk.idle_reset, timeout=5000):
        pass  # nobody touches it
    assert window.keep_look.card is None and window.keep_look.preview is None and not shown[0].isVisible()
    qtbot.waitUntil(lambda: not shiboken6.isValid(shown[0]), timeout=5000)  # the preview and its picture deleted
    shown.clear()
    assert card() is None  # nothing holds the card any more
    assert window.findChildren(CardPreview) == []
    assert [p.name for p in folder.iterdir()] == [NAME]  # what the customer kept stays kept
