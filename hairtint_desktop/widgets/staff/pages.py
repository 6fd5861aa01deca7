"""The kiosk's staff settings as full-window pages with big targets: a home page of tiles (each setting
and its value; they fill the page, four across on a landscape screen, two on a portrait one) with Save,
Cancel and Quit HairTint, and a page for each setting -- camera, resolution, palette, the look cards'
folder (choices as buttons), "Looks wrong" (a switch), the staff PIN (the PIN pad), the idle reset
(steppers and presets) and the rollout stage (read-only). Nothing needs a keyboard. The pages edit a copy
of the settings; Save hands it on (``saved``) and the window writes what changed; Cancel (or the idle
reset) drops it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from core.catalog.config import Settings, changed_keys
from core.catalog.rollout import Assignment, effective_stage
from core.fleet.feedback_snapshot import snapshot_folder
from core.io.folders import Folder, candidate_folders
from hairtint_desktop.widgets.dialogs import list_cameras_safe
from hairtint_desktop.widgets.staff.choices import camera_options, palette_folder, palette_options, resolution_options
from hairtint_desktop.widgets.staff.folder_page import LookFolderPage
from hairtint_desktop.widgets.staff.parts import ChoicePage, Cover, Page, big_button, label
from hairtint_desktop.widgets.staff.setting_pages import FeedbackPage, IdlePage, PinPage, RolloutPage, describe_seconds

TITLES = {"camera": "Camera", "resolution": "Resolution", "palette": "Palette", "looks": "Look cards",
          "feedback": "Looks wrong", "pin": "Staff PIN", "idle": "Idle reset", "rollout": "Rollout stage"}
KEYS = {"camera_index": "camera", "resolution": "resolution", "palette_file": "palette", "look_card_dir": "looks",
        "feedback.keep_snapshot": "feedback", "kiosk.pin": "pin", "kiosk.idle_reset_s": "idle"}  # each page's
TILE_STYLE = """QPushButton#tile {{ font-size: {size}px; text-align: center; }}"""


class CameraPage(ChoicePage):
    """The cameras found, looked for each time the page opens (and on "Look again")."""

    def __init__(self, cameras: Callable[[], list[tuple[int, str]]], current: Callable[[], int],
                 parent: QWidget | None = None):
        super().__init__("Camera", "The cameras found on this device. The picture switches to the chosen one "
                         "when you tap Save.", parent)
        self._cameras, self._current = cameras, current
        self.look_button = big_button("Look again", self)
        self.look_button.clicked.connect(self.shown)
        self.body.addWidget(self.look_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.none_found = label("No camera is found now. Check its cable (or plug it into another USB port), "
                                "then tap Look again.", self)
        self.body.addWidget(self.none_found)

    def shown(self) -> None:
        found = self._cameras()
        options = camera_options(found, self._current())
        self.set_choices([(o.value, o.label) for o in options], self._current())
        self.none_found.setVisible(not found)


class StaffPages(Cover):
    """Covers its parent (the window) until Save, Cancel or :meth:`reject`. ``start``: the page shown first
    (None: home). ``retry_camera``: opened to pick a camera when none works, so Save stays on offer (and
    says it opens the camera) even when nothing changed."""

    saved = Signal(object)  # the settings as staff left them (only when something changed, or retry_camera)
    quit_requested = Signal()

    def __init__(self, parent: QWidget, settings: Settings, *, settings_file: Path,
                 assignment: Assignment | None = None,
                 cameras: Callable[[], list[tuple[int, str]]] = list_cameras_safe,
                 folders: Callable[[str | None], list[Folder]] = candidate_folders,
                 start: str | None = None, retry_camera: bool = False):
        super().__init__(parent, "staffPages")
        self.original = self.draft = settings
        self.settings_file = Path(settings_file)
        self.stage = assignment.stage if assignment is not None else effective_stage(settings.rollout_stage)
        self.retry_camera = retry_camera
        self.columns = 0  # the tiles' columns, set by the page's shape
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 24, 32, 24)
        outer.setSpacing(20)
        header = QHBoxLayout()
        header.setSpacing(24)
        self.back_button = big_button("\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK}  Back", self)
        self.back_button.clicked.connect(self.go_home)
        self.title = label("", self, "staffTitle")
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)
        outer.addLayout(header)
        self.stack = QStackedWidget(self)
        outer.addWidget(self.stack, 1)
        self.home = self._home_page()
        self.stack.addWidget(self.home)
        self.pages: dict[str, Page] = self._setting_pages(assignment, cameras, folders)
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.footer = QWidget(self)
        row = QHBoxLayout(self.footer)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        self.quit_button = big_button("Quit HairTint", self.footer, "danger")
        self.cancel_button = big_button("Cancel", self.footer)
        self.save_button = big_button("Save and open the camera" if retry_camera else "Save", self.footer,
                                      "primary")
        self.quit_button.clicked.connect(self.quit_requested)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.quit_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        outer.addWidget(self.footer)
        self.go_home()
        self._place_tiles()
        if start is not None:
            self.open_page(start)

    # ---- the pages ---------------------------------------------------------------------------------
    def _home_page(self) -> Page:
        page = Page("Staff settings", "Tap a setting to change it. Nothing is kept until you tap Save.", self)
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        self.tiles = {}
        for name in TITLES:
            tile = big_button("", page)
            tile.setObjectName("tile")
            tile.setMinimumHeight(112)
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            tile.clicked.connect(lambda _=False, n=name: self.open_page(n))
            self.tiles[name] = tile
        page.body.addLayout(self.grid, 1)
        page.column.setStretch(1, 1)  # the tiles take the height, not the stretch below them
        page.column.setStretch(2, 0)
        self.changes = label("", page, "staffNote")
        page.body.addWidget(self.changes)
        return page

    def _place_tiles(self) -> None:
        """Four tiles across a landscape page, two down a portrait one, filling the height either way."""
        columns = 4 if self.width() >= self.height() else 2
        if columns == self.columns:
            return
        self.columns = columns
        for i, tile in enumerate(self.tiles.values()):
            self.grid.removeWidget(tile)
            self.grid.addWidget(tile, i // columns, i % columns)
        self.home.setStyleSheet(TILE_STYLE.format(size=26 if columns == 4 else 34))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_tiles()

    def _setting_pages(self, assignment: Assignment | None, cameras, folders) -> dict[str, Page]:
        camera = CameraPage(cameras, lambda: self.draft.camera_index, self)
        camera.chosen.connect(lambda v: self._change(camera_index=v))
        resolution = ChoicePage("Resolution", "The size the camera is asked for. Larger is sharper and slower.",
                                self)
        resolution.set_choices([(o.value, o.label) for o in resolution_options(self.draft.resolution)],
                               tuple(self.draft.resolution))
        resolution.chosen.connect(lambda v: self._change(resolution=v))
        palette = ChoicePage("Palette", "The shades customers choose from. Palette files (.json) put in "
                             f"{palette_folder(self.settings_file)} are offered here.", self)
        options, left_out = palette_options(self.settings_file, self.draft.palette_file)
        palette.set_choices([(o.value, o.label) for o in options], self.draft.palette_file,
                            [o.value for o in options if not o.usable])
        if left_out:
            palette.body.addWidget(label(f"{left_out} more palette files are not shown.", palette, "staffNote"))
        palette.chosen.connect(lambda v: self._change(palette_file=v))
        pin = PinPage(self.original.kiosk.pin is not None, self)
        pin.pin_ready.connect(lambda v: self._change(kiosk=replace(self.draft.kiosk, pin=v)))
        idle = IdlePage(self.draft.kiosk.idle_reset_s, self)
        idle.changed.connect(lambda v: self._change(kiosk=replace(self.draft.kiosk, idle_reset_s=v)))
        rollout = RolloutPage(self.stage, assignment, self.settings_file, self)
        looks = LookFolderPage(folders, lambda: self.draft.look_card_dir, self)
        looks.chosen.connect(lambda v: self._change(look_card_dir=v))
        feedback = FeedbackPage(self.draft.feedback.keep_snapshot,
                                snapshot_folder(self.draft.feedback.folder, self.settings_file), self)
        feedback.changed.connect(lambda on: self._change(feedback=replace(self.draft.feedback, keep_snapshot=on)))
        return {"camera": camera, "resolution": resolution, "palette": palette, "looks": looks,
                "feedback": feedback, "pin": pin, "idle": idle, "rollout": rollout}

    def open_page(self, name: str) -> None:
        page = self.pages[name]
        page.shown()
        self.stack.setCurrentWidget(page)
        self.title.setText(TITLES[name])
        self.back_button.show()
        self.footer.setVisible(self.retry_camera and name == "camera")  # Save opens the camera from there

    def go_home(self) -> None:
        self.stack.setCurrentWidget(self.home)
        self.title.setText("Staff settings")
        self.back_button.hide()
        self.footer.show()
        self._show_values()

    @property
    def page(self) -> str:
        """The page shown: "home" or a key of :data:`TITLES`."""
        return next((name for name, page in self.pages.items() if page is self.stack.currentWidget()), "home")

    # ---- the copy of the settings ------------------------------------------------------------------
    def _change(self, **changes) -> None:
        self.draft = self.draft.with_(**changes)
        self._show_values()

    def changed(self) -> list[str]:
        """The pages whose setting differs from the settings the pages opened with."""
        return [KEYS[key] for key in changed_keys(self.original, self.draft) if key in KEYS]

    def _show_values(self) -> None:
        d = self.draft
        pin = "new PIN" if d.kiosk.pin != self.original.kiosk.pin else ("set" if d.kiosk.pin else "none")
        values = {"camera": f"Camera {d.camera_index}", "resolution": f"{d.resolution[0]} × {d.resolution[1]}",
                  "palette": Path(d.palette_file).stem if d.palette_file else "built-in",
                  "rollout": f"{self.stage.name} (read-only)", "pin": pin,
                  "idle": describe_seconds(d.kiosk.idle_reset_s),
                  "looks": Path(d.look_card_dir).name if d.look_card_dir else "not kept",
                  "feedback": "count + picture" if d.feedback.keep_snapshot else "count only"}
        changed = self.changed()
        for name, tile in self.tiles.items():
            tile.setText(f"{TITLES[name]}\n{values[name]}{'  ✎' if name in changed else ''}")
        self.save_button.setEnabled(bool(changed) or self.retry_camera)
        self.changes.setText("Not saved yet: " + ", ".join(TITLES[n].lower() for n in changed) if changed
                             else "No changes.")

    def save(self) -> None:
        if self.changed() or self.retry_camera:
            self.saved.emit(self.draft)
        self.close_cover()

    def reject(self) -> None:
        """Leave without saving (Cancel, or the kiosk's idle reset)."""
        self.close_cover()


__all__ = ["TITLES", "StaffPages"]
