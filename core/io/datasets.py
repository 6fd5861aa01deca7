"""Labelled hair photo sets on disk: ``images/<stem>.jpg`` + ``masks/<stem>.png`` (0 / 255),
with optional ``train.txt`` / ``val.txt`` listing stems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.errors import DataError
from core.io.images import IMAGE_SUFFIXES


@dataclass(frozen=True)
class Sample:
    stem: str
    image_path: Path
    mask_path: Path


def is_set(folder: Path) -> bool:
    return (folder / "images").is_dir() and (folder / "masks").is_dir()


def expand_sets(folders: list[Path]) -> list[Path]:
    """Each folder is a set, or holds sets one level down (e.g. ``../shared/datasets``)."""
    found: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if is_set(folder):
            found.append(folder)
            continue
        children = sorted(child for child in folder.iterdir() if child.is_dir() and is_set(child)) if folder.is_dir() else []
        if not children:
            raise DataError(f"{folder} is not a data set: expected images/ and masks/ folders in it or one level down")
        found.extend(children)
    return found


def read_split(path: Path) -> list[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise DataError(f"cannot read split file {path}: {exc.strerror}") from exc
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def list_samples(folder: Path, split: str | Path | None = None) -> list[Sample]:
    """Samples of one set. ``split`` is a file path, or a name like ``"val"`` meaning ``<folder>/val.txt``;
    None lists every image that has a mask."""
    folder = Path(folder)
    if not is_set(folder):
        raise DataError(f"{folder} is not a data set: expected images/ and masks/ folders")
    images = {p.stem: p for p in (folder / "images").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES}
    if split is None:
        stems = sorted(images)
    else:
        split_path = Path(split)
        if not split_path.exists() and not split_path.suffix:
            split_path = folder / f"{split}.txt"
        stems = read_split(split_path)
    samples = []
    for stem in stems:
        mask = folder / "masks" / f"{stem}.png"
        if stem in images and mask.exists():
            samples.append(Sample(stem, images[stem], mask))
        elif split is not None:
            raise DataError(f"{folder.name}: {stem} is listed in the split but its image or mask is missing")
    return samples


def load_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise DataError(f"cannot read image {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def load_mask(path: Path) -> np.ndarray:
    """Ground truth as bool (hair where the PNG is above half)."""
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise DataError(f"cannot read mask {path}")
    return mask > 127
