"""Shine and tips: the parts of the Look beyond the shade and intensity. A shine slider (0-100) and a
tips picker for an ombre (None, or one of the palette's one-tone shades), both touch-sized and usable
from the keyboard.

Picking a two-tone look from the swatches brings its tips along; moving on to a one-tone shade drops
tips that came with a look, but keeps tips the person picked themselves. :meth:`preview` applies the
same rule to a shade not picked yet (the compare tiles), so a tile shows what a tap on it gives."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QStyledItemDelegate, QVBoxLayout, QWidget

from core.frames import DEFAULT_SHINE, Look, Shade

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
    slider = QSlider(Qt.Orientation.Horizontal, parent)
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
    changed = Signal(int, object)  # shine, tips (Shade or None): the person moved a control

    def __init__(self, palette: list[Shade], *, touch: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices: list[Shade | None] = []
        self._from_look = False  # the tips came with a two-tone look, not from the picker
        self._icon_px = 32 if touch else 18
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        self.shine_label, self.shine_slider = labelled_slider(self, layout, "Shine", DEFAULT_SHINE, touch)
        self.shine_slider.valueChanged.connect(self._on_shine)
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
        self.tips_box.currentIndexChanged.connect(self._on_tips_picked)
        layout.addWidget(self.tips_box)
        self.set_palette(palette)

    # ---- state -----------------------------------------------------------------------------------
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

    def look(self, shade: Shade, intensity: int) -> Look:
        """The Look for the picked ``shade``."""
        return Look(shade=shade, intensity=intensity, shine=self.shine, tips=self.tips)

    def preview(self, shade: Shade, intensity: int) -> Look:
        """The Look ``shade`` would give if it were picked now."""
        return Look(shade=shade, intensity=intensity, shine=self.shine, tips=self.tips_for(shade))

    def tips_for(self, shade: Shade) -> Shade | None:
        if shade.tips is not None:
            return shade.tips
        return None if self._from_look else self.tips

    # ---- changes from the window (no signal) -----------------------------------------------------
    def set_palette(self, palette: list[Shade]) -> None:
        """Offer ``palette``'s one-tone shades; the current tips stay (as a custom entry if need be)."""
        tips = self.tips
        self._choices = [None, *(shade for shade in palette if shade.tips is None)]
        self._custom = False  # whether the last choice is an extra one for tips the palette lacks
        self.tips_box.blockSignals(True)
        self.tips_box.clear()
        self.tips_box.addItem(NO_TIPS_TEXT)
        for shade in self._choices[1:]:
            self.tips_box.addItem(_chip(shade.rgb, self._icon_px), shade.name)
        self.tips_box.blockSignals(False)
        self._show_tips(tips)

    def follow_shade(self, shade: Shade | None) -> None:
        """A swatch was picked: take a two-tone look's tips, or drop tips that came with a look."""
        if shade is None:
            return
        if shade.tips is not None or self._from_look:
            self._show_tips(shade.tips)
            self._from_look = shade.tips is not None

    def reset(self, shade: Shade | None = None) -> None:
        """The defaults for the next customer: default shine, and ``shade``'s own tips (if any)."""
        self.shine_slider.blockSignals(True)
        self.shine_slider.setValue(DEFAULT_SHINE)
        self.shine_slider.blockSignals(False)
        self.shine_label.setText(str(DEFAULT_SHINE))
        self._from_look = False
        self._show_tips(None)
        self.follow_shade(shade)

    def _show_tips(self, tips: Shade | None) -> None:
        """Select ``tips`` in the picker; tips the palette lacks (e.g. "#1f8a8a") get one extra entry."""
        self.tips_box.blockSignals(True)
        if tips not in self._choices:
            if self._custom:
                self._choices.pop()
                self.tips_box.removeItem(self.tips_box.count() - 1)
            self._choices.append(tips)
            self.tips_box.addItem(_chip(tips.rgb, self._icon_px), tips.name)
            self._custom = True
        self.tips_box.setCurrentIndex(self._choices.index(tips))
        self.tips_box.blockSignals(False)

    # ---- the person's changes (signal) -----------------------------------------------------------
    def _on_shine(self, value: int) -> None:
        self.shine_label.setText(str(value))
        self.changed.emit(value, self.tips)

    def _on_tips_picked(self, index: int) -> None:
        self._from_look = False
        self.changed.emit(self.shine, self.tips)
