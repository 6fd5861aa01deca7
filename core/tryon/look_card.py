"""The look card a customer keeps: the picture before and after, side by side (or stacked, for a wide
picture), each labelled, with the shade's name and swatch, the intensity, shine and tips, and the date, on
a 6 x 4 inch card at 300 dpi (1800 x 1200 pixels, or 1200 x 1800 stacked), drawn with OpenCV alone.

:func:`save_card` writes it whole or not at all (``core.io.outputs.replace_atomically``), under a plain
name, the time and the shade (``hairtint-look_20261207-101500_sunlit-amber.jpg``), never over a file.
Nothing here writes on its own: the app calls it only when the customer taps "Keep this look"."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from core.frames import Look
from core.io.naming import free_name, shorten, slug
from core.io.outputs import OutputError, replace_atomically

DPI = 300
LONG, SHORT = 6 * DPI, 4 * DPI  # a 6 x 4 inch (postcard, 10 x 15 cm) print
MARGIN = 72
GAP = 40  # between the two pictures
HEADER = 150  # the shade's name and swatch
LABEL = 64  # "Before" / "After" under each picture
FOOTER = 80  # the intensity, shine, tips and the date
PAPER = (250, 247, 242)
INK = (38, 34, 32)
MUTED = (120, 112, 106)
FRAME = (214, 208, 200)
FONT = cv2.FONT_HERSHEY_DUPLEX
JPEG_QUALITY = 92
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Card:
    """The card's pixels (uint8 RGB) and where each picture lies on it."""

    pixels: np.ndarray
    before: Box
    after: Box


def render_card(before: np.ndarray, after: np.ndarray, look: Look, when: datetime) -> Card:
    """The card for ``look`` tried at ``when``: ``before`` (the original frame) and ``after`` (the
    recoloured one), uint8 RGB of the same size."""
    for name, pixels in (("before", before), ("after", after)):
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or 0 in pixels.shape:
            raise ValueError(f"the {name} picture must be uint8 H x W x 3 RGB, got {pixels.dtype} {pixels.shape}")
    height, width = before.shape[:2]
    stacked = _scale(width, height, stacked=True) > _scale(width, height, stacked=False)
    card_w, card_h = (SHORT, LONG) if stacked else (LONG, SHORT)
    card = np.full((card_h, card_w, 3), PAPER, np.uint8)
    _header(card, look)
    boxes = _boxes(width, height, stacked)
    for (bx, by, bw, bh), pixels, label in zip(boxes, (before, after), ("Before", "After"), strict=True):
        cv2.rectangle(card, (bx - 3, by - 3), (bx + bw + 2, by + bh + 2), FRAME, 3)
        card[by:by + bh, bx:bx + bw] = cv2.resize(pixels, (bw, bh), interpolation=cv2.INTER_AREA)
        _text(card, label, (bx + bw // 2, by + bh + LABEL - 18), 1.1, MUTED, 2, align="centre")
    _footer(card, look, when)
    return Card(card, *boxes)


def card_name(look: Look, when: datetime) -> str:
    """``hairtint-look_<YYYYmmdd-HHMMSS>_<shade>.jpg``: the time and the shade, nothing of the customer."""
    return f"{shorten(f'hairtint-look_{when:%Y%m%d-%H%M%S}_{slug(look.shade.name)}')}.jpg"


def save_card(card: Card, folder: str | Path, look: Look, when: datetime) -> Path:
    """Write ``card`` as a 300 dpi JPEG to a free name in ``folder`` (:func:`card_name`), whole or not at
    all. OutputError (one line, naming the file) when it cannot be written."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputError(f"cannot keep the look: the folder {folder} does not exist")
    buffer = io.BytesIO()
    Image.fromarray(card.pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY, dpi=(DPI, DPI))
    path = free_name(folder / card_name(look, when))
    try:
        replace_atomically(path, lambda handle: handle.write(buffer.getvalue()), binary=True)
    except OSError as exc:
        raise OutputError(f"cannot keep the look in {path}: {exc.strerror or exc}") from None
    return path


def shown_date(when: datetime) -> str:
    """'7 December 2026' (the same in every locale)."""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def look_line(look: Look) -> str:
    """'Intensity 70%   Shine 30   Tips: Platinum Blonde' (tips only when there are some)."""
    line = f"Intensity {look.intensity}%   Shine {look.shine}"
    return line + (f"   Tips: {printable(look.tips.name)}" if look.tips is not None else "")


def printable(text: str) -> str:
    """``text`` in the letters OpenCV's font draws: accents dropped ('Creme Brulee'); what has no such
    letters at all becomes 'Your look'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = "".join(c for c in " ".join(plain.split()) if c.isprintable()).strip()
    return plain or "Your look"


# ---- layout --------------------------------------------------------------------------------------
def _area(stacked: bool) -> Box:
    """Where the two pictures and their labels go: between the header and the footer."""
    card_w, card_h = (SHORT, LONG) if stacked else (LONG, SHORT)
    top = MARGIN + HEADER
    return MARGIN, top, card_w - 2 * MARGIN, card_h - MARGIN - FOOTER - top


def _scale(width: int, height: int, stacked: bool) -> float:
    """How large a picture of ``width`` x ``height`` is drawn, side by side or stacked (larger is better)."""
    _x, _y, w, h = _area(stacked)
    if stacked:
        return min(w / width, (h - GAP - 2 * LABEL) / 2 / height)
    return min((w - GAP) / 2 / width, (h - LABEL) / height)


def _boxes(width: int, height: int, stacked: bool) -> tuple[Box, Box]:
    """The two pictures' boxes, as large as fits, the pair (with its labels) centred in the area."""
    x, y, w, h = _area(stacked)
    scale = _scale(width, height, stacked)
    pw, ph = max(1, int(width * scale)), max(1, int(height * scale))
    if stacked:
        left, top = x + (w - pw) // 2, y + (h - 2 * (ph + LABEL) - GAP) // 2
        return (left, top, pw, ph), (left, top + ph + LABEL + GAP, pw, ph)
    left, top = x + (w - 2 * pw - GAP) // 2, y + (h - ph - LABEL) // 2
    return (left, top, pw, ph), (left + pw + GAP, top, pw, ph)


# ---- drawing -------------------------------------------------------------------------------------
def _header(card: np.ndarray, look: Look) -> None:
    """The swatch (split when there are tips) and the shade's name, as large as fits."""
    radius, centre = 44, (MARGIN + 44, MARGIN + 58)
    cv2.circle(card, centre, radius, look.shade.rgb, -1, cv2.LINE_AA)
    if look.tips is not None:
        cv2.ellipse(card, centre, (radius, radius), 0, 0, 180, look.tips.rgb, -1, cv2.LINE_AA)
    cv2.circle(card, centre, radius, FRAME, 2, cv2.LINE_AA)
    left = MARGIN + 2 * radius + 32
    _text(card, printable(look.shade.name), (left, MARGIN + 84), 2.4, INK, 3, width=card.shape[1] - MARGIN - left)


def _footer(card: np.ndarray, look: Look, when: datetime) -> None:
    y = card.shape[0] - MARGIN - 10
    date = shown_date(when)
    date_w = cv2.getTextSize(date, FONT, 1.1, 2)[0][0]
    _text(card, date, (card.shape[1] - MARGIN, y), 1.1, MUTED, 2, align="right")
    _text(card, look_line(look), (MARGIN, y), 1.1, INK, 2, width=card.shape[1] - 2 * MARGIN - date_w - GAP)


def _text(card: np.ndarray, text: str, at: tuple[int, int], scale: float, colour, thickness: int,
          align: str = "left", width: int | None = None) -> None:
    """``text`` with its baseline at ``at`` (its left end, centre or right end), made smaller to fit ``width``."""
    size = cv2.getTextSize(text, FONT, scale, thickness)[0][0]
    if width is not None and size > width:
        scale, size = scale * width / size, width
    x = at[0] - (size // 2 if align == "centre" else size if align == "right" else 0)
    cv2.putText(card, text, (x, at[1]), FONT, scale, colour, thickness, cv2.LINE_AA)


__all__ = ["DPI", "Card", "card_name", "look_line", "printable", "render_card", "save_card", "shown_date"]
