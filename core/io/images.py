"""Reading photos into RGB uint8 arrays and writing them back, whatever the file format.

Every image HairTint reads goes through :func:`load_image`, so EXIF orientation, transparency,
16-bit, palette and CMYK files all arrive as plain H x W x 3 uint8 RGB."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import HairTintError, ImageReadError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
JPEG_QUALITY = 95


class ImageExistsError(HairTintError, FileExistsError):
    """:func:`save_image` was asked to write over a file that is already there."""


class ImageWriteError(HairTintError):
    """A picture that cannot be written (unsupported suffix, missing folder, no permission)."""


def _unreadable(path: Path, reason: str) -> ImageReadError:
    return ImageReadError(f"{path} is not an image HairTint can read ({reason})")


def load_image(path: str | os.PathLike) -> np.ndarray:
    """The picture at ``path`` as uint8 RGB (H x W x 3), upright as the camera's EXIF tag says.

    Transparent pixels are composited on white. Raises ImageReadError naming the file and the reason."""
    path = Path(path)
    if not path.exists():
        raise _unreadable(path, "no such file")
    if path.is_dir():
        raise _unreadable(path, "it is a folder")
    try:
        if path.stat().st_size == 0:
            raise _unreadable(path, "the file is empty")
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    try:
        with Image.open(path) as image:
            image.load()
            image = _upright(image, path)
            return _to_rgb(image)
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise _unreadable(path, "not a picture in a format HairTint knows") from None
    except PermissionError:
        raise _unreadable(path, "permission denied") from None
    except Image.DecompressionBombError as exc:
        raise _unreadable(path, f"too large: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # PIL reports truncated and corrupt data as OSError / SyntaxError / ValueError.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _unreadable(path, f"damaged or incomplete: {reason}") from None


def _upright(image: Image.Image, path: Path) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception as exc:  # a broken EXIF block should not cost the person their photo
        log.warning("ignoring unreadable EXIF orientation in %s: %s", path, exc)
        return image


def _to_rgb(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale (PNG, TIFF): scale 0..65535 down to 0..255 rather than clipping.
        grey = np.asarray(image).astype(np.float32)
        scale = 257.0 if mode != "I" or grey.max(initial=0) > 255 else 1.0
        return _grey_to_rgb(np.clip(grey / scale + 0.5, 0, 255).astype(np.uint8))
    if mode == "F":
        grey = np.asarray(image, dtype=np.float32)
        if grey.size and np.nanmax(grey) <= 1.0:
            grey = grey * 255.0
        return _grey_to_rgb(np.clip(np.nan_to_num(grey) + 0.5, 0, 255).astype(np.uint8))
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("1", "L"):
        return _grey_to_rgb(np.asarray(image.convert("L")))
    elif mode == "LA" or mode == "PA":
        image = image.convert("RGBA")
    elif mode in ("RGBa", "La"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    if image.mode != "RGB":
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return np.array(image, dtype=np.uint8)


def _grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))


def save_image(path: str | os.PathLike, rgb: np.ndarray, overwrite: bool = False) -> Path:
    """Write uint8 RGB (H x W x 3) or greyscale (H x W) as JPEG (quality 95) or PNG, chosen by suffix.

    The file appears complete or not at all (written beside it, then renamed into place). Raises
    ImageExistsError if ``path`` exists and ``overwrite`` is False, ImageWriteError if it cannot be written."""
    path = Path(path)
    fmt = SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImageWriteError(f"cannot save {path}: HairTint saves .jpg, .jpeg or .png files")
    rgb = np.asarray(rgb)
    if rgb.dtype == np.bool_:
        rgb = rgb.astype(np.uint8) * 255
    if rgb.dtype != np.uint8 or not (rgb.ndim == 2 or (rgb.ndim == 3 and rgb.shape[2] == 3)):
        raise ValueError(f"save_image needs uint8 H x W x 3 RGB or H x W grey, got {rgb.dtype} {rgb.shape}")
    if path.exists() and not overwrite:
        raise ImageExistsError(f"{path} already exists; choose another name or allow overwriting")
    image = Image.fromarray(np.ascontiguousarray(rgb))
    options = {"quality": JPEG_QUALITY, "subsampling": 0} if fmt == "JPEG" else {}
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temp, "xb") as handle:
            image.save(handle, format=fmt, **options)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ImageWriteError(f"cannot save {path}: {exc.strerror or exc}") from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
