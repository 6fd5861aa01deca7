"""Segment a head far from the camera at the model's full resolution.

The model sees the whole frame squeezed to its square (224² for hairnet 2.0.0): a customer two metres
from a 640×480 camera, face 60 px wide, reaches the model about 20 px wide, and strands are lost. When
exactly one face is found and it is narrower than ``small`` of the frame's width, the segmenter runs
on a square round that head instead (``reach`` face widths on a side, a little below the face's
centre so long hair fits) and the result is pasted back; hair outside the square counts as none. A
wider face, no face or several faces: the whole frame, as before.

Faces come from MediaPipe's full-range face detector (faces up to about 5 m away), run on every
photo, and on a video every ``every`` frames (the square is held between, with room to spare). The
square follows the face smoothly and the switch between cropping and the whole frame has hysteresis,
so the mask does not jump.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import cv2
import numpy as np

from core.frames import Frame, RunningMode
from core.stages.segment.wrapper import SegmenterWrapper

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels


@dataclass(frozen=True)
class CropRule:
    small: float = 0.2  # crop when the face is narrower than this share of the frame's width
    release: float = 0.26  # stop cropping once it is wider than this (hysteresis)
    reach: float = 3.0  # side of the square in face widths (the detector's box: brow to chin, ear to ear)
    drop: float = 0.4  # the square's centre sits this many face widths below the face's
    follow: float = 0.5  # share of the way the square moves to a new detection each time


def head_square(face: tuple[float, float, float, float], frame_size: tuple[int, int], rule: CropRule) -> Box:
    """The square round a face (x, y, width, height in pixels), moved inside the frame; never larger
    than the frame's shorter side."""
    fx, fy, fw, fh = face
    return _square(fx + fw / 2, fy + fh / 2 + rule.drop * fw, rule.reach * fw, frame_size)


def _square(cx: float, cy: float, side: float, frame_size: tuple[int, int]) -> Box:
    width, height = frame_size
    side = round(min(side, width, height))
    x0 = round(min(max(cx - side / 2, 0), width - side))
    y0 = round(min(max(cy - side / 2, 0), height - side))
    return x0, y0, x0 + side, y0 + side


class Finder(Protocol):
    """What the cropper asks where the faces are: :class:`FaceFinder`, or a test's."""

    def faces(self, pixels: np.ndarray) -> list[tuple[float, float, float, float]]: ...

    def close(self) -> None: ...


class FaceFinder:
    """Faces as (x, y, width, height) in pixels, from MediaPipe's full-range face detector."""

    def __init__(self, min_confidence: float = 0.5):
        from mediapipe.python.solutions import face_detection  # heavy import, only when used

        # The full-range graph does not apply min_detection_confidence itself: the scores are checked here.
        self._detector = face_detection.FaceDetection(model_selection=1, min_detection_confidence=min_confidence)
        self.min_confidence = min_confidence

    def faces(self, pixels: np.ndarray) -> list[tuple[float, float, float, float]]:
        height, width = pixels.shape[:2]
        found = self._detector.process(pixels).detections or []
        boxes = []
        for detection in found:
            if detection.score and detection.score[0] < self.min_confidence:
                continue
            box = detection.location_data.relative_bounding_box
            boxes.append((box.xmin * width, box.ymin * height, box.width * width, box.height * height))
        return boxes

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()
            self._detector = None


class HeadCropper:
    """Decides, frame by frame, which part of the frame the segmenter sees (None: all of it)."""

    def __init__(self, finder: Finder, mode: RunningMode = RunningMode.VIDEO, every: int = 15, rule: CropRule = CropRule()):
        """IMAGE ``mode``: each frame a separate photo, its face looked for afresh and the crop not followed."""
        self.finder, self.mode, self.every, self.rule = finder, mode, every, rule
        self.reset()

    def reset(self) -> None:
        self._box: Box | None = None
        self._key: tuple | None = None
        self._looked = -(10**9)

    def region(self, frame: Frame) -> Box | None:
        height, width = frame.pixels.shape[:2]
        key = (frame.source_id, frame.pixels.shape)
        new_source = key != self._key
        image = self.mode is RunningMode.IMAGE
        fresh = image or new_source or frame.index - self._looked >= self.every or frame.index < self._looked
        if new_source:
            self._box = None
        self._key = key
        if fresh:
            # half a period out of step after a new source, so the face detector does not run on the
            # same frames as the refine stage's face mesh (both every 30 frames from the first)
            self._looked = frame.index - (self.every // 2 if new_source and not image else 0)
            self._box = self._decide(self.finder.faces(frame.pixels), (width, height))
        return self._box

    def _decide(self, faces: list, frame_size: tuple[int, int]) -> Box | None:
        if len(faces) != 1:
            return None
        limit = self.rule.release if self._box is not None else self.rule.small
        if faces[0][2] >= limit * frame_size[0]:
            return None
        target = head_square(faces[0], frame_size, self.rule)
        if self._box is None or self.mode is RunningMode.IMAGE:
            return target
        k = self.rule.follow
        (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = self._box, target
        centre = [(a + k * (b - a)) / 2 for a, b in ((ax0 + ax1, bx0 + bx1), (ay0 + ay1, by0 + by1))]
        side = (ax1 - ax0) + k * ((bx1 - bx0) - (ax1 - ax0))
        return _square(centre[0], centre[1], side, frame_size)


class CroppingSegmenter(SegmenterWrapper):
    """A segmenter that runs its inner segmenter on the head's square when the cropper gives one."""

    def __init__(self, inner, cropper: HeadCropper):
        super().__init__(inner)
        self.cropper = cropper
        self.last_region: Box | None = None

    def segment(self, frame: Frame) -> np.ndarray:
        box = self.cropper.region(frame)
        self.last_region = box
        if box is None:
            return self.inner.segment(frame)
        x0, y0, x1, y1 = box
        inside = self.inner.segment(replace(frame, pixels=np.ascontiguousarray(frame.pixels[y0:y1, x0:x1])))
        if inside.shape != (y1 - y0, x1 - x0):  # the segmenter answered at its own size
            inside = cv2.resize(inside, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        hair = np.zeros(frame.pixels.shape[:2], np.float32)
        hair[y0:y1, x0:x1] = inside
        return hair

    def reset(self) -> None:
        self.cropper.reset()
        super().reset()

    def close(self) -> None:
        super().close()
        self.cropper.finder.close()


def place_far(rgb: np.ndarray, truth: np.ndarray, share: float, seed: int,
              frame_size: tuple[int, int] = (640, 480)) -> tuple[np.ndarray, np.ndarray]:
    """A photo and its mask shrunk to ``share`` of a frame's width and placed at a seeded spot on a
    plain wall (a smooth two-colour gradient): a head far from the camera, with a known true mask."""
    width, height = frame_size
    rng = np.random.default_rng(seed)
    w = max(8, round(width * share))
    h = max(8, round(rgb.shape[0] * w / rgb.shape[1]))
    if h > height:
        h, w = height, max(8, round(rgb.shape[1] * height / rgb.shape[0]))
    small = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
    small_truth = cv2.resize(truth.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_AREA) > 127
    left, right = rng.uniform(40, 220, 3), rng.uniform(40, 220, 3)
    ramp = np.linspace(0.0, 1.0, width)[None, :, None]
    frame = np.broadcast_to(left + (right - left) * ramp, (height, width, 3)).astype(np.uint8)
    x0, y0 = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
    frame[y0 : y0 + h, x0 : x0 + w] = small
    placed = np.zeros((height, width), bool)
    placed[y0 : y0 + h, x0 : x0 + w] = small_truth
    return frame, placed
