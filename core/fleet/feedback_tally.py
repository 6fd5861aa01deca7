"""This installation's "Looks wrong" counts per model, kept across restarts for the feedback rule
(:mod:`core.fleet.feedback`): a kiosk that the rollout moves to an experimental model compares staff's
reports on it with its own record on the stable models -- the same kiosk, staff and light.

``feedback_tally.json`` beside the settings file holds, for each ``id@version``, its registry stage
and two counts: customers served and reports. Counts only, nothing of a customer. It is read at the
start (a file that cannot be used is ignored, with a warning, and left as it is) and written when
staff report (an explicit action) and when the app closes -- never at an idle reset. Each write adds
what this process counted since the last one to what the file holds then, so no count is lost to
another writer. No Qt here."""

from __future__ import annotations

import logging
from pathlib import Path

from core.catalog.model_entry import ModelEntry
from core.fleet.feedback import Tally
from core.io.small_files import FileProblem, read_json, update_json

log = logging.getLogger(__name__)

FILE = "feedback_tally.json"
MAX_BYTES = 64 << 10
COUNTS = ("customers", "reports")


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _usable(data) -> dict[str, dict]:
    """The entries of a tally file that can be used (others are dropped)."""
    if not isinstance(data, dict):
        return {}
    return {key: {"stage": str(item.get("stage", "")), **{c: _count(item.get(c)) for c in COUNTS}}
            for key, item in data.items() if isinstance(key, str) and isinstance(item, dict)}


class FeedbackTally:
    """Customers and reports per model, as the file held them at the start plus what this process
    counted. Not thread-safe: the window's thread."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._counts: dict[str, dict] = {}
        self._pending: dict[str, dict] = {}  # counted since the last write
        try:
            self._counts = _usable(read_json(self.path, MAX_BYTES))
        except FileProblem as exc:
            if not exc.missing:
                log.warning("the feedback tally %s cannot be used (%s); counting afresh", self.path, exc)

    def count(self, entry: ModelEntry, what: str) -> None:
        """One more ``what`` ("customers" or "reports") while ``entry`` ran."""
        key = f"{entry.id}@{entry.version}"
        for table in (self._counts, self._pending):
            item = table.setdefault(key, {"stage": entry.stage, "customers": 0, "reports": 0})
            item["stage"] = entry.stage
            item[what] += 1

    def of(self, entry: ModelEntry) -> Tally:
        item = self._counts.get(f"{entry.id}@{entry.version}", {})
        return Tally(item.get("customers", 0), item.get("reports", 0))

    def stable(self) -> Tally:
        """All the stable models' counts together: the baseline."""
        items = [item for item in self._counts.values() if item["stage"] == "stable"]
        return Tally(sum(i["customers"] for i in items), sum(i["reports"] for i in items))

    def save(self) -> bool:
        """Add what was counted since the last write to the file; False (with a warning) when it cannot be
        written -- the counts stay to be written next time."""
        if not self._pending:
            return True
        pending = self._pending

        def change(old):
            data = _usable(old)
            for key, item in pending.items():
                into = data.setdefault(key, {"stage": item["stage"], "customers": 0, "reports": 0})
                into["stage"] = item["stage"]
                for c in COUNTS:
                    into[c] += item[c]
            return data

        try:
            update_json(self.path, change, MAX_BYTES, missing={})
        except (FileProblem, OSError) as exc:
            log.warning("the feedback tally %s cannot be written: %s", self.path, exc)
            return False
        self._pending = {}
        return True


__all__ = ["FILE", "FeedbackTally"]
