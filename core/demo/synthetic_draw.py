"""The drawing behind :mod:`core.demo.synthetic`'s portrait: the style a seed picks (``PortraitStyle``),
the geometry of a head and shoulders in pixels and the sprites (back hair, skin, face, front hair, body,
backdrop) drawn once per size and seed. It imports nothing from ``synthetic``, which picks the style
and puts the sprites together."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class PortraitStyle:
    """The look one seed gives: colours are sRGB 0-255; ``length`` 0 (chin) to 1 (past the shoulders),
    ``wave`` 0 (straight) to 1, ``part`` -1 (left) to 1 (right), ``fringe`` 0 (forehead bare) to 1 (bangs)."""

    hair_rgb: tuple[int, int, int]
    skin_rgb: tuple[int, int, int]
    eye_rgb: tuple[int, int, int]
    shirt_rgb: tuple[int, int, int]
    backdrop: tuple[tuple[int, int, int], tuple[int, int, int]]
    length: float
    wave: float
    part: float
    fringe: float


_SHIFT = 4  # fractional bits for cv2 drawing
_ONE = 1 << _SHIFT


class Geometry:
    """Where things are, in pixels. The face is an egg of half-width ``a`` and half-height ``b``
    centred on (cx, cy); the hair dome is a larger ellipse a little above it."""

    def __init__(self, width: int, height: int, scale: float, style: PortraitStyle):
        self.width, self.height, self.scale = width, height, scale
        self.a, self.b = 0.132 * scale, 0.178 * scale
        self.cx, self.cy = width / 2, height / 2 - 0.07 * scale
        self.neck_base = self.cy + self.b + 0.09 * scale
        self.dome_cy = self.cy - 0.1 * self.b
        self.dome_a, self.dome_b = 1.2 * self.a, 1.04 * self.b
        self.part_x = self.cx + style.part * 0.45 * self.a
        frac = (self.part_x - self.cx) / self.dome_a
        self.part_y = self.dome_cy - self.dome_b * math.sqrt(1 - frac * frac) + 0.02 * self.b
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        self.x = (xx - self.cx) / self.a  # face-normalised coordinates
        self.y = (yy - self.cy) / self.b

    def face_box(self) -> tuple[float, float, float, float]:
        """The face egg's box (x0, y0, x1, y1): brow line to chin, cheek to cheek."""
        return self.cx - self.a, self.cy - self.b, self.cx + self.a, self.cy + 1.04 * self.b

    def head_box(self) -> tuple[float, float, float, float]:
        """The head's box: the hair dome's crown to the chin, the dome's sides."""
        return self.cx - self.dome_a, self.dome_cy - self.dome_b, self.cx + self.dome_a, self.cy + 1.04 * self.b

    def face_outline(self, n: int = 96) -> np.ndarray:
        theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
        s = np.sin(theta)
        x = np.cos(theta) * (1 - 0.2 * np.clip(s, 0, 1) ** 2)  # narrower towards the chin
        y = s * (1 + 0.04 * np.clip(s, 0, 1))
        return np.stack([self.cx + self.a * x, self.cy + self.b * y], 1)


def _fill(canvas, points, value) -> None:
    cv2.fillPoly(canvas, [np.round(np.asarray(points) * _ONE).astype(np.int32)], value, cv2.LINE_AA, _SHIFT)


def _lines(canvas, paths, value, thickness: int = 1) -> None:
    """Anti-aliased open polylines; ``paths`` is a list of (n, 2) float arrays or one (count, n, 2) array."""
    if isinstance(paths, np.ndarray):
        pts = list(np.round(paths * _ONE).astype(np.int32))
    else:
        pts = [np.round(p * _ONE).astype(np.int32) for p in paths]
    cv2.polylines(canvas, pts, False, value, thickness, cv2.LINE_AA, _SHIFT)


def _ellipse(canvas, centre, axes, angle, value, start=0, end=360, thickness=-1) -> None:
    c = tuple(round(v * _ONE) for v in centre)
    ax = tuple(max(1, round(v * _ONE)) for v in axes)
    cv2.ellipse(canvas, c, ax, angle, start, end, value, thickness, cv2.LINE_AA, _SHIFT)


def _tone(hair_rgb, brightness: np.ndarray, sheen: np.ndarray) -> np.ndarray:
    """Hair colour at a brightness (1 = the swatch) with a soft whitish specular sheen added."""
    base = np.asarray(hair_rgb, np.float32)
    rgb = brightness[:, :, None] * base + (sheen * brightness)[:, :, None] * np.float32(70.0)
    return np.clip(rgb, 0, 255)


def _draw_strands(bright: np.ndarray, alpha: np.ndarray, paths: np.ndarray, values: np.ndarray, rng) -> None:
    """Draw (count, n, 2) strands in a few random batches; in a batch, strands of one brightness share a call."""
    fixed = np.round(paths * _ONE).astype(np.int32)
    levels = np.clip(np.round(values * 100 / 6) * 6, 6, 250).astype(int)
    for batch in np.array_split(rng.permutation(len(paths)), 6):
        for level in rng.permutation(np.unique(levels[batch])):
            chosen = batch[levels[batch] == level]
            cv2.polylines(bright, list(fixed[chosen]), False, (int(level),), 1, cv2.LINE_AA, _SHIFT)
    cv2.polylines(alpha, list(fixed), False, (255,), 1, cv2.LINE_AA, _SHIFT)


def _bezier(p0, p1, p2, n) -> np.ndarray:
    """Points of quadratic Bezier curves: control points (..., 2) give (..., n, 2)."""
    s = np.linspace(0, 1, n)[:, None]
    p0, p1, p2 = (np.asarray(p, np.float64)[..., None, :] for p in (p0, p1, p2))
    return (1 - s) ** 2 * p0 + 2 * s * (1 - s) * p1 + s**2 * p2


def draw_front_hair(g: Geometry, style: PortraitStyle, rng) -> tuple[np.ndarray, np.ndarray]:
    """The hair over the scalp, combed from the parting to the hairline, with locks framing the face."""
    a, b = g.a, g.b
    count = int(6 * g.scale) + 150
    clumps = rng.integers(0, 60, count)
    clump_shift = rng.normal(0, 0.05 * a, 60)
    clump_light = rng.lognormal(0, 0.18, 60)
    side = np.where(rng.random(count) < 0.5, -1.0, 1.0)
    reach = np.abs(rng.normal(0, 0.55, count)).clip(0, 1.0) ** 0.8 * 1.1 * a
    qx = g.cx + side * reach + clump_shift[clumps]
    u = np.clip(np.abs(qx - g.cx) / (0.9 * a), 0, 1.4)
    lock = np.clip((u - 0.95) / 0.3, 0, 1) ** 2
    qy = g.cy + b * (-0.95 + 0.33 * style.fringe + (0.83 - 0.33 * style.fringe) * np.minimum(u, 1) ** 2 + lock * rng.uniform(0.35, 0.95, count))
    qy += rng.normal(0, 0.03 * b, count) + 0.06 * b * (qx - g.part_x) / a * np.sign(g.part_x - g.cx + 1e-6)
    q = np.stack([qx, qy], 1)
    p0 = np.stack([g.part_x + rng.normal(0, 0.04 * a, count), g.part_y + np.abs(rng.normal(0, 0.02 * b, count))], 1)
    ctrl = np.stack([qx + (qx - p0[:, 0]) * 0.18, p0[:, 1] + (qy - p0[:, 1]) * 0.08 - 0.04 * b], 1)
    heading = (q - ctrl) / (np.linalg.norm(q - ctrl, axis=1, keepdims=True) + 1e-6)
    tip = q + heading * rng.uniform(0, 0.06 * b, (count, 1)) * (1 + 2 * lock[:, None])
    paths = np.concatenate([_bezier(p0, ctrl, q, 28), tip[:, None]], 1)
    values = clump_light[clumps] * rng.lognormal(0, 0.22, count)

    h, w = g.height, g.width
    bright = np.full((h, w), 55, np.uint8)
    alpha: np.ndarray = np.zeros((h, w), np.uint8)
    _lines(alpha, paths[:, :-1], 255, thickness=2)
    alpha = cv2.morphologyEx(alpha, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    _draw_strands(bright, alpha, paths, values, rng)

    # A ring of sheen on the crown, shadow deeper in towards the face.
    dx, dy = (g.x * g.a) / g.dome_a, (g.y * g.b + g.cy - g.dome_cy) / g.dome_b
    rho = np.sqrt(dx * dx + dy * dy)
    sheen = np.exp(-(((rho - 0.78) / 0.09) ** 2)) * np.clip(-dy * 2.2, 0, 1) * (1 - 0.25 * dx)
    shade = 1.0 - 0.3 * np.clip((g.y + 0.2) / 0.6, 0, 1)
    value = bright.astype(np.float32) / 100 * shade * (0.92 + 0.55 * sheen)
    return _tone(style.hair_rgb, value, sheen * 0.6), alpha


def draw_back_hair(g: Geometry, style: PortraitStyle, rng) -> tuple[np.ndarray, np.ndarray]:
    """Hair behind the head falling past the face and neck, in locks that may wave."""
    b, s = g.b, g.scale
    end_y = g.cy + b + (0.05 + 0.45 * style.length) * s
    amp, wavelength = 0.035 * s * style.wave, (0.12 + 0.06 * rng.random()) * s
    count = int(8 * s) + 200
    clumps = rng.integers(0, 70, count)
    clump_k = rng.uniform(0.78, 0.99, 70)
    clump_phase = rng.uniform(0, 2 * np.pi, 70)
    clump_len = rng.normal(0, 0.04 * s, 70)
    clump_light = rng.lognormal(0, 0.2, 70)
    side = np.where(clumps % 2 == 0, -1.0, 1.0)[:, None]
    k = np.minimum(clump_k[clumps] + rng.normal(0, 0.02, count), 1.0)[:, None]

    start = np.arccos(np.clip(side * (g.part_x - g.cx) / (g.dome_a * k), -1, 1))
    psi = start * np.linspace(1, 0, 14)[None, :]
    arc = np.stack([g.cx + side * g.dome_a * k * np.cos(psi), g.dome_cy - g.dome_b * k * np.sin(psi)], 2)
    stop = end_y + clump_len[clumps][:, None] + rng.normal(0, 0.02 * s, (count, 1))
    drop = np.linspace(0, 1, 48)[None, :]
    fy = g.dome_cy + (stop - g.dome_cy) * drop
    fx = g.cx + side * (g.dome_a * k + 0.16 * (fy - g.dome_cy) * drop)
    fx += amp * np.sin(2 * np.pi * (fy - g.dome_cy) / wavelength + clump_phase[clumps][:, None]) * drop
    fx -= side * 0.03 * s * drop**3 * rng.random((count, 1))  # tips curl in a little
    paths = np.concatenate([arc, np.stack([fx, fy], 2)[:, 1:]], 1)
    values = clump_light[clumps] * rng.lognormal(0, 0.25, count)

    h, w = g.height, g.width
    bright = np.full((h, w), 40, np.uint8)
    alpha = np.zeros((h, w), np.uint8)
    flare = 0.1 * (end_y - g.dome_cy)
    body = np.array([[g.cx - 0.95 * g.dome_a, g.dome_cy], [g.cx + 0.95 * g.dome_a, g.dome_cy],
                     [g.cx + 0.95 * g.dome_a + flare, end_y - 0.04 * s], [g.cx - 0.95 * g.dome_a - flare, end_y - 0.04 * s]])
    _fill(alpha, body, 255)
    _ellipse(alpha, (g.cx, g.dome_cy), (0.97 * g.dome_a, 0.97 * g.dome_b), 0, 255)
    _draw_strands(bright, alpha, paths, values, rng)

    # Darker deep behind the neck, a soft sheen where the hair turns over the crown.
    depth = np.clip(1 - np.abs(g.x * g.a) / (g.dome_a * 0.95), 0, 1)
    dy = (g.y * g.b + g.cy - g.dome_cy) / g.dome_b
    sheen = np.exp(-(((np.sqrt((g.x * g.a / g.dome_a) ** 2 + dy * dy) - 0.9) / 0.1) ** 2)) * np.clip(-dy * 2, 0, 1)
    value = bright.astype(np.float32) / 100 * (1 - 0.55 * depth**0.7) * (0.85 + 0.4 * sheen)
    return _tone(style.hair_rgb, value, sheen * 0.4), alpha


def draw_skin(g: Geometry, style: PortraitStyle) -> tuple[np.ndarray, np.ndarray]:
    """Face, ears and neck as shaded skin (no features yet) and their coverage."""
    a, b, s = g.a, g.b, g.scale
    h, w = g.height, g.width
    alpha = np.zeros((h, w), np.uint8)
    neck_top, neck_bottom = g.cy + 0.3 * b, g.neck_base + 0.08 * s
    neck = np.array([[g.cx - 0.5 * a, neck_top], [g.cx + 0.5 * a, neck_top], [g.cx + 0.46 * a, g.neck_base - 0.06 * s],
                     [g.cx + 0.62 * a, neck_bottom], [g.cx - 0.62 * a, neck_bottom], [g.cx - 0.46 * a, g.neck_base - 0.06 * s]])
    _fill(alpha, neck, 255)
    for side in (-1, 1):
        _ellipse(alpha, (g.cx + side * 0.97 * a, g.cy + 0.05 * b), (0.14 * a, 0.27 * b), side * 8, 255)
    face = np.zeros((h, w), np.uint8)
    _fill(face, g.face_outline(), 255)
    alpha = np.maximum(alpha, face)

    x, y = g.x, g.y
    rho = np.sqrt(x * x + y * y)
    face_shade = 1.05 - 0.28 * np.clip(rho, 0, 1.2) ** 5 - 0.07 * x - 0.03 * y
    neck_shade = (0.72 + 0.18 * np.clip((y - 1.0) / 0.6, 0, 1)) * (1 - 0.2 * np.clip(np.abs(x) / 0.6, 0, 1) ** 2)
    f = face.astype(np.float32) / 255
    jaw = cv2.distanceTransform((face < 128).astype(np.uint8), cv2.DIST_L2, 3) / b
    neck_shade *= 1 - 0.3 * np.exp(-jaw / 0.12) * np.clip((y - 0.4) / 0.3, 0, 1)  # shadow under the jaw
    shade = f * face_shade + (1 - f) * neck_shade
    # soft features in the shading: eye sockets, the side of the nose, under the lip, the cheeks
    shade -= 0.09 * np.exp(-(((np.abs(x) - 0.38) / 0.28) ** 2 + ((y + 0.08) / 0.13) ** 2))
    shade -= 0.06 * np.exp(-(((x - 0.1) / 0.06) ** 2 + ((y - 0.12) / 0.25) ** 2))
    shade += 0.05 * np.exp(-(((x + 0.03) / 0.08) ** 2 + ((y - 0.26) / 0.08) ** 2))
    shade -= 0.05 * np.exp(-((x / 0.25) ** 2 + ((y - 0.74) / 0.05) ** 2))
    blush = 0.35 * np.exp(-(((np.abs(x) - 0.5) / 0.2) ** 2 + ((y - 0.3) / 0.15) ** 2)) * f
    skin = np.asarray(style.skin_rgb, np.float32)
    rgb = shade[:, :, None] * skin + blush[:, :, None] * np.array([14, -10, -8], np.float32)
    return np.clip(rgb, 0, 255), alpha


def shade_under_hair(skin_rgb: np.ndarray, hair_alpha: np.ndarray, g: Geometry) -> None:
    """The hair casts a soft shadow on the forehead and temples."""
    outside = (hair_alpha < 128).astype(np.uint8)
    dist = cv2.distanceTransform(outside, cv2.DIST_L2, 3)
    skin_rgb *= (1 - 0.28 * np.exp(-dist / (0.06 * g.a)))[:, :, None]


def draw_face(rgb: np.ndarray, g: Geometry, style: PortraitStyle) -> None:
    """Eyes, brows, nose and mouth drawn onto the shaded skin (uint8 RGB, in place)."""
    a, b, cx, cy = g.a, g.b, g.cx, g.cy
    skin = np.asarray(style.skin_rgb, np.float32)
    brow = tuple(float(v) for v in skin * np.array([0.36, 0.33, 0.32], np.float32))  # from the skin, so hair recolouring leaves brows alone
    lid = tuple(float(v) for v in skin * 0.3)
    for side in (-1, 1):
        ex, ey = cx + side * 0.37 * a, cy - 0.06 * b
        eye = np.array([[ex - side * 0.22 * a, ey], [ex - side * 0.08 * a, ey - 0.08 * b], [ex + side * 0.1 * a, ey - 0.075 * b],
                        [ex + side * 0.22 * a, ey + 0.005 * b], [ex + side * 0.05 * a, ey + 0.055 * b], [ex - side * 0.1 * a, ey + 0.045 * b]])
        smooth = _bezier_loop(eye)
        _fill(rgb, smooth, (232, 226, 220))
        _ellipse(rgb, (ex + 0.01 * a, ey - 0.005 * b), (0.095 * a, 0.095 * a), 0, tuple(float(v) for v in style.eye_rgb))
        _ellipse(rgb, (ex + 0.01 * a, ey - 0.005 * b), (0.045 * a, 0.045 * a), 0, (18, 14, 14))
        _ellipse(rgb, (ex - 0.02 * a, ey - 0.03 * b), (0.018 * a, 0.018 * a), 0, (250, 250, 250))
        # the upper lid covers the top of the iris and carries the lashes
        top = smooth[: len(smooth) // 2 + 1]
        _fill(rgb, np.vstack([top, top[::-1] + np.array([0, -0.06 * b])]), tuple(float(v) for v in skin * 0.86))
        _lines(rgb, [top], lid, thickness=max(1, int(0.03 * a)))
        _lines(rgb, [top + np.array([0, -0.06 * b])], tuple(float(v) for v in skin * 0.72))
        bx = np.linspace(0.12, 0.66, 12)
        arch = cy - b * (0.3 + 0.06 * np.sin(np.pi * (bx - 0.12) / 0.6) - 0.03 * bx)
        upper = np.stack([cx + side * bx * a, arch - 0.035 * b * (1 - bx)], 1)
        lower = np.stack([cx + side * bx * a, arch + 0.03 * b * (1 - 0.6 * bx)], 1)
        _fill(rgb, np.vstack([upper, lower[::-1]]), brow)
        _ellipse(rgb, (cx + side * 0.09 * a, cy + 0.315 * b), (0.05 * a, 0.022 * b), side * 20, tuple(float(v) for v in skin * 0.55))
    nose = np.array([[cx + 0.06 * a, cy - 0.12 * b], [cx + 0.1 * a, cy + 0.15 * b], [cx + 0.18 * a, cy + 0.28 * b]])
    _lines(rgb, [_bezier(nose[0], nose[1], nose[2], 10)], tuple(float(v) for v in skin * 0.8))

    lip = skin * np.array([0.85, 0.62, 0.62], np.float32) + np.array([22, 4, 8], np.float32)
    my, mw = cy + 0.6 * b, 0.3 * a
    upper = np.array([[cx - mw, my], [cx - 0.4 * mw, my - 0.08 * b], [cx, my - 0.05 * b], [cx + 0.4 * mw, my - 0.08 * b],
                      [cx + mw, my], [cx, my + 0.01 * b]])
    _fill(rgb, _bezier_loop(upper), tuple(float(v) for v in lip * 0.85))
    _ellipse(rgb, (cx, my + 0.035 * b), (0.8 * mw, 0.06 * b), 0, tuple(float(v) for v in lip), 0, 180)
    _ellipse(rgb, (cx - 0.1 * mw, my + 0.05 * b), (0.35 * mw, 0.02 * b), 0, tuple(float(v) for v in np.minimum(lip * 1.15, 255)))
    _lines(rgb, [_bezier((cx - mw, my), (cx, my + 0.03 * b), (cx + mw, my), 12)],
           tuple(float(v) for v in lip * 0.45))


def _bezier_loop(points: np.ndarray, per_edge: int = 6) -> np.ndarray:
    """A smooth closed curve through the midpoints of a polygon's edges, bending at its corners."""
    n = len(points)
    out = []
    for i in range(n):
        p0 = (points[i - 1] + points[i]) / 2
        p2 = (points[i] + points[(i + 1) % n]) / 2
        out.append(_bezier(p0, points[i], p2, per_edge)[:-1])
    return np.vstack(out)


def draw_body(g: Geometry, style: PortraitStyle) -> tuple[np.ndarray, np.ndarray, int]:
    """Shoulders in a top with a round neckline (static), as RGB, coverage (float 0-1) and first row."""
    a, s, h, w = g.a, g.scale, g.height, g.width
    xs = np.linspace(-3.4 * a, 3.4 * a, 90)
    u = np.abs(xs)
    slope = np.clip((u - 0.55 * a) / (1.9 * a), 0, 1)
    ys = g.neck_base - 0.005 * s + 0.1 * s * slope**1.4 * (3 - 2 * slope) / 2 + 0.5 * s * np.clip((u - 2.3 * a) / (1.1 * a), 0, 1) ** 2.2
    outline = np.vstack([np.stack([g.cx + xs, ys], 1), [[g.cx + 3.4 * a, h + 4], [g.cx - 3.4 * a, h + 4]]])
    alpha = np.zeros((h, w), np.uint8)
    _fill(alpha, outline, 255)

    shirt = np.asarray(style.shirt_rgb, np.float32)
    skin = np.asarray(style.skin_rgb, np.float32)
    x = g.x
    shade = 0.95 - 0.12 * np.clip(np.abs(x) / 3.2, 0, 1) ** 2 - 0.06 * x / 3
    rgb = (shade[:, :, None] * shirt).astype(np.float32)
    neckline = np.zeros((h, w), np.uint8)
    nx = np.linspace(-0.85 * a, 0.85 * a, 30)
    ny = g.neck_base - 0.01 * s + 0.1 * s * (1 - (nx / (0.85 * a)) ** 2) ** 0.8
    _fill(neckline, np.stack([g.cx + nx, ny], 1), 255)
    n = neckline.astype(np.float32)[:, :, None] / 255
    chest = (0.8 - 0.1 * np.clip(np.abs(x), 0, 1))[:, :, None] * skin
    rgb = np.clip(n * chest + (1 - n) * rgb + 0.5, 0, 255).astype(np.uint8)
    _lines(rgb, [np.stack([g.cx + nx, ny + 0.004 * s], 1)], tuple(float(v) for v in shirt * 0.6), thickness=max(1, int(0.006 * s)))
    top = max(0, int(g.neck_base - 0.03 * s))
    return rgb, alpha.astype(np.float32) / 255, top


def draw_background(width: int, height: int, style: PortraitStyle, seed: int) -> np.ndarray:
    """A soft studio-like backdrop: a vertical gradient, a light patch and a vignette."""
    top, bottom = (np.asarray(c, np.float32) for c in style.backdrop)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    v = yy / max(height - 1, 1)
    rng = np.random.default_rng([seed, 4])
    lx, ly = rng.uniform(0.15, 0.85) * width, rng.uniform(0.1, 0.4) * height
    glow = np.exp(-(((xx - lx) ** 2 + (yy - ly) ** 2) / (0.35 * max(width, height)) ** 2))
    r = np.sqrt(((xx - width / 2) / width) ** 2 + ((yy - height / 2) / height) ** 2)
    light = (1 + 0.12 * glow - 0.35 * r**2)[:, :, None]
    rgb = ((1 - v)[:, :, None] * top + v[:, :, None] * bottom) * light
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
