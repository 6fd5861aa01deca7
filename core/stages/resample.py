"""Fast shrinking of frames and masks to the small working copies the smoothing and refining stages use."""

from __future__ import annotations

import cv2
import numpy as np


def work_size(width: int, height: int, work_width: int) -> tuple[int, int]:
    """(width, height) of a working copy at most ``work_width`` wide with the same aspect ratio."""
    small_width = max(1, min(int(work_width), width))
    small_height = max(1, round(height * small_width / width))
    return small_width, small_height


def shrink(image: np.ndarray, size: tuple[int, int], halves: list[np.ndarray] | None = None) -> np.ndarray:
    """Area-average ``image`` down to ``size`` (width, height).

    Halving with bilinear interpolation averages 2 x 2 blocks exactly and is several times faster than
    OpenCV's INTER_AREA on uint8 colour pictures, so halve while the image is at least twice too big
    and finish with INTER_AREA on the small remainder. An image smaller than ``size`` is enlarged
    bilinearly. ``halves``: ``[image, its half, its quarter, ...]`` as far as known, reused and extended
    in place, so shrinking one picture to several sizes halves it only once."""
    width, height = size
    level = 0
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        level += 1
        if halves is not None and level < len(halves):
            image = halves[level]
            continue
        image = cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
        if halves is not None:
            halves.append(image)
    if (image.shape[1], image.shape[0]) != (width, height):
        growing = image.shape[1] < width or image.shape[0] < height
        interpolation = cv2.INTER_LINEAR if growing else cv2.INTER_AREA
        image = cv2.resize(image, (width, height), interpolation=interpolation)
    return image


def shrink_frame(frame, size: tuple[int, int]) -> np.ndarray:
    """``shrink(frame.pixels, size)``, kept on the frame (read-only): the segment, smoothing and refining
    stages all want small copies of the same frame, and at 1080p each shrink from full size costs a
    millisecond or more; the halvings are kept too. The frame's pixels are read-only, so a copy stays
    right for the frame's life."""
    cache = frame.small_copies
    found = cache.get(size)
    if found is None:
        found = shrink(frame.pixels, size, cache.setdefault("halves", [frame.pixels]))
        if found is not frame.pixels:  # (a frame already that size is its own copy)
            found.setflags(write=False)
        cache[size] = found
    return found
