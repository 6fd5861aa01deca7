"""Hair colour levels, the salon scale from 1 (black) to 10 (lightest blonde), read from lightness, and
when a shade would need the hair lightened first.

Dye deposits colour; it lifts natural hair only a little. A shade much lighter than the customer's own
hair is reached in a salon only by pre-lightening (bleaching) first, and a try-on should say so
rather than promise it. The scale is read from CIELAB lightness: level 1 at L* 12, one level for
every 7 L*, level 10 from L* 75 (the hair's median lightness in a photo, shadows between strands
included, sits a little below how light the hair looks)."""

from __future__ import annotations

import cv2
import numpy as np

from core.frames import Look, Shade

LEVEL_1_LIGHTNESS = 12.0  # L* of level 1 (black)...
LIGHTNESS_PER_LEVEL = 7.0  # ...and the L* between two levels
LIFT_LIMIT = 3.0  # a shade more than this many levels above the hair's needs pre-lightening
LIFT_CLEAR = 2.5  # once said, the notice goes only when the lift falls below this (no flicker)


def level(lightness: float) -> float:
    """The level (1-10, fractional) of a colour of CIELAB lightness ``lightness`` (0-100)."""
    return float(np.clip(1.0 + (lightness - LEVEL_1_LIGHTNESS) / LIGHTNESS_PER_LEVEL, 1.0, 10.0))


def shade_level(shade: Shade) -> float:
    """The level of a shade's swatch colour."""
    swatch = np.array([[shade.rgb]], np.float32) / 255.0
    return level(float(cv2.cvtColor(swatch, cv2.COLOR_RGB2Lab)[0, 0, 0]))


def lift(natural: float, shade: Shade) -> float:
    """How many levels ``shade`` is above hair of level ``natural`` (negative: darker)."""
    return shade_level(shade) - natural


class LiftAdvice:
    """Says when the chosen shade needs pre-lightening for the hair in view, with hysteresis so a
    natural level that wavers from frame to frame does not make the notice blink. ``update`` returns
    the message to show, or None."""

    def __init__(self):
        self._shown = False

    def reset(self) -> None:
        self._shown = False

    def update(self, natural: float | None, look: Look) -> str | None:
        """The notice for hair of level ``natural`` (None: no hair measured) dyed to ``look``: about
        its lightest shade, the roots' or the tips'."""
        if natural is None:
            self._shown = False
            return None
        shade = max((s for s in (look.shade, look.tips) if s is not None), key=shade_level)
        levels = lift(natural, shade)
        self._shown = levels > (LIFT_CLEAR if self._shown else LIFT_LIMIT)
        if not self._shown:
            return None
        return (f"{shade.name} is about {levels:.0f} levels lighter than this hair (level {natural:.0f}): "
                "in the salon it needs pre-lightening first")
