"""Files the headless commands write (``--json FILE``, ``--report DIR``): checked before the work
starts, so a long run never ends in a traceback about its output, and written under a temporary name
then renamed, so an interrupted run leaves the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from core.errors import HairTintError
from core.io.naming import shorten


class OutputError(HairTintError):
    """An output path that cannot be written: a missing folder, a folder where a file is wanted,
    a file where a folder is wanted, or no permission / a read-only disk."""


def _probe(folder: Path, what: str, path: Path) -> None:
    """Create and remove a file in ``folder``: the only sure test that it can be written."""
    probe = folder / f".hairtint-probe-{uuid.uuid4().hex[:8]}"
    try:
        os.close(os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise OutputError(f"cannot write {what} {path}: {exc.strerror or exc} in {folder}") from None
    with contextlib.suppress(OSError):
        os.unlink(probe)


def check_output_file(path: str | os.PathLike, what: str = "output file") -> Path:
    """``path`` as a Path if a file can be written there; else OutputError saying why."""
    text = os.fspath(path)
    if not str(text).strip():
        raise OutputError(f"the {what} name is empty")
    path = Path(text)
    if path.is_dir():
        raise OutputError(f"{what} {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise OutputError(f"{what} {path} exists and is not a regular file")
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"cannot write {what} {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(f"cannot write {what} {path}: {folder} is not a folder")
    _probe(folder, what, path)
    return path


def check_output_folder(path: str | os.PathLike, what: str = "output folder") -> Path:
    """``path`` as a Path if a folder can be written (or created) there; else OutputError."""
    text = os.fspath(path)
    if not str(text).strip():
        raise OutputError(f"the {what} name is empty")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{what} {path} is a file; give a folder")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot create {what} {path}: {existing} is not a folder")
    _probe(existing, what, path)
    return path


def replace_atomically(path: Path, fill, binary: bool = False) -> None:
    """Write ``path`` whole or not at all: ``fill(handle)`` writes a temporary file beside it, which is
    flushed to disk and renamed into place; on any failure the temporary file is removed and the
    error (an ``OSError`` for the disk's own) goes to the caller."""
    temp = path.with_name(f".{shorten(path.name, 120)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temp, "xb") if binary else open(temp, "x", encoding="utf-8") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, renamed into place."""
    path = Path(path)
    try:
        replace_atomically(path, lambda handle: handle.write(text))
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def figures_json(data) -> str:
    """``data`` (dicts, lists, numbers, text) as strict JSON text: a figure that is not a finite number
    (not measured, or a ratio over zero) is written as null, where ``json.dumps`` would write NaN or
    Infinity, which other JSON readers refuse."""

    def finite(value):
        if isinstance(value, dict):
            return {key: finite(v) for key, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [finite(v) for v in value]
        return None if isinstance(value, float) and not math.isfinite(value) else value

    return json.dumps(finite(data), indent=2, allow_nan=False)


@contextlib.contextmanager
def staged_folder(path: str | os.PathLike) -> Iterator[Path]:
    """``with staged_folder(DIR) as work``: files written into ``work`` appear in DIR only when the
    block ends without an error (DIR is created if missing; files already in it are kept unless
    replaced by a file of the same name). On an error nothing in DIR changes."""
    path = Path(path)
    work = path.parent / f".{shorten(path.name, 120)}.{uuid.uuid4().hex[:8]}.partial"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        work.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        yield work
        if not path.exists():
            os.rename(work, path)
            return
        for item in sorted(work.iterdir()):
            os.replace(item, path / item.name)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
