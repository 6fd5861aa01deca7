"""What the camera, resolution, palette and look-card folder pages offer, decided without widgets: the
cameras found (and the one in use), the usual resolutions (and the one set), the built-in palette and the
palette files in the ``palettes`` folder beside the settings file (and the one set), and the folders of
``core.io.folders`` (or none: cards not kept)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.catalog.palette import default_palette, load_palette
from core.errors import HairTintError
from core.io.folders import Folder
from hairtint_desktop.widgets.dialogs import RESOLUTIONS

PALETTE_FOLDER = "palettes"  # beside the settings file: the palette files the kiosk offers
MAX_PALETTES = 9  # files offered (by name); with the built-in palette, five rows of two
MAX_PATH = 44  # characters of a folder's path on its button (the middle left out beyond)
FOLDER_KINDS = {"removable": "drive", "pictures": "on this kiosk", "current": "set now"}


@dataclass(frozen=True)
class Option:
    value: object
    label: str
    usable: bool = True


def camera_options(found: list[tuple[int, str]], current: int) -> list[Option]:
    """The cameras found, and the one set even when it is not found now (it may be busy or unplugged)."""
    labels = dict(found)
    if current not in labels:
        labels[current] = f"Camera {current} (not found now)"
    return [Option(index, labels[index]) for index in sorted(labels)]


def resolution_options(current: tuple[int, int]) -> list[Option]:
    sizes = list(RESOLUTIONS)
    if tuple(current) not in sizes:
        sizes.append((current[0], current[1]))
    return [Option(size, f"{size[0]} × {size[1]}") for size in sizes]


def palette_folder(settings_file: Path) -> Path:
    return Path(settings_file).parent / PALETTE_FOLDER


def palette_options(settings_file: Path, current: str | None) -> tuple[list[Option], int]:
    """The built-in palette, then the palette files of the folder (each adds its shades to the built-in
    ones; a file that cannot be read is shown, not offered), and the file set now. Also how many files were left out to keep the page short."""
    options = [Option(None, f"Built-in palette ({len(default_palette())} shades)")]
    folder = palette_folder(settings_file)
    try:
        files = sorted(p for p in folder.glob("*.json") if p.is_file())
    except OSError:
        files = []
    left_out = max(0, len(files) - MAX_PALETTES)
    paths = [str(p) for p in files[:MAX_PALETTES]]
    if current and current not in paths:
        paths.append(current)
    for path in paths:
        try:
            count = len(load_palette(path))
        except HairTintError:
            options.append(Option(path, f"{Path(path).name} (cannot be read)", usable=False))
            continue
        options.append(Option(path, f"{Path(path).stem} (built-in + {count} shades)"))
    return options, left_out


def short_path(path: Path) -> str:
    text = str(path)
    if len(text) <= MAX_PATH:
        return text
    keep = MAX_PATH - 1
    return f"{text[: keep // 3]}…{text[-(keep - keep // 3):]}"


def folder_options(folders: list[Folder]) -> list[Option]:
    """"Not kept" (no folder: no card is saved), then each folder with its path and whether it exists and
    can be written; only those that can are offered."""
    options = [Option(None, "Not kept\nno card is saved")]
    for folder in folders:
        name = folder.path.name or str(folder.path)
        options.append(Option(str(folder.path), f"{name}  ({FOLDER_KINDS.get(folder.kind, folder.kind)})\n"
                              f"{short_path(folder.path)} — {folder.state}", folder.usable))
    return options


__all__ = ["MAX_PALETTES", "Option", "camera_options", "folder_options", "palette_folder", "palette_options",
           "resolution_options", "short_path"]
