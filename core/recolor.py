"""Hair recolouring in CIELAB that keeps strand texture.

The hair's lightness is remapped around the shade's lightness rather than kept, so dark hair dyed
blonde really gets lighter: ``L' = L_shade + (L - L_hair_median) * gain``. Every strand keeps its
place relative to its neighbours (texture, highlights and shadows survive, stretched when going
lighter and squeezed when going darker, as real hair does), and soft knees keep the ends of the range
from clipping flat. Chroma comes from the shade, fading in deep shadow and partly in bright glints,
plus a trace of the original chroma variation. The result is alpha-blended over the photo with
``mask * trust * intensity``, so pixels with mask 0 are never touched; ``trust`` drops for bright
background showing through the edge of dark hair, which would otherwise turn into a pale halo.

Every per-pixel step is an OpenCV look-up table or saturating uint8 operation on OpenCV's 8-bit Lab
(L scaled to 0-255, a and b offset by 128), and only the bounding box of ``mask > 0`` is processed."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from core.frames import Look, Shade

_HAIR_CORE = 0.5  # mask level above which a pixel counts as hair for the lightness statistics
_KNEE_LOW, _KNEE_HIGH = 12.0, 228.0  # soft-clip knees on the 0-255 L scale
_GLINT_BOOST = 32.0  # L added to the brightest strands at shine 100 (0-255 scale)
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


def _soft_clip(light: np.ndarray) -> np.ndarray:
    """Compress L smoothly past the knees so highlights and shadows keep detail instead of clipping
    (monotonic, in place; the result stays inside 0-255)."""
    over = np.maximum(light - _KNEE_HIGH, 0.0)
    light -= over * over / (over + (255.0 - _KNEE_HIGH))
    under = np.maximum(_KNEE_LOW - light, 0.0)
    light += under * under / (under + _KNEE_LOW)
    return light


def _check(pixels: np.ndarray, mask: np.ndarray) -> None:
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"pixels must be uint8 H x W x 3 RGB, got {pixels.dtype} {pixels.shape}")
    if mask.shape != pixels.shape[:2]:
        raise ValueError(f"mask must be H x W = {pixels.shape[:2]}, got {mask.shape}")


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
        _check(pixels, mask)
        out = pixels.copy()
        if look.intensity == 0:
            return out
        x, y, w, h = cv2.boundingRect((mask > 0).view(np.uint8))
        if w == 0 or h == 0:
            return out
        rgb = np.ascontiguousarray(pixels[y : y + h, x : x + w])
        alpha = np.clip(mask[y : y + h, x : x + w].astype(np.float32, copy=False), 0.0, 1.0)
        tinted, trust = self._tint(rgb, alpha, look)
        alpha *= trust
        alpha *= np.float32(look.intensity / 100.0)
        out[y : y + h, x : x + w] = _blend(rgb, tinted, alpha)
        return out

    def _tint(self, rgb: np.ndarray, hair: np.ndarray, look: Look) -> tuple[np.ndarray, np.ndarray]:
        """The whole crop fully recoloured (before blending), and how far each pixel can be trusted
        to be hair (float32 0-1); ``hair`` is the crop's mask."""
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
        core = hair >= _HAIR_CORE
        if not core.any():
            core = hair > 0.0
        core = core.view(np.uint8) * np.uint8(255)
        light, chan_a, chan_b = cv2.split(lab)
        stats = _hair_stats(light, lab, core)
        trust = _trust(light, core, stats)

        def apply(shade: Shade, rows: slice) -> np.ndarray:
            curves = _curves(stats, self._lab(shade), look.shine)
            old_l = light[rows]
            channels = [cv2.LUT(old_l, curves.light)]
            for old, texture, tint, negative in zip((chan_a[rows], chan_b[rows]), curves.texture, curves.tint,
                                                    curves.negative):
                combine = cv2.subtract if negative else cv2.add  # saturating, uint8
                channels.append(combine(cv2.LUT(old, texture), cv2.LUT(old_l, tint)))
            return cv2.merge(channels)

        if look.tips is None or lab.shape[0] < 2:
            tinted = apply(look.shade, slice(None))
        else:  # roots shade above the band, tips shade below it, a vertical blend inside it
            weight = _ombre_weights(lab.shape[0])
            first, last = int(np.searchsorted(weight, 0.0, side="right")), int(np.searchsorted(weight, 1.0))
            roots, tips = apply(look.shade, slice(None, last)), apply(look.tips, slice(first, None))
            tinted = np.empty_like(lab)
            tinted[:first], tinted[last:] = roots[:first], tips[last - first :]
            if last > first:
                tip_share = np.repeat(weight[first:last, None], lab.shape[1], axis=1)
                tinted[first:last] = cv2.blendLinear(roots[first:], tips[: last - first], 1.0 - tip_share, tip_share)
        return cv2.cvtColor(tinted, cv2.COLOR_Lab2RGB), trust


class _HairStats(NamedTuple):
    """The hair's typical 8-bit Lab (median lightness, mean a and b) and the spread of its lightness
    (half the 16th-84th percentile range: a standard deviation that background caught in a coarse
    mask cannot inflate)."""

    light: float
    a: float
    b: float
    spread: float
    bright: float  # the 95th percentile of lightness: where the highlights reach


def _hair_stats(light: np.ndarray, lab: np.ndarray, core: np.ndarray) -> _HairStats:
    counts = cv2.calcHist([light], [0], core, [256], [0, 256]).ravel().cumsum()
    low, median, high, bright = np.searchsorted(counts, counts[-1] * np.array([0.16, 0.5, 0.84, 0.95]))
    mean = cv2.mean(lab, mask=core)
    return _HairStats(float(median), mean[1], mean[2], spread=max((high - low) / 2.0, 2.0), bright=float(bright))


class _Curves(NamedTuple):
    """Look-up tables (uint8, 256 entries) that make the new 8-bit Lab from the old one.

    ``light`` maps old L to new L. For a and b, ``texture`` maps the old value to 128 plus a trace of
    its variation, and ``tint`` maps old L to the size of the shade's a or b at that lightness, to be
    added to the texture, or subtracted where ``negative``. Splitting a signed chroma into size and
    sign keeps every step a fast saturating uint8 operation."""

    light: np.ndarray
    texture: tuple[np.ndarray, np.ndarray]
    tint: tuple[np.ndarray, np.ndarray]
    negative: tuple[bool, bool]


def _curves(hair: _HairStats, target: np.ndarray, shine: int) -> _Curves:
    """The tables for one shade on this hair (see ``_Curves``)."""
    level = np.arange(256, dtype=np.float32)
    target_l, target_a, target_b = (float(v) for v in target)
    # Going lighter stretches the strand-to-strand contrast, going darker squeezes it.
    gain = float(np.clip(((target_l + 25.0) / (hair.light + 25.0)) ** 0.6, 0.5, 2.0))
    # The hair's median goes to the shade's lightness, lowered a little for very light shades so
    # the highlights keep room above it instead of flattening against white.
    centre = max(0.85 * target_l, min(target_l, _KNEE_HIGH + 10.0 - (hair.bright - hair.light) * gain))
    deviation = level - hair.light
    new_l = centre + deviation * gain
    glint = np.clip(deviation / hair.spread - 0.5, 0.0, 1.5) * (shine / 150.0)
    new_l += glint * _GLINT_BOOST
    _soft_clip(new_l)
    # Chroma is the shade's, fading towards shadow and highlight (a tent peaking at the shade's L).
    # Shadows lose it all, highlights keep some: bleached-out hair still reads as its colour.
    shadow_fade = new_l / max(target_l, 1.0)
    highlight_fade = 0.4 + 0.6 * (255.0 - new_l) / max(255.0 - target_l, 1.0)
    fade = np.clip(np.minimum(shadow_fade, highlight_fade) * 1.25, 0.0, 1.0) * (1.0 - 0.3 * glint)
    return _Curves(
        light=_table(new_l),
        texture=(_table((level - hair.a) * _CHROMA_KEEP + 128.0), _table((level - hair.b) * _CHROMA_KEEP + 128.0)),
        tint=(_table(fade * abs(target_a)), _table(fade * abs(target_b))),
        negative=(target_a < 0, target_b < 0),
    )


def _trust(light: np.ndarray, core: np.ndarray, hair: _HairStats) -> np.ndarray:
    """How far each pixel can be trusted to be hair (float32 0-1). Inside the hair, fully. Near the
    edge of the mask, pixels much brighter than the hair are mostly background showing through
    wisps or caught by a coarse mask; tinting them draws a pale halo, so trust falls from 1 at a
    step above the hair's median to 0 a step further (a step: 2 spreads, at least 40 levels)."""
    step = max(2.0 * hair.spread, 40.0)
    t = np.clip((np.arange(256, dtype=np.float32) - hair.light) / step - 1.0, 0.0, 1.0)
    by_light = cv2.LUT(light, (1.0 - t * t * (3.0 - 2.0 * t)).reshape(1, 256))
    size = max(3, round(0.02 * max(core.shape))) | 1
    surrounded = cv2.blur(core, (size, size))  # 255 where the whole window is hair
    inside = cv2.LUT(surrounded, np.clip((np.arange(256, dtype=np.float32) - 191.0) / 63.0, 0.0, 1.0).reshape(1, 256))
    return cv2.max(by_light, inside)


def _table(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _blend(base: np.ndarray, top: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``base + alpha * (top - base)`` as uint8. Exact wherever alpha is 0: OpenCV computes
    ``(w1 * base + w2 * top) / (w1 + w2 + 1e-5)`` and rounds, which with w1 = 1, w2 = 0 is base."""
    return cv2.blendLinear(base, top, 1.0 - alpha, alpha)
