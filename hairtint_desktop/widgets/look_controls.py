"""Shine and tips: the parts of the Look beyond the shade and intensity. A shine slider (0-100) and a
tips picker for an ombre (None, or one of the palette's one-tone shades), both touch-sized and usable
from the keyboard, bound to a :class:`~core.tryon.state.TryOnState`: what the person moves is set on
the state, and the state's changes are shown (which tips a picked shade brings is the state's rule). The sliders jump
to where the track is touched (:class:`TouchSlider`)."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionSlider,
    QVBoxLayout,
    QWidget,
)

from core.frames import Shade
from core.tryon.state import Change, TryOnState

NO_TIPS_TEXT = "None (one colour)"
TOUCH_SLIDER_STYLE = ("QSlider::groove:horizontal { height: 10px; background: #3a3a46; border-radius: 5px; }"
                      "QSlider::handle:horizontal { width: 44px; margin: -18px 0; border-radius: 22px;"
                      " background: #e6e6ea; }")

_STYLE = """
QComboBox {{ background: #2a2a33; color: #e6e6ea; border: 1px solid #3a3a46; border-radius: 8px; padding: 4px 10px;
    font-size: {font}px; }}
QComboBox:focus {{ border-color: #6ea8ff; }}
QComboBox::drop-down {{ border: none; width: 32px; }}
QComboBox QAbstractItemView {{ background: #2a2a33; color: #e6e6ea; selection-background-color: #3d5a99; }}
QComboBox QAbstractItemView::item {{ min-height: {item}px; }}
"""


class TouchSlider(QSlider):
    """A slider whose track, pressed anywhere, jumps to the value under the finger (not a page step
    towards it); the press then goes on as a drag of the handle from there."""

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.orientation() == Qt.Orientation.Horizontal:
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            style = self.style()
            groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                          QStyle.SubControl.SC_SliderGroove, self)
            handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                          QStyle.SubControl.SC_SliderHandle, self)
            x = round(event.position().x())
            if not handle.contains(event.position().toPoint()) and groove.width() > handle.width():
                span = groove.width() - handle.width()
                self.setValue(QStyle.sliderValueFromPosition(self.minimum(), self.maximum(),
                                                             x - groove.x() - handle.width() // 2, span,
                                                             option.upsideDown))
        super().mousePressEvent(event)


def labelled_slider(parent: QWidget, layout, name: str, value: int, touch: bool) -> tuple[QLabel, QSlider]:
    """A 0-100 slider under a heading row ("Name ... value") added to ``layout``: (value label, slider).
    Touch-sized in kiosk mode; the value label is the caller's to update."""
    row = QHBoxLayout()
    heading = QLabel(name, parent)
    heading.setObjectName("heading")
    row.addWidget(heading)
    shown = QLabel(str(value), parent)
    shown.setAlignment(Qt.AlignmentFlag.AlignRight)
    row.addWidget(shown)
    layout.addLayout(row)
    slider = TouchSlider(Qt.Orientation.Horizontal, parent)
    slider.setRange(0, 100)
    slider.setValue(value)
    slider.setPageStep(10)
    slider.setMinimumHeight(56 if touch else 32)
    if touch:
        slider.setStyleSheet(TOUCH_SLIDER_STYLE)
    slider.setAccessibleName(name)
    return shown, slider


def _chip(rgb: tuple[int, int, int], size: int) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(*rgb))
    return QIcon(pixmap)


class LookControls(QWidget):
    def __init__(self, state: TryOnState, *, touch: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self._choices: list[Shade | None] = []
        self._custom = False  # whether the last choice is an extra one for tips the palette lacks
        self._icon_px = 32 if touch else 18
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        self.shine_label, self.shine_slider = labelled_slider(self, layout, "Shine", state.look.shine, touch)
        self.shine_slider.valueChanged.connect(state.set_shine)
        layout.addWidget(self.shine_slider)

        heading = QLabel("Tips (ombre)", self)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        self.tips_box = QComboBox(self)
        self.tips_box.setAccessibleName("Tips shade")
        self.tips_box.setToolTip("The colour the hair blends into towards the ends")
        self.tips_box.setMinimumHeight(56 if touch else 32)
        self.tips_box.setIconSize(QSize(self._icon_px, self._icon_px))
        self.tips_box.setMaxVisibleItems(8 if touch else 12)
        self.tips_box.setItemDelegate(QStyledItemDelegate(self.tips_box))  # so the item height below applies
        self.setStyleSheet(_STYLE.format(font=18 if touch else 13, item=48 if touch else 24))
        self.tips_box.currentIndexChanged.connect(lambda index: state.set_tips(self._choices[index]))
        layout.addWidget(self.tips_box)
        self._show_palette(state.palette)
        state.events.palette.connect(lambda change: self._show_palette(change.value))
        state.events.look.connect(self._show_look)

    @property
    def shine(self) -> int:
        return self.shine_slider.value()

    @property
    def tips(self) -> Shade | None:
        index = self.tips_box.currentIndex()
        return self._choices[index] if 0 <= index < len(self._choices) else None

    @property
    def choices(self) -> list[Shade | None]:
        """What the tips picker offers, in order: None, then the one-tone shades (then a custom one)."""
        return list(self._choices)

    # ---- the state's changes, shown without being set back ------------------------------------------
    def _show_look(self, change: Change) -> None:
        with QSignalBlocker(self.shine_slider):
            self.shine_slider.setValue(change.value.shine)
        self.shine_label.setText(str(change.value.shine))
        self._show_tips(change.value.tips)

    def _show_palette(self, palette) -> None:
        """Offer ``palette``'s one-tone shades; the current tips stay (as a custom entry if need be)."""
        one_tone = [shade for shade in palette if shade.tips is None]
        self._choices = [None, *one_tone]
        self._custom = False
        with QSignalBlocker(self.tips_box):
            self.tips_box.clear()
            self.tips_box.addItem(NO_TIPS_TEXT)
            for shade in one_tone:
                self.tips_box.addItem(_chip(shade.rgb, self._icon_px), shade.name)
        self._show_tips(self.state.look.tips)

    def _show_tips(self, tips: Shade | None) -> None:
        """Select ``tips`` in the picker; tips the palette lacks (e.g. "#1f8a8a") get one extra entry."""
        with QSignalBlocker(self.tips_box):
            if tips is not None and tips not in self._choices:  # None (no tips) is always there
                if self._custom:
                    self._choices.pop()
                    self.tips_box.removeItem(self.tips_box.count() - 1)
                self._choices.append(tips)
                self.tips_box.addItem(_chip(tips.rgb, self._icon_px), tips.name)
                self._custom = True
            self.tips_box.setCurrentIndex(self._choices.index(tips))
