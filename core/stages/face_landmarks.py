"""Where each face's landmarks are, frame after frame, at a price a live view can pay.

MediaPipe's face mesh gives 468 landmarks but costs about 5 ms a frame on two cores. On a video source
it runs on the first frame and then every ``refresh_every`` frames. On that *key frame* each face gets
a set of points to follow: the corners inside the face that optical flow holds best, and a few
landmarks (eye corners, brows, nose, mouth). On the frames between, the points are followed from the
frame before by pyramidal Lucas-Kanade optical flow, checked by following them back (a point that does
not come back to where it was is dropped), and all the face's landmarks are placed by the similarity
transform (move, turn, scale) that best takes the surviving points from where they were on the key
frame to where they are now. Each frame's fit starts afresh from the key frame, so its errors do not
add up over the frames between meshes (about a millisecond a frame, the grey copy included). When too
few points survive, or on a new source, a new frame size or a gap in the frame indices, the mesh runs
afresh. A face the mesh finds where the frame before had none is looked for again on the next frame
before it is followed, so a face found on one frame only is not held until the next mesh. A photo
(IMAGE mode) always gets the mesh on itself. (Tried: the face detector's keypoints wander by 5-8 px
between frames of a still face; flow straight from the key frame to each frame follows zooms and
exposure changes far worse; fitting each frame's move to the frame before lets the errors add up.)

A face too small for the mesh's own short-range detector on the shrunk copy -- a customer a metre or
more from a 1080p camera, about 45 px wide on the 640-px copy -- is looked for with the full-range face
detector (faces up to about 5 m, ``core.stages.head_crop.FaceFinder``) when the mesh finds no face; the
mesh then runs on a square round each face found, cut from the full-size frame, and its landmarks are
mapped back. With no face about at all, a video asks the detector at most every ``FAR_EVERY`` frames."""

from __future__ import annotations

import logging
from typing import TypedDict

import cv2
import numpy as np

from core.frames import Frame, RunningMode
from core.quiet_import import import_mediapipe
from core.stages.head_crop import Finder

log = logging.getLogger(__name__)

# Landmarks followed between mesh frames besides the face's corners: eye corners, brow ends, nose bridge
# and tip, mouth corners and centre, chin.
FOLLOWED = (33, 133, 362, 263, 70, 107, 336, 300, 168, 6, 1, 4, 61, 291, 13, 14, 17, 152)
class _Corners(TypedDict):  # cv2.goodFeaturesToTrack's settings
    maxCorners: int
    qualityLevel: float
    minDistance: float
    blockSize: int


class _Flow(TypedDict):  # cv2.calcOpticalFlowPyrLK's settings
    winSize: tuple[int, int]
    maxLevel: int
    criteria: tuple[int, int, float]


CORNERS = _Corners(maxCorners=30, qualityLevel=0.01, minDistance=8, blockSize=7)
MIN_FOLLOWED = 8  # fewer points than this left on a face: run the mesh
FLOW = _Flow(winSize=(15, 15), maxLevel=2, criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03))
MAX_ROUND_TRIP = 1.0  # px (at the size faces are found on) a point may miss its start by, followed there and back
REACH = 48  # px round the points that flow looks at (as far as the pyramid follows a move, and more)
FAR_REACH = 2.0  # the square the mesh looks at round a face the detector found: this many of its box's sides
FAR_SIDE = 256  # px the square is resized to for the mesh (the face about half of it)
FAR_EVERY = 5  # frames between the detector's looks while it finds nothing (video)


class _Followed:
    """One face since its key frame: its landmarks there, and its points there and in the last frame."""

    def __init__(self, landmarks: np.ndarray, grey: np.ndarray, to_small: np.ndarray):
        self.landmarks, self.to_small = landmarks, to_small  # to_small: frame pixels to grey's pixels
        small = landmarks * to_small
        x0, y0, x1, y1 = _box(small, grey.shape, 0)  # corners are looked for inside the face only
        inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillConvexPoly(inside, cv2.convexHull(np.round(small - (x0, y0)).astype(np.int32)), (255,))
        corners = cv2.goodFeaturesToTrack(grey[y0:y1, x0:x1], mask=inside, **CORNERS)
        corners = np.zeros((0, 2), np.float32) if corners is None else corners.reshape(-1, 2) + np.array((x0, y0))
        self.start = np.concatenate([corners, small[list(FOLLOWED)]]).astype(np.float32)  # on the key frame
        self.last = self.start.copy()  # the same points in the last frame


class FaceTracker:
    """``find(frame)`` returns each face's landmarks in frame pixels (a 468 x 2 float32 array each)."""

    def __init__(self, mode: RunningMode = RunningMode.VIDEO, refresh_every: int = 30, detect_width: int = 640,
                 min_confidence: float = 0.5, max_faces: int = 4, finder: Finder | None = None, far: bool = True):
        """``far``: look for faces too small for the mesh with ``finder`` (default: MediaPipe's full-range
        detector, made when first needed)."""
        if not 0.0 < min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in (0, 1], got {min_confidence}")
        if detect_width < 32:
            raise ValueError(f"detect_width must be at least 32, got {detect_width}")
        if refresh_every < 1:
            raise ValueError(f"refresh_every must be at least 1, got {refresh_every}")
        import_mediapipe()  # without matplotlib's and sounddevice's side effects
        from mediapipe.python.solutions import face_mesh  # heavy import, only when used

        # The mesh's own tracking (its video mode) places each frame's face from the last frame's landmarks
        # and lags a moving head; it runs too seldom here for that to pay, so it looks afresh each time.
        self._mesh = face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces, refine_landmarks=False,
                                        min_detection_confidence=min_confidence,
                                        min_tracking_confidence=min_confidence)
        self.mode, self.refresh_every, self.detect_width = mode, refresh_every, detect_width
        self.max_faces, self.min_confidence, self.far, self._finder = max_faces, min_confidence, far, finder
        self.reset()

    def reset(self) -> None:
        """Forget the faces: the next frame runs the mesh."""
        self._faces: list[np.ndarray] = []  # the last frame's landmarks of each face, in frame pixels
        self._followed: list[_Followed] = []  # each face's points since the key frame
        self._grey: np.ndarray | None = None  # the last frame, grey, at the size the landmarks are found on
        self._key: tuple | None = None  # (source_id, frame shape) of the last frame
        self._index = 0  # index of the last frame
        self._meshed = 0  # index of the last frame the mesh ran on
        self._unconfirmed = False  # the last mesh found more faces than the frame before it had
        self._missed_far: int | None = None  # index of the last frame the detector found no face on

    def close(self) -> None:
        if self._mesh is not None:
            self._mesh.close()
            self._mesh = None
        if self._finder is not None:
            self._finder.close()
            self._finder = None

    def find(self, frame: Frame) -> list[np.ndarray]:
        if self._mesh is None:
            raise RuntimeError("the face tracker is closed")
        small, scale = self._shrunk(frame.pixels)
        video = self.mode is RunningMode.VIDEO
        grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) if video else None
        key = (frame.source_id, frame.pixels.shape)
        if key != self._key:
            self._missed_far = None
        known = len(self._faces) if key == self._key else 0
        follow = (video and key == self._key and frame.index - self._index == 1
                  and frame.index - self._meshed < self.refresh_every and known > 0 and not self._unconfirmed)
        self._key, self._index = key, frame.index
        faces = self._follow(grey) if follow and grey is not None else None  # follow: a video's, so grey
        if faces is None:
            self._meshed = frame.index
            faces = self._landmarks(small, scale) or self._far_faces(frame, small, video)
            self._unconfirmed = len(faces) > known
            log.debug("face mesh found %d faces", len(faces))
            if grey is not None:  # a video's
                to_small = np.array(small.shape[1::-1], np.float32) / np.array(scale, np.float32)
                self._followed = [_Followed(landmarks, grey, to_small) for landmarks in faces]
        self._faces, self._grey = faces, grey
        return faces

    def _follow(self, grey: np.ndarray) -> list[np.ndarray] | None:
        """Each face's key-frame landmarks moved by the similarity that takes its points from the key
        frame to this one; None when a face has too few points left."""
        moved = []
        if self._grey is None:  # nothing followed yet
            return None
        for face in self._followed:
            x0, y0, x1, y1 = _box(face.last, grey.shape, REACH)  # flow on the face's part of the frame only
            if min(x1 - x0, y1 - y0) < FLOW["winSize"][0]:  # the face has left the frame
                return None
            last, now = self._grey[y0:y1, x0:x1], grey[y0:y1, x0:x1]
            before = _points(face.last - (x0, y0))
            after, found, _ = cv2.calcOpticalFlowPyrLK(last, now, before, None, **FLOW)  # type: ignore[call-overload]  # OpenCV's stubs refuse the None nextPts it documents
            back, found_back, _ = cv2.calcOpticalFlowPyrLK(now, last, after, None, **FLOW)  # type: ignore[call-overload]  # OpenCV's stubs refuse the None nextPts it documents
            round_trip = np.hypot(*(back - before).reshape(-1, 2).T)
            good = (found.ravel() == 1) & (found_back.ravel() == 1) & (round_trip < MAX_ROUND_TRIP)
            if good.sum() < MIN_FOLLOWED:
                return None
            face.start, face.last = face.start[good], after.reshape(-1, 2)[good] + (x0, y0)
            move = similarity(face.start / face.to_small, face.last / face.to_small)
            moved.append(move(face.landmarks).astype(np.float32))
        return moved

    def _shrunk(self, pixels: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
        height, width = pixels.shape[:2]
        if width <= self.detect_width:
            return pixels, (float(width), float(height))
        size = (self.detect_width, max(1, round(height * self.detect_width / width)))
        return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), (float(width), float(height))

    def _landmarks(self, small: np.ndarray, scale: tuple[float, float]) -> list[np.ndarray]:
        found = self._mesh.process(small).multi_face_landmarks or []
        size = np.array(scale, np.float32)
        return [np.array([[p.x, p.y] for p in face.landmark], np.float32) * size for face in found]

    def _far_faces(self, frame: Frame, small: np.ndarray, video: bool) -> list[np.ndarray]:
        """The landmarks of faces the detector finds on ``small`` (the frame's shrunk copy), each from
        the mesh on a square round it at full size; none where the detector found none lately."""
        if not self.far or (video and self._missed_far is not None and 0 <= frame.index - self._missed_far < FAR_EVERY):
            return []
        if self._finder is None:
            from core.stages.head_crop import FaceFinder  # MediaPipe's full-range detector: made when first needed

            self._finder = FaceFinder(self.min_confidence)
        to_frame = frame.pixels.shape[1] / small.shape[1]
        boxes = sorted(self._finder.faces(small), key=lambda box: -box[2] * box[3])[: self.max_faces]
        faces = [found for found in (self._mesh_round(frame.pixels, [v * to_frame for v in box]) for box in boxes)
                 if found is not None]
        self._missed_far = None if faces else frame.index
        log.debug("face detector found %d faces, the mesh %d of them", len(boxes), len(faces))
        return faces

    def _mesh_round(self, pixels: np.ndarray, box: list[float]) -> np.ndarray | None:
        """The landmarks (frame pixels) of the face nearest the middle of a square round the detector's
        ``box`` (x, y, width, height in frame pixels), found by the mesh on that square brought to
        ``FAR_SIDE`` px; None when the mesh finds none there."""
        x, y, w, h = box
        half = FAR_REACH * max(w, h) / 2
        cx, cy = x + w / 2, y + h / 2
        height, width = pixels.shape[:2]
        x0, y0 = max(0, round(cx - half)), max(0, round(cy - half))
        x1, y1 = min(width, round(cx + half)), min(height, round(cy + half))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        scale = FAR_SIDE / max(x1 - x0, y1 - y0)
        size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
        square = cv2.resize(pixels[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        found = self._mesh.process(square).multi_face_landmarks or []
        if not found:
            return None
        faces = [np.array([[p.x, p.y] for p in face.landmark], np.float32) for face in found]
        middle = min(faces, key=lambda face: float(np.hypot(*(face.mean(axis=0) - 0.5))))
        return middle * np.array([x1 - x0, y1 - y0], np.float32) + np.array([x0, y0], np.float32)


def _box(points: np.ndarray, shape: tuple[int, ...], margin: int) -> tuple[int, int, int, int]:
    """The points' bounding box grown by ``margin`` and kept inside an image of ``shape``."""
    x0, y0 = np.clip(np.floor(points.min(axis=0)).astype(int) - margin, 0, (shape[1], shape[0]))
    x1, y1 = np.clip(np.ceil(points.max(axis=0)).astype(int) + margin + 1, (x0, y0), (shape[1], shape[0]))
    return int(x0), int(y0), int(x1), int(y1)


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
