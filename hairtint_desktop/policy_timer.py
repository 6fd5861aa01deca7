"""The fleet policy file looked at on a timer as well as on the frames' own calls, so a kiosk whose camera
gives no frames (unplugged, broken) still takes a new stage, new labels or a cleared rollback."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from core.fleet.monitor import FleetMonitor


class PolicyTimer(QTimer):
    """Every ``fleet.policy.every_s`` (the policy's own pace: one ``stat``), ``fleet.poll_policy()``;
    ``changed()`` after a new policy was applied (the window's model line)."""

    def __init__(self, fleet: FleetMonitor, changed: Callable[[], None], parent: QObject):
        super().__init__(parent)
        self._fleet, self._changed = fleet, changed
        self.setInterval(max(50, int(fleet.policy.every_s * 1000)))
        self.timeout.connect(self._poll)
        self.start()

    def _poll(self) -> None:
        if self._fleet.poll_policy():
            self._changed()
