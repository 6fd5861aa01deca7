"""Small files read whole (the settings, the rollout state, the model registry, palettes, model cards):
checked with ``os.stat`` before they are opened, so a FIFO never blocks and a link to ``/dev/zero`` or a
huge file never fills memory; read as UTF-8 JSON with the nesting depth bounded. Every problem is one
:class:`FileProblem` whose text says what is wrong (with the line, where there is one) in words a person
can act on; callers wrap it in their own error with the file's name.

:func:`update_json` is the one way such a file is rewritten: read again under a lock, changed, written
atomically, the file it replaces kept as ``NAME.bak``; a file that cannot be read is never replaced."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

from core.io.outputs import replace_atomically

#: How deep JSON may nest before it is refused (the files read here nest three or four levels).
MAX_DEPTH = 32


class FileProblem(ValueError):
    """Why a small file cannot be used (``missing``: it does not exist)."""

    def __init__(self, reason: str, missing: bool = False):
        super().__init__(reason)
        self.missing = missing


def regular_size(path: Path, max_bytes: int) -> int:
    """The size of ``path``, a regular file (links followed) of at most ``max_bytes``; FileProblem else."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileProblem("it does not exist", missing=True) from None
    except OSError as exc:
        raise FileProblem(f"it cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("it is not a regular file (a folder, pipe or device)")
    if info.st_size > max_bytes:
        raise FileProblem(f"it is {info.st_size:,} bytes, more than the {max_bytes:,} allowed")
    return info.st_size


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The whole of a regular file of at most ``max_bytes`` (never more is read, even if it grows)."""
    regular_size(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced after the check
                raise FileProblem("it is not a regular file (a folder, pipe or device)")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileProblem(f"it cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise FileProblem(f"it is more than the {max_bytes:,} bytes allowed")
    return data


def read_json(path: Path, max_bytes: int):
    """The JSON value in a UTF-8 file (a UTF-8 byte-order mark is allowed)."""
    return _parse(read_bytes(path, max_bytes))


def _parse(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        line = data[:exc.start].count(b"\n") + 1
        raise FileProblem(f"it is not UTF-8 text: line {line}, byte {exc.start} is 0x{data[exc.start]:02x}{hint}") from None
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise FileProblem(f"its JSON is nested {depth} levels deep, more than the {MAX_DEPTH} allowed")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise FileProblem("its JSON is nested too deeply") from None


def json_kind(value) -> str:
    """What a JSON value is, in words for a message: ``null``, ``'yes'``, ``[1, 2]``, ``a list``."""
    text = json.dumps(value)
    if len(text) <= 24:
        return text
    return f"a {'list' if isinstance(value, list) else 'text' if isinstance(value, str) else type(value).__name__}"


def _max_depth(text: str) -> int:
    """How deep brackets nest, strings skipped (an upper bound is enough: it only refuses)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def update_json(path: Path, change: Callable[[object], object], max_bytes: int, missing=None) -> bool:
    """Rewrite the JSON file ``path`` as ``change(old)`` gives it. ``old`` is the file's value read again
    while this folder's lock is held (``missing`` when there is no file), so writers in other processes
    that change other keys do not undo each other. The new file is written beside the old one and renamed
    over it; the old one is kept as ``NAME.bak``. A link is written through to its target.

    A file that exists but cannot be read raises :class:`FileProblem` and is left exactly as it is: a
    change is never made to defaults that stand in for a file's lost content. Returns False when the value
    did not change (nothing is written). OSError when the folder cannot be written."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    with folder_lock(target.parent):
        try:
            old_bytes = read_bytes(target, max_bytes)
        except FileProblem as exc:
            if not exc.missing:
                raise
            old_bytes = None
        old = missing if old_bytes is None else _parse(old_bytes)
        new = change(old)
        if old_bytes is not None and new == old:
            return False
        if old_bytes is not None:
            _replace(target.with_name(target.name + ".bak"), old_bytes)
        _replace(target, (json.dumps(new, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return True


@contextlib.contextmanager
def folder_lock(folder: Path):
    """An exclusive ``flock`` on ``folder`` while the block runs: writers of the small files in it, in
    this process or another, take turns. The folder is locked rather than a lock file beside it, so
    nothing is left behind. Where ``fcntl`` is missing (Windows) the block runs unlocked."""
    try:
        import fcntl  # POSIX only
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))  # O_DIRECTORY: POSIX only
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing it lets the lock go


def _replace(path: Path, data: bytes) -> None:
    replace_atomically(path, lambda handle: handle.write(data), binary=True)


__all__ = [
    "MAX_DEPTH",
    "FileProblem",
    "folder_lock",
    "json_kind",
    "read_bytes",
    "read_json",
    "regular_size",
    "update_json",
]
