"""How the window takes new settings: the Settings dialog (desktop; a kiosk's staff pages are
``KioskController``'s), carrying out what ``settings_flow.plan_settings`` decides (the shade grid, the
overlay, the camera's opener, the model, reopening the camera), and saving only what changed. A mixin of
``MainWindow``, which provides the attributes listed in the class."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.catalog.config import Settings, changed_keys, save_settings
from core.errors import HairTintError
from core.fleet.monitor import FleetMonitor
from core.tryon.session import Session
from core.tryon.state import TryOnState
from hairtint_desktop.kiosk import KioskController
from hairtint_desktop.settings_flow import plan_settings
from hairtint_desktop.widgets.banner import Banner
from hairtint_desktop.widgets.dialogs import SettingsDialog
from hairtint_desktop.worker import Worker

if TYPE_CHECKING:  # the window it is mixed into, as the type checker sees it
    from PySide6.QtWidgets import QWidget as _Window

    from core.io.sources import Source
else:  # at run time a plain class: MainWindow brings the QMainWindow
    _Window = object


class SettingsApplying(_Window):
    # what MainWindow provides
    session: Session
    state: TryOnState
    settings: Settings
    kiosk: KioskController
    banner: Banner
    worker: Worker
    fleet: FleetMonitor
    settings_dialog: SettingsDialog | None
    _saved_settings: Settings  # what _persist last wrote (or found): it writes what changed since
    _custom_factory: bool  # the window was given a pipeline factory / an opener (tests): keep them
    _custom_opener: bool
    _opener: Callable[[str], Source]
    open_source: Callable[[str], None]
    set_overlay_visible: Callable[[bool], None]
    arrange: Callable[[int, int], None]

    def open_settings(self) -> None:
        self.kiosk.request_settings()

    def show_settings_dialog(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self, kiosk=not self.state.kiosk.files)  # a kiosk's: kiosk.StaffPages
        dialog.accepted.connect(lambda: self.apply_settings(dialog.settings()))
        dialog.finished.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, new: Settings, reopen_camera: bool = False) -> None:
        plan = plan_settings(self.session.update(new), new, self.state.source, reopen_camera=reopen_camera)
        if plan.palette:
            self.state.set_palette(self.session.palette)
            self.arrange(self.width(), self.height())
            if self.session.palette_warning:
                self.banner.show_message(self.session.palette_warning, "warning")
        if plan.overlay:
            self.set_overlay_visible(new.overlay)
        if plan.opener and not self._custom_opener:
            self._opener = self.session.opener()
        if plan.model and not self._custom_factory:
            self.worker.set_pipeline_factory(self.fleet.factory())  # rebuilt on the same source
        if plan.reopen:
            self.open_source(plan.reopen)
        self.kiosk.apply_settings(new)
        self._persist(force=True)

    def _persist(self, force: bool = False) -> None:
        """Write the settings changed in this window -- only those, so what a shell or another window wrote
        to the file meanwhile is kept -- never on its own in kiosk mode, only for changes staff made behind
        the PIN. A file that cannot be read is left as it is, and the banner says so."""
        if not self.state.kiosk.files and not force:
            return
        try:
            save_settings(self.settings, self.session.settings_path,
                          keys=changed_keys(self._saved_settings, self.settings))
            self._saved_settings = self.settings
        except HairTintError as exc:
            self.banner.show_message(str(exc), "warning")


__all__ = ["SettingsApplying"]
