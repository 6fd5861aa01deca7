"""File names HairTint writes: snapshots from the app and results of ``hairtint recolor``. One slug
rule for both, and a free-name rule that never overwrites a file."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from core.frames import DEFAULT_SHINE, Look, Shade


def slug(text: str) -> str:
    """'Sunlit Amber' -> 'sunlit-amber' (for file names)."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "shade"


def snapshot_name(shade: Shade, intensity: int, when: datetime) -> str:
    """``hairtint_<shade>_<intensity>_<YYYYmmdd-HHMMSS>.jpg``."""
    return f"hairtint_{slug(shade.name)}_{intensity}_{when:%Y%m%d-%H%M%S}.jpg"


def result_stem(stem: str, look: Look) -> str:
    """``<stem>_<shade>_<intensity>`` for a recoloured photo; tips other than the look's own add
    ``_tips-<tips>`` after the shade, a shine other than the default adds ``_shine<N>`` at the end."""
    parts = [stem, slug(look.shade.name)]
    if look.tips != look.shade.tips:
        parts.append(f"tips-{slug(look.tips.name) if look.tips else 'none'}")
    parts.append(str(look.intensity))
    if look.shine != DEFAULT_SHINE:
        parts.append(f"shine{look.shine}")
    return "_".join(parts)


def free_name(target: Path, taken: set[Path] = frozenset()) -> Path:
    """``target``, or ``<stem>-2<suffix>``, ``-3``, ... : the first that neither exists nor is in ``taken``."""
    candidate, n = Path(target), 2
    while candidate.resolve() in taken or candidate.exists():
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    return candidate


def snapshot_path(folder: str | Path, look: Look, when: datetime) -> Path:
    """Where a snapshot of ``look`` taken at ``when`` goes in ``folder`` (never an existing file)."""
    return free_name(Path(folder) / snapshot_name(look.shade, look.intensity, when))
