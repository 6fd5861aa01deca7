"""Folders a kiosk's staff can pick by tapping, for the look cards ("Keep this look"): the removable
drives mounted now (the folders under ``/media/<user>``, ``/run/media/<user>`` and ``/mnt``), the
user's Pictures folder, and the folder set now -- each said to exist and be writable or not -- and a
``HairTint looks`` folder made inside one on request. Looking writes nothing: whether a folder can be
written is asked of the system (``os.access``, which also answers no on a read-only drive). No Qt here."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.io.outputs import OutputError

LOOKS_FOLDER = "HairTint looks"  # the folder made inside a picked one, on request
MAX_MOUNTS = 5  # removable folders listed at most (with the others, four rows of two on a 800 px screen)


@dataclass(frozen=True)
class Folder:
    """``kind``: "removable", "pictures" or "current" (the one set now, found nowhere else)."""

    path: Path
    kind: str
    exists: bool
    writable: bool

    @property
    def usable(self) -> bool:
        return self.exists and self.writable

    @property
    def state(self) -> str:
        """In plain words: "writable", "read-only" or "not there"."""
        if not self.exists:
            return "not there"
        return "writable" if self.writable else "read-only"


def is_writable(path: Path) -> bool:
    """A folder this process may create files in (False for a file, a missing path, a read-only drive)."""
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return ""


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # missing, or not ours to list
        return []


def mount_roots(root: Path, user: str) -> list[Path]:
    """Where removable drives appear: ``/media/<user>``, ``/run/media/<user>`` (udisks) and ``/mnt``."""
    named = [root / "media" / user, root / "run" / "media" / user] if user else []
    return [*named, root / "mnt"]


def candidate_folders(current: str | None, *, root: Path = Path("/"), home: Path | None = None,
                      user: str | None = None,
                      writable: Callable[[Path], bool] = is_writable) -> list[Folder]:
    """The folders to offer, in order: the removable ones (at most :data:`MAX_MOUNTS`), ``~/Pictures``
    (whether or not it exists), then ``current`` when it is none of those (it may be unplugged).
    ``root``, ``home`` and ``user`` stand for ``/``, the home folder and the user name (tests give a
    tree of their own)."""
    home = Path.home() if home is None else home
    user = _user() if user is None else user
    paths = [p for base in mount_roots(root, user) for p in _children(base)][:MAX_MOUNTS]
    found = [(p, "removable") for p in paths] + [(home / "Pictures", "pictures")]
    if current and Path(current).expanduser() not in {p for p, _ in found}:
        found.append((Path(current).expanduser(), "current"))
    return [Folder(p, kind, p.is_dir(), p.is_dir() and writable(p)) for p, kind in found]


def looks_folder(parent: str | os.PathLike) -> Path:
    """The :data:`LOOKS_FOLDER` inside ``parent``, made if missing (``parent`` itself when it is already
    one); OutputError says why it could not be made."""
    parent = Path(parent)
    target = parent if parent.name == LOOKS_FOLDER else parent / LOOKS_FOLDER
    try:
        target.mkdir(exist_ok=True)
    except FileExistsError:  # a file of that name
        raise OutputError(f"cannot make the folder {target}: a file has that name") from None
    except OSError as exc:
        raise OutputError(f"cannot make the folder {target}: {exc.strerror or exc}") from None
    return target


__all__ = ["LOOKS_FOLDER", "MAX_MOUNTS", "Folder", "candidate_folders", "is_writable", "looks_folder",
           "mount_roots"]
