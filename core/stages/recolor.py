"""Hair recolouring in CIELAB that keeps strand texture.

The hair's lightness changes as its reflectance would under the same light (``core.stages.lift``): every
strand is scaled by one gain in linear light, so shading and strand-to-strand contrast keep their relative
size, and dark hair lifted to a light shade keeps its strands instead of turning into a flat paint. The
gain brings the hair's mean lightness to the shade's; the picture's broad sheen and the brightest strands
roll off smoothly below white. Chroma comes from the shade, fading in deep shadow and partly in bright
glints, scaled so the hair's mean chroma is the shade's, plus a trace of the original chroma variation.

At the hair's edge a pixel is a mix of hair and whatever lies behind it (skin, background), so it is
not recoloured as a whole: its hair colour is estimated from the sure hair nearby, and only the change
that colour undergoes is added, in proportion to the mask (``out = pixel + alpha * (T(hair) - hair)``).
The skin or background share of the pixel keeps its own colour, so a soft edge never turns grey or
pale, and a thin strand takes the shade in proportion to its alpha. ``alpha`` is ``mask * intensity``:
pixels with mask 0 are never touched. How much of a pixel at the edge is hair is the mask's to say
(the refine stage's matte, ``core.stages.matte``, takes it from the picture); an older rule here that
trusted pixels brighter than the hair less left the mixed pixels of dark hair over skin undyed, a
grey strip along the hairline.

With a tips shade (ombre, balayage), each head's hair runs from the root shade at its top to the tips
shade at its bottom, whatever else is in the picture.

Colour works on OpenCV's 8-bit Lab (L scaled to 0-255, a and b offset by 128) with look-up tables and
saturating uint8 operations, the lightness on float32 planes; only the bounding box of ``mask > 0`` is
processed."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from core.frames import Look, Shade
from core.stages import lift
from core.stages.levels import hair_level

_HAIR_CORE = 0.5  # mask level above which a pixel counts as hair for the lightness statistics
_FLOOR, _KNEE_LOW = 6.0, 24.0  # shadows roll off from the knee towards the floor (0-255 L scale)
_GLINT_BOOST = 0.3  # the brightest strands' light is multiplied by up to 1 + this at shine 100
_MAX_CHROMA_BOOST = 2.0  # the shade's chroma is raised at most this much to bring the hair's mean to it
_SURE_HAIR = 0.9  # mask level from which a pixel's own colour is taken as its hair colour
_MIN_HEAD = 0.02  # hair blobs smaller than this share of the hair get the picture-wide ombre
_CHROMA_KEEP = 0.25  # share of the original a/b variation kept as colour texture


def shade_lab(shade: Shade) -> np.ndarray:
    """The shade as 8-bit-Lab float32 ``[L 0-255, a, b]`` with a and b centred on 0."""
    swatch = np.array([[shade.rgb]], dtype=np.uint8)
    lab = cv2.cvtColor(swatch, cv2.COLOR_RGB2Lab)[0, 0].astype(np.float32)
    lab[1:] -= 128.0
    return lab


def _ombre_weights(height: int) -> np.ndarray:
    """Share of the tips shade per row, 0 at the top (roots) to 1 at the bottom (tips), never
    decreasing: the top 30 % stays the root shade, the change eases in over the next 55 %."""
    if height < 2:
        return np.zeros(height, np.float32)
    s = np.clip((np.linspace(0.0, 1.0, height, dtype=np.float32) - 0.30) / 0.55, 0.0, 1.0)
    return s * s * (3.0 - 2.0 * s)


def _floor(light: np.ndarray) -> np.ndarray:
    """Roll L off smoothly below the knee towards the floor, so the deepest shadows keep detail instead
    of clipping to black (monotonic, in place)."""
    room = _KNEE_LOW - _FLOOR
    under = np.maximum(_KNEE_LOW - light, 0.0)
    light += under - room * under / (under + room)
    return light


def _check(pixels: np.ndarray, mask: np.ndarray) -> None:
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"pixels must be uint8 H x W x 3 RGB, got {pixels.dtype} {pixels.shape}")
    if mask.shape != pixels.shape[:2]:
        raise ValueError(f"mask must be H x W = {pixels.shape[:2]}, got {mask.shape}")


class Painted(NamedTuple):
    """A recoloured picture and the hair's natural level measured on the way (core.stages.levels; None
    when nothing was recoloured)."""

    pixels: np.ndarray
    hair_level: float | None


class Recolorer:
    """Tints the masked hair of an RGB picture to a Look. Stateless apart from a small swatch cache."""

    def __init__(self):
        self._swatches: dict[tuple[int, int, int], np.ndarray] = {}

    def _lab(self, shade: Shade) -> np.ndarray:
        lab = self._swatches.get(shade.rgb)
        if lab is None:
            if len(self._swatches) > 256:
                self._swatches.clear()
            lab = self._swatches[shade.rgb] = shade_lab(shade)
        return lab

    def recolor(self, pixels: np.ndarray, mask: np.ndarray, look: Look) -> np.ndarray:
        """A new uint8 RGB picture; ``mask`` is float32 H x W hair alpha in [0, 1]. Intensity 0 or an
        empty mask return an exact copy, and pixels where the mask is 0 are always left exact."""
        return self.paint(pixels, mask, look).pixels

    def paint(self, pixels: np.ndarray, mask: np.ndarray, look: Look) -> Painted:
        """:meth:`recolor`'s picture, with the hair's natural level."""
        _check(pixels, mask)
        out = pixels.copy()
        if look.intensity == 0:
            return Painted(out, None)
        x, y, w, h = cv2.boundingRect((mask > 0).view(np.uint8))
        if w == 0 or h == 0:
            return Painted(out, None)
        rgb = np.ascontiguousarray(pixels[y : y + h, x : x + w])
        alpha = np.clip(mask[y : y + h, x : x + w].astype(np.float32, copy=False), 0.0, 1.0)
        hair = hair_colour(rgb, alpha)
        tinted, stats = self._tint(rgb, hair, alpha, look)
        level = hair_level(stats.light * (100.0 / 255.0), stats.b - 128.0)
        alpha *= np.float32(look.intensity / 100.0)
        out[y : y + h, x : x + w] = _add_change(rgb, hair, tinted, alpha)
        return Painted(out, level)

    def _tint(self, rgb: np.ndarray, hair: np.ndarray, alpha: np.ndarray,
              look: Look) -> tuple[np.ndarray, _HairStats]:
        """Each pixel's hair colour ``hair`` fully recoloured, and the hair's statistics; ``alpha`` is
        the crop's mask."""
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
        core = alpha >= _HAIR_CORE
        if not core.any():
            core = alpha > 0.0
        core8 = core.view(np.uint8) * np.uint8(255)
        stats = _hair_stats(lab[..., 0], lab, core8)
        if hair is not rgb:
            lab = cv2.cvtColor(hair, cv2.COLOR_RGB2Lab)
        light, chan_a, chan_b = cv2.split(lab)
        strands = lift.split(light, core)
        glint = _glint(stats, look.shine)
        shine = cv2.LUT(light, (1.0 + _GLINT_BOOST * glint).astype(np.float32))

        def apply(shade: Shade) -> np.ndarray:
            target = self._lab(shade)
            gain = lift.solve_gain(stats.share, float(target[0]))
            new_light = lift.lifted(strands, gain, float(target[0]), shine)
            new_light = np.clip(np.rint(_floor(new_light)), 0, 255).astype(np.uint8)
            curves = _curves(stats, target, lift.level_map(gain, float(target[0])))
            channels = [new_light]
            for old, texture, tint, negative in zip((chan_a, chan_b), curves.texture, curves.tint, curves.negative,
                                                    strict=True):
                combine = cv2.subtract if negative else cv2.add  # saturating, uint8
                channels.append(combine(cv2.LUT(old, texture), cv2.LUT(new_light, tint)))
            return cv2.merge(channels)

        tinted = apply(look.shade)
        if look.tips is not None and lab.shape[0] >= 2:  # roots shade at each head's top, tips at its bottom
            share = tips_share(core8)
            tinted = cv2.blendLinear(tinted, apply(look.tips), 1.0 - share, share)
        return cv2.cvtColor(tinted, cv2.COLOR_Lab2RGB), stats


def hair_colour(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Each pixel's hair colour (uint8 RGB): its own where the mask is sure, else the mean colour of the
    sure hair around it, so a pixel that is part hair, part skin or background is recoloured as the
    hair it holds. Pixels with no sure hair nearby keep their own colour. The means are taken on a
    copy a quarter the size: they vary slowly, and the soft edge is a small share of the picture."""
    sure = (alpha >= _SURE_HAIR).view(np.uint8)
    soft = (alpha > 0.0) & (sure == 0)
    if not soft.any() or not sure.any():
        return rgb
    height, width = alpha.shape
    small = (max(1, width // 4), max(1, height // 4))
    size = max(3, round(0.04 * max(small))) | 1
    weight = cv2.blur(cv2.resize(sure.astype(np.float32), small, interpolation=cv2.INTER_AREA), (size, size))
    summed = cv2.resize(cv2.bitwise_and(rgb, rgb, mask=sure), small, interpolation=cv2.INTER_AREA)
    colour = np.asarray(cv2.blur(summed.astype(np.float32), (size, size)), np.float32)  # already float32: no copy
    found = weight > 1e-3
    colour[found] /= weight[found][:, None]
    colour[~found] = 0.0
    colour = np.asarray(cv2.resize(np.clip(colour + 0.5, 0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR))
    known = cv2.resize(found.view(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
    out = rgb.copy()
    np.copyto(out, colour, where=(soft & known)[..., None])
    return out


def tips_share(core: np.ndarray) -> np.ndarray:
    """Share of the tips shade per pixel (float32 0-1): along each head's hair (each blob of ``core``
    that holds at least ``_MIN_HEAD`` of the hair), 0 at its top (roots) to 1 at its bottom (tips);
    elsewhere along the whole crop's height."""
    height, width = core.shape
    share = np.repeat(_ombre_weights(height)[:, None], width, axis=1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    if count <= 2:  # one head (or none): its rows are the crop's rows
        return share
    total = stats[1:, cv2.CC_STAT_AREA].sum()
    reach = max(3, round(0.03 * max(height, width))) | 1  # the soft edge around a head belongs to it
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] < _MIN_HEAD * total:
            continue
        top, rows = stats[label, cv2.CC_STAT_TOP], stats[label, cv2.CC_STAT_HEIGHT]
        blob = cv2.dilate((labels == label).view(np.uint8), np.ones((reach, reach), np.uint8)) > 0
        head = np.zeros(height, np.float32)
        head[top : top + rows] = _ombre_weights(rows)
        head[top + rows :] = 1.0
        share[blob] = np.broadcast_to(head[:, None], share.shape)[blob]
    return share


class _HairStats(NamedTuple):
    """The hair's typical 8-bit Lab (median lightness, mean a and b), the spread of its lightness (half
    the 16th-84th percentile range: a standard deviation that background caught in a coarse mask cannot
    inflate) and the share of its middle half at each of the 256 lightness levels (``_middle_half``)."""

    light: float
    a: float
    b: float
    spread: float
    share: np.ndarray
    whole: np.ndarray  # the share of all of it at each level


def _hair_stats(light: np.ndarray, lab: np.ndarray, core: np.ndarray) -> _HairStats:
    counts = cv2.calcHist([np.ascontiguousarray(light)], [0], core, [256], [0, 256]).ravel().astype(np.float64)
    total = counts.cumsum()
    low, median, high = np.searchsorted(total, total[-1] * np.array([0.16, 0.5, 0.84]))
    mean = cv2.mean(lab, mask=core)
    return _HairStats(float(median), mean[1], mean[2], spread=max((high - low) / 2.0, 2.0),
                      share=_middle_half(counts), whole=counts / max(total[-1], 1.0))


def _middle_half(counts: np.ndarray) -> np.ndarray:
    """The share of a histogram's middle half (its 25th to 75th percentile) at each level, summing to 1:
    the hair's lightness without the skin or background a coarse mask takes in at either end."""
    total = counts.sum()
    if total <= 0:
        return np.full(counts.shape, 1.0 / counts.size)
    below = np.concatenate([[0.0], counts.cumsum()[:-1]])
    kept = np.clip(np.minimum(below + counts, 0.75 * total) - np.maximum(below, 0.25 * total), 0.0, None)
    return kept / kept.sum()


class _Curves(NamedTuple):
    """Look-up tables (uint8, 256 entries) that make the new a and b: ``texture`` maps the old value to
    128 plus a trace of its variation, and ``tint`` maps the *new* L to the size of the shade's a or b at
    that lightness, to be added to the texture, or subtracted where ``negative``. Splitting a signed
    chroma into size and sign keeps every step a fast saturating uint8 operation."""

    texture: tuple[np.ndarray, np.ndarray]
    tint: tuple[np.ndarray, np.ndarray]
    negative: tuple[bool, bool]


def _glint(hair: _HairStats, shine: int) -> np.ndarray:
    """How much of a glint each old lightness level is (0 for the darker half of the hair), at ``shine``."""
    level = np.arange(256, dtype=np.float32)
    return np.clip((level - hair.light) / hair.spread - 0.5, 0.0, 1.5) * (shine / 150.0)


def _curves(hair: _HairStats, target: np.ndarray, lifted: np.ndarray) -> _Curves:
    """The chroma tables for one shade on this hair; ``lifted``: each old level's new level where the hair
    is smooth (``lift.level_map``), to weigh the hair's mean chroma with."""
    level = np.arange(256, dtype=np.float32)
    target_l, target_a, target_b = (float(v) for v in target)
    # Chroma is the shade's, fading towards shadow and highlight (a tent peaking at the shade's L).
    # Shadows lose it all, highlights keep most: a light strand dyed copper reads as copper, not white.
    shadow_fade = level / max(target_l, 1.0)
    highlight_fade = 0.65 + 0.35 * (255.0 - level) / max(255.0 - target_l, 1.0)
    fade = np.clip(np.minimum(shadow_fade, highlight_fade) * 1.25, 0.0, 1.0)
    # ...raised so that the hair's mean chroma is the shade's where its spread of lightness fades it
    mean_fade = float(hair.whole @ np.interp(lifted, level, fade))
    fade *= min(_MAX_CHROMA_BOOST, 1.0 / max(mean_fade, 1e-3))
    return _Curves(
        texture=(_table((level - hair.a) * _CHROMA_KEEP + 128.0), _table((level - hair.b) * _CHROMA_KEEP + 128.0)),
        tint=(_table(fade * abs(target_a)), _table(fade * abs(target_b))),
        negative=(target_a < 0, target_b < 0),
    )


def _table(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _add_change(rgb: np.ndarray, hair: np.ndarray, tinted: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``rgb + alpha * (tinted - hair)`` as uint8: the change the hair colour undergoes, added in
    proportion to ``alpha``. Exact wherever alpha is 0; where ``hair`` is the pixel itself (all but the
    soft edge) this is the plain blend of the pixel and its recolour. Done as a blend towards
    ``rgb + (tinted - hair)`` (saturated to 0-255): OpenCV computes ``(w1 * base + w2 * top) /
    (w1 + w2 + 1e-5)`` and rounds, which with w1 = 1, w2 = 0 is the base."""
    if hair is not rgb:
        change = cv2.subtract(tinted, hair, dtype=cv2.CV_16S)
        tinted = cv2.add(change, rgb, dtype=cv2.CV_16S).clip(0, 255).astype(np.uint8)
    return cv2.blendLinear(rgb, tinted, 1.0 - alpha, alpha)
