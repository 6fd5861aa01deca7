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


def swatch_extent(size: int) -> tuple[int, int]:
    return round(size * 1.25) + SPACING, round(size * 1.3) + SPACING


def plan_layout(width: int, height: int, shades: int, *, other_height: int, other_width: int,
                touch: bool) -> LayoutPlan:
    """``other_height``: what the controls other than the shade grid need stacked in one column (beside
    the picture); ``other_width``: the width of that column. A portrait window puts the grid and that
    column side by side under the picture."""
    shades = max(1, shades)
    preferred = 96 if touch else 72
    below = height > width
    for size in range(preferred, MIN_TOUCH_PX - 1, -4):
        cell_w, cell_h = swatch_extent(size)
        if below:
            # grid left of the other controls, under a picture that keeps at least half the height
            columns = max(1, (width - other_width - 48) // cell_w)
            rows = math.ceil(shades / columns)
            if rows * cell_h <= max(other_height, height * 0.5 - 24):
                return LayoutPlan(True, columns, size)
        else:
            rows = max(1, (height - other_height - 40) // cell_h)
            columns = math.ceil(shades / rows)
            if columns * cell_w <= width * 0.42:
                return LayoutPlan(False, columns, size)
    # nothing fits at touch size: the smallest touch size, as many columns as it takes
    cell_w, cell_h = swatch_extent(MIN_TOUCH_PX)
    if below:
        return LayoutPlan(True, max(1, (width - other_width - 48) // cell_w), MIN_TOUCH_PX)
    rows = max(1, (height - other_height - 40) // cell_h)
    return LayoutPlan(False, math.ceil(shades / rows), MIN_TOUCH_PX)


__all__ = ["LayoutPlan", "plan_layout", "swatch_extent", "MIN_TOUCH_PX"]
