"""The palette of named shade swatches: touch-size buttons with the name under the colour, one checked
at a time, navigable with the arrow keys (Home/End too); Space or Enter picks the focused one. A
two-tone look's chip is split diagonally: roots colour top left, tips colour bottom right."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QSizePolicy, QWidget

from core.catalog.palette import default_index
from core.frames import Shade
from core.tryon.state import index_of

MIN_TOUCH_PX = 64


class SwatchButton(QAbstractButton):
    def __init__(self, shade: Shade, size: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.shade = shade
        self._size = max(MIN_TOUCH_PX, size)
        self.setCheckable(True)
        self.setText(shade.name)
        tips = f", tips {shade.tips.name} ({shade.tips.hex})" if shade.tips else ""
        self.setToolTip(f"{shade.name} ({shade.hex}{tips})")
        self.setAccessibleName(shade.name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFixedSize(self.sizeHint())

    @staticmethod
    def hint_for(size: int) -> QSize:
        return QSize(round(size * 1.25), round(size * 1.3))

    def sizeHint(self) -> QSize:
        return self.hint_for(self._size)

    def set_size(self, size: int) -> None:
        self._size = max(MIN_TOUCH_PX, size)
        self.setFixedSize(self.sizeHint())

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        checked, focused = self.isChecked(), self.hasFocus()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#2c2c34") if checked else QColor("#1c1c22"))
        painter.drawRoundedRect(r, 10, 10)
        # colour chip
        chip = min(r.width() - 16, r.height() * (0.55 if self._size >= 88 else 0.45))  # room for two lines
        chip_rect = QRectF(r.center().x() - chip / 2, r.top() + 8, chip, chip)
        painter.setBrush(QColor(*self.shade.rgb))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(chip_rect)
        if self.shade.tips is not None:
            corner = QPolygonF([chip_rect.topRight(), chip_rect.bottomRight(), chip_rect.bottomLeft()])
            half = QPainterPath()
            half.addPolygon(corner)
            circle = QPainterPath()
            circle.addEllipse(chip_rect)
            painter.setBrush(QColor(*self.shade.tips.rgb))
            painter.drawPath(circle.intersected(half))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor("#ffffff") if checked else QColor(255, 255, 255, 60), 3 if checked else 1))
        painter.drawEllipse(chip_rect)
        # name, up to two lines
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, self._size / 8.5))
        font.setBold(checked)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff") if checked else QColor("#c8c8d0"))
        text_rect = QRectF(r.left() + 3, chip_rect.bottom() + 4, r.width() - 6, r.bottom() - chip_rect.bottom() - 6)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                         self.shade.name)
        if focused:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor("#6ea8ff"), 2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(r.adjusted(1, 1, -1, -1), 9, 9)
        painter.end()


class SwatchPalette(QWidget):
    shade_selected = Signal(int, object)  # index, Shade

    def __init__(self, shades: list[Shade], *, columns: int = 3, button_size: int = 72,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._columns = max(1, columns)
        self._button_size = max(MIN_TOUCH_PX, button_size)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self._clicked)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.buttons: list[SwatchButton] = []
        self._index = -1
        self.set_shades(shades)

    @property
    def shades(self) -> list[Shade]:
        return [b.shade for b in self.buttons]

    def set_shades(self, shades: list[Shade], button_size: int | None = None, columns: int | None = None) -> None:
        if button_size is not None:
            self._button_size = max(MIN_TOUCH_PX, button_size)
        if columns is not None:
            self._columns = max(1, columns)
        for button in self.buttons:
            self._group.removeButton(button)
            button.removeEventFilter(self)
            button.deleteLater()
        self.buttons = []
        for i, shade in enumerate(shades):
            button = SwatchButton(shade, self._button_size, self)
            button.installEventFilter(self)
            self._group.addButton(button, i)
            self._layout.addWidget(button, i // self._columns, i % self._columns)
            self.buttons.append(button)
        self._index = -1
        if self.buttons:
            self.select(default_index(self.shades), emit=False)

    @property
    def columns(self) -> int:
        return self._columns

    def set_columns(self, columns: int, button_size: int | None = None) -> None:
        """Reflow the same buttons into ``columns`` columns (and resize them), keeping the selection."""
        columns = max(1, columns)
        size = self._button_size if button_size is None else max(MIN_TOUCH_PX, button_size)
        if columns == self._columns and size == self._button_size:
            return
        self._columns, self._button_size = columns, size
        for i, button in enumerate(self.buttons):
            self._layout.removeWidget(button)
            button.set_size(size)
            self._layout.addWidget(button, i // columns, i % columns)
        self.updateGeometry()

    def button_extent(self, button_size: int | None = None) -> QSize:
        """The size one button takes in the grid, spacing included."""
        hint = SwatchButton.hint_for(max(MIN_TOUCH_PX, button_size or self._button_size))
        spacing = self._layout.spacing()
        return QSize(hint.width() + spacing, hint.height() + spacing)

    @property
    def current_index(self) -> int:
        return self._index

    @property
    def current_shade(self) -> Shade | None:
        return self.buttons[self._index].shade if 0 <= self._index < len(self.buttons) else None

    def select(self, index: int, *, emit: bool = True) -> None:
        if not self.buttons:
            return
        index = max(0, min(len(self.buttons) - 1, index))
        self.buttons[index].setChecked(True)
        changed = index != self._index
        self._index = index
        if emit and changed:
            self.shade_selected.emit(index, self.buttons[index].shade)

    def index_of(self, name: str) -> int:
        return index_of(self.shades, name)

    def _clicked(self, index: int) -> None:
        self.select(index)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and obj in self.buttons:
            i = self.buttons.index(obj)
            key = event.key()
            moves: dict[int, int] = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -self._columns,
                     Qt.Key.Key_Down: self._columns}
            if key in moves:
                target = i + moves[key]
            elif key == Qt.Key.Key_Home:
                target = 0
            elif key == Qt.Key.Key_End:
                target = len(self.buttons) - 1
            elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.select(i)
                return True
            else:
                return False
            if 0 <= target < len(self.buttons):
                self.buttons[target].setFocus(Qt.FocusReason.TabFocusReason)
                self.select(target)
            return True
        return super().eventFilter(obj, event)
