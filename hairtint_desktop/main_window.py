"""The main window: the picture, the shade palette, intensity, shine and tips, before/after and compare,
snapshot, the statistics overlay, the banner, and the start panel shown when there is no camera.

Thin by design: every picture comes from the :class:`~hairtint_desktop.worker.Worker`; the window only
turns clicks into a new immutable ``Look`` or a source spec, and paints what comes back."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QMainWindow, QPushButton, QScrollArea,
                               QSizePolicy, QSlider, QStackedWidget, QVBoxLayout, QWidget)

from core.config import Settings
from core.naming import snapshot_path
from core.errors import HairTintError
from core.frames import DEFAULT_INTENSITY, Look, Result, Shade
from core.levels import LiftAdvice
from core.palette import default_index
from hairtint_desktop.widgets.banner import Banner
from hairtint_desktop.widgets.salon_note import SalonNote
from hairtint_desktop.widgets.dialogs import CameraDialog, SettingsDialog
from hairtint_desktop.widgets.look_controls import LookControls, labelled_slider
from hairtint_desktop.widgets.overlay import StatsOverlay, format_stats
from hairtint_desktop.widgets.start_panel import StartPanel
from hairtint_desktop.widgets.swatches import SwatchPalette
from hairtint_desktop.widgets.video_view import VideoView
from core.images import IMAGE_SUFFIXES
from core.session import Session
from core.source_spec import DEMO as DEMO_SPEC
from core.source_spec import IMAGE_FILTER, VIDEO_FILTER, parse_spec
from core.sources import describe_spec
from core import live
from core.live import FrameInfo
from hairtint_desktop.worker import Worker

log = logging.getLogger(__name__)

OVERLAY_EVERY_S = 0.25

STYLE = """
QMainWindow, #sidePanel, QScrollArea, QScrollArea > QWidget > QWidget { background: #17171c; }
#sidePanel QLabel { color: #e6e6ea; }
#sidePanel QLabel#heading { color: #9a9aa2; font-weight: bold; }
QPushButton#toggle, QPushButton#action { background: #2a2a33; color: #e6e6ea; border: 1px solid #3a3a46;
    border-radius: 8px; padding: 6px 12px; }
QPushButton#toggle:checked { background: #3d5a99; border-color: #6ea8ff; }
QPushButton#action { background: #2f6b3f; border-color: #4f9a63; }
QPushButton#action:disabled { background: #2a2a33; color: #777; }
QPushButton#subtle { background: transparent; color: #9a9aa2; border: 1px solid #3a3a46; border-radius: 8px; }
"""
KIOSK_STYLE = """
#sidePanel QLabel, QPushButton#toggle, QPushButton#action, QPushButton#subtle { font-size: 18px; }
#startPanel QPushButton { font-size: 18px; }
"""


class MainWindow(QMainWindow):
    frame_displayed = Signal()  # a processed frame has been painted (first one after each source open)
    snapshot_saved = Signal(str)
    source_unavailable = Signal(str)  # the start panel is showing why

    def __init__(self, settings: Settings | None = None, *, settings_path=None,
                 pipeline_factory: Callable[[bool], object] | None = None,
                 opener: Callable[[str], object] | None = None, palette: list[Shade] | None = None,
                 kiosk: bool = False, config_warnings: list[str] | tuple[str, ...] = (),
                 session: Session | None = None):
        super().__init__()
        if session is None:
            session = Session(settings, settings_path=settings_path, palette=palette, warnings=config_warnings)
        self.session = session
        self.settings_path = session.settings_path
        self.is_kiosk = kiosk
        self._custom_factory = pipeline_factory is not None
        self._pipeline_factory = pipeline_factory or session.pipeline_factory()
        self._opener = opener or session.opener()
        self._custom_opener = opener is not None
        warnings = list(session.warnings)
        if session.palette_warning:
            warnings.append(session.palette_warning)
        self.palette = session.palette
        self.last_result: Result | None = None
        self._lift_advice = LiftAdvice()
        self.last_info: FrameInfo | None = None
        self._displayed_once = False
        self._overlay_at = 0.0
        self._quit_allowed = not kiosk
        self.now: Callable[[], datetime] = datetime.now  # replaced in tests
        self.ask_folder: Callable[[], str | None] = self._ask_folder
        self.ask_open_file: Callable[[str, str], str | None] = self._ask_open_file
        self.settings_dialog: SettingsDialog | None = None

        self.setWindowTitle("HairTint")
        self.setStyleSheet(STYLE + (KIOSK_STYLE if kiosk else ""))
        self._build_ui()
        self._build_actions()
        self.worker = Worker(self._pipeline_factory, self._open_source_spec, self)
        self.worker.event.connect(self._on_event)
        self.view.painted.connect(self._on_painted)
        self.view.tile_clicked.connect(self._on_tile_clicked)
        self.set_overlay_visible(self.settings.overlay)
        if warnings:
            self.banner.show_message("\n".join(warnings), "warning")

        self.kiosk = None
        if kiosk:
            from hairtint_desktop.kiosk import KioskController

            self.kiosk = KioskController(self)
        self.resize(1180, 760)

    # ---- layout ----------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        touch = self.is_kiosk
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = Banner(central, touch=touch)
        outer.addWidget(self.banner)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        outer.addLayout(row, 1)

        self.stack = QStackedWidget(central)
        self.view = VideoView(self.stack)
        self.view.placeholder = "Starting…"
        self.overlay = StatsOverlay(self.view)
        self.start_panel = StartPanel(self.stack, kiosk=self.is_kiosk)
        self.start_panel.pick_camera.connect(self.choose_camera)
        self.start_panel.open_photo.connect(self.open_photo)
        self.start_panel.open_video.connect(self.open_video)
        self.start_panel.play_demo.connect(self.play_demo)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.start_panel)
        row.addWidget(self.stack, 1)

        side = QFrame(central)
        side.setObjectName("sidePanel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(12, 12, 12, 12)
        side_layout.setSpacing(10)
        heading = QLabel("Shade", side)
        heading.setObjectName("heading")
        side_layout.addWidget(heading)
        size = 104 if touch else 72
        self.swatches = SwatchPalette(self.palette, columns=3, button_size=size, parent=side)
        self.swatches.shade_selected.connect(self._on_shade)
        scroll = QScrollArea(side)
        scroll.setWidget(self.swatches)
        scroll.setWidgetResizable(False)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.swatches.adjustSize()
        scroll.setFixedWidth(self.swatches.sizeHint().width() + 18)
        side_layout.addWidget(scroll, 1)

        self.intensity_label, self.slider = labelled_slider(side, side_layout, "Intensity", DEFAULT_INTENSITY, touch)
        self.slider.valueChanged.connect(self._on_intensity)
        side_layout.addWidget(self.slider)
        self.look_controls = LookControls(self.palette, touch=touch, parent=side)  # shine and tips
        self.look_controls.follow_shade(self.swatches.current_shade)
        self.look_controls.changed.connect(lambda *_: self.push_look())
        side_layout.addWidget(self.look_controls)
        self.salon_note = SalonNote(side, touch=touch)  # e.g. "needs pre-lightening in the salon"
        side_layout.addWidget(self.salon_note)

        buttons = QHBoxLayout()
        self.split_button = self._toggle("Before / after", side)
        self.compare_button = self._toggle("Compare 2×2", side)
        buttons.addWidget(self.split_button)
        buttons.addWidget(self.compare_button)
        side_layout.addLayout(buttons)
        self.split_button.toggled.connect(self.set_split)
        self.compare_button.toggled.connect(self.set_compare)

        self.snapshot_button = QPushButton("Save snapshot", side)
        self.snapshot_button.setObjectName("action")
        self.snapshot_button.setMinimumHeight(64 if touch else 40)
        self.snapshot_button.clicked.connect(self.save_snapshot)
        self.snapshot_button.setVisible(not self.is_kiosk)  # a kiosk writes nothing to disk
        self.snapshot_button.setEnabled(False)  # until there is a picture
        side_layout.addWidget(self.snapshot_button)

        self.settings_button = QPushButton("⚙ Staff settings", side)
        self.settings_button.setObjectName("subtle")
        self.settings_button.setMinimumHeight(56)
        self.settings_button.setVisible(self.is_kiosk)
        self.settings_button.clicked.connect(self.open_settings)
        side_layout.addWidget(self.settings_button)

        row.addWidget(side)
        self.side_panel = side
        self.setCentralWidget(central)
        self.setAcceptDrops(not self.is_kiosk)

    def _toggle(self, text: str, parent: QWidget) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName("toggle")
        button.setCheckable(True)
        button.setMinimumHeight(64 if self.is_kiosk else 36)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    def _build_actions(self) -> None:
        def action(text, slot, shortcuts=(), checkable=False):
            act = QAction(text, self)
            if shortcuts:
                act.setShortcuts([QKeySequence(s) for s in shortcuts])
            act.setCheckable(checkable)
            (act.toggled if checkable else act.triggered).connect(slot)
            self.addAction(act)  # shortcuts work even with the menu bar hidden (kiosk)
            return act

        self.open_photo_action = action("Open &photo…", self.open_photo, ["Ctrl+O"])
        self.open_video_action = action("Open &video…", self.open_video, ["Ctrl+Shift+O"])
        self.snapshot_action = action("&Save snapshot", self.save_snapshot, ["Ctrl+S"])
        self.snapshot_action.setEnabled(False)  # until there is a picture
        self.snapshot_folder_action = action("Snapshot &folder…", self.choose_snapshot_folder)
        self.quit_action = action("&Quit", self.close, ["Ctrl+Q"])
        self.camera_action = action("&Camera and resolution…", self.choose_camera)
        self.demo_action = action("&Demo clip", self.play_demo)
        self.overlay_action = action("Statistics &overlay", self.set_overlay_visible, ["F2", "O"], checkable=True)
        self.split_action = action("&Before / after", self.split_button.setChecked, ["B"], checkable=True)
        self.compare_action = action("&Compare 2×2", self.compare_button.setChecked, ["C"], checkable=True)
        self.split_button.toggled.connect(self.split_action.setChecked)
        self.compare_button.toggled.connect(self.compare_action.setChecked)
        self.fullscreen_action = action("&Full screen", self._toggle_fullscreen, ["F11"])
        self.settings_action = action("&Settings…", self.open_settings, ["Ctrl+,"])

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.open_photo_action, self.open_video_action, None, self.snapshot_action,
                    self.snapshot_folder_action, None, self.quit_action):
            file_menu.addSeparator() if act is None else file_menu.addAction(act)
        source_menu = bar.addMenu("&Source")
        source_menu.addAction(self.camera_action)
        source_menu.addAction(self.demo_action)
        view_menu = bar.addMenu("&View")
        for act in (self.overlay_action, self.split_action, self.compare_action, None, self.fullscreen_action):
            view_menu.addSeparator() if act is None else view_menu.addAction(act)
        settings_menu = bar.addMenu("S&ettings")
        settings_menu.addAction(self.settings_action)
        if self.is_kiosk:
            bar.hide()
            self.statusBar().hide()  # customers need no status messages
            for act in (self.open_photo_action, self.open_video_action, self.snapshot_action,
                        self.snapshot_folder_action, self.fullscreen_action, self.quit_action):
                act.setEnabled(False)  # no file dialogs, nothing on disk, no way out without the PIN

    # ---- the Look --------------------------------------------------------------------------------
    def look(self) -> Look:
        return self.look_controls.look(self.swatches.current_shade, self.slider.value())

    def compare_looks(self) -> tuple[Look, ...]:
        """The current look and the next three shades in the palette, each as a tap on it would give."""
        shades = self.swatches.shades
        start = self.swatches.current_index
        count = min(4, len(shades))
        return (self.look(), *(self.look_controls.preview(shades[(start + i) % len(shades)], self.slider.value())
                               for i in range(1, count)))

    def push_look(self) -> None:
        if self.swatches.current_shade is None:
            return
        looks = self.compare_looks() if self.compare_button.isChecked() else (self.look(),)
        self.worker.set_look(looks)

    def _on_shade(self, _index: int, shade: Shade) -> None:
        self.look_controls.follow_shade(shade)
        self.push_look()

    def _on_intensity(self, value: int) -> None:
        self.intensity_label.setText(str(value))
        self.push_look()

    def set_split(self, on: bool) -> None:
        if on and self.compare_button.isChecked():
            self.compare_button.setChecked(False)
        self._apply_mode()

    def set_compare(self, on: bool) -> None:
        if on and self.split_button.isChecked():
            self.split_button.setChecked(False)
        self._apply_mode()
        self.push_look()

    def _apply_mode(self) -> None:
        mode = "compare" if self.compare_button.isChecked() else "split" if self.split_button.isChecked() else "single"
        self.view.set_mode(mode)

    def _on_tile_clicked(self, index: int) -> None:
        if index > 0:
            self.swatches.select((self.swatches.current_index + index) % len(self.swatches.shades))

    # ---- sources ---------------------------------------------------------------------------------
    def _open_source_spec(self, spec: str):
        return self._opener(spec)

    def start(self, spec: str | None = None) -> None:
        """Open ``spec`` (default: the configured camera) and start the live view."""
        self.open_source(self.session.start_spec(spec).text)

    def open_source(self, spec: str) -> None:
        self.last_result, self.last_info = None, None
        self._set_has_picture(False)
        self._displayed_once = False
        self.view.clear(f"Opening {describe_spec(spec)}…")
        self.stack.setCurrentWidget(self.view)
        if self.banner.kind == "error":
            self.banner.dismiss()
        if self.worker.is_running():
            self.worker.set_source(spec)
        else:
            self.worker.start(spec, self.compare_looks() if self.compare_button.isChecked() else (self.look(),))
        self.statusBar().showMessage(f"Opening {describe_spec(spec)}…", 3000)

    def open_photo(self) -> None:
        if self.is_kiosk:
            return
        path = self.ask_open_file("Open a photo", IMAGE_FILTER)
        if path:
            self.open_source(path)

    def open_video(self) -> None:
        if self.is_kiosk:
            return
        path = self.ask_open_file("Open a video", VIDEO_FILTER)
        if path:
            self.open_source(path)

    def play_demo(self) -> None:
        self.open_source(DEMO_SPEC)

    def choose_camera(self) -> None:
        dialog = CameraDialog(self.settings, self)
        self._camera_dialog = dialog

        def accepted():
            index, resolution = dialog.choice()
            self.apply_settings(self.settings.with_(camera_index=index, resolution=resolution), reopen_camera=True)

        dialog.accepted.connect(accepted)
        dialog.open()

    def _ask_open_file(self, title: str, filter_: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title, "", filter_)
        return path or None

    # ---- drag and drop ---------------------------------------------------------------------------
    @staticmethod
    def _dropped_image(event) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if not self.is_kiosk and self._dropped_image(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        path = None if self.is_kiosk else self._dropped_image(event)
        if path:
            event.acceptProposedAction()
            self.open_source(path)
        else:
            event.ignore()

    # ---- worker signals --------------------------------------------------------------------------
    def _set_has_picture(self, has: bool) -> None:
        if self.snapshot_button.isEnabled() != has:
            self.snapshot_button.setEnabled(has)
            self.snapshot_action.setEnabled(has and not self.is_kiosk)

    def _on_event(self, event) -> None:
        if isinstance(event, live.Processed):
            self._on_result(event.result, event.info)
        elif isinstance(event, live.Problem):
            self._on_error(event.message)
        elif isinstance(event, live.Status):
            self._on_status(event.message)
        elif isinstance(event, live.Recovered):
            self._on_recovered()
        elif isinstance(event, live.Unavailable):
            self._on_unavailable(event.message)

    def _on_result(self, result: Result, info: FrameInfo) -> None:
        self.last_result, self.last_info = result, info
        self._set_has_picture(True)
        tiles = None
        if result.variants:
            tiles = [(look.shade.name, pixels) for look, pixels in zip(info.looks, (result.pixels, *result.variants))]
        self.view.set_frame(result.frame.pixels, result.pixels, tiles,
                            None if info.reprocessed else info.capture_t)
        self.salon_note.say(self._lift_advice.update(result.hair_level, info.looks[0] if info.looks else self.look()))
        if self.stack.currentWidget() is not self.view:
            self.stack.setCurrentWidget(self.view)
        now = time.perf_counter()
        if self.overlay.isVisible() and (now - self._overlay_at > OVERLAY_EVERY_S or info.still):
            self._overlay_at = now
            self.refresh_overlay()

    def _on_painted(self, latency_ms: float) -> None:
        if not self._displayed_once:
            self._displayed_once = True
            self.frame_displayed.emit()

    def _on_error(self, message: str) -> None:
        self.banner.show_message(message, "error")

    def _on_recovered(self) -> None:
        if self.banner.kind == "error":
            self.banner.dismiss()

    def _on_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 4000)

    def _on_unavailable(self, message: str) -> None:
        spec = self.worker.spec or ""
        if parse_spec(spec).is_camera:
            title = "No camera found"
            if self.is_kiosk:
                detail = f"{message}\n\nCheck the camera cable, pick another camera, or play the demo clip."
            else:
                detail = f"{message}\n\nPick another camera, open a photo or a video, or play the demo clip."
        else:
            title = f"Could not open {describe_spec(spec)}"
            detail = message
        self.start_panel.set_message(title, detail)
        self.view.clear("")
        self.last_result, self.last_info = None, None
        self._set_has_picture(False)
        self.stack.setCurrentWidget(self.start_panel)
        self.source_unavailable.emit(message)

    # ---- overlay ---------------------------------------------------------------------------------
    def set_overlay_visible(self, on: bool) -> None:
        on = bool(on)
        if self.overlay_action.isChecked() != on:
            self.overlay_action.setChecked(on)  # re-enters with the same value
            return
        self.overlay.setVisible(on)
        if on:
            self.overlay.raise_()
            self.refresh_overlay()
        if on != self.settings.overlay:
            self.settings = self.settings.with_(overlay=on)
            self._persist()

    def refresh_overlay(self) -> None:
        info = self.last_info
        if info is None:
            self.overlay.show_text("FPS        –\nwaiting for the first frame…")
            return
        size = None
        if self.last_result is not None:
            size = self.last_result.frame.size
        self.overlay.show_text(format_stats(
            fps=info.stats.get("fps", float("nan")), display_fps=self.view.display_fps(), stats=info.stats,
            latency=self.view.latency.summary(), model=info.model, size=size, dropped=info.dropped,
            still=info.still))

    def _toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ---- snapshot --------------------------------------------------------------------------------
    def _ask_folder(self) -> str | None:
        path = QFileDialog.getExistingDirectory(self, "Choose where snapshots are saved",
                                                self.settings.snapshot_dir or str(Path.home()))
        return path or None

    def choose_snapshot_folder(self) -> str | None:
        if self.is_kiosk:
            return None
        folder = self.ask_folder()
        if folder:
            self.settings = self.settings.with_(snapshot_dir=folder)
            self._persist()
        return folder

    def save_snapshot(self) -> Path | None:
        """Save the recoloured frame shown now. Only ever called from an explicit click/shortcut."""
        if self.is_kiosk:
            return None
        result = self.last_result
        if result is None:
            self.statusBar().showMessage("Nothing to save yet", 3000)
            return None
        folder = self.settings.snapshot_dir
        if not folder or not Path(folder).is_dir():
            folder = self.choose_snapshot_folder()
            if not folder:
                return None
        look = self.last_info.looks[0] if self.last_info and self.last_info.looks else self.look()
        path = snapshot_path(folder, look, self.now())
        try:
            from core.images import save_image

            save_image(path, result.pixels)
        except (HairTintError, OSError, ValueError) as exc:
            self.banner.show_message(f"The snapshot could not be saved: {exc}", "error")
            return None
        self.statusBar().showMessage(f"Saved {path}", 6000)
        self.snapshot_saved.emit(str(path))
        return path

    # ---- settings --------------------------------------------------------------------------------
    def open_settings(self) -> None:
        if self.kiosk is not None:
            self.kiosk.request_settings()
        else:
            self.show_settings_dialog()

    def show_settings_dialog(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self, kiosk=self.is_kiosk)
        if self.is_kiosk:
            quit_button = dialog.button_box.addButton("Quit HairTint", dialog.button_box.ButtonRole.DestructiveRole)
            quit_button.clicked.connect(self.quit_kiosk)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.settings()))
        dialog.finished.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, new: Settings, reopen_camera: bool = False) -> None:
        change = self.session.update(new)
        if change.palette:
            palette, warning = self.session.palette, self.session.palette_warning
            self.palette = palette
            current = self.swatches.current_shade
            self.swatches.set_shades(palette)
            if current is not None and self.swatches.index_of(current.name) >= 0:
                self.swatches.select(self.swatches.index_of(current.name), emit=False)
            self.look_controls.set_palette(palette)
            if self.swatches.current_shade != current:
                self.look_controls.follow_shade(self.swatches.current_shade)
            if warning:
                self.banner.show_message(warning, "warning")
            self.push_look()
        if change.overlay:
            self.set_overlay_visible(new.overlay)
        if not self._custom_opener and change.resolution:
            self._opener = self.session.opener()
        model_changed = change.model
        if model_changed and not self._custom_factory:
            self._pipeline_factory = self.session.pipeline_factory()
            self.worker.set_pipeline_factory(self._pipeline_factory)
        camera_changed = change.camera
        spec = self.worker.spec
        if reopen_camera or (camera_changed and spec and parse_spec(spec).is_camera):
            spec = f"camera:{new.camera_index}"
            if model_changed:
                self.worker.stop()
            self.open_source(spec)
        elif model_changed and spec:
            self.worker.stop()
            self.open_source(spec)
        if self.kiosk is not None:
            self.kiosk.apply_settings(new)
        self._persist(force=True)

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self.session.settings = value

    def _persist(self, force: bool = False) -> None:
        """Write the settings -- never on its own in kiosk mode, only for changes staff made behind the PIN."""
        if self.is_kiosk and not force:
            return
        try:
            self.session.save()
        except HairTintError as exc:
            self.banner.show_message(str(exc), "warning")

    # ---- kiosk reset and shutdown ----------------------------------------------------------------
    def reset_for_next_customer(self) -> None:
        """Default shade, intensity, shine and tips, single view, and nothing of the last picture kept
        anywhere."""
        for dialog in (self.settings_dialog, getattr(self, "_camera_dialog", None)):
            if dialog is not None:
                dialog.reject()
        self.compare_button.setChecked(False)
        self.split_button.setChecked(False)
        self.view.set_divider(0.5)
        self.slider.blockSignals(True)
        self.slider.setValue(DEFAULT_INTENSITY)
        self.intensity_label.setText(str(DEFAULT_INTENSITY))
        self.slider.blockSignals(False)
        self.swatches.select(default_index(self.swatches.shades), emit=False)
        self.look_controls.reset(self.swatches.current_shade)
        self.worker.clear()
        self.push_look()
        self.last_result, self.last_info = None, None
        self._lift_advice.reset()
        self.salon_note.say(None)
        self._set_has_picture(False)
        self.view.clear("")
        if self.banner.kind != "error":
            self.banner.dismiss()
        self.overlay.show_text("FPS        –\nwaiting for the first frame…")

    def quit_kiosk(self) -> None:
        self._quit_allowed = True
        if self.settings_dialog is not None:
            self.settings_dialog.reject()
        self.close()

    def shutdown(self) -> bool:
        """Stop the worker (joined with a timeout). True when no thread was left running."""
        self._quit_allowed = True
        return self.worker.stop()

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self._quit_allowed:
            event.ignore()
            self.statusBar().showMessage("Ask a member of staff to close HairTint", 4000)
            return
        self.worker.stop()
        if self.kiosk is not None:
            self.kiosk.stop()
        super().closeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(1180, 760)
