"""A procedurally drawn head-and-shoulders portrait with its exact hair mask.

It is the built-in demo clip and the benchmark source: no camera, photo or data set needed. Each seed
gives a different person (hair colour, length, wave and parting, skin tone, clothes, backdrop); ``t``
sways and bobs the head so a clip has motion. ``head`` sets how large the head is: by default a close
portrait (the head about 40 % of a landscape frame's height); :func:`head_share_at` gives the share for a
person at a distance from the camera (``HEAD_AT_1M`` at one metre). Everything slow (strand geometry, shading) is drawn once
per (size, seed) into sprites and cached; a frame only warps and blends them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from core.demo.synthetic_draw import (
    Geometry,
    PortraitStyle,
    draw_back_hair,
    draw_background,
    draw_body,
    draw_face,
    draw_front_hair,
    draw_skin,
    shade_under_hair,
)

HAIR_COLOURS = [(58, 38, 26), (30, 24, 22), (96, 62, 38), (128, 58, 32), (160, 122, 76), (196, 160, 104)]
SKIN_TONES = [(236, 196, 168), (222, 172, 138), (196, 142, 106), (156, 104, 74), (108, 72, 52)]
EYE_COLOURS = [(80, 52, 32), (60, 90, 120), (70, 100, 60), (50, 34, 24)]
SHIRT_COLOURS = [(52, 78, 120), (150, 40, 48), (60, 60, 66), (210, 206, 198), (48, 96, 80), (120, 92, 150)]
BACKDROPS = [((196, 204, 214), (120, 130, 146)), ((214, 204, 186), (140, 126, 108)),
             ((190, 206, 196), (108, 128, 118)), ((226, 226, 222), (160, 160, 158))]


def portrait_style(seed: int = 0) -> PortraitStyle:
    rng = np.random.default_rng([seed % 2**32, 1])
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    return PortraitStyle(
        hair_rgb=pick(HAIR_COLOURS),
        skin_rgb=pick(SKIN_TONES),
        eye_rgb=pick(EYE_COLOURS),
        shirt_rgb=pick(SHIRT_COLOURS),
        backdrop=pick(BACKDROPS),
        length=float(rng.uniform(0.35, 1.0)),
        wave=float(rng.uniform(0.0, 1.0)),
        part=float(rng.uniform(-0.6, 0.6)),
        fringe=float(rng.uniform(0.0, 1.0)),
    )


# The head (crown to chin) of a person one metre from a 1080p webcam of 70-78 degrees, as a share of the
# frame's height: the small end of what such a lens sees, so whatever is shown with it is the harder case.
HEAD_AT_1M = 0.19
HEAD_SPAN = 2.18 * 0.178  # crown to chin in units of the portrait's scale (synthetic_draw.Geometry)


def head_share_at(distance_m: float) -> float:
    """The head's share of the frame's height for a person ``distance_m`` metres from the camera."""
    if not distance_m > 0:
        raise ValueError(f"a distance must be above 0 m, got {distance_m}")
    return HEAD_AT_1M / distance_m


def render_portrait(width: int, height: int, t: float, seed: int = 0,
                    head: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8 H x W x 3, hair mask bool H x W) for time ``t`` seconds; deterministic for (size, t, seed,
    head). ``head``: the head's height (crown to chin) as a share of the frame's; None: a close portrait."""
    if width < 16 or height < 16:
        raise ValueError(f"portrait size must be at least 16 x 16, got {width} x {height}")
    scene = _scene(int(width), int(height), int(seed) % 2**32, head)
    matrix = _placement(scene, t)

    x0, y0, x1, y1 = scene.roi
    ox, oy = scene.sprite_origin
    local = matrix.copy()
    local[:, 2] += matrix[:, 0] * ox + matrix[:, 1] * oy - (x0, y0)
    size = (x1 - x0, y1 - y0)
    moved = cv2.warpAffine(scene.sprite, local, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    hair = cv2.warpAffine(scene.sprite_hair, local, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)

    image = scene.background.copy()
    below = image[y0:y1, x0:x1]
    alpha = moved[:, :, 3].astype(np.float32) * (1 / 255)
    image[y0:y1, x0:x1] = cv2.blendLinear(np.ascontiguousarray(moved[:, :, :3]), below, alpha, 1 - alpha)

    # The shoulders are in front of the neck and the hair behind it.
    top = scene.body_top
    image[top:] = cv2.blendLinear(scene.body_rgb, image[top:], scene.body_alpha, scene.body_clear)
    cover = np.zeros((height, width), np.float32)
    cover[y0:y1, x0:x1] = hair
    cover[top:] *= scene.body_clear
    mask = cover > 127.5  # hair covers more than half the pixel

    plus, minus = scene.noise[round(t * 30) % len(scene.noise)]
    cv2.add(image, plus, dst=image)
    cv2.subtract(image, minus, dst=image)
    return image, mask


def portrait_boxes(width: int, height: int, t: float, seed: int = 0,
                   head: float | None = None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Where the drawn face and head are at time ``t`` (the boxes at rest, moved with the head's sway;
    its small roll is left out): (face box, head box), each (x0, y0, x1, y1) in pixels."""
    scene = _scene(int(width), int(height), int(seed) % 2**32, head)
    matrix = _placement(scene, t)
    boxes = []
    for x0, y0, x1, y1 in (scene.face_box, scene.head_box):
        cx, cy = matrix @ np.array([(x0 + x1) / 2, (y0 + y1) / 2, 1.0])
        half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
        boxes.append((float(cx - half_w), float(cy - half_h), float(cx + half_w), float(cy + half_h)))
    return boxes[0], boxes[1]


def _placement(scene: _Scene, t: float) -> np.ndarray:
    """The head's affine placement (2 x 3) at time ``t``: its sway round the neck."""
    angle, dx, dy = _pose(float(t), scene.phases, scene.scale)
    matrix: np.ndarray = cv2.getRotationMatrix2D(scene.pivot, angle, 1.0)
    matrix[:, 2] += (dx, dy)
    return matrix


def _pose(t: float, phases: np.ndarray, scale: float) -> tuple[float, float, float]:
    """Head roll in degrees and shift in pixels: a slow sway with a small bob."""
    angle = 3.2 * math.sin(2 * math.pi * 0.23 * t + phases[0]) + 1.1 * math.sin(2 * math.pi * 0.61 * t + phases[1])
    dx = 0.018 * scale * math.sin(2 * math.pi * 0.17 * t + phases[2])
    dy = 0.008 * scale * math.sin(2 * math.pi * 0.47 * t + phases[3])
    return angle, dx, dy


@dataclass
class _Scene:
    scale: float
    pivot: tuple[float, float]
    phases: np.ndarray
    background: np.ndarray
    sprite: np.ndarray  # RGBA of head, neck and hair, cropped
    sprite_hair: np.ndarray  # hair coverage 0-255 in the sprite
    sprite_origin: tuple[int, int]
    roi: tuple[int, int, int, int]  # where the moving sprite can land: x0, y0, x1, y1
    body_top: int
    body_rgb: np.ndarray
    body_alpha: np.ndarray
    body_clear: np.ndarray
    noise: list[tuple[np.ndarray, np.ndarray]]
    face_box: tuple[float, float, float, float]  # at rest (synthetic_draw.Geometry)
    head_box: tuple[float, float, float, float]


@lru_cache(maxsize=4)
def _scene(width: int, height: int, seed: int, head: float | None = None) -> _Scene:
    style = portrait_style(seed)
    rng = np.random.default_rng([seed, 2])
    scale = float(min(height, width * 0.9)) if head is None else head * height / HEAD_SPAN
    g = Geometry(width, height, scale, style)

    back_rgb, back_alpha = draw_back_hair(g, style, rng)
    skin_rgb, skin_alpha = draw_skin(g, style)
    cap_rgb, cap_alpha = draw_front_hair(g, style, rng)
    shade_under_hair(skin_rgb, cap_alpha, g)
    skin_rgb = np.clip(skin_rgb + 0.5, 0, 255).astype(np.uint8)
    draw_face(skin_rgb, g, style)
    skin_rgb = skin_rgb.astype(np.float32)

    # Combine back hair, skin and front hair into one sprite (straight alpha) plus hair coverage.
    ab, as_, ac = (a.astype(np.float32)[:, :, None] / 255 for a in (back_alpha, skin_alpha, cap_alpha))
    head_a = 1 - (1 - as_) * (1 - ac)
    head_c = ac * cap_rgb + (1 - ac) * as_ * skin_rgb
    total_a = 1 - (1 - head_a) * (1 - ab)
    colour = (head_c + (1 - head_a) * ab * back_rgb) / np.maximum(total_a, 1e-6)
    hair = (ac + (1 - head_a) * ab)[:, :, 0]
    rgba = np.dstack([np.clip(colour + 0.5, 0, 255), total_a * 255 + 0.5]).astype(np.uint8)
    hair8 = np.clip(hair * 255 + 0.5, 0, 255).astype(np.uint8)

    ys, xs = np.nonzero(rgba[:, :, 3])
    sx0, sy0, sx1, sy1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    margin = int(0.1 * scale) + 2
    roi = (max(0, sx0 - margin), max(0, sy0 - margin), min(width, sx1 + margin), min(height, sy1 + margin))

    body_rgb, body_alpha, body_top = draw_body(g, style)
    noise_rng = np.random.default_rng([seed, 3])
    noise = []
    for _ in range(3):
        grain = noise_rng.standard_normal((height, width, 1), np.float32) * 2.2
        n = grain + noise_rng.standard_normal((height, width, 3), np.float32)
        noise.append((np.clip(n, 0, 255).astype(np.uint8), np.clip(-n, 0, 255).astype(np.uint8)))

    return _Scene(
        scale=scale,
        pivot=(g.cx, g.neck_base),
        phases=rng.uniform(0, 2 * math.pi, 4),
        background=draw_background(width, height, style, seed),
        sprite=np.ascontiguousarray(rgba[sy0:sy1, sx0:sx1]),
        sprite_hair=np.ascontiguousarray(hair8[sy0:sy1, sx0:sx1]),
        sprite_origin=(int(sx0), int(sy0)),
        roi=(int(roi[0]), int(roi[1]), int(roi[2]), int(roi[3])),
        body_top=body_top,
        body_rgb=np.ascontiguousarray(body_rgb[body_top:]),
        body_alpha=np.ascontiguousarray(body_alpha[body_top:]),
        body_clear=np.ascontiguousarray(1 - body_alpha[body_top:]),
        noise=noise,
        face_box=g.face_box(),
        head_box=g.head_box(),
    )
