"""Where the customer's face is on a video's frames, for the kiosk's mirror framing
(``core.pipeline.framing``): the largest face's box from MediaPipe's full-range face detector
(:class:`~core.stages.head_crop.FaceFinder`, faces up to about 5 m away, so a person a metre or two from
a 1080p camera is found where the face mesh's short-range detector is not), run every ``every`` frames
and held between. The framing moves slowly and ignores small moves, so three boxes a second are enough:
one detection on a 1280 x 720 frame took 8.7 ms (median) on two heavily shared cores, under a
millisecond a frame on average at one frame in ten."""

from __future__ import annotations

from core.frames import Frame
from core.stages.head_crop import Finder

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in frame pixels


def largest(faces: list[tuple[float, float, float, float]]) -> Box | None:
    """The largest of faces given as (x, y, width, height), as a box; None for no face."""
    if not faces:
        return None
    x, y, w, h = max(faces, key=lambda face: face[2] * face[3])
    return x, y, x + w, y + h


class FaceLocator:
    def __init__(self, finder: Finder | None = None, every: int = 10):
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        if finder is None:
            from core.stages.head_crop import FaceFinder  # MediaPipe: loaded with the first locator

            finder = FaceFinder()
        self.finder, self.every = finder, every
        self.reset()

    def reset(self) -> None:
        self._box: Box | None = None
        self._key: tuple | None = None
        self._looked = -(10**9)

    def locate(self, frame: Frame) -> Box | None:
        """The largest face's box on ``frame`` (looked for afresh every ``every`` frames, on a new source
        or frame size, or after a gap in the indices; the last box otherwise)."""
        key = (frame.source_id, frame.pixels.shape)
        if key != self._key or not 0 <= frame.index - self._looked < self.every:
            self._key, self._looked = key, frame.index
            self._box = largest(self.finder.faces(frame.pixels))
        return self._box

    def close(self) -> None:
        self.finder.close()
