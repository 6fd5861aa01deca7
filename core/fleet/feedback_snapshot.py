"""What a "Looks wrong" report keeps of the picture, and only where the settings allow it
(``feedback.keep_snapshot``, off by default): one folder per report holding the camera frame
(``frame.png``), the hair mask the model gave (``mask.png``, 0-255) and ``report.json`` (the time, the
model and version, its assignment and the look). The folder appears whole or not at all (written under a
temporary name, then renamed), and never over an earlier report's. No Qt here."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np

from core.io.images import save_image
from core.io.naming import free_name, slug
from core.io.outputs import staged_folder

FOLDER = "feedback"  # beside the settings file, unless feedback.folder names another


def snapshot_folder(configured: str | None, settings_file: Path) -> Path:
    """Where reports are kept: ``feedback.folder``, else ``feedback`` beside the settings file."""
    return Path(configured).expanduser() if configured else Path(settings_file).parent / FOLDER


def keep_snapshot(folder: Path, pixels: np.ndarray, mask: np.ndarray, details: dict, when: datetime) -> Path:
    """Write one report's folder under ``folder`` (created if missing) and return its path; a
    HairTintError (an OutputError or an ImageWriteError) says why it could not be written, and then
    nothing of it is left behind."""
    model = f"{slug(str(details.get('model', 'model')))}-{slug(str(details.get('version', '')))}"
    target = free_name(Path(folder) / f"looks-wrong_{when:%Y%m%d-%H%M%S}_{model}")
    grey = np.clip(np.nan_to_num(np.asarray(mask, dtype=np.float32)) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    with staged_folder(target) as work:  # its OSErrors (report.json's too) come out as OutputError
        save_image(work / "frame.png", pixels)
        save_image(work / "mask.png", grey)
        (work / "report.json").write_text(json.dumps({"time": when.isoformat(timespec="seconds"), **details},
                                                     indent=2), encoding="utf-8")
    return target


__all__ = ["FOLDER", "keep_snapshot", "snapshot_folder"]
