"""The kiosk's staff settings as full-window pages with big targets: a home page of tiles (each setting
and its value) with Save, Cancel and Quit HairTint, and a page for each setting -- camera, resolution,
palette (choices as buttons), the rollout stage (read-only), the staff PIN (the PIN pad) and the idle
reset (steppers and presets). Nothing needs a keyboard. The pages edit a copy of the settings;
Save hands it on (``saved``) and the window writes what changed; Cancel (or the idle reset) drops it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from core.catalog.config import Settings, changed_keys
from core.catalog.rollout import Assignment, effective_stage
from hairtint_desktop.styles import STAFF_STYLE
from hairtint_desktop.widgets.dialogs import list_cameras_safe
from hairtint_desktop.widgets.staff.choices import camera_options, palette_folder, palette_options, resolution_options
from hairtint_desktop.widgets.staff.parts import COLUMNS, ChoicePage, Page, big_button, label
from hairtint_desktop.widgets.staff.setting_pages import IdlePage, PinPage, RolloutPage, describe_seconds

TITLES = {"camera": "Camera", "resolution": "Resolution", "palette": "Palette", "rollout": "Rollout stage",
          "pin": "Staff PIN", "idle": "Idle reset"}
KEYS = {"camera_index": "camera", "resolution": "resolution", "palette_file": "palette", "kiosk.pin": "pin",
        "kiosk.idle_reset_s": "idle"}  # the settings each page changes


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

    def shown(self) -> None:
        options = camera_options(self._cameras(), self._current())
        self.set_choices([(o.value, o.label) for o in options], self._current())


class StaffPages(QWidget):
    """Covers its parent (the window) until Save, Cancel or :meth:`reject`."""

    saved = Signal(object)  # the settings as staff left them (only when something changed)
    closed = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget, settings: Settings, *, settings_file: Path,
                 assignment: Assignment | None = None,
                 cameras: Callable[[], list[tuple[int, str]]] = list_cameras_safe):
        super().__init__(parent)
        self.setObjectName("staffPages")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STAFF_STYLE)
        self.original = self.draft = settings
        self.settings_file = Path(settings_file)
        self.stage = assignment.stage if assignment is not None else effective_stage(settings.rollout_stage)
        self._done = False
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
        self.pages: dict[str, Page] = self._setting_pages(assignment, cameras)
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.footer = QWidget(self)
        row = QHBoxLayout(self.footer)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(20)
        self.quit_button = big_button("Quit HairTint", self.footer, "danger")
        self.cancel_button = big_button("Cancel", self.footer)
        self.save_button = big_button("Save", self.footer, "primary")
        self.quit_button.clicked.connect(self.quit_requested)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.quit_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        outer.addWidget(self.footer)
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.go_home()

    # ---- the pages ---------------------------------------------------------------------------------
    def _home_page(self) -> Page:
        page = Page("Staff settings", "Tap a setting to change it. Nothing is kept until you tap Save.", self)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.tiles = {}
        for i, name in enumerate(TITLES):
            tile = big_button("", page)
            tile.setMinimumHeight(112)
            tile.clicked.connect(lambda _=False, n=name: self.open_page(n))
            grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
            self.tiles[name] = tile
        page.body.addLayout(grid)
        self.changes = label("", page, "staffNote")
        page.body.addWidget(self.changes)
        return page

    def _setting_pages(self, assignment: Assignment | None, cameras) -> dict[str, Page]:
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
        return {"camera": camera, "resolution": resolution, "palette": palette, "rollout": rollout, "pin": pin,
                "idle": idle}

    def open_page(self, name: str) -> None:
        page = self.pages[name]
        page.shown()
        self.stack.setCurrentWidget(page)
        self.title.setText(TITLES[name])
        self.back_button.show()
        self.footer.hide()

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
                  "idle": describe_seconds(d.kiosk.idle_reset_s)}
        changed = self.changed()
        for name, tile in self.tiles.items():
            tile.setText(f"{TITLES[name]}\n{values[name]}{'  ✎' if name in changed else ''}")
        self.save_button.setEnabled(bool(changed))
        self.changes.setText("Not saved yet: " + ", ".join(TITLES[n].lower() for n in changed) if changed
                             else "No changes.")

    def save(self) -> None:
        if self.changed():
            self.saved.emit(self.draft)
        self._close()

    def reject(self) -> None:
        """Leave without saving (Cancel, or the kiosk's idle reset)."""
        self._close()

    def _close(self) -> None:
        if self._done:
            return
        self._done = True
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.closed.emit()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if event.type() == QEvent.Type.Resize and parent is not None and watched is parent:
            self.setGeometry(parent.rect())
        return False


__all__ = ["TITLES", "StaffPages"]
