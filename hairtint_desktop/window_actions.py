"""The window's actions (with their shortcuts, which work with the menu bar hidden too) and menus. In
kiosk mode the menu bar and status bar are hidden and every action that opens a file dialog, writes to
disk or leaves full screen is disabled. Before / after and compare set the window's try-on state and
follow it."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction, QKeySequence

from core.tryon.state import ViewMode
from hairtint_desktop.widgets.diagnostics import show_diagnostics


def build_actions(window) -> SimpleNamespace:
    def action(text, slot, shortcuts=(), checkable=False):
        act = QAction(text, window)
        if shortcuts:
            act.setShortcuts([QKeySequence(s) for s in shortcuts])
        act.setCheckable(checkable)
        (act.toggled if checkable else act.triggered).connect(slot)
        window.addAction(act)
        return act

    state = window.state
    a = SimpleNamespace(
        open_photo=action("Open &photo…", window.open_photo, ["Ctrl+O"]),
        open_folder=action("Open photo f&older…", window.open_folder, ["Ctrl+Shift+F"]),
        open_video=action("Open &video…", window.open_video, ["Ctrl+Shift+O"]),
        snapshot=action("&Save snapshot", window.save_snapshot, ["Ctrl+S"]),
        snapshot_folder=action("Snapshot &folder…", window.choose_snapshot_folder),
        look_card_folder=action("&Look card folder…", lambda: window.keep_look.choose_folder()),
        quit=action("&Quit", window.close, ["Ctrl+Q"]),
        camera=action("&Camera and resolution…", window.choose_camera),
        demo=action("&Demo clip", window.play_demo),
        previous=action("&Previous photo", lambda: window.step_photo(-1), ["PgUp", "P"]),
        next=action("&Next photo", lambda: window.step_photo(1), ["PgDown", "N"]),
        overlay=action("Statistics &overlay", window.set_overlay_visible, ["F2", "O"], checkable=True),
        split=action("&Before / after", lambda on: state.set_mode(ViewMode.SPLIT, on), ["B"], checkable=True),
        compare=action("&Compare 2×2", lambda on: state.set_mode(ViewMode.COMPARE, on), ["C"], checkable=True),
        fullscreen=action("&Full screen", window.toggle_fullscreen, ["F11"]),
        diagnostics=action("&Diagnostics…", lambda: show_diagnostics(window), ["F3"]),
        settings=action("&Settings…", window.open_settings, ["Ctrl+,"]),
    )
    a.snapshot.setEnabled(False)  # until there is a picture

    def show_mode(change) -> None:
        for act, mode in ((a.split, ViewMode.SPLIT), (a.compare, ViewMode.COMPARE)):
            with QSignalBlocker(act):
                act.setChecked(change.value is mode)

    state.events.mode.connect(show_mode)

    bar = window.menuBar()
    menus = {
        "&File": (a.open_photo, a.open_folder, a.open_video, None, a.snapshot, a.snapshot_folder, a.look_card_folder,
                  None, a.quit),
        "&Source": (a.camera, a.demo, None, a.previous, a.next),
        "&View": (a.overlay, a.split, a.compare, None, a.fullscreen, None, a.diagnostics),
        "S&ettings": (a.settings,),
    }
    for title, items in menus.items():
        menu = bar.addMenu(title)
        for act in items:
            menu.addSeparator() if act is None else menu.addAction(act)
    if state.kiosk.staff_only:
        bar.hide()
        window.statusBar().hide()  # customers need no status messages
        for act in (a.open_photo, a.open_folder, a.open_video, a.snapshot, a.snapshot_folder, a.look_card_folder,
                    a.fullscreen, a.quit):
            act.setEnabled(False)  # no file dialogs, nothing on disk, the on-screen quit behind the PIN
    return a


__all__ = ["build_actions"]
