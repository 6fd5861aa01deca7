"""The staff pages that are more than a set of choices: the idle reset (big - and + steppers and
presets), the staff PIN (set or changed on the PIN pad, typed twice), the rollout stage (read-only) and
the "Looks wrong" switch (whether a report keeps a picture)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from core.catalog.config import ROLLOUT_STAGES
from core.catalog.rollout import ENV_STAGE, Assignment, Stage
from core.tryon.state import KioskPolicy
from hairtint_desktop.widgets.staff.parts import Page, big_button, label
from hairtint_desktop.widgets.staff.pin_pad import PinPad

IDLE_STEPS = (5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400)
IDLE_PRESETS = (30, 60, 90, 120, 300, 600)


def describe_seconds(seconds: float) -> str:
    """90 -> "1 min 30 s", 3600 -> "1 h"."""
    hours, rest = divmod(max(0, round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return " ".join(f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n) or "0 s"


def step_idle(seconds: float, direction: int) -> float:
    """The next step of :data:`IDLE_STEPS` above (``direction`` 1) or below (-1) ``seconds``."""
    if direction > 0:
        return float(next((s for s in IDLE_STEPS if s > seconds), IDLE_STEPS[-1]))
    return float(next((s for s in reversed(IDLE_STEPS) if s < seconds), IDLE_STEPS[0]))


class IdlePage(Page):
    """How long the kiosk waits without a touch before it resets for the next customer."""

    changed = Signal(float)

    def __init__(self, seconds: float, parent: QWidget | None = None):
        super().__init__("Idle reset", "After this long without a touch, the picture is cleared and the look "
                         "goes back to the start for the next customer.", parent)
        self.seconds = float(seconds)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.minus = big_button("\N{MINUS SIGN}", self)
        self.value_label = label("", self, "staffTitle")
        self.value_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plus = big_button("+", self)
        for button in (self.minus, self.plus):
            button.setObjectName("stepper")
            button.setMinimumSize(132, 96)
        self.minus.clicked.connect(lambda: self.set_seconds(step_idle(self.seconds, -1)))
        self.plus.clicked.connect(lambda: self.set_seconds(step_idle(self.seconds, 1)))
        row.addWidget(self.minus)
        row.addWidget(self.value_label, 1)
        row.addWidget(self.plus)
        self.body.addLayout(row)
        presets = QGridLayout()
        presets.setSpacing(14)
        self.presets = {}
        for i, value in enumerate(IDLE_PRESETS):
            button = big_button(describe_seconds(value), self, checkable=True)  # checked: the value set
            button.clicked.connect(lambda _=False, v=value: self.set_seconds(float(v)))
            presets.addWidget(button, i // 3, i % 3)
            self.presets[value] = button
        self.body.addLayout(presets)
        self._show()

    def set_seconds(self, seconds: float) -> None:
        self.seconds = float(min(max(seconds, IDLE_STEPS[0]), IDLE_STEPS[-1]))
        self._show()
        self.changed.emit(self.seconds)

    def _show(self) -> None:
        self.value_label.setText(describe_seconds(self.seconds))
        self.minus.setEnabled(self.seconds > IDLE_STEPS[0])
        self.plus.setEnabled(self.seconds < IDLE_STEPS[-1])
        for value, button in self.presets.items():
            button.setChecked(value == self.seconds)


class PinPage(Page):
    """A new staff PIN, typed twice on the pad; ``pin_ready(pin)`` once both agree."""

    pin_ready = Signal(str)

    def __init__(self, has_pin: bool, parent: QWidget | None = None):
        super().__init__("Staff PIN", "The staff PIN opens these settings and quits HairTint on the kiosk. "
                         "Type the new PIN twice; Save keeps it.", parent)
        self.status = label("A staff PIN is set." if has_pin else "No staff PIN is set.", self)
        self.body.addWidget(self.status)
        self.prompt = label("", self)
        self.body.addWidget(self.prompt)
        self.pad = PinPad(self)
        self.pad.setMaximumWidth(560)
        self.pad.submitted.connect(self._typed)
        self.body.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        self.first: str | None = None
        self.restart()

    def restart(self, why: str = "") -> None:
        self.first = None
        self.pad.clear()
        self.prompt.setText(f"{why} Type a new PIN (4 to 8 digits), then OK.".strip())

    def _typed(self, pin: str) -> None:
        if self.first is None:
            problem = KioskPolicy.new_pin_problem(pin)
            if problem:
                self.restart(problem)
                return
            self.first = pin
            self.pad.clear()
            self.prompt.setText("Type the same PIN again, then OK.")
            return
        if pin != self.first:
            self.restart("The two PINs differ.")
            return
        self.first = None
        self.pad.clear()
        self.status.setText("New PIN ready — not saved yet.")
        self.prompt.setText("Tap Back, then Save to keep it (or type another).")
        self.pin_ready.emit(pin)


class FeedbackPage(Page):
    """``feedback.keep_snapshot`` as one big switch, and in plain words what it keeps and where."""

    changed = Signal(bool)

    def __init__(self, keep: bool, folder: Path, parent: QWidget | None = None):
        super().__init__("Looks wrong", 'When staff tap "Looks wrong", HairTint counts the report for the '
                         "hair model in use, so a model that often looks wrong can be taken back. The count is "
                         "always kept; it holds no picture.", parent)
        self.switch = big_button("", self, checkable=True)
        self.switch.setObjectName("switch")
        self.switch.setMinimumHeight(96)
        self.switch.setChecked(keep)
        self.switch.toggled.connect(self._toggled)
        self.body.addWidget(self.switch)
        self.explain = label(f"On: each report also keeps the picture on screen at that moment (the "
                             "customer's camera picture), the outline of the hair the model found, and a short "
                             f"note (the time, the model, the shade), in a new folder inside {folder}. They "
                             "stay on this kiosk, are never sent anywhere, and stay until someone deletes "
                             "them.\nOff (the default): no picture of the customer is kept.", self)
        self.body.addWidget(self.explain)
        self._show()

    def _toggled(self, on: bool) -> None:
        self._show()
        self.changed.emit(on)

    def _show(self) -> None:
        on = self.switch.isChecked()
        self.switch.setText("Keep a picture with each report:  " + ("ON" if on else "OFF"))


class RolloutPage(Page):
    """The rollout stage in force, where it is set, and the model this installation runs: read-only."""

    def __init__(self, stage: Stage, assignment: Assignment | None, settings_file: Path,
                 parent: QWidget | None = None):
        super().__init__("Rollout stage", "Read-only here. Change it on the device with "
                         "`hairtint rollout set STAGE` (stages: " + ", ".join(ROLLOUT_STAGES) + ").", parent)
        where = {"environment": f"the environment ({stage.origin or ENV_STAGE})",
                 "fleet": f"the fleet policy {stage.origin}", "default": "the default"}.get(
                     stage.source, f"the settings file {settings_file}")
        if assignment is None:
            model, chosen = "not chosen yet (chosen when the picture starts)", "–"
        else:
            model = f"{assignment.entry.id} {assignment.entry.version} ({assignment.entry.stage})"
            chosen = f"{assignment.name}: {assignment.why}"
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(14)
        self.values = {}
        rows = (("Stage", f"{stage.name} ({ROLLOUT_STAGES.get(stage.name, 0)} % of installations try "
                 "experimental models)"), ("Set in", where), ("Model", model), ("Assignment", chosen))
        for row, (name, value) in enumerate(rows):
            grid.addWidget(label(name, self, "staffNote"), row, 0, Qt.AlignmentFlag.AlignTop)
            self.values[name] = label(value, self)
            self.values[name].setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            grid.addWidget(self.values[name], row, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        if stage.warning:
            self.body.addWidget(label(stage.warning, self, "staffNote"))


__all__ = ["FeedbackPage", "IdlePage", "PinPage", "RolloutPage", "describe_seconds", "step_idle"]
