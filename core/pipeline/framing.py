"""The kiosk's mirror framing, without Qt: which part of the frame fills the screen so that the customer's
head is large and stays put, and that part cut from the camera's full-size frame (``cut``) for the live
pipeline to process at about the screen's resolution (``core.pipeline.pipeline``; the window paints it
as it comes, ``hairtint_desktop.widgets.video_view``).

The picture covers the view (no bands): the crop always has the view's aspect ratio and lies inside the
frame. From the face box the refine stage finds on each frame (``Result.face_box``) the framing aims at
a crop where the head (the face box grown up to the crown and out to the hair) takes ``head_share`` of
the view's height, its centre ``head_at`` of the way down. It follows that aim like a critically damped
spring -- it eases in and settles without overshoot, never jumps -- with a bounded speed, and leaves the
aim where it is while the face moves less than a dead zone, so a customer's small sway does not move the
picture. A face lost for a moment keeps the last framing; gone for ``hold_s``, the framing eases
back out to the whole frame. The first frame (a new source, the next customer) is framed at once: there
is no earlier picture to move from."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in frame pixels

# The head round the face detector's box (core.stages.face_box: about brow to chin, cheek to cheek),
# in the box's own heights and widths, as measured on the demo's drawn person (core.demo.synthetic).
HEAD_ABOVE = 0.45  # the crown above the box's top
HEAD_BELOW = 0.1  # the chin below its bottom
HEAD_SIDES = 0.15  # the hair beyond each side


@dataclass(frozen=True)
class FramingRule:
    screen_head_share: float = 0.48  # the head's height aimed at, as a share of the screen's height
    max_head_share: float = 0.72  # but never more of the view's (a short view keeps some hair below)
    head_at: float = 0.42  # the head's centre this share of the way down the view
    min_crop: float = 0.25  # the crop is never shorter than this share of the frame (bounded zoom)
    dead_zone: float = 0.12  # head heights the face may move before the aim follows
    zoom_dead_zone: float = 0.12  # relative change of the aimed crop height left alone
    settle_s: float = 0.35  # the spring's time constant (about 1.5 s to settle)
    max_pan: float = 0.8  # crop heights per second at most...
    pan_accel: float = 2.0  # ...reached at this many crop heights per second squared at most
    max_zoom: float = 0.6  # relative change of the crop height per second at most...
    zoom_accel: float = 1.5  # ...reached at this rate per second squared at most
    hold_s: float = 3.0  # a face lost this long keeps the last framing; then it eases out to the whole frame


def head_box(face: Box) -> Box:
    """The head round a face box: up to the crown, out to the hair at the sides."""
    x0, y0, x1, y1 = face
    w, h = x1 - x0, y1 - y0
    return x0 - HEAD_SIDES * w, y0 - HEAD_ABOVE * h, x1 + HEAD_SIDES * w, y1 + HEAD_BELOW * h


def whole_crop(frame_size: tuple[int, int], aspect: float) -> Box:
    """The largest crop of ``aspect`` (width / height) centred in the frame: the whole picture, covering."""
    width, height = frame_size
    h = min(float(height), width / aspect)
    w = h * aspect
    return (width - w) / 2, (height - h) / 2, (width + w) / 2, (height + h) / 2


def head_share_of_view(view_height: float, screen_height: float, rule: FramingRule = FramingRule()) -> float:
    """The share of the view's height the head is given so that it takes ``rule.screen_head_share`` of the
    screen's (the view may be shorter than the screen: controls below it, a banner above)."""
    if view_height <= 0:
        return rule.max_head_share
    return min(rule.max_head_share, rule.screen_head_share * max(screen_height, view_height) / view_height)


def clamp_crop(cx: float, cy: float, h: float, frame_size: tuple[int, int], aspect: float,
               rule: FramingRule = FramingRule()) -> tuple[float, float, float]:
    """(centre x, centre y, height) moved and sized so the crop lies inside the frame."""
    width, height = frame_size
    largest = min(float(height), width / aspect)
    h = min(largest, max(h, min(rule.min_crop * height, largest)))
    w = h * aspect
    cx = min(max(cx, w / 2), width - w / 2)
    cy = min(max(cy, h / 2), height - h / 2)
    return cx, cy, h


def aim(face: Box, frame_size: tuple[int, int], aspect: float, head_share: float,
        rule: FramingRule = FramingRule()) -> tuple[float, float, float]:
    """The crop (centre x, centre y, height) that frames the head round ``face`` as the rule says."""
    x0, y0, x1, y1 = head_box(face)
    h = (y1 - y0) / head_share
    return clamp_crop((x0 + x1) / 2, (y0 + y1) / 2 + (0.5 - rule.head_at) * h, h, frame_size, aspect, rule)


def _spring(x: float, v: float, target: float, omega: float, dt: float) -> tuple[float, float]:
    """One exact step of a critically damped spring (stable for any ``dt``)."""
    offset = x - target
    b = v + omega * offset
    decay = math.exp(-omega * dt)
    return target + (offset + b * dt) * decay, (v - omega * b * dt) * decay


def _bounded(wanted: list[float], now: list[float], top: float, change: float) -> list[float]:
    """A velocity (a vector) on its way from ``now`` to ``wanted``, at most ``top`` long: speeding up by at
    most ``change``, slowing down as the spring asks (so it stops without overshooting)."""
    delta = [w - n for w, n in zip(wanted, now, strict=True)]
    size = math.hypot(*delta)
    if size > change and math.hypot(*wanted) > math.hypot(*now):
        delta = [d * change / size for d in delta]
    v = [n + d for n, d in zip(now, delta, strict=True)]
    speed = math.hypot(*v)
    return [x * top / speed for x in v] if speed > top else v


@dataclass(frozen=True)
class View:
    """Where a framed picture is shown: the view's size in screen pixels, and the head's share of its
    height (``head_share_of_view``)."""

    width: int
    height: int
    head_share: float

    @property
    def aspect(self) -> float:
        return self.width / self.height


def processing_size(view: View, max_pixels: int | None) -> tuple[int, int]:
    """The size a framed crop is processed at: the view's, shrunk (aspect kept) to at most ``max_pixels``."""
    scale = 1.0 if max_pixels is None else min(1.0, (max_pixels / (view.width * view.height)) ** 0.5)
    return max(16, int(view.width * scale)), max(16, int(view.height * scale))


def cut(pixels: np.ndarray, crop: Box, size: tuple[int, int]) -> np.ndarray:
    """The part ``crop`` (x0, y0, x1, y1, fractions of a pixel kept, so a slowly moving crop glides) of
    ``pixels`` at ``size`` (width, height): enlarged or shrunk a little bilinearly, shrunk by more than
    half by area averaging."""
    x0, y0, x1, y1 = crop
    width, height = size
    sx, sy = width / (x1 - x0), height / (y1 - y0)
    if min(sx, sy) >= 0.5:
        # pixel centres: output u's centre u + 0.5 is at x0 + (u + 0.5) / sx in the frame
        matrix = np.array([[sx, 0.0, sx * (0.5 - x0) - 0.5], [0.0, sy, sy * (0.5 - y0) - 0.5]], np.float64)
        return cv2.warpAffine(pixels, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    rows, cols = slice(max(0, round(y0)), round(y1)), slice(max(0, round(x0)), round(x1))
    return cv2.resize(pixels[rows, cols], (width, height), interpolation=cv2.INTER_AREA)


def moved(before: Box, after: Box) -> np.ndarray:
    """The 2 x 3 matrix taking a point of a picture cut at ``before`` to the same point of the frame in a
    picture cut at ``after``, both in shares of the picture's width and height (the same matrix serves
    pictures of any size)."""
    bx0, by0, bx1, by1 = before
    ax0, ay0, ax1, ay1 = after
    sx, sy = (bx1 - bx0) / (ax1 - ax0), (by1 - by0) / (ay1 - ay0)
    return np.array([[sx, 0.0, (bx0 - ax0) / (ax1 - ax0)], [0.0, sy, (by0 - ay0) / (ay1 - ay0)]], np.float64)


class Framer:
    """Feed it each shown frame's face box (None: no face) with the time since the last one; ``crop``
    is then the part of the frame to show, of the view's aspect ratio."""

    def __init__(self, rule: FramingRule = FramingRule()):
        self.rule = rule
        self.reset()

    def reset(self) -> None:
        """Forget the framing: the next frame is framed at once."""
        self._pos: list[float] | None = None  # centre x, centre y, height
        self._vel = [0.0, 0.0, 0.0]
        self._aim: tuple[float, float, float] | None = None
        self._head_h = 0.0
        self._lost_s = 0.0
        self._frame_size: tuple[int, int] | None = None
        self._aspect = 1.0

    @property
    def crop(self) -> Box | None:
        """The crop (x0, y0, x1, y1 in frame pixels) for the last update; None before the first."""
        if self._pos is None:
            return None
        cx, cy, h = self._pos
        w = h * self._aspect
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2

    def update(self, face: Box | None, frame_size: tuple[int, int], aspect: float, dt: float,
               head_share: float | None = None) -> Box:
        """Move the framing on by ``dt`` seconds towards ``face`` in a frame of ``frame_size`` shown in a
        view of ``aspect`` (width / height); ``head_share``: of the view's height (default: the rule's
        screen share). Returns the new crop."""
        rule = self.rule
        if frame_size != self._frame_size:  # a new source or size: nothing to move from
            self.reset()
            self._frame_size = frame_size
        self._aspect = aspect
        share = head_share if head_share is not None else rule.screen_head_share
        whole = whole_crop(frame_size, aspect)
        wide = ((whole[0] + whole[2]) / 2, (whole[1] + whole[3]) / 2, whole[3] - whole[1])
        if face is not None:
            self._lost_s = 0.0
            wanted = aim(face, frame_size, aspect, share, rule)
            head_h = face[3] - face[1]
            if self._aim is None or self._moved(wanted, head_h):
                self._aim, self._head_h = wanted, head_h
        else:
            self._lost_s += max(0.0, dt)
            if self._aim is None or self._lost_s >= rule.hold_s:
                self._aim = wide
        if self._pos is None:
            self._pos, self._vel = list(self._aim), [0.0, 0.0, 0.0]
        else:
            ax, ay, ah = self._aim
            self._step(clamp_crop(ax, ay, ah, frame_size, aspect, rule), max(0.0, min(dt, 0.5)))
        px, py, ph = self._pos
        self._pos = list(clamp_crop(px, py, ph, frame_size, aspect, rule))
        crop = self.crop
        assert crop is not None
        return crop

    def _moved(self, wanted: tuple[float, float, float], head_h: float) -> bool:
        assert self._aim is not None
        ax, ay, ah = self._aim
        dead = self.rule.dead_zone * max(head_h, self._head_h)
        return (math.hypot(wanted[0] - ax, wanted[1] - ay) > dead
                or abs(wanted[2] - ah) > self.rule.zoom_dead_zone * ah)

    def _step(self, target: tuple[float, float, float], dt: float) -> None:
        """The spring's step, its speed and its change of speed bounded: the pan's by the crop's height,
        the zoom's by a share of it."""
        assert self._pos is not None
        if dt <= 0:
            return
        rule, omega, h = self.rule, 1.0 / self.rule.settle_s, self._pos[2]
        sprung = [_spring(self._pos[i], self._vel[i], target[i], omega, dt)[0] for i in range(3)]
        wanted = [(sprung[i] - self._pos[i]) / dt for i in range(3)]  # the speeds the spring asks for
        # no faster than omega times the way left either: a critically damped spring then never overshoots
        left = math.hypot(target[0] - self._pos[0], target[1] - self._pos[1]), abs(target[2] - self._pos[2])
        pan = _bounded(wanted[:2], self._vel[:2], min(rule.max_pan * h, omega * left[0]), rule.pan_accel * h * dt)
        zoom = _bounded(wanted[2:], self._vel[2:], min(rule.max_zoom * h, omega * left[1]), rule.zoom_accel * h * dt)
        self._vel = [*pan, *zoom]
        self._pos = [self._pos[i] + self._vel[i] * dt for i in range(3)]


__all__ = ["Box", "Framer", "FramingRule", "View", "aim", "clamp_crop", "cut", "head_box", "head_share_of_view", "moved",
           "processing_size", "whole_crop"]
