"""Keeps hair colour off the face: finds each face's landmarks with MediaPipe's face mesh and lowers the
hair mask over the parts of the face that are never hair.

- The inner face: the face's outline (the mesh's face oval) from just above the eyes down. Hair
  beside the cheeks, outside the outline, stays recolourable; so does hair hanging over the face above
  the nose (a side-swept lock, a long fringe) where the mask is sure of it and it does not look like
  skin, but never over the eyes, and close to them only as part of a lock that goes on beyond.
- The eyebrows and a margin around them, unless a fringe comes down over them: the hair mask holds
  hair that does not look like skin just above the brow.
- Bare skin above the eyes: from the eyes up to a little above the outline's top (the hairline is
  often higher), pixels whose colour matches the person's cheeks. A fringe over the forehead or the
  temples, which does not look like skin, is left alone; where the hair itself has the skin's colour
  (blonde on fair skin), hair the mask is sure of is left alone too.
- The face below the nose is protected like the rest of the inner face, so a beard keeps its colour;
  with ``colour_beard`` it is left to the hair mask (the lips stay protected).

Protection fades inwards at the inner face's edge, so nothing outside the face's outline but bare
forehead skin is touched. Landmarks come from ``core.stages.face_landmarks``."""

from __future__ import annotations

import cv2
import numpy as np

from core.frames import Frame, RunningMode
from core.stages.face_landmarks import FaceTracker

# Face-mesh landmark numbers (MediaPipe's 468-point canonical face).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
             176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)  # clockwise from the top
RIGHT_BROW = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107)  # the person's right, the image's left
LEFT_BROW = (276, 282, 283, 285, 293, 295, 296, 300, 334, 336)
RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE = (362, 382, 381, 380, 374, 373, 390, 249, 263, 466, 388, 387, 386, 385, 384, 398)
LIPS = (0, 17, 37, 39, 40, 61, 84, 91, 146, 181, 185, 267, 269, 270, 291, 314, 321, 375, 405, 409)
CHEEKS = (50, 280, 101, 330)  # where the skin colour is sampled
EYE_CORNERS = (33, 133, 362, 263)
MOUTH = (13, 14)
NOSE_TIP = 1

# Sizes in face units: one unit is the distance from the eyes' midpoint to the mouth.
BROW_MARGIN = 0.04  # the eyebrows are protected this far beyond their outline
EYE_MARGIN = 0.08  # hair over the face is not let in this close to the eyes
EDGE_FADE = 0.12  # the inner face's protection fades in over this distance inside its edge
EYE_LINE = -0.25  # the inner face's protection starts this far above the eyes...
LINE_FADE = 0.1  # ...and is full this far below that
OVAL_WIDTH = 0.85  # the inner face is the outline narrowed to this share of its width (hair hangs at its sides)
FOREHEAD_REACH = 0.45  # bare skin is looked for up to this far above the outline's top
SKIN_PATCH = 0.06  # radius of the cheek patches the skin colour is taken from
SKIN_DARKER, SKIN_LIGHTER = 7.0, 14.0  # L* below / above the cheeks' that counts as one step of colour
# distance (a forehead catches more light than the cheeks; hair in its shadow is darker)
SKIN_NEAR, SKIN_FAR = 4.0, 10.0  # squared colour distance of sure skin, and of not skin
SURE_HAIR = (0.7, 0.95)  # mask values from which the skin test gives way, fully at the second
FRINGE_BAND = (0.1, 0.3)  # the band above each eyebrow (from, to) looked at for a fringe...
FRINGE_HAIR = 0.75  # ...whose mean hair mask, from this, means the fringe covers the brow
GRID = 64  # the region is computed on a grid at most this many cells a side, then enlarged


class FaceGuard:
    """``protect`` returns the hair mask lowered over the never-hair parts of every face in the frame.

    IMAGE ``mode``: each frame is a separate photo. On video, the landmarks are found by a
    :class:`~core.stages.face_landmarks.FaceTracker` (the mesh every ``refresh_every`` frames, the face
    detector between); the skin test always looks at the current frame. ``colour_beard``: leave the
    face below the nose to the hair mask, so a beard takes the colour too."""

    def __init__(self, mode: RunningMode = RunningMode.VIDEO, refresh_every: int = 30, detect_width: int = 640,
                 min_confidence: float = 0.5, colour_beard: bool = False, max_faces: int = 4):
        self._tracker = FaceTracker(mode=mode, refresh_every=refresh_every, detect_width=detect_width,
                                    min_confidence=min_confidence, max_faces=max_faces)
        self.colour_beard = colour_beard

    def find(self, frame: Frame) -> list[np.ndarray]:
        """Each face's landmarks in ``frame`` (468 x 2 pixels), to hand to ``protect`` and ``cheeks``."""
        return self._tracker.find(frame)

    def protect(self, mask: np.ndarray, frame: Frame, faces: list[np.ndarray] | None = None) -> np.ndarray:
        """A new float32 mask, ``mask`` times (1 - protection); ``mask`` itself (as float32) when no
        face is found. ``mask`` must be the frame's size; neither is modified. ``faces``: the frame's
        landmarks from ``find`` (None: found here)."""
        if mask.ndim != 2 or mask.shape != frame.pixels.shape[:2]:
            raise ValueError(f"the mask must be the frame's size {frame.pixels.shape[:2]}, got {mask.shape}")
        if faces is None:
            faces = self._tracker.find(frame)
        if not faces:
            return mask if mask.dtype == np.float32 else mask.astype(np.float32)
        out = np.array(mask, dtype=np.float32, copy=True)
        for landmarks in faces:
            found = face_region(landmarks, frame.pixels, colour_beard=self.colour_beard, hair=mask)
            if found is not None:
                (x0, y0), region = found
                cell = out[y0 : y0 + region.shape[0], x0 : x0 + region.shape[1]]
                cell *= 1.0 - region
        return out

    def reset(self) -> None:
        """Forget the faces found on earlier frames."""
        self._tracker.reset()

    def close(self) -> None:
        self._tracker.close()


class _FaceFrame:
    """Face units: ``down`` from the eyes' midpoint to the mouth, ``unit`` that distance in pixels."""

    def __init__(self, landmarks: np.ndarray):
        self.eyes = landmarks[list(EYE_CORNERS)].mean(axis=0)
        down = landmarks[list(MOUTH)].mean(axis=0) - self.eyes
        self.unit = float(np.hypot(*down))
        self.down = down / max(self.unit, 1e-6)

    def depth(self, points: np.ndarray) -> np.ndarray:
        """How far down the face each point (N x 2 pixels) lies, in face units (eyes at 0, mouth at 1)."""
        return (points - self.eyes) @ self.down / self.unit


def face_region(landmarks: np.ndarray, pixels: np.ndarray, colour_beard: bool = False,  # noqa: C901  one recipe
                hair: np.ndarray | None = None) -> tuple[tuple[int, int], np.ndarray] | None:
    """The soft protection (float32 in [0, 1]) for one face's landmarks (468 x 2 pixels) in ``pixels``
    (H x W x 3 RGB), cut to its bounding box: ``((x0, y0), region)``; None when the face is degenerate
    or outside the picture. ``hair``: the frame's hair mask, to tell a fringe over the eyebrows."""
    face = _FaceFrame(landmarks)
    if face.unit < 4.0:
        return None
    height, width = pixels.shape[:2]
    oval = landmarks[list(FACE_OVAL)]
    raised = oval - face.down * (FOREHEAD_REACH * face.unit) * (face.depth(oval) < 0)[:, None]
    x0, y0 = np.floor(raised.min(axis=0)).astype(int)
    x1, y1 = np.ceil(raised.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None

    # Work on a grid at most GRID cells a side; polygons in grid coordinates.
    box_w, box_h = x1 - x0, y1 - y0
    scale = min(1.0, GRID / max(box_w, box_h))
    grid_w, grid_h = max(2, round(box_w * scale)), max(2, round(box_h * scale))
    to_grid = np.array([grid_w / box_w, grid_h / box_h], np.float32)

    def grid(points: np.ndarray) -> np.ndarray:
        return np.round((points - (x0, y0)) * to_grid - 0.5).astype(np.int32)

    def fill(points: np.ndarray, hull: bool = False) -> np.ndarray:
        canvas = np.zeros((grid_h, grid_w), np.uint8)
        polygon = grid(points)
        cv2.fillPoly(canvas, [cv2.convexHull(polygon) if hull else polygon], (1,))
        return canvas

    unit = face.unit * float(to_grid.mean())
    ys, xs = np.mgrid[0:grid_h, 0:grid_w].astype(np.float32)
    centres = np.stack([xs, ys], axis=-1) / to_grid + (x0, y0) - 0.5 + 0.5 / to_grid
    depth = face.depth(centres.reshape(-1, 2)).reshape(grid_h, grid_w)

    across = np.array([face.down[1], -face.down[0]], np.float32)
    centre = oval.mean(axis=0)
    offset = (oval - centre) @ across
    inside = fill(oval - (1.0 - OVAL_WIDTH) * offset[:, None] * across)
    fade = cv2.distanceTransform(inside, cv2.DIST_L2, 3) / max(EDGE_FADE * unit, 1e-3)
    inner = _ramp(fade) * _ramp((depth - EYE_LINE) / LINE_FADE)
    if colour_beard:  # below the nose, only the lips are protected
        nose = float(face.depth(landmarks[NOSE_TIP : NOSE_TIP + 1])[0])
        inner *= 1.0 - _ramp((depth - nose) / LINE_FADE)
        inner = np.maximum(inner, fill(landmarks[list(LIPS)], hull=True).astype(np.float32))

    small = cv2.resize(pixels[y0:y1, x0:x1], (grid_w, grid_h), interpolation=cv2.INTER_AREA)
    sure = None if hair is None else cv2.resize(hair[y0:y1, x0:x1], (grid_w, grid_h), interpolation=cv2.INTER_AREA)
    hair_lab = None
    if sure is not None and (sure >= SURE_HAIR[1]).any():
        hair_lab = np.median(_lab(small[sure >= SURE_HAIR[1]]), axis=0)
    skin_model = _skin_model(pixels, landmarks, face.unit)
    if sure is not None:
        # Hair hanging over the face above the nose (a side-swept lock, a long fringe): where the mask is
        # sure of hair and the pixel does not look like skin, the inner face gives way to it; never on
        # the eyes, which do not look like skin either.
        nose = float(face.depth(landmarks[NOSE_TIP : NOSE_TIP + 1])[0])
        hanging = _ramp((sure - SURE_HAIR[0]) / (SURE_HAIR[1] - SURE_HAIR[0])) * (1.0 - _ramp((depth - nose) / LINE_FADE))
        cells = (hanging > 0) & (inner > 0)  # usually few: the colour test runs on those only
        if cells.any():
            eyes = fill(landmarks[list(RIGHT_EYE)], hull=True) | fill(landmarks[list(LEFT_EYE)], hull=True)
            cells &= eyes == 0
            let_in = np.zeros((grid_h, grid_w), np.float32)
            let_in[cells] = hanging[cells] * (1.0 - _skin_likeness(small[cells], skin_model))
            inner *= 1.0 - let_in * _beyond_eye_margins(let_in, eyes, max(1, round(EYE_MARGIN * unit)))

    margin = max(1, round(BROW_MARGIN * unit))
    ring = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    brows = np.zeros((grid_h, grid_w), np.uint8)
    for brow in (RIGHT_BROW, LEFT_BROW):
        points = landmarks[list(brow)]
        if hair is None or not _fringe_over(points, face, hair, pixels, skin_model):
            brows |= fill(points, hull=True)
    eyebrows = cv2.dilate(brows, ring).astype(np.float32)

    # The forehead proper: above the eyes, no wider than the eyebrows (the temples beyond them are where
    # hair and skin mix, and the skin test would leave patches of hair uncoloured there).
    side = ((centres.reshape(-1, 2) - face.eyes) @ across).reshape(grid_h, grid_w)
    brow_side = (landmarks[list(RIGHT_BROW + LEFT_BROW)] - face.eyes) @ across
    forehead = (fill(raised) > 0) & (depth < EYE_LINE + LINE_FADE)
    forehead &= (side >= brow_side.min()) & (side <= brow_side.max())
    skin = np.zeros((grid_h, grid_w), np.float32)
    if forehead.any():
        skin[forehead] = _skin_likeness(small[forehead], skin_model)
        # Where the hair itself has the skin's colour (blonde on fair skin), the skin test cannot tell
        # them apart, and the mask's sure hair wins; otherwise a skin-coloured pixel is skin.
        if sure is not None and hair_lab is not None and _skin_likeness_lab(hair_lab[None], skin_model)[0] > 0.5:
            skin *= 1.0 - _ramp((sure - SURE_HAIR[0]) / (SURE_HAIR[1] - SURE_HAIR[0]))

    region = np.maximum(np.maximum(inner, eyebrows), skin)
    if (grid_w, grid_h) != (box_w, box_h):
        region = cv2.resize(region, (box_w, box_h), interpolation=cv2.INTER_LINEAR)
    return (int(x0), int(y0)), region.astype(np.float32, copy=False)


def cheeks(faces: list[np.ndarray], size: tuple[int, int], scale: float) -> np.ndarray:
    """Where each face's own skin runs to its outline below the eyes (the cheeks and the jaw): uint8 0/1
    at ``size`` (width, height), for landmarks in frame pixels and ``scale`` that size's pixels per frame
    pixel. Skin there, in shadow beside dark hair, has the colour of a mixture of hair and skin: the matte
    must not read it as fine hair (``core.stages.matte``)."""
    width, height = size
    out = np.zeros((height, width), np.uint8)
    for landmarks in faces:
        face = _FaceFrame(landmarks)
        if face.unit < 4.0:
            continue
        oval = landmarks[list(FACE_OVAL)]
        # the outline's points from eye level down, closed along the eye line
        below = oval[face.depth(oval) >= 0.0]
        if len(below) >= 3:
            cv2.fillPoly(out, [np.round(below * scale).astype(np.int32)], (1,))
    return out


def _beyond_eye_margins(let_in: np.ndarray, eyes: np.ndarray, margin: int) -> np.ndarray:
    """Where hair over the face may be let in (1) on the grid: everywhere but a ``margin`` round the
    eyes, where lids and lashes do not look like skin either; there only a lock that goes on well beyond
    the margin (at least a margin's square of it outside) is let in, so it keeps its colour past the
    eye's corner instead of losing a notch."""
    size = 2 * margin + 1
    near = cv2.dilate(eyes, np.ones((size, size), np.uint8)) > 0
    allowed = (~near).astype(np.float32)
    count, labels = cv2.connectedComponents((let_in > 0.5).astype(np.uint8), connectivity=8)
    if count > 1:
        outside = np.bincount(labels[~near], minlength=count)
        locks = outside >= size * size
        locks[0] = False  # label 0: nothing let in
        allowed[near & locks[labels]] = 1.0
    return allowed


def _fringe_over(brow: np.ndarray, face: _FaceFrame, hair: np.ndarray, pixels: np.ndarray, skin_model) -> bool:
    """Whether a fringe covers this eyebrow (points N x 2 px): the band just above it is mostly hair by
    the mask that does not look like skin."""
    near, far = (brow - face.down * (reach * face.unit) for reach in FRINGE_BAND)
    height, width = hair.shape
    x0, y0 = np.clip(np.floor(np.vstack([brow, far]).min(axis=0)).astype(int), 0, (width, height))
    x1, y1 = np.clip(np.ceil(np.vstack([brow, far]).max(axis=0)).astype(int) + 1, 0, (width, height))
    if x1 <= x0 or y1 <= y0:
        return False
    band = np.zeros((y1 - y0, x1 - x0), np.uint8)
    for points, value in ((np.vstack([near, far]), 1), (np.vstack([brow, near]), 0)):
        cv2.fillConvexPoly(band, cv2.convexHull(np.round(points - (x0, y0)).astype(np.int32)), (value,))
    inside = band > 0
    if not inside.any():
        return False
    not_skin = 1.0 - _skin_likeness(pixels[y0:y1, x0:x1][inside], skin_model)
    return float((hair[y0:y1, x0:x1][inside] * not_skin).mean()) >= FRINGE_HAIR


def _lab(rgb: np.ndarray) -> np.ndarray:
    if rgb.size == 0:  # no pixels (OpenCV refuses an empty picture)
        return np.zeros((0, 3), np.float32)
    return cv2.cvtColor(rgb.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab).reshape(-1, 3)


def _skin_model(pixels: np.ndarray, landmarks: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The cheeks' mean CIELAB colour and the inverse covariance of their a and b, or None when no cheek
    is in the picture."""
    height, width = pixels.shape[:2]
    radius = max(1, round(SKIN_PATCH * unit))
    samples = []
    for x, y in landmarks[list(CHEEKS)].round().astype(int):
        if radius <= x < width - radius and radius <= y < height - radius:
            samples.append(pixels[y - radius : y + radius + 1, x - radius : x + radius + 1].reshape(-1, 3))
    if not samples:
        return None
    lab = _lab(np.concatenate(samples))
    (aa, ab), (_, bb) = np.cov(lab[:, 1:], rowvar=False) + np.diag([4.0, 4.0])
    # the 2 x 2 inverse written out: np.linalg.inv wakes the BLAS threads, about 1.5 ms a frame here
    inverse = np.array([[bb, -ab], [-ab, aa]]) / (aa * bb - ab * ab)
    return np.median(lab, axis=0), inverse


def _skin_likeness(rgb: np.ndarray, model) -> np.ndarray:
    """1 for colours like the cheeks, 0 for colours far from them (N x 3 uint8 in, N float32 out)."""
    return _skin_likeness_lab(_lab(rgb), model)


def _skin_likeness_lab(lab: np.ndarray, model) -> np.ndarray:
    """``_skin_likeness`` of CIELAB colours (N x 3)."""
    if model is None:
        return np.zeros(len(lab), np.float32)
    mean, inverse = model
    centred = lab - mean
    # Lightness over a face varies with shine and shade more than hue does, and a cheek patch with
    # stubble or shadow would make its spread huge: it gets a fixed step instead of the patch's.
    chroma = centred[:, 1:]
    step = np.where(centred[:, 0] > 0, SKIN_LIGHTER, SKIN_DARKER)
    distance = np.einsum("ij,jk,ik->i", chroma, inverse, chroma) + (centred[:, 0] / step) ** 2
    return _ramp((SKIN_FAR - distance) / (SKIN_FAR - SKIN_NEAR)).astype(np.float32)


def _ramp(t: np.ndarray) -> np.ndarray:
    """Smoothstep of ``t`` clipped to [0, 1]."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
