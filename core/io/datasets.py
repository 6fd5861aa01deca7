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


MASK_ORIENTATIONS = ("upright", "stored")


class MaskOrientationError(DataError):
    """A photo turned by its EXIF tag whose mask could be either way round: its shape cannot tell, the
    two readings differ, and nobody said how the set's masks were drawn."""


@dataclass(frozen=True)
class Sample:
    """One labelled photo. ``mask_orientation`` says how its mask was drawn where the photo is turned by
    its EXIF tag and the mask's shape cannot tell: ``"upright"`` (on the photo as shown) or ``"stored"``
    (on the file's own pixel grid); None leaves it to the shape, and refuses where that cannot tell."""

    stem: str
    image_path: Path
    mask_path: Path
    mask_orientation: str | None = None


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
AGREE_IOU = 0.99  # two readings of a mask this alike give the same IoU to two decimals or better


def load_pair(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """The photo (RGB, upright) and its true mask (bool) at the photo's size, turned alike.

    A photo's EXIF orientation is applied to its mask too, unless the mask carries its own or is
    already upright (its shape is the upright photo's and not the stored one's). Where the shape
    cannot tell (orientations 2, 3 and 4; 5 to 8 on a square photo) the sample's ``mask_orientation``
    decides; without one, MaskOrientationError unless both readings agree (a symmetric mask)."""
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
            if own != 1 or tag == 1:
                return rgb, _truth(sample, decoded, own, rgb.shape[:2])
            drawn = _drawn(decoded.size, stored, tag) or sample.mask_orientation
            if drawn is not None:
                return rgb, _truth(sample, decoded, 1 if drawn == "upright" else tag, rgb.shape[:2])
            as_stored, as_upright = (_truth(sample, decoded, turn, rgb.shape[:2]) for turn in (tag, 1))
    except ImageReadError as exc:
        raise DataError(f"cannot read mask: {exc}") from None
    if _agreement(as_stored, as_upright) < AGREE_IOU:
        raise MaskOrientationError(
            f"photo {sample.image_path.name} is stored turned (EXIF orientation {tag}) and the shape of its mask "
            f"{sample.mask_path.name} cannot tell whether the mask was drawn on the photo as shown or on its stored "
            "pixels, which give different IoUs: say which with --mask-orientation upright or stored")
    return rgb, as_stored


def mask_orientation_unclear(sample: Sample) -> bool:
    """Whether :func:`load_pair` would refuse ``sample`` for want of a ``mask_orientation`` (the photo's
    header is read first, so an upright photo costs no decoding)."""
    if sample.mask_orientation is not None:
        return False
    try:
        with open_image(sample.image_path) as photo:
            if orientation(photo, sample.image_path) == 1:
                return False
    except ImageReadError:
        return False  # the run itself says what is wrong with the photo
    try:
        load_pair(sample)
    except MaskOrientationError:
        return True
    return False


def _drawn(mask_size: tuple[int, int], stored: tuple[int, int], tag: int) -> str | None:
    """How a mask of ``mask_size`` (width, height) was drawn for a photo stored at ``stored`` and turned by
    EXIF ``tag``, as far as its shape tells: "stored", "upright", or None where it fits both alike. A mask
    that fits neither is read as stored (and then refused as another picture's shape)."""
    shown = stored[::-1] if tag in _SWAPS_AXES else stored
    fit_stored, fit_shown = (2 if mask_size == grid else int(_same_shape(mask_size, grid)) for grid in (stored, shown))
    if fit_stored == fit_shown:
        return None if fit_stored else "stored"
    return "stored" if fit_stored > fit_shown else "upright"


def _truth(sample: Sample, decoded, turn: int, shape: tuple[int, int]) -> np.ndarray:
    """The decoded mask turned by EXIF ``turn``, as bool at the photo's upright ``shape``."""
    truth = mask_from_image(guarded(sample.mask_path, lambda: upright(decoded, turn)), sample.mask_path)
    if truth.shape != shape:
        if not _same_shape((truth.shape[1], truth.shape[0]), shape[::-1]):
            raise DataError(f"mask {sample.mask_path} is {truth.shape[1]} x {truth.shape[0]} but its photo is "
                            f"{shape[1]} x {shape[0]} (upright): not the same picture's shape")
        truth = cv2.resize(truth.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    return truth


def _agreement(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two readings of one mask (1.0 when both are empty)."""
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def _same_shape(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two (width, height) sizes have the same aspect ratio, within 2 %."""
    return abs(a[0] * b[1] - a[1] * b[0]) <= 0.02 * max(a[0] * b[1], a[1] * b[0])
