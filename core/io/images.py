"""Reading photos into RGB uint8 arrays and writing them back, whatever the file format.

Every image HairTint reads goes through :func:`load_image`, so EXIF orientation, transparency,
16-bit, palette and CMYK files all arrive as plain H x W x 3 uint8 RGB.

Memory is bounded by design: the size is read from the file's header before anything is decoded.
A photo over ``MAX_PIXELS`` is decoded reduced (a JPEG at 1/2, 1/4 or 1/8 scale straight from the
compressed data, any other format reduced by a whole factor right after decoding), and a file whose
full decode alone would take more than ``MAX_DECODE_BYTES`` is refused before it is decoded. Any one
photo therefore stays well under 1 GB."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.errors import HairTintError, ImageReadError
from core.io.outputs import replace_atomically

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
JPEG_QUALITY = 95
MAX_PIXELS = 16_000_000  # about 4900 x 3260: more than any screen or model here needs
MAX_DECODE_BYTES = 512 * 2**20  # the full decode of the file as stored, before any reduction
# what PIL keeps per pixel while decoding (RGB and LA are stored four bytes a pixel); others: 4
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


class ImageExistsError(HairTintError, FileExistsError):
    """:func:`save_image` was asked to write over a file that is already there."""


class ImageWriteError(HairTintError):
    """A picture that cannot be written (unsupported suffix, missing folder, no permission)."""


def _unreadable(path: Path, reason: str) -> ImageReadError:
    return ImageReadError(f"{path} is not an image HairTint can read ({reason})")


def load_image(path: str | os.PathLike, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The picture at ``path`` as uint8 RGB (H x W x 3), upright as the camera's EXIF tag says.

    Transparent pixels are composited on white. A picture over ``max_pixels`` comes back reduced
    (the same shape, a whole factor smaller). Raises ImageReadError naming the file and the reason."""
    with open_image(path) as image:
        return guarded(path, lambda: to_rgb(upright(decode_within(image, Path(path), max_pixels),
                                                      orientation(image, Path(path)))))


class open_image:
    """``with open_image(path) as image``: the file opened lazily (only its header is read), with
    missing, empty, folder and unknown files reported as ImageReadError naming the file."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        path = self.path
        if not path.exists():
            raise _unreadable(path, "no such file")
        if path.is_dir():
            raise _unreadable(path, "it is a folder")
        try:
            if not path.is_file():
                raise _unreadable(path, "not a regular file")
            if path.stat().st_size == 0:
                raise _unreadable(path, "the file is empty")
        except OSError as exc:
            raise _unreadable(path, exc.strerror or str(exc)) from None
        with warnings.catch_warnings():  # our own size check (decode_within) is stricter than PIL's
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            self.image = guarded(path, lambda: Image.open(path))
        return self.image

    def __exit__(self, *exc) -> None:
        if self.image is not None:
            self.image.close()


def guarded(path, work):
    """``work()``, with whatever PIL raises on a damaged file turned into ImageReadError naming ``path``."""
    path = Path(path)
    try:
        return work()
    except ImageReadError:
        raise
    except UnidentifiedImageError:
        raise _unreadable(path, "not a picture in a format HairTint knows") from None
    except PermissionError:
        raise _unreadable(path, "permission denied") from None
    except Image.DecompressionBombError as exc:
        raise _unreadable(path, f"too large: {exc}") from None
    except MemoryError:
        raise _unreadable(path, "too large to decode in the memory available") from None
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, KeyError, ZeroDivisionError) as exc:
        # PIL reports truncated and corrupt data as OSError / SyntaxError / ValueError (and, for some
        # malformed headers, as the others).
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _unreadable(path, f"damaged or incomplete: {reason}") from None


def reduction(width: int, height: int, max_pixels: int) -> int:
    """The smallest whole factor that brings ``width`` x ``height`` within ``max_pixels``."""
    factor = 1
    while (width // factor) * (height // factor) > max_pixels and factor < max(width, height):
        factor += 1
    return factor


def decode_within(image: Image.Image, path: Path, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode a lazily opened image, reduced to at most ``max_pixels``; the size is checked from the
    header first, so a file too large to decode is refused before any memory is taken."""
    width, height = image.size
    if width < 1 or height < 1:
        raise _unreadable(path, f"it claims a size of {width} x {height} pixels")
    factor = reduction(width, height, max_pixels)
    if factor > 1 and image.format == "JPEG":
        image.draft(None, (max(1, width // factor), max(1, height // factor)))  # decodes at 1/2, 1/4 or 1/8
        width, height = image.size
    needed = width * height * _BYTES_PER_PIXEL.get(image.mode, 4)
    if needed > MAX_DECODE_BYTES:
        raise _unreadable(path, f"too large: {width} x {height} pixels would take {needed / 2**20:.0f} MB to "
                                f"decode (HairTint decodes at most {MAX_DECODE_BYTES / 2**20:.0f} MB)")
    image.load()
    factor = reduction(width, height, max_pixels)
    if factor == 1:
        return image
    log.info("%s is %d x %d pixels; decoding it %dx smaller", path, width, height, factor)
    if image.mode not in ("L", "RGB", "RGBA", "LA", "I", "F", "CMYK"):
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode else "RGB")
    return image.reduce(factor)


def orientation(image: Image.Image, path: Path) -> int:
    """The EXIF orientation tag (1 = upright) of an opened image; 1 where it is missing or unreadable."""
    try:
        value = int(image.getexif().get(0x0112, 1))
    except Exception as exc:  # noqa: BLE001  a broken EXIF block should not cost the person their photo
        log.warning("ignoring unreadable EXIF orientation in %s: %s", path, exc)
        return 1
    return value if value in _TRANSPOSE else 1


def upright(image: Image.Image, tag: int) -> Image.Image:
    """``image`` turned as EXIF orientation ``tag`` says (a photo and its mask turn alike)."""
    method = _TRANSPOSE.get(tag)
    return image if method is None else image.transpose(method)


def to_rgb(image: Image.Image) -> np.ndarray:
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
    elif mode == "LA" or mode == "PA" or mode in ("RGBa", "La"):
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
    try:
        replace_atomically(path, lambda handle: image.save(handle, format=fmt, **options), binary=True)
    except OSError as exc:
        raise ImageWriteError(f"cannot save {path}: {exc.strerror or exc}") from exc
    return path
