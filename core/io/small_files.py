"""Small files read whole (the model registry, the settings): checked with ``os.stat`` before they are
opened, so a FIFO never blocks and a link to ``/dev/zero`` or a huge file never fills memory; read as
UTF-8 JSON with the nesting depth bounded. Every problem is one :class:`FileProblem` whose text says
what is wrong in words a person can act on; callers wrap it in their own error with the file's name."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

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
    data = read_bytes(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise FileProblem(f"it is not UTF-8 text: byte {exc.start} is 0x{data[exc.start]:02x}{hint}") from None
    depth = _max_depth(text)
    if depth > MAX_DEPTH:
        raise FileProblem(f"its JSON is nested {depth} levels deep, more than the {MAX_DEPTH} allowed")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise FileProblem("its JSON is nested too deeply") from None


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


__all__ = ["FileProblem", "MAX_DEPTH", "read_bytes", "read_json", "regular_size"]
