"""The installation's rollout state: a small JSON file beside the settings file (``rollout_state.json``)
that records a rollback -- when, which model, why, and the figures that decided it. While it holds a
rollback the installation runs the stable model; ``hairtint rollout reset`` deletes it.

Written atomically (a temporary file renamed over the old one). A missing file means "no rollback". An
unreadable or corrupt one is read as a rollback whose reason says so: the stable model is the safe
side. No Qt here."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.catalog.config import settings_path
from core.errors import ConfigError

STATE_FILE = "rollout_state.json"


@dataclass(frozen=True)
class RollbackRecord:
    """``time``: ISO 8601 local time; ``model``: "id@version"; ``reason``: in words; ``figures``: the
    numbers behind it (error rate, p95, frames in the window...); ``by``: "automatic" or "manual"."""

    time: str
    model: str
    reason: str
    figures: dict = field(default_factory=dict)
    by: str = "automatic"

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "RollbackRecord":
        return cls(time=str(data.get("time", "?")), model=str(data.get("model", "?")),
                   reason=str(data.get("reason", "no reason recorded")),
                   figures=dict(data.get("figures") or {}), by=str(data.get("by", "automatic")))


def state_path(settings_file: str | os.PathLike | None = None) -> Path:
    """The state file for a settings file (default: the user's): in the same folder."""
    return settings_path(settings_file).parent / STATE_FILE


def read_rollback(path: Path) -> RollbackRecord | None:
    """The recorded rollback, or None when there is none."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        return RollbackRecord(time="?", model="?", reason=f"the state file {path} cannot be read ({exc}); "
                              "delete it with `hairtint rollout reset`", by="unknown")
    rollback = data.get("rollback") if isinstance(data, dict) else None
    return RollbackRecord.from_dict(rollback) if isinstance(rollback, dict) else None


def write_rollback(path: Path, record: RollbackRecord) -> None:
    """Record ``record`` (atomically); ConfigError when the folder cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".rollout-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"rollback": record.as_dict()}, out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"the rollout state cannot be written to {path}: {exc.strerror or exc}") from exc


def clear_rollback(path: Path) -> bool:
    """Forget the rollback. True when there was one to forget."""
    try:
        Path(path).unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"the rollout state {path} cannot be deleted: {exc.strerror or exc}") from exc


__all__ = ["STATE_FILE", "RollbackRecord", "state_path", "read_rollback", "write_rollback", "clear_rollback"]
