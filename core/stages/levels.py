"""Hair colour levels, the salon scale from 1 (black) to 10 (lightest blonde), and when a shade would need
the hair lightened first.

Dye deposits colour; it lifts natural hair only a little. A shade much lighter than the customer's own
hair is reached in a salon only by pre-lightening (bleaching) first, and a try-on should say so
rather than promise it.

- A shade's level is read from its swatch's CIELAB lightness: level 1 at L* 12, one level for every 7 L*.
- The hair's level in a picture is read from the median lightness of the hair (shadows between strands
  included) and its mean yellowness (b*): ``1 + L* / 9.5 + 0.06 b*``. Both were calibrated on 60
  validation photos whose level was named by eye (``docs/models/hair-levels.csv``, with the reason for
  each): a median L* sits well below how light hair looks, most of all for curls, and golden and copper
  hair look lighter than ash hair of the same lightness. That reads 85 % of them within one level
  (82 % left out of the fit one at a time); the lightness-only scale used before read 60 % and called
  hair 1.2 levels too dark on average.
- The advice is given in whole levels, the way a colourist speaks: the shade's level and the hair's,
  rounded, and the notice whenever the shade is more than ``LIFT_LIMIT`` levels above the hair, in the
  same words. The hair's whole level is held until its reading moves ``HOLD`` past it, so a reading that
  wavers from frame to frame does not make the notice blink."""

from __future__ import annotations

import cv2
import numpy as np

from core.frames import Look, Shade

LEVEL_1_LIGHTNESS = 12.0  # a swatch: L* of level 1 (black)...
LIGHTNESS_PER_LEVEL = 7.0  # ...and the L* between two levels
HAIR_LIGHTNESS_PER_LEVEL = 9.5  # hair in a picture: L* (median) per level from level 1 at L* 0...
HAIR_LEVELS_PER_YELLOWNESS = 0.06  # ...plus this many levels per unit of b* (mean)
LIFT_LIMIT = 3  # a shade more than this many whole levels above the hair's needs pre-lightening
HOLD = 0.75  # the hair's whole level changes only when its reading is this far from it


def level(lightness: float) -> float:
    """The level (1-10, fractional) of a swatch colour of CIELAB lightness ``lightness`` (0-100)."""
    return float(np.clip(1.0 + (lightness - LEVEL_1_LIGHTNESS) / LIGHTNESS_PER_LEVEL, 1.0, 10.0))


def hair_level(lightness: float, yellowness: float) -> float:
    """The level (1-10, fractional) of hair in a picture whose median CIELAB lightness is ``lightness``
    (0-100) and mean b* is ``yellowness``."""
    reading = 1.0 + lightness / HAIR_LIGHTNESS_PER_LEVEL + HAIR_LEVELS_PER_YELLOWNESS * yellowness
    return float(np.clip(reading, 1.0, 10.0))


def shade_level(shade: Shade) -> float:
    """The level of a shade's swatch colour."""
    swatch = np.array([[shade.rgb]], np.float32) / 255.0
    return level(float(cv2.cvtColor(swatch, cv2.COLOR_RGB2Lab)[0, 0, 0]))


def lift(natural: float, shade: Shade) -> int:
    """How many whole levels ``shade`` is above hair of level ``natural`` (negative: darker)."""
    return round(shade_level(shade)) - round(natural)


class LiftAdvice:
    """Says when the chosen shade needs pre-lightening for the hair in view. ``update`` returns the
    message to show, or None."""

    def __init__(self):
        self._held: int | None = None

    def reset(self) -> None:
        self._held = None

    def update(self, natural: float | None, look: Look) -> str | None:
        """The notice for hair of level ``natural`` (None: no hair measured) dyed to ``look``: about
        its lightest shade, the roots' or the tips'."""
        if natural is None:
            self._held = None
            return None
        if self._held is None or abs(natural - self._held) > HOLD:
            self._held = round(natural)
        shade = max((s for s in (look.shade, look.tips) if s is not None), key=shade_level)
        levels = lift(self._held, shade)
        if levels <= LIFT_LIMIT:
            return None
        return (f"{shade.name} is {levels} levels lighter than this hair (level {self._held}): in the salon, "
                f"more than {LIFT_LIMIT} levels needs pre-lightening first")
