"""Saving what the window shows: the recoloured frame of the last result, named after what it shows (the
photo's stem, ``camera0``, ``demo``), its look and the time (``core.io.naming``), in the snapshot folder from the settings; never over an existing file. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.errors import HairTintError
from core.frames import Look, Result
from core.io.images import save_image
from core.io.naming import slug, snapshot_path
from core.io.source_spec import SourceSpec, parse_spec


@dataclass(frozen=True)
class Saved:
    path: Path | None = None
    error: str | None = None  # a message for the banner

    @property
    def ok(self) -> bool:
        return self.path is not None


def save_snapshot(result: Result, look: Look, folder: str | Path, when: datetime, source: str | None = None) -> Saved:
    """Write ``result.pixels`` to a free name in ``folder``; ``source``: the spec it came from (named in
    the file's name with the photo the frame is of)."""
    origin = None if source is None else snapshot_origin(parse_spec(source), result.frame.source_id)
    path = snapshot_path(folder, look, when, origin)
    try:
        save_image(path, result.pixels)
    except (HairTintError, OSError, ValueError) as exc:
        return Saved(error=f"The snapshot could not be saved: {exc}")
    return Saved(path=path)


def snapshot_origin(spec: SourceSpec, source_id: str = "") -> str:
    """What a snapshot shows, for its name: the photo's (or video's) stem, for a folder the stem of the
    photo shown (the frame's ``source_id`` ends ``/<file name>``), ``camera<N>``, or ``demo``."""
    if spec.kind == "camera":
        return f"camera{spec.camera_index or 0}"
    if spec.kind == "demo":
        return "demo"
    name = source_id.rpartition("/")[2] if spec.is_folder else (spec.path.name if spec.path is not None else "")
    return slug(Path(name).stem, empty="photo")


def usable_folder(folder: str | None) -> str | None:
    return folder if folder and Path(folder).is_dir() else None


__all__ = ["Saved", "save_snapshot", "snapshot_origin", "usable_folder"]
