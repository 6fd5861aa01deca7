"""The hair's new lightness: a change of its reflectance under the same light, not a new grey.

Dyeing changes how much light each strand reflects; the light falling on the hair does not change. So in
linear light (``Y``) every pixel of the hair is scaled by the same factor ``gain``: shading and the
contrast between strands keep their *relative* size, the way lighter hair of that shade shows them. Black
hair lifted to platinum keeps its strands instead of turning into a flat, khaki paint (adding the same
lightness to every strand, as a shift in L* does, flattens them).

Two things hair cannot do are rolled off smoothly instead of clipped:

- the picture's own shading: the hair's lightness is split into a *base*, the mean of ``Y`` over the hair
  within ``SIGMA_SHARE`` of the crop (a Gaussian over hair pixels only, so skin or background beside the
  hair does not pull it), and the strands' *detail* ``Y / base``. The base takes the gain and rolls off
  from ``BASE_KNEE`` towards ``BASE_CEILING`` (a sheen band on black hair would otherwise go past white);
  the detail is multiplied back in unchanged;
- white: the result rolls off from ``KNEE`` towards ``CEILING``.

``gain`` is chosen so that the mean lightness of the hair's middle half (its 25th to 75th percentile, which
skin or background in a coarse mask hardly reaches) after the lift is ``AIM`` of the shade's, solved on the
hair's histogram: the swatch is what the dyed hair looks like on average. Lightness here is OpenCV's 8-bit
L (L* scaled to 0-255)."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

SIGMA_SHARE = 0.006  # the base's Gaussian sigma, as a share of the crop's longer side (at least 1 px)
BASE_KNEE, BASE_CEILING = 0.7, 0.9  # Y where the base starts to roll off, and what it rolls off towards
KNEE, CEILING = 0.85, 1.0  # the same for the result...
REACH = (2.5, 4.0)  # ...or, if lower, these multiples of the shade's own Y: a copper strand stays copper
AIM = 1.0  # the mean new lightness of the hair's middle half, as a share of the shade's
_LEVELS = np.arange(256, dtype=np.float64)


def y_of_level(level: np.ndarray) -> np.ndarray:
    """Linear-light luminance (0-1) of 8-bit L levels (float64)."""
    lightness = np.asarray(level, np.float64) * (100.0 / 255.0)
    return np.where(lightness > 8.0, ((lightness + 16.0) / 116.0) ** 3, lightness / 903.3)


def level_of_y(y: np.ndarray) -> np.ndarray:
    """8-bit L levels (0-255 scale, unclipped) of linear-light luminance; float32 in, float32 out."""
    y = np.asarray(y, np.float32)
    cube_root = cv2.pow(np.maximum(y, 0.0), 1.0 / 3.0).reshape(y.shape)  # OpenCV makes a 1-D array a column
    return np.where(y > 0.008856, cube_root * np.float32(116.0 * 2.55) - np.float32(16.0 * 2.55),
                    y * np.float32(903.3 * 2.55))


_Y_TABLE = y_of_level(_LEVELS).astype(np.float32)


def roll_off(y: np.ndarray, knee: float, ceiling: float) -> np.ndarray:
    """``y`` unchanged up to ``knee``, then bending smoothly towards ``ceiling`` (never reaching it)."""
    room = max(ceiling - knee, 1e-6)
    over = np.maximum(y - knee, 0.0)
    return y - over * over / (over + room)  # past the knee: knee + room * over / (over + room)


def _top(target_level: float) -> tuple[float, float]:
    """(knee, ceiling) in Y that the strands of a shade of ``target_level`` roll off at and towards."""
    target = float(y_of_level(np.asarray(target_level)))
    return min(KNEE, REACH[0] * target), min(CEILING, REACH[1] * target)


def level_map(gain: float | np.ndarray, target_level: float) -> np.ndarray:
    """The new level (float64) of each old level of a smooth stretch of hair (its base is itself); for an
    array of N gains, an N x 256 array."""
    y = roll_off(np.multiply.outer(np.asarray(gain, np.float64), _Y_TABLE.astype(np.float64)), BASE_KNEE, BASE_CEILING)
    knee, ceiling = _top(target_level)
    if knee < KNEE:
        y = roll_off(y, knee, ceiling)
    return level_of_y(roll_off(y, KNEE, CEILING)).astype(np.float64)


def solve_gain(share: np.ndarray, target_level: float) -> float:
    """The gain that brings the mean new level of hair whose levels are spread as ``share`` (256 entries
    summing to 1) to ``AIM`` of ``target_level``. The mean rises with the gain: it is worked out for a
    ladder of gains, then for a finer one between the two rungs that hold the aim, and read off between
    the finer rungs."""
    aim = AIM * target_level
    low, high = -8.0, 10.0
    for rungs in (49, 33):
        logs = np.linspace(low, high, rungs)
        means = level_map(np.exp(logs), target_level) @ share
        above = int(np.clip(np.searchsorted(means, aim), 1, rungs - 1))
        low, high = logs[above - 1], logs[above]
    lower, upper = (float(m) for m in level_map(np.exp([low, high]), target_level) @ share)
    t = 0.0 if upper <= lower else float(np.clip((aim - lower) / (upper - lower), 0.0, 1.0))
    return float(np.exp(low + t * (high - low)))


class Strands(NamedTuple):
    """The hair's lightness split into ``base`` (the local mean over the hair, linear Y) and ``detail``
    (``Y / base``), float32 planes of the crop."""

    base: np.ndarray
    detail: np.ndarray


def split(light: np.ndarray, core: np.ndarray) -> Strands:
    """``light``: the crop's 8-bit L (uint8); ``core``: where it is hair (bool). Where no hair is near,
    a pixel is its own base."""
    y = cv2.LUT(light, _Y_TABLE)
    sigma = max(1.0, SIGMA_SHARE * max(light.shape))
    weight = core.astype(np.float32)
    mass = cv2.GaussianBlur(weight, (0, 0), sigma)
    base = cv2.GaussianBlur(y * weight, (0, 0), sigma)
    near = mass > 1e-3
    base = np.where(near, base / np.where(near, mass, 1.0), y)
    base = np.maximum(base, np.float32(1e-5))
    return Strands(base, y / base)


def lifted(strands: Strands, gain: float, target_level: float, shine: np.ndarray | None = None) -> np.ndarray:
    """The new lightness (8-bit L scale, float32, unclipped) of every pixel after the reflectance gain,
    for a shade of ``target_level``. ``shine``: a factor per pixel (float32 plane, at least 1) for the
    glints, applied after the shade's own roll-off (a glint is light off the surface, not the dye's
    colour) and before white's."""
    y = roll_off(strands.base * np.float32(gain), BASE_KNEE, BASE_CEILING) * strands.detail
    knee, ceiling = _top(target_level)
    if knee < KNEE:
        y = roll_off(y, knee, ceiling)
    if shine is not None:
        y = y * shine
    return level_of_y(roll_off(y, KNEE, CEILING))
