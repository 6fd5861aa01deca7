"""The main window: lays out the picture, the control panel, the banner and the start panel, and wires
them to the worker. The decisions live elsewhere: the settings and what follows from them in
``core.tryon.session``; the look, the view mode and divider, the source and the kiosk policy in the window's
``state`` (``core.tryon.state``), which the widgets set and follow and the worker follows; the live view
in ``core.live`` (through ``worker``), the controls in ``control_panel``, where they go in ``layout_plan``, snapshots in ``snapshot``, setting changes in
``settings_flow`` (decided) and ``settings_applying`` (carried out and saved), the overlay text in ``overlay_feed``, the actions and menus in ``window_actions``,
opening what the person picks in ``source_choosing``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from core import live
from core.catalog.config import Settings
from core.fleet.monitor import FleetMonitor
from core.frames import Shade
from core.io.source_spec import parse_spec
from core.stages.levels import LiftAdvice
from core.tryon.session import Session
from core.tryon.state import Change, KioskPolicy, TryOnState
from hairtint_desktop.control_panel import ControlPanel
from hairtint_desktop.feedback_action import LooksWrong
from hairtint_desktop.keep_look import KeepLook
from hairtint_desktop.kiosk import KioskController
from hairtint_desktop.layout_plan import plan_layout
from hairtint_desktop.overlay_feed import WAITING, OverlayFeed
from hairtint_desktop.policy_timer import PolicyTimer
from hairtint_desktop.settings_applying import SettingsApplying
from hairtint_desktop.snapshot import save_snapshot, usable_folder
from hairtint_desktop.source_choosing import SourceChoosing
from hairtint_desktop.source_status import SourceStatus
from hairtint_desktop.styles import window_style
from hairtint_desktop.widgets.banner import Banner
from hairtint_desktop.widgets.dialogs import CameraDialog, SettingsDialog
from hairtint_desktop.widgets.overlay import StatsOverlay
from hairtint_desktop.widgets.start_panel import StartPanel, unavailable_text
from hairtint_desktop.widgets.video_view import VideoView
from hairtint_desktop.window_actions import build_actions
from hairtint_desktop.worker import Worker

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.io.sources import Source
    from core.pipeline.pipeline import PipelineFactory


class MainWindow(SourceChoosing, SettingsApplying, QMainWindow):
    frame_displayed = Signal()  # a processed frame has been painted (first one after each source open)
    snapshot_saved = Signal(str)
    source_unavailable = Signal(str)  # the start panel is showing why
    live_ended = Signal()  # the live view's thread has ended (stopped, or no model could run: the banner says why)

    def __init__(self, settings: Settings | None = None, *, settings_path=None,
                 pipeline_factory: PipelineFactory | None = None,
                 opener: Callable[[str], Source] | None = None, palette: list[Shade] | None = None,
                 kiosk: bool = False, config_warnings: list[str] | tuple[str, ...] = (),
                 session: Session | None = None):
        super().__init__()
        self.session = session or Session(settings, settings_path=settings_path, palette=palette,
                                           warnings=config_warnings)
        self.session.kiosk = kiosk
        self.state = TryOnState(self.session.palette, self.session.fresh_look,
                                kiosk=KioskPolicy(kiosk, self.session.settings.kiosk))
        self._saved_settings = self.session.settings  # what _persist last wrote (or found): it writes what changed since
        self._custom_factory, self._custom_opener = pipeline_factory is not None, opener is not None
        self._opener = opener or self.session.opener()
        self.last_result: live.Result | None = None
        self.last_info: live.FrameInfo | None = None
        self._lift_advice = LiftAdvice()
        self._overlay_feed = OverlayFeed()
        self._displayed_once = False
        self._quit_allowed = not self.state.kiosk.staff_only
        self.now: Callable[[], datetime] = datetime.now  # replaced in tests
        self.ask_folder: Callable[[], str | None] = self._ask_folder
        self.ask_open_file: Callable[[str, str], str | None] = self._ask_open_file
        self.settings_dialog: SettingsDialog | None = None
        self._camera_dialog: CameraDialog | None = None

        self.setWindowTitle("HairTint")
        self.setStyleSheet(window_style(self.state.kiosk.touch))
        self._build_ui()
        self.actions_ = build_actions(self)
        self.open_photo_action, self.overlay_action = self.actions_.open_photo, self.actions_.overlay
        self.settings_action, self.snapshot_action = self.actions_.settings, self.actions_.snapshot
        self.state.events.source.connect(self._on_source)  # first the window, then the worker, hears of it
        self.state.events.reset.connect(self._on_reset)
        self.fleet = FleetMonitor(self.session, build=None if pipeline_factory is None else (lambda _entry, mode: pipeline_factory(mode)))
        self.diagnostics_dialog = None  # the Diagnostics view while it is open (widgets.diagnostics)
        self.worker = Worker(self.fleet.factory(), lambda spec: self._opener(spec), self, observe=self.fleet.observe,
                             cameras=None if opener is not None else self.session.cameras)
        self.fleet.attach(self.worker.set_pipeline_factory, self.worker.post)  # the automatic rollback
        self.source_status = SourceStatus(self)  # opening, showing, could not open, looking for a camera
        self.statusBar().addWidget(self.source_status, 1)
        self.model_status = QLabel(self.fleet.status_line(), self)  # the model running and its assignment
        self.statusBar().addPermanentWidget(self.model_status)
        self.policy_timer = PolicyTimer(self.fleet, lambda: self.model_status.setText(self.fleet.status_line()), self)
        self.looks_wrong = LooksWrong(self)  # staff's "Looks wrong" report, and the customers it is counted against
        self.keep_look = KeepLook(self)  # "Keep this look": the customer's card, saved only on their tap
        self.controls.keep_button.clicked.connect(self.keep_look.keep)
        self._drive_worker()
        self.worker.event.connect(self._on_event)
        self.view.painted.connect(self._on_painted)
        self.view.view_changed.connect(self.worker.set_view)  # the kiosk's mirror: framed by the pipeline
        self.set_overlay_visible(self.settings.overlay)
        warnings = [*self.session.warnings, *([self.session.palette_warning] if self.session.palette_warning else [])]
        if warnings:
            self.banner.show_message("\n".join(warnings), "warning")
        self.kiosk = KioskController(self, self.state.kiosk)
        self.setMinimumSize(480, 360)  # set, so the layout never grows the window: arrange() fits the controls
        self.resize(1180, 760)

    # ---- layout ----------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = Banner(central, touch=self.state.kiosk.touch)
        outer.addWidget(self.banner)
        self._body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._body.setContentsMargins(0, 0, 0, 0)
        self._body.setSpacing(0)
        outer.addLayout(self._body, 1)

        self.stack = QStackedWidget(central)
        self.view = VideoView(self.stack, mirror=self.state.kiosk.on)  # a kiosk: the picture framed on the head
        self.view.placeholder = "Starting…"
        self.overlay = StatsOverlay(self.view)
        self.start_panel = StartPanel(self.stack, kiosk=not self.state.kiosk.files)
        for signal, slot in ((self.start_panel.pick_camera, self.choose_camera), (self.start_panel.open_photo,
                             self.open_photo), (self.start_panel.open_video, self.open_video),
                             (self.start_panel.play_demo, self.play_demo)):
            signal.connect(slot)
        self.view.tile_clicked.connect(self.state.pick_tile)
        self.view.divider_moved.connect(self.state.set_divider)
        self.state.events.mode.connect(lambda change: self.view.set_mode(change.value.value))
        self.state.events.divider.connect(lambda change: self.view.set_divider(change.value))
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.start_panel)
        self._body.addWidget(self.stack, 1)

        self.controls = ControlPanel(self.state, parent=central)
        self._body.addWidget(self.controls)
        self.controls.snapshot_button.clicked.connect(self.save_snapshot)
        self.controls.settings_button.clicked.connect(self.open_settings)
        self.controls.previous_button.clicked.connect(lambda: self.step_photo(-1))
        self.controls.next_button.clicked.connect(lambda: self.step_photo(1))
        self.controls.reflow.connect(lambda: self.arrange(self.width(), self.height()))
        self.setCentralWidget(central)
        self.setAcceptDrops(self.state.kiosk.files)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.arrange(event.size().width(), event.size().height())

    def arrange(self, width: int, height: int) -> None:
        """Controls beside the picture (landscape) or below it (portrait), shades reflowed to fit."""
        other_w, other_h = self.controls.other_size()
        plan = plan_layout(width, height - self.banner.sizeHint().height() * self.banner.isVisible(),
                           len(self.shade_palette), other_height=other_h, other_width=other_w, touch=self.state.kiosk.touch)
        self.controls.apply(plan)
        self._body.setDirection(QBoxLayout.Direction.TopToBottom if plan.below else QBoxLayout.Direction.LeftToRight)

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self.session.settings = value

    @property
    def shade_palette(self) -> list[Shade]:
        """The shades on offer (named apart from Qt's palette())."""
        return self.session.palette

    # ---- the worker follows the state -------------------------------------------------------------
    def _drive_worker(self) -> None:
        """The looks to the worker as the state announces them; a source opened; a reset's clearing."""
        events = self.state.events
        events.looks.connect(lambda change: self.worker.set_look(change.value))
        events.source.connect(self._open_on_worker)
        events.reset.connect(lambda _change: self.worker.clear())

    def _open_on_worker(self, change: Change) -> None:
        if self.worker.is_running():
            self.worker.set_source(change.value)
        else:
            self.worker.start(change.value, self.state.looks())

    # ---- sources ---------------------------------------------------------------------------------
    def start(self, spec: str | None = None) -> None:
        """Open ``spec`` (default: the configured camera) and start the live view."""
        self.open_source(self.session.start_spec(spec).text)

    def open_source(self, spec: str) -> None:
        self.state.open(spec)

    def _on_source(self, change: Change) -> None:
        parsed = parse_spec(change.value)
        self._forget_picture(f"Opening {parsed.describe()}…")
        self.source_status.opening(change.value)
        self.stack.setCurrentWidget(self.view)
        self._displayed_once = False
        self.controls.show_folder_row(parsed.is_folder)
        if self.banner.kind == "error":
            self.banner.dismiss()

    def step_photo(self, delta: int) -> bool:
        """The next or previous photo of a folder source (False for other sources)."""
        return self.worker.step(delta)

    # ---- from the worker -------------------------------------------------------------------------
    def _on_event(self, event) -> None:
        if isinstance(event, live.Processed):
            self._on_result(event.result, event.info)
        elif isinstance(event, live.Problem):
            self.banner.show_message(event.message, "error")
        elif isinstance(event, live.Status):
            self.statusBar().showMessage(event.message, 4000)
            self.source_status.heard(event.message)
            self.model_status.setText(self.fleet.status_line())
        elif isinstance(event, live.Notice):  # why the stable model runs: stays until dismissed
            self.banner.show_message(event.message, "notice")
            self.model_status.setText(self.fleet.status_line())
        elif isinstance(event, live.Recovered):
            self.source_status.showing()
            if self.banner.kind == "error":
                self.banner.dismiss()
        elif isinstance(event, live.Unavailable):
            self._on_unavailable(event.message)
        elif isinstance(event, live.Finished):
            self.live_ended.emit()

    def _set_has_picture(self, has: bool) -> None:
        self.controls.snapshot_button.setEnabled(has)
        self.controls.keep_button.setEnabled(has)
        self.snapshot_action.setEnabled(has and self.state.kiosk.files)

    def _forget_picture(self, placeholder: str = "") -> None:
        self.last_result, self.last_info = None, None
        self._set_has_picture(False)
        self.view.clear(placeholder)

    def _on_result(self, result: live.Result, info: live.FrameInfo) -> None:
        self.last_result, self.last_info = result, info
        self._set_has_picture(True)
        tiles = None
        if result.variants:
            pictures = (result.pixels, *result.variants)  # a tile for each look that has its picture
            tiles = [(look.shade.name, pixels) for look, pixels in zip(info.looks, pictures, strict=False)]
        self.view.set_frame(result.frame.pixels, result.pixels, tiles, None if info.reprocessed else info.capture_t,
                            face_box=result.face_box, crop=result.crop)
        self.controls.salon_note.say(self._lift_advice.update(result.hair_level,
                                                              info.looks[0] if info.looks else self.state.look))
        self.stack.setCurrentWidget(self.view)
        if self.overlay.isVisible() and self._overlay_feed.due(info):
            self.refresh_overlay()

    def _on_painted(self, _latency_ms: float) -> None:
        if not self._displayed_once:
            self._displayed_once = True
            self.source_status.showing()
            self.frame_displayed.emit()

    def _on_unavailable(self, message: str) -> None:
        self.start_panel.set_message(*unavailable_text(parse_spec(self.state.source or ""), message,
                                                     not self.state.kiosk.files))
        self._forget_picture()
        self.source_status.unavailable()
        self.statusBar().clearMessage()  # a passing message would cover what happened
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
        self.overlay.show_text(OverlayFeed.text(
            self.last_info, size=self.last_result.frame.size if self.last_result is not None else None,
            display_fps=self.view.display_fps(), latency=self.view.latency.summary(), rollout=self.fleet.overlay_line()))

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ---- snapshot --------------------------------------------------------------------------------
    def choose_snapshot_folder(self) -> str | None:
        folder = self.ask_folder() if self.state.kiosk.files else None
        if folder:
            self.settings = self.settings.with_(snapshot_dir=folder)
            self._persist()
        return folder

    def save_snapshot(self) -> Path | None:
        """Save the recoloured frame shown now. Only ever called from an explicit click/shortcut."""
        if not self.state.kiosk.files:
            return None
        if self.last_result is None:
            self.statusBar().showMessage("Nothing to save yet", 3000)
            return None
        folder = usable_folder(self.settings.snapshot_dir) or self.choose_snapshot_folder()
        if not folder:
            return None
        look = self.last_info.looks[0] if self.last_info and self.last_info.looks else self.state.look
        saved = save_snapshot(self.last_result, look, folder, self.now(), self.state.source)
        if saved.error is not None:  # not saved
            self.banner.show_message(saved.error, "error")
            return None
        self.statusBar().showMessage(f"Saved {saved.path}", 6000)
        self.snapshot_saved.emit(str(saved.path))
        return saved.path

    # ---- kiosk reset and shutdown ----------------------------------------------------------------
    def _on_reset(self, _change: Change) -> None:
        """The state was reset for the next customer (``TryOnState.reset``): nothing of the last picture is
        kept in the window either -- dialogs, the picture, the salon note's advice, a non-error banner (a
        model fallback's notice stays)."""
        for dialog in (self.settings_dialog, self._camera_dialog):
            if dialog is not None:
                dialog.reject()
        self._lift_advice.reset()
        self._forget_picture()
        if self.banner.kind not in ("error", "notice"):
            self.banner.dismiss()
        self.overlay.show_text(WAITING)

    def allow_quit(self) -> None:
        self._quit_allowed = True

    def quit_app(self) -> None:
        """Close from the screen: a kiosk only behind the staff PIN (``KioskPolicy.may_quit``)."""
        if not self.state.kiosk.may_quit:
            return
        self.allow_quit()
        if self.settings_dialog is not None:
            self.settings_dialog.reject()
        self.close()

    def shutdown(self) -> bool:
        """Stop the worker (joined with a timeout). True when no thread was left running."""
        self.allow_quit()
        self.looks_wrong.tally.save()  # the customers counted since the last report
        return self.worker.stop()

    def closeEvent(self, event) -> None:
        if not self._quit_allowed:
            event.ignore()
            self.statusBar().showMessage("Ask a member of staff to close HairTint", 4000)
            return
        self.worker.stop()
        self.kiosk.stop()
        super().closeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(1180, 760)
