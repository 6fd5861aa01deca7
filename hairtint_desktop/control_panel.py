"""The controls beside (or below) the picture: the shade grid, intensity, shine and tips, the salon note,
before/after and compare, previous/next photo for a folder, snapshot, staff settings and quit. Bound to
a :class:`~core.tryon.state.TryOnState`: a control the person moves sets the state, and every change of
the state (a reset included) is shown without being set back; the window only wires up the buttons."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from core.tryon.state import Change, TryOnState, ViewMode
from hairtint_desktop.layout_plan import LayoutPlan
from hairtint_desktop.widgets.look_controls import LookControls, labelled_slider
from hairtint_desktop.widgets.salon_note import SalonNote
from hairtint_desktop.widgets.swatches import SwatchPalette

NOTE_LINES = 4  # the salon note's longest advice at the narrowest column (core.stages.levels)


class ControlPanel(QFrame):
    reflow = Signal()  # what the controls need has changed: plan the layout again
    def __init__(self, state: TryOnState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        touch = state.kiosk.touch
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
        self.swatches = SwatchPalette(list(state.palette), columns=3, button_size=96 if touch else 72, parent=self)
        self.swatches.select(max(0, state.shade_index), emit=False)
        self.swatches.shade_selected.connect(lambda _index, shade: state.pick_shade(shade))
        shades_box.addWidget(self.swatches, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        shades_box.addStretch(1)
        outer.addLayout(shades_box)

        self.others = QWidget(self)
        self.others.setObjectName("sidePanel")
        self._column = column = QVBoxLayout(self.others)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.intensity_label, self.slider = labelled_slider(self.others, column, "Intensity", state.look.intensity,
                                                            touch)
        self.slider.valueChanged.connect(state.set_intensity)
        column.addWidget(self.slider)
        self.look_controls = LookControls(state, touch=touch, parent=self.others)  # shine and tips
        column.addWidget(self.look_controls)
        self.salon_note = SalonNote(self.others, touch=touch)  # e.g. "needs pre-lightening in the salon"
        column.addWidget(self.salon_note)

        toggles = QHBoxLayout()
        self.split_button = self._button("Before / after", "toggle", checkable=True)
        self.compare_button = self._button("Compare 2×2", "toggle", checkable=True)
        toggles.addWidget(self.split_button)
        toggles.addWidget(self.compare_button)
        column.addLayout(toggles)
        self.split_button.toggled.connect(lambda on: state.set_mode(ViewMode.SPLIT, on))
        self.compare_button.toggled.connect(lambda on: state.set_mode(ViewMode.COMPARE, on))

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
        self.snapshot_button.setVisible(state.kiosk.files)  # a kiosk writes nothing to disk
        self.snapshot_button.setEnabled(False)  # until there is a picture
        column.addWidget(self.snapshot_button)
        self.keep_button = self._button("Keep this look", "action")  # a before/after card (keep_look)
        self.keep_button.setEnabled(False)  # until there is a picture
        column.addWidget(self.keep_button)
        self.staff_row = staff = QHBoxLayout()  # staff settings; a kiosk's "Looks wrong" (feedback_action)
        self.settings_button = self._button("⚙ Staff settings", "subtle")
        self.settings_button.setVisible(state.kiosk.staff_only)
        staff.addWidget(self.settings_button)
        column.addLayout(staff)
        column.addStretch(1)
        outer.addWidget(self.others)
        state.events.look.connect(self._show_look)
        state.events.mode.connect(self._show_mode)
        state.events.palette.connect(self._show_palette)
        state.events.reset.connect(lambda _change: self.salon_note.say(None))

    def _button(self, text: str, kind: str, checkable: bool = False) -> QPushButton:
        button = QPushButton(text, self.others)
        button.setObjectName(kind)
        button.setCheckable(checkable)
        button.setMinimumHeight(64 if self.touch else 36)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return button

    # ---- layout ----------------------------------------------------------------------------------
    def other_size(self) -> tuple[int, int]:
        """(width, height) the controls other than the shade grid need: the folder's Previous/Next row when
        it shows (:meth:`show_folder_row` asks for a new plan), and room for a salon note of up to
        :data:`NOTE_LINES` lines whether it shows or not, so the plan does not change (and nothing is
        squashed) each time the note comes and goes with the picture."""
        hint = self.others.sizeHint()
        note = self.salon_note
        width = max(hint.width(), 300 if self.touch else 240)
        height = hint.height()
        if note.isVisibleTo(self):  # what the note takes at this width, not at its own preferred one
            height -= note.sizeHint().height() + self._column.spacing()
        return width, height + self.note_room(width) + 40

    def note_room(self, width: int) -> int:
        """The height kept for the salon note in a column ``width`` wide (its spacing included)."""
        note = self.salon_note
        note.ensurePolished()
        lines = note.fontMetrics().lineSpacing() * NOTE_LINES + 2 * 6 + 4  # the style's padding, a little more
        shown = note.heightForWidth(width) if note.isVisibleTo(self) else 0
        return max(lines, shown) + self._column.spacing()

    def show_folder_row(self, on: bool) -> None:
        """Previous/Next photo, for a folder source; the window plans the layout again with it (or without)."""
        if self.folder_row.isVisibleTo(self) != on:
            self.folder_row.setVisible(on)
            self.reflow.emit()

    def apply(self, plan: LayoutPlan) -> None:
        self.swatches.set_columns(plan.columns, plan.button_size)
        self._outer.setDirection(QBoxLayout.Direction.LeftToRight if plan.side_by_side
                                 else QBoxLayout.Direction.TopToBottom)
        width = self.other_size()[0]
        if not plan.side_by_side:  # under the shade grid: as wide as it, so the sliders are long
            width = max(width, self.swatches.sizeHint().width())
        self.others.setFixedWidth(width)

    # ---- the state's changes, shown without being set back ------------------------------------------
    def _show_look(self, change: Change) -> None:
        look = change.value
        with QSignalBlocker(self.slider):
            self.slider.setValue(look.intensity)
        self.intensity_label.setText(str(look.intensity))
        self.swatches.select(max(0, self.state.shade_index), emit=False)

    def _show_mode(self, change: Change) -> None:
        for button, mode in ((self.split_button, ViewMode.SPLIT), (self.compare_button, ViewMode.COMPARE)):
            with QSignalBlocker(button):
                button.setChecked(change.value is mode)

    def _show_palette(self, change: Change) -> None:
        self.swatches.set_shades(list(change.value))
        self.swatches.select(max(0, self.state.shade_index), emit=False)
