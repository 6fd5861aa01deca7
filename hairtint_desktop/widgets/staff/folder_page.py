"""The staff page for the look cards' folder (``look_card_dir``, where "Keep this look" saves a card):
the removable drives plugged in now, the Pictures folder and the folder set, as big buttons that say
whether each exists and can be written (``core.io.folders``); "Look again" after a drive is plugged in;
and a ``HairTint looks`` folder made inside the one chosen, on a tap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QWidget

from core.io.folders import LOOKS_FOLDER, Folder, looks_folder
from core.io.outputs import OutputError
from hairtint_desktop.widgets.staff.choices import folder_options
from hairtint_desktop.widgets.staff.parts import ChoicePage, big_button, label

NOTE = ('Where "Keep this look" saves a customer\'s card (their picture before and after, the shade and the '
        "date), only when the customer taps it. Plug in a USB stick, then tap Look again to see it here.")


class LookFolderPage(ChoicePage):
    """``folders(current)``: the folders to offer; ``current()``: the folder chosen so far (None: none)."""

    def __init__(self, folders: Callable[[str | None], list[Folder]], current: Callable[[], str | None],
                 parent: QWidget | None = None):
        super().__init__("Look cards", NOTE, parent)
        self._folders, self._current = folders, current
        self.found: list[Folder] = []
        row = QHBoxLayout()
        row.setSpacing(14)
        self.look_button = big_button("Look again", self)
        self.look_button.clicked.connect(self.shown)
        self.make_button = big_button(f"Make a “{LOOKS_FOLDER}” folder in it", self)
        self.make_button.clicked.connect(self.make)
        row.addWidget(self.look_button)
        row.addWidget(self.make_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.result = label("", self, "staffNote")  # the folder made, or why not
        self.body.addWidget(self.result)
        self.chosen.connect(self._show_make)

    def shown(self) -> None:
        current = self._current()
        self.found = self._folders(current)
        options = folder_options(self.found)
        self.set_choices([(o.value, o.label) for o in options], current, [o.value for o in options if not o.usable])
        self._show_make(current)

    def _show_make(self, chosen: str | None) -> None:
        usable = any(str(f.path) == chosen and f.usable for f in self.found)
        self.make_button.setEnabled(usable and chosen is not None and Path(chosen).name != LOOKS_FOLDER)

    def make(self) -> None:
        """Make the looks folder inside the folder chosen, and choose it (Save keeps it)."""
        chosen = self._current()
        if chosen is None:
            return
        try:
            made = looks_folder(chosen)
        except OutputError as exc:
            self.result.setText(f"The folder was not made: {exc}.")
            return
        self.chosen.emit(str(made))
        self.shown()
        self.result.setText(f"Cards will go to {made} once you tap Save.")


__all__ = ["LookFolderPage"]
