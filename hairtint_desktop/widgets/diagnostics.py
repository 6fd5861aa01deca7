"""The Diagnostics view (View ▸ Diagnostics, F3): the rollout line and every metric the app keeps, as
``hairtint metrics`` prints them, refreshed once a second while it is open. Figures only: what the
metrics hold (see ``core.fleet.telemetry``), nothing of the picture."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout, QWidget

from core.fleet.telemetry import table

REFRESH_MS = 1000


def diagnostics_text(fleet) -> str:
    """The rollout line, then the metrics table, for a ``core.fleet.monitor.FleetMonitor``."""
    return f"{fleet.overlay_line()}\n\n{table(fleet.telemetry.text())}"


class DiagnosticsDialog(QDialog):
    def __init__(self, fleet, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Diagnostics")
        self.fleet = fleet
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)
        self.refresh()
        self.resize(720, 520)

    def refresh(self) -> None:
        text = diagnostics_text(self.fleet)
        if text != self.text.toPlainText():
            self.text.setPlainText(text)


def show_diagnostics(window) -> DiagnosticsDialog:
    """Open (or raise) the window's Diagnostics view."""
    dialog = window.diagnostics_dialog
    if dialog is None:
        dialog = window.diagnostics_dialog = DiagnosticsDialog(window.fleet, window)
        dialog.finished.connect(lambda *_: setattr(window, "diagnostics_dialog", None))
    dialog.show()
    dialog.raise_()
    return dialog


__all__ = ["DiagnosticsDialog", "diagnostics_text", "show_diagnostics"]
