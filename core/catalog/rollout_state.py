"""The installation's rollout state: a small JSON file beside the settings file (``rollout_state.json``)
that records a rollback -- when, which model, why, and the figures that decided it. While it holds a
rollback the installation runs the stable model; ``hairtint rollout reset`` deletes it. It also keeps
the latency rule's latest decision and its figures (``latency``), which hold nothing.

Read with the settings file's guards (``core.io.small_files``: a size cap, regular files only, UTF-8
JSON). A missing file, or one whose ``rollback`` is absent or null, means "no rollback". Anything else
that is not a rollback as written here -- a file that cannot be read, a FIFO, a link to a device, JSON
that is not an object, a ``rollback`` that is not an object, a field of the wrong type -- is read as a
rollback whose reason says what is wrong with the file: the stable model is the safe side. Written under
a lock, atomically, the old file kept as ``rollout_state.json.bak``; a file that cannot be read is never
replaced (``rollout reset`` deletes it). No Qt here."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.catalog.config import settings_path
from core.errors import ConfigError
from core.io.small_files import FileProblem, folder_lock, json_kind, read_json, update_json

STATE_FILE = "rollout_state.json"
MAX_STATE_BYTES = 64 << 10
_TEXT_FIELDS = ("time", "model", "reason", "by")


@dataclass(frozen=True)
class RollbackRecord:
    """``time``: ISO 8601 local time; ``model``: "id@version"; ``reason``: in words; ``figures``: the
    numbers behind it (error rate, p95, frames in the window...); ``by``: "automatic" or "manual"."""

    time: str
    model: str
    reason: str
    figures: dict = field(default_factory=dict)
    by: str = "automatic"

    def to_json(self) -> dict:
        return asdict(self)


def state_path(settings_file: str | os.PathLike | None = None) -> Path:
    """The state file for a settings file (default: the user's): in the same folder."""
    return settings_path(settings_file).parent / STATE_FILE


def read_rollback(path: Path) -> RollbackRecord | None:
    """The recorded rollback, or None when there is none; never raises, never blocks."""
    path = Path(path)
    try:
        data = read_json(path, MAX_STATE_BYTES)
    except FileProblem as exc:
        return None if exc.missing else _damaged(path, str(exc))
    if not isinstance(data, dict):
        return _damaged(path, f"it holds {json_kind(data)}, not an object")
    rollback = data.get("rollback")
    if rollback is None:
        return None
    if not isinstance(rollback, dict):
        return _damaged(path, f"its rollback is {json_kind(rollback)}, not an object")
    return _record(rollback, path)


def _record(data: dict, path: Path) -> RollbackRecord:
    """The record in a ``rollback`` object; a field of the wrong type is left out and named in the reason."""
    bad = [name for name in _TEXT_FIELDS if name in data and not isinstance(data[name], str)]
    texts = {name: data[name] for name in _TEXT_FIELDS if isinstance(data.get(name), str)}
    figures = data.get("figures", {})
    if not isinstance(figures, dict) or not all(_is_figure(v) for v in figures.values()):
        bad.append("figures")
        figures = {}
    reason = texts.get("reason", "no reason recorded")
    if bad:
        reason += f" (the state file {path} is damaged: {', '.join(bad)} of the wrong type)"
    return RollbackRecord(time=texts.get("time", "?"), model=texts.get("model", "?"), reason=reason,
                          figures=figures, by=texts.get("by", "automatic"))


def _is_figure(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _damaged(path: Path, problem: str) -> RollbackRecord:
    return RollbackRecord(time="?", model="?", by="unknown",
                          reason=f"the state file {path} cannot be read ({problem}), which counts as a rollback; "
                                 "delete it with `hairtint rollout reset`")


def write_rollback(path: Path, record: RollbackRecord) -> None:
    """Record ``record``; ConfigError when the folder cannot be written or the file there cannot be read
    (it is then left as it is)."""
    path = Path(path)

    def change(old):
        if not isinstance(old, dict):
            raise FileProblem(f"it holds {json_kind(old)}, not an object")
        return {**old, "rollback": record.to_json()}

    try:
        update_json(path, change, MAX_STATE_BYTES, missing={})
    except FileProblem as exc:
        raise ConfigError(f"the rollout state file {path} cannot be read, so it is left as it is and the rollback "
                          f"is not recorded: {exc}; delete it with `hairtint rollout reset`") from None
    except OSError as exc:
        raise ConfigError(f"the rollout state cannot be written to {path}: {exc.strerror or exc}") from exc


def write_judgement(path: Path, figures: dict) -> None:
    """Record the latency rule's latest decision and its figures (``latency``; not a rollback: it holds
    nothing). A file that cannot be read is left as it is (ConfigError)."""
    path = Path(path)

    def change(old):
        if not isinstance(old, dict):
            raise FileProblem(f"it holds {json_kind(old)}, not an object")
        return {**old, "latency": figures}

    try:
        update_json(path, change, MAX_STATE_BYTES, missing={})
    except FileProblem as exc:
        raise ConfigError(f"the rollout state file {path} cannot be read, so the latency decision is not "
                          f"recorded there: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"the rollout state cannot be written to {path}: {exc.strerror or exc}") from exc


def read_judgement(path: Path) -> dict | None:
    """The latency decision last recorded (``latency``), or None (no file, none recorded, unreadable)."""
    try:
        data = read_json(Path(path), MAX_STATE_BYTES)
    except FileProblem:
        return None
    latency = data.get("latency") if isinstance(data, dict) else None
    return latency if isinstance(latency, dict) and all(_is_figure(v) for v in latency.values()) else None


def clear_rollback(path: Path) -> bool:
    """Forget the rollback (whatever the file holds, readable or not). True when there was a file."""
    path = Path(path)
    try:
        with folder_lock(path.parent):
            path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"the rollout state {path} cannot be deleted: {exc.strerror or exc}") from exc


__all__ = [
    "MAX_STATE_BYTES",
    "STATE_FILE",
    "RollbackRecord",
    "clear_rollback",
    "read_judgement",
    "read_rollback",
    "state_path",
    "write_judgement",
    "write_rollback",
]
