"""The picture: paints the newest processed frame, scaled to fit with its aspect ratio kept -- or, as the
kiosk's mirror (``mirror=True``), covering the whole view, cropped round the customer's head. The live
kiosk pipeline frames the camera's frame itself (``view_changed`` tells it the view's size; its
results come cut to it, ``crop``) and the view paints them as they are; anything else (a photo, the
frames before the pipeline knows the view) is framed here by a :class:`~core.pipeline.framing.Framer`
that follows each frame's face box smoothly.

Three modes: ``single`` (the recoloured frame), ``split`` (before on the left of a draggable divider,
after on the right) and ``compare`` (the same frame in four shades, 2 x 2; a click on a tile picks that
shade). In ``single`` mode, pressing and holding the picture shows the original until released (one
finger, for a before/after at a glance). The view only paints; it never processes. It measures
capture-to-display latency: the first paint of a new frame minus the frame's capture time."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from core.pipeline.framing import Box, Framer, View, head_share_of_view
from core.pipeline.latency import RollingLatency

MODES = ("single", "split", "compare")
BACKGROUND = QColor("#121214")
HOLD_HINT = "Touch and hold to see before"


def to_qimage(pixels: np.ndarray) -> QImage:
    """A QImage viewing ``pixels`` (uint8 RGB, H x W x 3) without copying: keep the array alive as long
    as the image is used."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"expected uint8 H x W x 3 RGB, got {pixels.dtype} {pixels.shape}")
    if not pixels.flags.c_contiguous:
        pixels = np.ascontiguousarray(pixels)
    h, w = pixels.shape[:2]
    return QImage(pixels.data, w, h, pixels.strides[0], QImage.Format.Format_RGB888)


def fit_rect(image_size: QSize, area: QRect) -> QRect:
    """The largest rectangle of the image's aspect ratio centred in ``area``."""
    if image_size.isEmpty() or area.isEmpty():
        return QRect()
    scaled = image_size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    x = area.x() + (area.width() - scaled.width()) // 2
    y = area.y() + (area.height() - scaled.height()) // 2
    return QRect(x, y, scaled.width(), scaled.height())


class VideoView(QWidget):
    painted = Signal(float)  # capture-to-display latency of a newly shown frame, ms
    tile_clicked = Signal(int)  # compare mode: index of the tile clicked (0 = the current shade)
    divider_moved = Signal(float)
    view_changed = Signal(object)  # the mirror's View (core.pipeline.framing): its size and the head's share

    def __init__(self, parent: QWidget | None = None, *, mirror: bool = False):
        super().__init__(parent)
        self.framer = Framer() if mirror else None  # the kiosk's mirror: cover the view, framed on the head
        self.clock = time.perf_counter  # the framing's time (replaced in tests)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._mode = "single"
        self._divider = 0.5
        self._dragging = False
        self.placeholder = ""
        self.latency = RollingLatency(300)
        self._paint_times: list[float] = []
        self._view: View | None = None  # the last View told (the mirror)
        self._clear_buffers()

    # ---- state -----------------------------------------------------------------------------------
    def _clear_buffers(self) -> None:
        self._before: np.ndarray | None = None
        self._after: np.ndarray | None = None
        self._tiles: list[tuple[str, np.ndarray]] = []
        self._images: dict[str, QImage] = {}
        self._tile_images: list[QImage] = []
        self._capture_t: float | None = None
        self._fresh = False
        self._face: Box | None = None
        self._crop: Box | None = None  # the part of the frame shown (mirror); None: all of it
        self._framed: Box | None = None  # the camera frame's part the pipeline cut the frame to (mirror)
        self._framed_t: float | None = None
        self._holding = False  # the original shown while the picture is pressed
        if self.framer is not None:
            self.framer.reset()

    def set_frame(self, before: np.ndarray, after: np.ndarray, tiles: list[tuple[str, np.ndarray]] | None = None,
                  capture_t: float | None = None, face_box: Box | None = None, crop: Box | None = None) -> None:
        """Show a new frame. ``tiles`` (compare mode): ``(shade name, pixels)`` for each of the four
        tiles, the first being ``after`` itself. ``capture_t`` (perf_counter seconds) is used for the
        capture-to-display latency; None for a redraw of an old frame. ``face_box``: the face the mirror
        frames (None: none found). ``crop``: the part of the camera's frame the pipeline cut these
        pictures to for the mirror (painted as they are, covering the view)."""
        self._before, self._after = before, after
        self._tiles = list(tiles or [])
        self._images = {"before": to_qimage(before), "after": to_qimage(after)}
        self._tile_images = [to_qimage(pixels) for _, pixels in self._tiles]
        self._capture_t = capture_t
        self._fresh = True
        self._face = face_box
        self._framed = crop if self.framer is not None else None
        if self._framed is None:
            self._frame_on()
        self.update()

    def _frame_on(self, dt: float | None = None) -> None:
        """Move the mirror's framing on to the current frame and view size (``dt``: the time since the
        last framing, default the clock's)."""
        if self.framer is None or self._after is None or self.height() < 1:
            return
        now = self.clock()
        if dt is None:
            dt = 0.0 if self._framed_t is None else now - self._framed_t
        self._framed_t = now
        h, w = self._after.shape[:2]
        screen = self.window().height() if self.window() is not None else self.height()
        self._crop = self.framer.update(self._face, (w, h), self.width() / self.height(), dt,
                                        head_share_of_view(self.height(), screen, self.framer.rule))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._frame_on(0.0)  # the new aspect ratio, from where the framing is
        if self.framer is not None and self.width() > 0 and self.height() > 0:
            screen = self.window().height() if self.window() is not None else self.height()
            view = View(self.width(), self.height(), head_share_of_view(self.height(), screen, self.framer.rule))
            if view != self._view:
                self._view = view
                self.view_changed.emit(view)

    def clear(self, placeholder: str | None = None) -> None:
        """Forget every picture (nothing of it stays referenced here) and paint the placeholder."""
        self._clear_buffers()
        if placeholder is not None:
            self.placeholder = placeholder
        self.update()

    def has_frame(self) -> bool:
        return self._after is not None

    def holds_pixels(self) -> bool:
        """Whether any picture buffer is still referenced by this view (for the kiosk reset)."""
        return any(x is not None for x in (self._before, self._after)) or bool(self._tiles or self._images
                                                                               or self._tile_images)

    @property
    def shown(self) -> np.ndarray | None:
        """The recoloured pixels currently shown (single and split mode)."""
        return self._after

    @property
    def crop(self) -> Box | None:
        """The part of the frame the mirror shows (x0, y0, x1, y1; the camera frame's when the pipeline
        cut it); None when the whole frame is shown."""
        return self._framed if self._framed is not None else self._crop

    @property
    def covers(self) -> bool:
        """Whether the picture covers the view (the mirror, framed here or by the pipeline)."""
        return self._after is not None and (self._crop is not None or self._framed is not None)

    @property
    def showing_before(self) -> bool:
        """Whether the original is shown because the picture is pressed and held."""
        return self._holding and self._after is not None

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._mode = mode
        self.setCursor(Qt.CursorShape.SplitHCursor if mode == "split" else Qt.CursorShape.ArrowCursor)
        self.update()

    @property
    def divider(self) -> float:
        return self._divider

    def set_divider(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        if fraction != self._divider:
            self._divider = fraction
            self.divider_moved.emit(fraction)
            self.update()

    def display_fps(self) -> float:
        times = self._paint_times
        if len(times) < 2 or times[-1] == times[0]:
            return float("nan")
        return (len(times) - 1) / (times[-1] - times[0])

    # ---- geometry --------------------------------------------------------------------------------
    def image_rect(self) -> QRect:
        """Where the picture is painted: the whole view for the mirror, else fitted inside it."""
        if self._after is None:
            return QRect()
        if self.covers:
            return self.rect()
        h, w = self._after.shape[:2]
        return fit_rect(QSize(w, h), self.rect())

    def source_rect(self) -> QRectF:
        """The part of the frame painted into ``image_rect``."""
        if self._after is None:
            return QRectF()
        h, w = self._after.shape[:2]
        if self._framed is not None:  # cut to the view by the pipeline: all of it (trimmed while a resize is on its way)
            return self._trimmed(QRectF(0, 0, w, h), self.rect())
        if self._crop is not None:
            x0, y0, x1, y1 = self._crop
            return QRectF(x0, y0, x1 - x0, y1 - y0)
        return QRectF(0, 0, w, h)

    def tile_rects(self) -> list[QRect]:
        gap = 4
        w2, h2 = (self.width() - gap) // 2, (self.height() - gap) // 2
        return [QRect(0, 0, w2, h2), QRect(w2 + gap, 0, w2, h2),
                QRect(0, h2 + gap, w2, h2), QRect(w2 + gap, h2 + gap, w2, h2)]

    # ---- painting --------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), BACKGROUND)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if self._after is None:
                self._paint_placeholder(painter)
            elif self._mode == "compare" and self._tile_images:
                self._paint_tiles(painter)
            elif self._mode == "split":
                self._paint_split(painter)
            else:
                self._paint_single(painter)
        finally:
            painter.end()
        if self._after is not None and self._fresh:  # the first paint of a new frame
            self._fresh = False
            now = time.perf_counter()
            self._paint_times.append(now)
            if len(self._paint_times) > 60:
                del self._paint_times[0]
            if self._capture_t is not None:
                latency = (now - self._capture_t) * 1000.0
                self._capture_t = None  # one measurement per frame
                self.latency.add(latency)
                self.painted.emit(latency)

    def _paint_placeholder(self, painter: QPainter) -> None:
        if not self.placeholder:
            return
        painter.setPen(QColor("#9a9aa2"))
        font = QFont(self.font())
        font.setPointSizeF(max(12.0, font.pointSizeF() * 1.4))
        painter.setFont(font)
        painter.drawText(self.rect().adjusted(24, 24, -24, -24),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder)

    def _paint_single(self, painter: QPainter) -> None:
        target = self.image_rect()
        before = self.showing_before
        painter.drawImage(QRectF(target), self._images["before" if before else "after"], self.source_rect())
        if before or self.framer is not None:  # the mirror says how to see the original
            label_y = target.bottom() - 2.5 * painter.fontMetrics().height() - 28
            self._label(painter, QPointF(target.center().x(), label_y), "Before" if before else HOLD_HINT,
                        left=None, highlight=before)

    def _paint_split(self, painter: QPainter) -> None:
        target, source = self.image_rect(), self.source_rect()
        x = target.x() + round(target.width() * self._divider)
        src_x = source.x() + source.width() * self._divider
        # before: left part; after: right part (same source coordinates, so they line up)
        painter.drawImage(QRectF(target.x(), target.y(), x - target.x(), target.height()),
                          self._images["before"], QRectF(source.x(), source.y(), src_x - source.x(), source.height()))
        painter.drawImage(QRectF(x, target.y(), target.right() + 1 - x, target.height()),
                          self._images["after"], QRectF(src_x, source.y(), source.right() - src_x, source.height()))
        painter.setPen(QPen(QColor(255, 255, 255, 230), 2))
        painter.drawLine(x, target.top(), x, target.bottom())
        # handle
        centre = QPointF(x, target.center().y())
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.setPen(QPen(QColor(0, 0, 0, 90), 1))
        painter.drawEllipse(centre, 18, 18)
        painter.setPen(QPen(QColor("#333"), 2))
        for sign in (-1, 1):
            path = QPainterPath()
            path.moveTo(centre + QPointF(sign * 4, -6))
            path.lineTo(centre + QPointF(sign * 10, 0))
            path.lineTo(centre + QPointF(sign * 4, 6))
            painter.drawPath(path)
        # labels at the bottom corners: the statistics overlay sits at the top left
        label_y = target.bottom() - painter.fontMetrics().height() - 20
        self._label(painter, QPointF(target.left() + 10, label_y), "Before", left=True)
        self._label(painter, QPointF(target.right() - 10, label_y), "After", left=False)

    def _paint_tiles(self, painter: QPainter) -> None:
        tiles = zip(self.tile_rects(), self._tile_images, strict=False)  # four places, up to four pictures
        for i, (rect, image) in enumerate(tiles):
            if self.covers:  # the mirror: each tile covered by the framing, trimmed to its shape
                target = rect
                painter.drawImage(QRectF(target), image, self._trimmed(self.source_rect(), rect))
            else:
                target = fit_rect(image.size(), rect)
                painter.drawImage(target, image)
            name = self._tiles[i][0]
            self._label(painter, QPointF(target.left() + 10, target.bottom() - 40), name, left=True,
                        highlight=(i == 0))

    @staticmethod
    def _trimmed(source: QRectF, rect: QRect) -> QRectF:
        """The middle of ``source`` with ``rect``'s aspect ratio."""
        aspect = rect.width() / max(1, rect.height())
        if source.width() > source.height() * aspect:
            width = source.height() * aspect
            return QRectF(source.center().x() - width / 2, source.y(), width, source.height())
        height = source.width() / aspect
        return QRectF(source.x(), source.center().y() - height / 2, source.width(), height)

    def _label(self, painter: QPainter, anchor: QPointF, text: str, *, left: bool | None,
               highlight: bool = False) -> None:
        """A label box from ``anchor`` rightwards (``left``), leftwards (False) or centred on it (None)."""
        font = QFont(self.font())
        font.setBold(True)
        if self.framer is not None:  # the kiosk's: read from a step away
            font.setPointSizeF(font.pointSizeF() * 1.5)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        pad = 32 if self.framer is not None else 20
        w, h = metrics.horizontalAdvance(text) + pad, metrics.height() + pad // 2
        x = anchor.x() if left else anchor.x() - w / 2 if left is None else anchor.x() - w
        box = QRectF(x, anchor.y(), w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 230) if highlight else QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor("#111") if highlight else QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    # ---- input -----------------------------------------------------------------------------------
    def _divider_from(self, x: float) -> None:
        target = self.image_rect()
        if target.width() > 0:
            self.set_divider((x - target.x()) / target.width())

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._after is None:
            return super().mousePressEvent(event)
        pos = event.position()
        if self._mode == "single":
            self._holding = True
            self.update()
        elif self._mode == "split":
            self._dragging = True
            self._divider_from(pos.x())
        elif self._mode == "compare":
            for i, rect in enumerate(self.tile_rects()[: len(self._tile_images)]):
                if rect.contains(pos.toPoint()):
                    self.tile_clicked.emit(i)
                    break

    def mouseMoveEvent(self, event) -> None:
        if self._dragging:
            self._divider_from(event.position().x())

    def mouseReleaseEvent(self, event) -> None:
        self._dragging = False
        if self._holding:
            self._holding = False
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(800, 600)
