"""Labelled hair photo sets on disk: ``images/<stem>.jpg`` + ``masks/<stem>.png`` (0 / 255, or as
:mod:`core.io.masks` reads them), with optional ``train.txt`` / ``val.txt`` listing stems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.errors import DataError, ImageReadError
from core.io.images import IMAGE_SUFFIXES, decode_within, guarded, open_image, orientation, to_rgb, upright
from core.io.masks import mask_from_image

MAX_SPLIT_BYTES = 16 * 2**20


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
    """The stems listed in a split file (UTF-8 text, one a line, ``#`` for comments)."""
    path = Path(path)
    try:
        if not path.is_file():
            raise DataError(f"split file {path} is not a regular file")
        if path.stat().st_size > MAX_SPLIT_BYTES:
            raise DataError(f"split file {path} is larger than {MAX_SPLIT_BYTES // 2**20} MB; is it the right file?")
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read split file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"split file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    if any("\x00" in line for line in lines):
        raise DataError(f"split file {path} is not a text file")
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
    """Ground truth as bool, however the mask is stored (see :mod:`core.io.masks`); DataError if it
    cannot be read or told apart. Its own EXIF orientation, if any, is applied."""
    path = Path(path)
    try:
        with open_image(path) as image:
            return mask_from_image(guarded(path, lambda: upright(decode_within(image, path), orientation(image, path))),
                                   path)
    except ImageReadError as exc:
        raise DataError(f"cannot read mask: {exc}") from None


_SWAPS_AXES = (5, 6, 7, 8)


def load_pair(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """The photo (RGB, upright) and its true mask (bool) at the photo's size, turned alike.

    A photo's EXIF orientation is applied to its mask too, unless the mask carries its own or is
    already upright (its shape is the upright photo's and not the stored one's)."""
    try:
        with open_image(sample.image_path) as photo:
            tag, stored = orientation(photo, sample.image_path), photo.size
            rgb = guarded(sample.image_path, lambda: to_rgb(upright(decode_within(photo, sample.image_path), tag)))
    except ImageReadError as exc:
        raise DataError(f"cannot read photo: {exc}") from None
    try:
        with open_image(sample.mask_path) as image:
            own = orientation(image, sample.mask_path)
            decoded = guarded(sample.mask_path, lambda: decode_within(image, sample.mask_path))
            if own == 1 and tag != 1 and not (tag in _SWAPS_AXES and _same_shape(decoded.size, stored[::-1])
                                                 and not _same_shape(decoded.size, stored)):
                own = tag  # the mask shares the photo's stored pixel grid
            truth = mask_from_image(guarded(sample.mask_path, lambda: upright(decoded, own)), sample.mask_path)
    except ImageReadError as exc:
        raise DataError(f"cannot read mask: {exc}") from None
    if truth.shape != rgb.shape[:2]:
        if not _same_shape(truth.shape[::-1], rgb.shape[1::-1]):
            raise DataError(f"mask {sample.mask_path} is {truth.shape[1]} x {truth.shape[0]} but its photo is "
                            f"{rgb.shape[1]} x {rgb.shape[0]} (upright): not the same picture's shape")
        truth = cv2.resize(truth.astype(np.uint8), (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    return rgb, truth


def _same_shape(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two (width, height) sizes have the same aspect ratio, within 2 %."""
    return abs(a[0] * b[1] - a[1] * b[0]) <= 0.02 * max(a[0] * b[1], a[1] * b[0])
