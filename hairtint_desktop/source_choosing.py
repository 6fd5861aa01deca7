"""What the window does to open a source the person picks: the photo, video and folder dialogs, the
camera chooser, and photos dropped on the window (none of them in kiosk mode, where the camera is chosen
on the staff pages' camera page, behind the PIN: ``KioskController.choose_camera``). A mixin of
``MainWindow``, which provides ``state`` (its kiosk policy says whether files may be opened), ``settings``, ``open_source`` and ``apply_settings``;
``ask_open_file`` and ``ask_folder`` are attributes so tests can answer in the dialogs' place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from core.catalog.config import Settings
from core.io.source_spec import DEMO, IMAGE_FILTER, VIDEO_FILTER
from core.tryon.state import TryOnState
from hairtint_desktop.kiosk import KioskController
from hairtint_desktop.widgets.dialogs import CameraDialog
from hairtint_desktop.widgets.start_panel import dropped_image

if TYPE_CHECKING:  # the window it is mixed into, as the type checker sees it
    _Window = QWidget
else:  # at run time a plain class: MainWindow brings the QMainWindow
    _Window = object


class SourceChoosing(_Window):
    # what MainWindow provides
    state: TryOnState
    settings: Settings
    ask_open_file: Callable[[str, str], str | None]
    open_source: Callable[[str], None]
    apply_settings: Callable[..., None]
    _camera_dialog: CameraDialog | None
    kiosk: KioskController

    def _open_chosen(self, title: str, filter_: str) -> None:
        path = self.ask_open_file(title, filter_) if self.state.kiosk.files else None
        if path:
            self.open_source(path)

    def open_photo(self) -> None:
        self._open_chosen("Open a photo", IMAGE_FILTER)

    def open_video(self) -> None:
        self._open_chosen("Open a video", VIDEO_FILTER)

    def open_folder(self) -> None:
        if self.state.kiosk.files:
            folder = QFileDialog.getExistingDirectory(self, "Open a folder of photos", str(Path.home()))
            if folder:
                self.open_source(folder)

    def play_demo(self) -> None:
        self.open_source(DEMO)

    def choose_camera(self) -> None:
        if self.state.kiosk.staff_only:  # a staff act in a kiosk: the big-button camera page, behind the PIN
            self.kiosk.choose_camera()
            return
        dialog = self._camera_dialog = CameraDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(
            self.settings.with_(camera_index=dialog.choice()[0], resolution=dialog.choice()[1]), reopen_camera=True))
        dialog.open()

    def _ask_open_file(self, title: str, filter_: str) -> str | None:
        return QFileDialog.getOpenFileName(self, title, "", filter_)[0] or None

    # drag and drop of a photo
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.acceptProposedAction() if self.state.kiosk.files and dropped_image(event) else event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_image(event) if self.state.kiosk.files else None
        event.acceptProposedAction() if path else event.ignore()
        if path:
            self.open_source(path)

    def _ask_folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self, "Choose where snapshots are saved",
                                                self.settings.snapshot_dir or str(Path.home())) or None

