"""File names HairTint writes: snapshots from the app and results of ``hairtint recolor``. One slug
rule for both, a length rule (:func:`shorten`) so that a long photo or shade name never meets the
file system's 255-byte limit, and a free-name rule that never overwrites a file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set
from datetime import datetime
from pathlib import Path

from core.frames import DEFAULT_SHINE, Look, Shade

MAX_STEM_BYTES = 180  # a name's stem; what is added (suffix, -N, a temporary file's decoration) fits in 255


def shorten(stem: str, limit: int = MAX_STEM_BYTES) -> str:
    """``stem`` as it is when it fits in ``limit`` bytes (UTF-8); else its start and its end with a short
    digest of the whole between (``<start>~1a2b3c4d~<end>``), so two long names stay apart."""
    if _size(stem) <= limit:
        return stem
    digest = hashlib.sha1(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    room = limit - len(digest) - 2
    head = _fit(stem, room * 2 // 3)
    tail = _fit(stem[::-1], room - _size(head))[::-1]
    return f"{head}~{digest}~{tail}"


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))  # a file name's undecodable bytes: never fewer


def _fit(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` bytes."""
    size = 0
    for i, char in enumerate(text):
        size += _size(char)
        if size > limit:
            return text[:i]
    return text


def slug(text: str, empty: str = "shade") -> str:
    """'Sunlit Amber' -> 'sunlit-amber' (for file names); ``empty`` when nothing of ``text`` is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or empty


def snapshot_name(shade: Shade, intensity: int, when: datetime, origin: str | None = None) -> str:
    """``hairtint_[<origin>_]<shade>_<intensity>_<YYYYmmdd-HHMMSS>.jpg``, ``origin`` what it shows (the
    photo's stem, ``camera0``, ``demo``; slugged: any text is safe); a long name shortened."""
    what = f"{slug(origin, empty='photo')}_" if origin is not None else ""
    return f"{shorten(f'hairtint_{what}{slug(shade.name)}_{intensity}_{when:%Y%m%d-%H%M%S}')}.jpg"


def result_stem(stem: str, look: Look) -> str:
    """``<stem>_<shade>_<intensity>`` for a recoloured photo; tips other than the look's own add
    ``_tips-<tips>`` after the shade, a shine other than the default adds ``_shine<N>`` at the end; the
    whole shortened (:func:`shorten`) when it would make too long a file name."""
    parts = [stem, slug(look.shade.name)]
    if look.tips != look.shade.tips:
        parts.append(f"tips-{slug(look.tips.name) if look.tips else 'none'}")
    parts.append(str(look.intensity))
    if look.shine != DEFAULT_SHINE:
        parts.append(f"shine{look.shine}")
    return shorten("_".join(parts))


def free_name(target: Path, taken: Set[Path] = frozenset()) -> Path:
    """``target``, or ``<stem>-2<suffix>``, ``-3``, ... : the first that neither exists nor is in ``taken``."""
    candidate, n = Path(target), 2
    while candidate.resolve() in taken or candidate.exists():
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    return candidate


def snapshot_path(folder: str | Path, look: Look, when: datetime, origin: str | None = None) -> Path:
    """Where a snapshot of ``look`` (of ``origin``) taken at ``when`` goes in ``folder`` (never an existing file)."""
    return free_name(Path(folder) / snapshot_name(look.shade, look.intensity, when, origin))
