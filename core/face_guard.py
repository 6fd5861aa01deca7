"""Keeps hair colour off the face: finds faces with MediaPipe's short-range face detector and lowers the
hair mask over each face's inner region.

The region is built from the detector's six keypoints in a face frame: the origin at the midpoint of
the eyes, ``down`` pointing to the mouth and one unit the eyes-to-mouth distance. It is an ellipse from
the chin up past the eyes and from one ear tragion nearly to the other, cut off softly at the eyebrows,
so a fringe over the forehead and hair beside the cheeks stay recolourable. Its edge fades inside the
ellipse, so nothing outside it is touched. Detection runs on a small copy of the frame and, within one
video source, only on every ``every_n``-th frame; the frames in between reuse the last keypoints."""

from __future__ import annotations

import logging

import cv2
import numpy as np

from core.frames import Frame

log = logging.getLogger(__name__)

# MediaPipe's keypoint order: the person's right eye (the image's left), left eye, nose tip, mouth
# centre, right ear tragion, left ear tragion.
RIGHT_EYE, LEFT_EYE, NOSE, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)

# The region in face units (x across towards the left eye, y down towards the mouth; eyes at y = 0,
# mouth at y = 1). The chin sits about 0.55 below the mouth and the eyebrows about 0.25 above the eyes.
CENTRE_Y = 0.45  # the ellipse's centre...
HALF_HEIGHT = 1.05  # ...and half height: its bottom stops at 1.5, just above the chin
EYE_MARGIN = 0.35  # the face reaches at least this far beyond each eye (the far ear of a turned head
# is placed near its eye, or even inside the face)...
EAR_SHARE = 0.9  # ...and nearly to each ear: the half width is this share of the half span
EDGE_FADE = 0.15  # the ellipse's edge fades to 0 over this share of its radius, inwards
BROW_Y = -0.3  # nothing above this line is protected...
BROW_FADE = 0.2  # ...and protection is full from this far below it (just above the eyes)
GRID = 96  # the region is computed on a grid at most this many cells a side, then enlarged


class FaceGuard:
    """``protect`` returns the hair mask lowered over the inner face of every face found in the frame.

    ``detect_width``: frames wider than this are shrunk to it for detection. ``every_n``: detect on
    every n-th frame of a video source (1: every frame); a new source, a new frame size or a gap in
    the frame indices always detects afresh, so a photo is always detected on itself."""

    def __init__(self, min_confidence: float = 0.5, detect_width: int = 320, every_n: int = 2):
        if not 0.0 < min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in (0, 1], got {min_confidence}")
        if detect_width < 32:
            raise ValueError(f"detect_width must be at least 32, got {detect_width}")
        if every_n < 1:
            raise ValueError(f"every_n must be at least 1, got {every_n}")
        from mediapipe.python.solutions import face_detection  # heavy import, only when used

        # model 0, the short-range model, is made for faces within about 2 m: webcams and portraits.
        self._detector = face_detection.FaceDetection(model_selection=0, min_detection_confidence=min_confidence)
        self.detect_width = detect_width
        self.every_n = every_n
        self._faces: list[np.ndarray] = []  # each face's six keypoints in frame pixels (6 x 2, x then y)
        self._key: tuple | None = None  # (source_id, frame shape) of the last detection
        self._index = 0  # frame index of the last detection

    def protect(self, mask: np.ndarray, frame: Frame) -> np.ndarray:
        """A new float32 mask, ``mask`` times (1 - face region); ``mask`` itself (as float32) when no
        face is found. ``mask`` must be the frame's size; neither is modified."""
        if mask.ndim != 2 or mask.shape != frame.pixels.shape[:2]:
            raise ValueError(f"the mask must be the frame's size {frame.pixels.shape[:2]}, got {mask.shape}")
        faces = self._find_faces(frame)
        if not faces:
            return mask if mask.dtype == np.float32 else mask.astype(np.float32)
        out = np.array(mask, dtype=np.float32, copy=True)
        for keypoints in faces:
            found = face_region(keypoints, out.shape)
            if found is not None:
                (x0, y0), region = found
                cell = out[y0 : y0 + region.shape[0], x0 : x0 + region.shape[1]]
                cell *= 1.0 - region
        return out

    def reset(self) -> None:
        """Forget the last detection."""
        self._faces, self._key = [], None

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def _find_faces(self, frame: Frame) -> list[np.ndarray]:
        key = (frame.source_id, frame.pixels.shape)
        if key == self._key and 0 <= frame.index - self._index < self.every_n:
            return self._faces
        if self._detector is None:
            raise RuntimeError("the face guard is closed")
        self._faces = self._detect(frame.pixels)
        self._key, self._index = key, frame.index
        return self._faces

    def _detect(self, pixels: np.ndarray) -> list[np.ndarray]:
        height, width = pixels.shape[:2]
        small = pixels
        if width > self.detect_width:
            size = (self.detect_width, max(1, round(height * self.detect_width / width)))
            small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        found = self._detector.process(small).detections or []
        faces = []
        for detection in found:
            points = detection.location_data.relative_keypoints
            if len(points) < 6:
                continue
            faces.append(np.array([[p.x * width, p.y * height] for p in points[:6]], np.float32))
        log.debug("face guard found %d faces", len(faces))
        return faces


def face_region(keypoints: np.ndarray, shape: tuple[int, int]) -> tuple[tuple[int, int], np.ndarray] | None:
    """The soft inner-face region (float32 in [0, 1]) for one face's keypoints (6 x 2 pixels) in an
    image of ``shape`` (height, width), cut to its bounding box: ``((x0, y0), region)``; None when the
    face is degenerate or outside the image."""
    eyes = (keypoints[RIGHT_EYE] + keypoints[LEFT_EYE]) / 2
    down = keypoints[MOUTH] - eyes
    unit = float(np.hypot(*down))
    if unit < 2.0:
        return None
    down /= unit
    across = np.array([-down[1], down[0]], np.float32)  # square to down...
    if np.dot(keypoints[LEFT_EYE] - keypoints[RIGHT_EYE], across) < 0:
        across = -across  # ...and pointing from the right eye to the left one
    x = (keypoints - eyes) @ across / unit  # each keypoint's position across the face
    lo = min(x[RIGHT_EAR], x[RIGHT_EYE] - EYE_MARGIN)
    hi = max(x[LEFT_EAR], x[LEFT_EYE] + EYE_MARGIN)
    centre_x, half_width = (lo + hi) / 2, EAR_SHARE * (hi - lo) / 2

    # Bounding box in pixels: the ellipse's extent along both axes, turned into the image.
    centre = eyes + (centre_x * across + CENTRE_Y * down) * unit
    reach_x = unit * np.hypot(half_width * across[0], HALF_HEIGHT * down[0])
    reach_y = unit * np.hypot(half_width * across[1], HALF_HEIGHT * down[1])
    height, width = shape
    x0, x1 = max(0, int(centre[0] - reach_x)), min(width, int(np.ceil(centre[0] + reach_x)) + 1)
    y0, y1 = max(0, int(centre[1] - reach_y)), min(height, int(np.ceil(centre[1] + reach_y)) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None

    # Grid cell centres in pixels, aligned as cv2.resize aligns them, then in face units.
    box_w, box_h = x1 - x0, y1 - y0
    scale = min(1.0, GRID / max(box_w, box_h))
    grid_w, grid_h = max(2, round(box_w * scale)), max(2, round(box_h * scale))
    px = x0 + (np.arange(grid_w, dtype=np.float32) + 0.5) * (box_w / grid_w) - 0.5 - eyes[0]
    py = y0 + (np.arange(grid_h, dtype=np.float32) + 0.5) * (box_h / grid_h) - 0.5 - eyes[1]
    px, py = px[None, :] / unit, py[:, None] / unit
    fx = px * across[0] + py * across[1]
    fy = px * down[0] + py * down[1]
    radius = np.sqrt(((fx - centre_x) / half_width) ** 2 + ((fy - CENTRE_Y) / HALF_HEIGHT) ** 2)
    region = _ramp((1.0 - radius) / EDGE_FADE) * _ramp((fy - BROW_Y) / BROW_FADE)
    if (grid_w, grid_h) != (box_w, box_h):
        region = cv2.resize(region, (box_w, box_h), interpolation=cv2.INTER_LINEAR)
    return (x0, y0), region.astype(np.float32, copy=False)


def _ramp(t: np.ndarray) -> np.ndarray:
    """Smoothstep of ``t`` clipped to [0, 1]."""
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
