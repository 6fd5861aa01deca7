"""The controls beside (or below) the picture: the shade grid, intensity, shine and tips, the salon note,
before/after and compare, previous/next photo for a folder, snapshot, staff settings and quit. It
knows the current look and puts itself back to a fresh one; the window only wires it up."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from core.frames import Look, Shade
from hairtint_desktop.layout_plan import LayoutPlan
from hairtint_desktop.widgets.look_controls import LookControls, labelled_slider
from hairtint_desktop.widgets.salon_note import SalonNote
from hairtint_desktop.widgets.swatches import SwatchPalette

COMPARE_TILES = 4


class ControlPanel(QFrame):
    look_changed = Signal()  # shade, intensity, shine, tips or compare changed: push the look(s)
    mode_changed = Signal(str)  # "single", "split" or "compare"

    def __init__(self, palette: list[Shade], fresh: Look, *, touch: bool, kiosk: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.touch = touch
        outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(12)
        self._outer = outer

        shades_box = QVBoxLayout()
        heading = QLabel("Shade", self)
        heading.setObjectName("heading")
        shades_box.addWidget(heading)
        self.swatches = SwatchPalette(palette, columns=3, button_size=96 if touch else 72, parent=self)
        self.swatches.shade_selected.connect(self._on_shade)
        shades_box.addWidget(self.swatches, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        shades_box.addStretch(1)
        outer.addLayout(shades_box)

        self.others = QWidget(self)
        self.others.setObjectName("sidePanel")
        column = QVBoxLayout(self.others)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.intensity_label, self.slider = labelled_slider(self.others, column, "Intensity", fresh.intensity, touch)
        self.slider.valueChanged.connect(self._on_intensity)
        column.addWidget(self.slider)
        self.look_controls = LookControls(palette, touch=touch, parent=self.others)  # shine and tips
        self.look_controls.follow_shade(self.swatches.current_shade)
        self.look_controls.changed.connect(lambda *_: self.look_changed.emit())
        column.addWidget(self.look_controls)
        self.salon_note = SalonNote(self.others, touch=touch)  # e.g. "needs pre-lightening in the salon"
        column.addWidget(self.salon_note)

        toggles = QHBoxLayout()
        self.split_button = self._button("Before / after", "toggle", checkable=True)
        self.compare_button = self._button("Compare 2×2", "toggle", checkable=True)
        toggles.addWidget(self.split_button)
        toggles.addWidget(self.compare_button)
        column.addLayout(toggles)
        self.split_button.toggled.connect(self._on_split)
        self.compare_button.toggled.connect(self._on_compare)

        self.folder_row = QWidget(self.others)
        nav = QHBoxLayout(self.folder_row)
        nav.setContentsMargins(0, 0, 0, 0)
        self.previous_button = self._button("◀ Previous photo", "toggle")
        self.next_button = self._button("Next photo ▶", "toggle")
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        self.folder_row.hide()  # only for a folder of photos
        column.addWidget(self.folder_row)

        self.snapshot_button = self._button("Save snapshot", "action")
        self.snapshot_button.setVisible(not kiosk)  # a kiosk writes nothing to disk
        self.snapshot_button.setEnabled(False)  # until there is a picture
        column.addWidget(self.snapshot_button)
        staff = QHBoxLayout()
        self.settings_button = self._button("⚙ Staff settings", "subtle")
        self.settings_button.setVisible(kiosk)
        staff.addWidget(self.settings_button)
        column.addLayout(staff)
        column.addStretch(1)
        outer.addWidget(self.others)

    def _button(self, text: str, kind: str, checkable: bool = False) -> QPushButton:
        button = QPushButton(text, self.others)
        button.setObjectName(kind)
        button.setCheckable(checkable)
        button.setMinimumHeight(64 if self.touch else 36)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    # ---- the look --------------------------------------------------------------------------------
    def look(self) -> Look:
        return self.look_controls.look(self.swatches.current_shade, self.slider.value())

    def looks(self) -> tuple[Look, ...]:
        """The current look; in compare mode also the next shades in the palette, each as a tap on
        it would give."""
        if not self.compare_button.isChecked():
            return (self.look(),)
        shades, start = self.swatches.shades, self.swatches.current_index
        return (self.look(), *(self.look_controls.preview(shades[(start + i) % len(shades)], self.slider.value())
                               for i in range(1, min(COMPARE_TILES, len(shades)))))

    @property
    def mode(self) -> str:
        return "compare" if self.compare_button.isChecked() else "split" if self.split_button.isChecked() else "single"

    def pick_tile(self, index: int) -> None:
        """A click on compare tile ``index`` (0 is the current shade)."""
        if index > 0:
            self.swatches.select((self.swatches.current_index + index) % len(self.swatches.shades))

    def set_palette(self, palette: list[Shade]) -> None:
        current = self.swatches.current_shade
        self.swatches.set_shades(palette)
        if current is not None and self.swatches.index_of(current.name) >= 0:
            self.swatches.select(self.swatches.index_of(current.name), emit=False)
        self.look_controls.set_palette(palette)
        if self.swatches.current_shade != current:
            self.look_controls.follow_shade(self.swatches.current_shade)

    def reset(self, fresh: Look) -> None:
        """Back to ``fresh`` (default shade, intensity, shine, no tips) in the single view, without
        emitting anything."""
        for button in (self.compare_button, self.split_button):
            button.blockSignals(True)
            button.setChecked(False)
            button.blockSignals(False)
        self.slider.blockSignals(True)
        self.slider.setValue(fresh.intensity)
        self.intensity_label.setText(str(fresh.intensity))
        self.slider.blockSignals(False)
        index = self.swatches.index_of(fresh.shade.name)
        self.swatches.select(max(0, index), emit=False)
        self.look_controls.reset(self.swatches.current_shade)
        self.salon_note.say(None)
        self.mode_changed.emit(self.mode)

    # ---- layout ----------------------------------------------------------------------------------
    def other_size(self) -> tuple[int, int]:
        """(width, height) the controls other than the shade grid need."""
        hint = self.others.sizeHint()
        note = 0 if self.salon_note.isVisibleTo(self) else (72 if self.touch else 52)  # room for it to appear
        return max(hint.width(), 300 if self.touch else 240), hint.height() + note + 40

    def apply(self, plan: LayoutPlan) -> None:
        self.swatches.set_columns(plan.columns, plan.button_size)
        self._outer.setDirection(QBoxLayout.Direction.LeftToRight if plan.side_by_side
                                 else QBoxLayout.Direction.TopToBottom)
        width = self.other_size()[0]
        self.others.setFixedWidth(width)

    # ---- internal --------------------------------------------------------------------------------
    def _on_shade(self, _index: int, shade: Shade) -> None:
        self.look_controls.follow_shade(shade)
        self.look_changed.emit()

    def _on_intensity(self, value: int) -> None:
        self.intensity_label.setText(str(value))
        self.look_changed.emit()

    def _on_split(self, on: bool) -> None:
        if on and self.compare_button.isChecked():
            self.compare_button.setChecked(False)
        self.mode_changed.emit(self.mode)

    def _on_compare(self, on: bool) -> None:
        if on and self.split_button.isChecked():
            self.split_button.setChecked(False)
        self.mode_changed.emit(self.mode)
        self.look_changed.emit()
