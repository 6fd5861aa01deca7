"""Saving what the window shows: the recoloured frame of the last result, named after its look and the
time (``core.io.naming``), in the snapshot folder from the settings; never over an existing file. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.errors import HairTintError
from core.frames import Look, Result
from core.io.images import save_image
from core.io.naming import snapshot_path


@dataclass(frozen=True)
class Saved:
    path: Path | None = None
    error: str | None = None  # a message for the banner

    @property
    def ok(self) -> bool:
        return self.path is not None


def save_snapshot(result: Result, look: Look, folder: str | Path, when: datetime) -> Saved:
    """Write ``result.pixels`` to a free name in ``folder``."""
    path = snapshot_path(folder, look, when)
    try:
        save_image(path, result.pixels)
    except (HairTintError, OSError, ValueError) as exc:
        return Saved(error=f"The snapshot could not be saved: {exc}")
    return Saved(path=path)


def usable_folder(folder: str | None) -> str | None:
    return folder if folder and Path(folder).is_dir() else None


__all__ = ["Saved", "save_snapshot", "usable_folder"]
