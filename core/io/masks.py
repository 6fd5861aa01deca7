"""Hair masks as people store them, read into bool arrays, or refused with a message that says why.

Accepted: grey masks with two values (0/1, 0/255, 0/65535, or any darker/brighter pair), soft grey
masks (cut halfway between their darkest and brightest value), colour masks with black or white as
the background and one hair colour (anti-aliased edges included), palette PNGs (read by their
colours), and masks carried in the alpha channel. Refused: label maps with several classes, colour
masks with several colours, anything that would otherwise be read as a silent "no hair"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from core.errors import DataError

LABEL_MAP_MAX = 20  # grey masks whose values all lie at or below this, with 3+ values, are class label maps
COLOUR_TOLERANCE = 24  # how far (0-255) a pixel may lie off the line from the background to the hair colour


def _refuse(path: Path, reason: str) -> DataError:
    return DataError(f"mask {path} cannot be used: {reason}. HairTint reads hair masks as two values "
                     "(0/1 or 0/255), a soft 0-255 mask, or one hair colour on black or white")


def mask_from_image(image: Image.Image, path: Path) -> np.ndarray:
    """The hair (bool H x W) in a decoded PIL image of a mask; DataError if it cannot be told apart."""
    mode = image.mode
    if mode == "1":
        return np.asarray(image, dtype=bool).copy()
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in ("LA", "La", "PA"):
        image = image.convert("RGBA")
    elif mode not in ("L", "RGB", "RGBA", "I", "F") and not mode.startswith("I;16"):
        image = image.convert("RGB")
    if image.mode == "RGBA":
        rgba = np.asarray(image)
        colour, alpha = rgba[..., :3], rgba[..., 3]
        if alpha.min() != alpha.max() and (colour == colour.reshape(-1, 3)[0]).all():
            return _from_grey(alpha, 255, path)  # a cut-out: the hair is where the mask is opaque
        image = Image.fromarray(np.ascontiguousarray(colour))
    if image.mode == "RGB":
        rgb = np.asarray(image)
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            return _from_grey(rgb[..., 0], 255, path)
        return _from_colour(rgb, path)
    grey = np.asarray(image)
    top = 65535 if mode.startswith("I;16") else 255 if mode == "L" else None
    return _from_grey(grey, top, path)


def _from_grey(grey: np.ndarray, top: int | None, path: Path) -> np.ndarray:
    if grey.dtype.kind == "f" and not np.isfinite(grey).all():
        raise _refuse(path, "it holds values that are not numbers")
    values = np.unique(grey)
    if values.size == 1:
        v = float(values[0])
        return np.full(grey.shape, v > 0 and (top is None or v >= top / 2 or v == 1), dtype=bool)
    lo, hi = float(values[0]), float(values[-1])
    if values.size == 2:
        return grey == values[-1]  # 0/1, 0/255, or any darker background and brighter hair
    if hi <= LABEL_MAP_MAX:
        raise _refuse(path, f"it holds {values.size} labels ({', '.join(str(v) for v in values[:8])}), "
                            "a map of several classes rather than hair and background")
    return grey > (lo + hi) / 2  # a soft or anti-aliased mask


def _from_colour(rgb: np.ndarray, path: Path) -> np.ndarray:
    flat = rgb.reshape(-1, 3).astype(np.int64)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    colours = np.unique(packed)
    as_rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1)
    sums = as_rgb.sum(axis=1)
    black, white = sums.min() <= 3 * 8, sums.max() >= 3 * 247
    if not black and not white:
        raise _refuse(path, f"it has {colours.size} colours and neither black nor white for the background")
    if black:
        background = as_rgb[np.argmin(sums)].astype(np.float64)
        hair = as_rgb[np.argmax(np.abs(as_rgb - background).sum(axis=1))].astype(np.float64)
    else:
        background = as_rgb[np.argmax(sums)].astype(np.float64)
        hair = as_rgb[np.argmax(np.abs(as_rgb - background).sum(axis=1))].astype(np.float64)
    direction = hair - background
    length2 = float(direction @ direction)
    if length2 == 0:
        raise _refuse(path, "it has no colour apart from its background")
    # where each colour lies on the line from the background to the hair colour, and how far off it
    t = ((as_rgb - background) @ direction) / length2
    off = np.abs(as_rgb - (background + t[:, None] * direction)).max(axis=1)
    if off.max() > COLOUR_TOLERANCE:
        worst = as_rgb[np.argmax(off)]
        raise _refuse(path, f"it has {colours.size} colours, not one hair colour on its background "
                            f"(e.g. #{int(worst[0]):02x}{int(worst[1]):02x}{int(worst[2]):02x}), as a map of "
                            "several classes does")
    hair_colours = colours[t > 0.5]
    return np.isin(packed, hair_colours).reshape(rgb.shape[:2])
