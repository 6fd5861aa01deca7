"""The staff pages added for "Keep this look" and "Looks wrong": the look cards' folder picked by taps from
the drives plugged in (a tree of the test's own) with a "HairTint looks" folder made on a tap, and the
switch that lets a "Looks wrong" report keep a picture; both written on Save only, and only their keys.
Also the home page's tiles filling a portrait screen."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint

from core.io.folders import LOOKS_FOLDER, MAX_MOUNTS, candidate_folders, is_writable
from tests.desktop.test_staff_pages import kiosk_window, open_pages, tap


def written(file) -> dict:
    data = json.loads(file.read_text())
    data.pop("install_id", None)  # the settings writer adds it to a file without one
    return data


def drives(tmp_path):
    root, home = tmp_path / "root", tmp_path / "root" / "home" / "salon"
    for folder in ("media/salon/KINGSTON", "run/media/salon/LOCKED"):
        (root / folder).mkdir(parents=True)
    return root, home, lambda current: candidate_folders(current, root=root, home=home, user="salon",
                                                         writable=lambda p: p.name != "LOCKED" and is_writable(p))


def test_the_look_cards_folder_is_picked_by_taps_and_a_looks_folder_made_in_it(qtbot, make_window, tmp_path):
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"kiosk": {"pin": "2468"}}))
    root, home, folders = drives(tmp_path)
    window = kiosk_window(make_window)
    window.kiosk.folders = folders
    pages = open_pages(qtbot, window)
    assert pages.tiles["looks"].text() == "Look cards\nnot kept"
    tap(qtbot, pages.tiles["looks"])
    page = pages.pages["looks"]
    stick, locked = root / "media" / "salon" / "KINGSTON", root / "run" / "media" / "salon" / "LOCKED"
    assert list(page.buttons) == [None, str(stick), str(locked), str(home / "Pictures")]
    assert page.buttons[None].isChecked() and not page.make_button.isEnabled()
    assert page.buttons[str(stick)].text().endswith("— writable") and page.buttons[str(stick)].isEnabled()
    assert page.buttons[str(locked)].text().endswith("— read-only") and not page.buttons[str(locked)].isEnabled()
    assert page.buttons[str(home / "Pictures")].text().endswith("— not there")

    tap(qtbot, page.buttons[str(stick)])
    assert pages.draft.look_card_dir == str(stick) and page.make_button.isEnabled()
    tap(qtbot, page.make_button)
    made = stick / LOOKS_FOLDER
    assert made.is_dir() and pages.draft.look_card_dir == str(made)
    assert page.buttons[str(made)].isChecked() and not page.make_button.isEnabled()  # not one inside it
    (root / "media" / "salon" / "SANDISK").mkdir()  # a second stick plugged in
    tap(qtbot, page.look_button)
    assert str(root / "media" / "salon" / "SANDISK") in page.buttons and page.buttons[str(made)].isChecked()
    tap(qtbot, pages.back_button)
    assert pages.tiles["looks"].text() == f"Look cards\n{LOOKS_FOLDER}  ✎"
    assert written(file) == {"kiosk": {"pin": "2468"}}  # not before Save
    tap(qtbot, pages.save_button)
    assert written(file) == {"kiosk": {"pin": "2468"}, "look_card_dir": str(made)}  # that key alone
    assert window.keep_look.folder() == str(made)  # where "Keep this look" saves now


def test_a_looks_folder_that_cannot_be_made_says_why_and_changes_nothing(qtbot, make_window, tmp_path):
    root, _home, folders = drives(tmp_path)
    stick = root / "media" / "salon" / "KINGSTON"
    (stick / LOOKS_FOLDER).write_text("a file in the way")
    window = kiosk_window(make_window)
    window.kiosk.folders = folders
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.tiles["looks"])
    page = pages.pages["looks"]
    tap(qtbot, page.buttons[str(stick)])
    tap(qtbot, page.make_button)
    assert "not made" in page.result.text() and "a file has that name" in page.result.text()
    assert pages.draft.look_card_dir == str(stick) and (stick / LOOKS_FOLDER).is_file()
    tap(qtbot, pages.back_button)
    tap(qtbot, pages.cancel_button)
    assert window.settings.look_card_dir is None and not (tmp_path / "settings.json").exists()


def test_with_many_drives_plugged_in_the_folder_page_still_fits_a_1280x800_screen(qtbot, make_window, tmp_path):
    root, _home, folders = drives(tmp_path)
    for i in range(MAX_MOUNTS + 3):
        (root / "mnt" / f"disk{i}").mkdir(parents=True)
    window = kiosk_window(make_window)
    window.kiosk.folders = lambda current: folders(f"/srv/{LOOKS_FOLDER}")  # and one set that is gone
    window.resize(1280, 800)
    pages = open_pages(qtbot, window)
    tap(qtbot, pages.tiles["looks"])
    page = pages.pages["looks"]
    assert len(page.buttons) == 1 + MAX_MOUNTS + 2  # not kept, the drives, Pictures, the one set
    shown = [*page.buttons.values(), page.look_button, page.make_button]
    assert max(b.mapTo(pages, QPoint(0, b.height())).y() for b in shown) <= pages.height()


def test_the_looks_wrong_switch_says_what_is_kept_and_where_and_is_saved_on_save(qtbot, make_window, tmp_path):
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"kiosk": {"pin": "2468"}, "feedback": {"folder": None}}))
    window = kiosk_window(make_window)
    pages = open_pages(qtbot, window)
    assert pages.tiles["feedback"].text() == "Looks wrong\ncount only"
    tap(qtbot, pages.tiles["feedback"])
    page = pages.pages["feedback"]
    assert not page.switch.isChecked() and page.switch.text().endswith("OFF")  # off by default
    explained = page.explain.text()
    assert str(tmp_path / "feedback") in explained and "never sent" in explained and "Off (the default)" in explained
    tap(qtbot, page.switch)
    assert page.switch.text().endswith("ON") and pages.draft.feedback.keep_snapshot
    tap(qtbot, page.switch)  # and back: nothing to save
    tap(qtbot, pages.back_button)
    assert not pages.save_button.isEnabled() and pages.tiles["feedback"].text() == "Looks wrong\ncount only"
    tap(qtbot, pages.tiles["feedback"])
    tap(qtbot, page.switch)
    tap(qtbot, pages.back_button)
    assert pages.tiles["feedback"].text() == "Looks wrong\ncount + picture  ✎"
    assert written(file) == {"kiosk": {"pin": "2468"}, "feedback": {"folder": None}}
    tap(qtbot, pages.save_button)
    assert written(file) == {"kiosk": {"pin": "2468"}, "feedback": {"folder": None, "keep_snapshot": True}}
    assert window.settings.feedback.keep_snapshot


def tile_rows(pages) -> tuple[int, int, int]:
    """(columns, the tiles' bottom edge, the footer's top edge) in the pages' coordinates."""
    tiles = list(pages.tiles.values())
    bottom = max(t.mapTo(pages, QPoint(0, t.height())).y() for t in tiles)
    return len({t.mapTo(pages, QPoint(0, 0)).x() for t in tiles}), bottom, pages.footer.mapTo(pages, QPoint(0, 0)).y()


def test_the_home_tiles_fill_the_page_two_across_a_portrait_screen_and_four_across_a_landscape_one(qtbot,
                                                                                                  make_window):
    window = kiosk_window(make_window)
    window.resize(1080, 1920)
    pages = open_pages(qtbot, window)
    qtbot.waitUntil(lambda: tile_rows(pages)[0] == 2)
    _, bottom, footer = tile_rows(pages)
    assert footer - bottom < 120  # only the line of changes between them, no empty half-screen
    assert min(t.height() for t in pages.tiles.values()) > 300 and min(t.width() for t in pages.tiles.values()) > 400
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: tile_rows(pages)[0] == 4)
    _, bottom, footer = tile_rows(pages)
    assert footer - bottom < 120 and min(t.height() for t in pages.tiles.values()) >= 112
