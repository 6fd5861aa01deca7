"""Where each face's landmarks are, frame after frame, at a price a live view can pay.

MediaPipe's face mesh gives 468 landmarks but costs about 5 ms a frame on two cores. On a video source
it runs on the first frame and then every ``refresh_every`` frames; on the frames between, a few
well-textured landmarks of each face (eye corners, brows, nose, mouth) are followed from the frame
before by pyramidal Lucas-Kanade optical flow (well under a millisecond), and all the face's landmarks
move with the similarity transform (move, turn, scale) that fits them best. When too few of them can
be followed, or on a new source, a new frame size or a gap in the frame indices, the mesh runs afresh.
A photo (``still``) always gets the mesh on itself. (The face detector's keypoints were tried for
following and are too coarse: they wander by 5-8 px between frames of a still face.)"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from core.frames import Frame

log = logging.getLogger(__name__)

# Landmarks followed between mesh frames: eye corners, brow ends, nose bridge and tip, mouth corners and
# centre, chin.
FOLLOWED = (33, 133, 362, 263, 70, 107, 336, 300, 168, 6, 1, 4, 61, 291, 13, 14, 17, 152)
MIN_FOLLOWED = 8  # fewer followed landmarks than this: run the mesh
FLOW = dict(winSize=(15, 15), maxLevel=2, criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))
MAX_FLOW_ERROR = 12.0  # mean grey difference of a followed patch above which it is lost


class FaceTracker:
    """``find(frame)`` returns each face's landmarks in frame pixels (a 468 x 2 float32 array each)."""

    def __init__(self, still: bool = False, refresh_every: int = 30, detect_width: int = 640,
                 min_confidence: float = 0.5, max_faces: int = 4):
        if not 0.0 < min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in (0, 1], got {min_confidence}")
        if detect_width < 32:
            raise ValueError(f"detect_width must be at least 32, got {detect_width}")
        if refresh_every < 1:
            raise ValueError(f"refresh_every must be at least 1, got {refresh_every}")
        from core.quiet_import import import_mediapipe

        import_mediapipe()  # without matplotlib's and sounddevice's side effects
        from mediapipe.python.solutions import face_mesh  # heavy import, only when used

        # The mesh's own tracking (its video mode) places each frame's face from the last frame's landmarks
        # and lags a moving head; it runs too seldom here for that to pay, so it looks afresh each time.
        self._mesh = face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces, refine_landmarks=False,
                                        min_detection_confidence=min_confidence,
                                        min_tracking_confidence=min_confidence)
        self.still, self.refresh_every, self.detect_width = still, refresh_every, detect_width
        self.reset()

    def reset(self) -> None:
        """Forget the faces: the next frame runs the mesh."""
        self._faces: list[np.ndarray] = []  # the last frame's landmarks of each face, in frame pixels
        self._grey: np.ndarray | None = None  # the last frame, grey, at the size the landmarks are found on
        self._key: tuple | None = None  # (source_id, frame shape) of the last frame
        self._index = 0  # index of the last frame
        self._meshed = 0  # index of the last frame the mesh ran on

    def close(self) -> None:
        if self._mesh is not None:
            self._mesh.close()
            self._mesh = None

    def find(self, frame: Frame) -> list[np.ndarray]:
        if self._mesh is None:
            raise RuntimeError("the face tracker is closed")
        small, scale = self._shrunk(frame.pixels)
        grey = None if self.still else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        key = (frame.source_id, frame.pixels.shape)
        follow = (not self.still and key == self._key and frame.index - self._index == 1
                  and frame.index - self._meshed < self.refresh_every and bool(self._faces))
        self._key, self._index = key, frame.index
        followed = self._follow(grey, scale) if follow else None
        if followed is None:
            self._meshed = frame.index
            followed = self._landmarks(small, scale)
            log.debug("face mesh found %d faces", len(followed))
        self._faces, self._grey = followed, grey
        return followed

    def _follow(self, grey: np.ndarray, scale: tuple[float, float]) -> list[np.ndarray] | None:
        """Each face's last landmarks moved by the optical flow of its followed landmarks from the last
        frame to this one; None when a face cannot be followed. (Flow from the mesh's own frame was
        tried, to keep errors from adding up, and followed zooms and exposure changes far worse.)"""
        to_small = np.float32([grey.shape[1], grey.shape[0]]) / np.float32(scale)
        moved = []
        for landmarks in self._faces:
            before = _points(landmarks[list(FOLLOWED)] * to_small)
            after, found, error = cv2.calcOpticalFlowPyrLK(self._grey, grey, before, None, **FLOW)
            good = (found.ravel() == 1) & (error.ravel() < MAX_FLOW_ERROR)
            if good.sum() < MIN_FOLLOWED:
                return None
            move = similarity(before.reshape(-1, 2)[good] / to_small, after.reshape(-1, 2)[good] / to_small)
            moved.append(move(landmarks).astype(np.float32))
        return moved

    def _shrunk(self, pixels: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
        height, width = pixels.shape[:2]
        if width <= self.detect_width:
            return pixels, (float(width), float(height))
        size = (self.detect_width, max(1, round(height * self.detect_width / width)))
        return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), (float(width), float(height))

    def _landmarks(self, small: np.ndarray, scale: tuple[float, float]) -> list[np.ndarray]:
        found = self._mesh.process(small).multi_face_landmarks or []
        size = np.float32(scale)
        return [np.array([[p.x, p.y] for p in face.landmark], np.float32) * size for face in found]


def _points(points: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(points.reshape(-1, 1, 2), np.float32)


def similarity(source: np.ndarray, target: np.ndarray):
    """The least-squares move, turn and uniform scale taking the points ``source`` (N x 2) to
    ``target``, as a function of points (all points weigh alike, so keypoint noise averages out)."""
    source_centre, target_centre = source.mean(axis=0), target.mean(axis=0)
    a, b = source - source_centre, target - target_centre
    dot = float((a * b).sum())
    cross = float((a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum())
    norm = float((a * a).sum())
    if norm < 1e-6:
        return lambda points: points + (target_centre - source_centre)
    c, s = dot / norm, cross / norm  # scale times cos and sin of the turn
    rotation = np.array([[c, -s], [s, c]], np.float32)
    return lambda points: (points - source_centre) @ rotation.T + target_centre
