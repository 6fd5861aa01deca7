"""The "Looks wrong" report: staff say the picture looks wrong -- a kiosk's button beside the staff
settings, behind nothing; the desktop app's View ▸ Looks wrong (W). Each report counts for the model in
use (``hairtint_feedback_total``), is acknowledged on screen for a few seconds, and keeps nothing of the
customer unless ``feedback.keep_snapshot`` is set (then one folder with the frame and its mask,
:mod:`core.fleet.feedback_snapshot`). Each idle reset of a kiosk counts one customer served
(``hairtint_customers_total``), the rate's denominator. Both also go to this installation's tally
(:mod:`core.fleet.feedback_tally`), which the fleet monitor judges by the feedback rule
(:mod:`core.fleet.feedback`) after each: an experimental model staff report too often is rolled back."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QSizePolicy

from core.errors import HairTintError
from core.fleet.feedback_snapshot import keep_snapshot, snapshot_folder
from core.fleet.feedback_tally import FILE, FeedbackTally

log = logging.getLogger(__name__)

ACK_MS = 3000  # how long the acknowledgement stays
THANKS = "Thanks — noted as looking wrong"
NOTHING = "Nothing to report yet: no picture on screen"


class LooksWrong(QObject):
    reported = Signal(str)  # the acknowledgement shown, once the report is counted (and its picture kept)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.ack_ms = ACK_MS
        self.tally = FeedbackTally(Path(window.session.settings_file).parent / FILE)  # saved on reports and at the end
        touch = window.state.kiosk.touch
        self.button = QPushButton("Looks wrong", window.controls.others)
        self.button.setObjectName("subtle")
        self.button.setToolTip("Staff: the hair in the picture looks wrong (counted for the model in use)")
        self.button.setMinimumHeight(64 if touch else 36)
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button.setVisible(window.state.kiosk.staff_only)  # the desktop app has the menu action
        self.button.clicked.connect(self.report)
        window.controls.staff_row.addWidget(self.button)
        self.action = QAction("Looks &wrong", window)
        self.action.setShortcut(QKeySequence("W"))
        self.action.triggered.connect(self.report)
        window.addAction(self.action)
        view_menu = next((m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View"), None)
        if view_menu is not None:
            view_menu.addAction(self.action)
        self.note = QLabel(window.view)
        self.note.setObjectName("acknowledgement")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setStyleSheet("background: rgba(20, 20, 20, 210); color: white; border-radius: 8px; "
                                f"padding: 10px 18px; font-size: {22 if touch else 15}px;")
        self.note.hide()
        self._hide = QTimer(self)
        self._hide.setSingleShot(True)
        self._hide.timeout.connect(self.note.hide)
        window.state.events.reset.connect(lambda _change: self._customer_served())

    def report(self) -> bool:
        """Count a report for the model in use (and keep its picture where the settings allow); False
        when there is no picture to judge."""
        window, assignment, result = self.window, self.window.fleet.assignment, self.window.last_result
        if assignment is None or result is None:
            self._acknowledge(NOTHING)
            return False
        entry = assignment.entry
        window.fleet.telemetry.looks_wrong(entry.id, entry.version)
        log.info('staff reported "looks wrong" on %s %s (%s)', entry.id, entry.version, assignment.name)
        self.tally.count(entry, "reports")
        self.tally.save()
        window.fleet.judge_feedback(self.tally)
        text = THANKS
        feedback = window.settings.feedback
        if feedback.keep_snapshot:
            details = {"model": entry.id, "version": entry.version, "stage": entry.stage,
                       "sha256": (entry.sha256 or "")[:12], "assignment": assignment.name,
                       "shade": window.state.look.shade.name, "intensity": window.state.look.intensity}
            try:
                path = keep_snapshot(snapshot_folder(feedback.folder, Path(window.session.settings_file)),
                                     result.frame.pixels, result.mask, details, window.now())
            except HairTintError as exc:
                window.banner.show_message(f"The report was counted, but its picture was not kept: {exc}", "warning")
            else:
                log.info("the picture is kept in %s", path)
                text = f"{THANKS} (picture kept)"
        self._acknowledge(text)
        self.reported.emit(text)
        return True

    def _acknowledge(self, text: str) -> None:
        view = self.window.view
        self.note.setText(text)
        self.note.adjustSize()
        self.note.move(max(0, (view.width() - self.note.width()) // 2), 24)
        self.note.raise_()
        self.note.show()
        self._hide.start(self.ack_ms)

    def _customer_served(self) -> None:
        self.note.hide()
        assignment = self.window.fleet.assignment
        if assignment is not None:
            self.window.fleet.telemetry.customer(assignment.entry.id, assignment.entry.version)
            self.tally.count(assignment.entry, "customers")  # written with the next report, or at the end
            self.window.fleet.judge_feedback(self.tally)


__all__ = ["ACK_MS", "LooksWrong"]
