"""Where the controls go for a window size, as plain numbers (no widgets, so it is tested on its own):
beside the picture on a landscape screen, below it on a portrait one, with the shade grid reflowed so
that every shade is visible without scrolling and every button stays touch-sized."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_TOUCH_PX = 64  # the smallest swatch (a swatch is 1.25 x 1.3 of this)
SPACING = 6


@dataclass(frozen=True)
class LayoutPlan:
    below: bool  # the controls sit below the picture (portrait) rather than beside it
    columns: int  # of the shade grid
    button_size: int  # the swatch size (see SwatchButton)
    side_by_side: bool = False  # the shade grid beside the other controls rather than above them


def swatch_extent(size: int) -> tuple[int, int]:
    return round(size * 1.25) + SPACING, round(size * 1.3) + SPACING


def plan_layout(width: int, height: int, shades: int, *, other_height: int, other_width: int,
                touch: bool) -> LayoutPlan:
    """``other_height``/``other_width``: what the controls other than the shade grid need, stacked in one
    column. Landscape: the grid above that column, beside the picture (or, on a short screen, the grid
    and the column side by side); portrait: the grid and the column side by side under the picture."""
    shades = max(1, shades)
    sizes = range(96 if touch else 72, MIN_TOUCH_PX - 1, -4)
    if height > width:
        for size in sizes:
            cell_w, cell_h = swatch_extent(size)
            columns = max(1, (width - other_width - 48) // cell_w)
            if math.ceil(shades / columns) * cell_h <= max(other_height, height * 0.5 - 24):
                return LayoutPlan(True, columns, size, True)
        cell_w, _ = swatch_extent(MIN_TOUCH_PX)
        return LayoutPlan(True, max(1, (width - other_width - 48) // cell_w), MIN_TOUCH_PX, True)
    for size in sizes:  # the grid above the other controls
        cell_w, cell_h = swatch_extent(size)
        rows = (height - other_height - 40) // cell_h
        if rows >= 1 and math.ceil(shades / rows) * cell_w <= max(width * 0.42, other_width):
            return LayoutPlan(False, math.ceil(shades / rows), size)
    for size in sizes:  # the grid beside them
        cell_w, cell_h = swatch_extent(size)
        columns = math.ceil(shades / max(1, (height - 60) // cell_h))
        if columns * cell_w + other_width + 24 <= width * 0.5:
            return LayoutPlan(False, columns, size, True)
    cell_w, cell_h = swatch_extent(MIN_TOUCH_PX)
    return LayoutPlan(False, math.ceil(shades / max(1, (height - 60) // cell_h)), MIN_TOUCH_PX, True)


__all__ = ["MIN_TOUCH_PX", "LayoutPlan", "plan_layout", "swatch_extent"]
