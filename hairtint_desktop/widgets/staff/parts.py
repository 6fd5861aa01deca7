"""What every staff page is built from: big buttons, a title and a note, a page of choices shown as
buttons (one of them chosen), and the cover that lies over the whole window (the staff pages, the PIN
prompt) until it is closed."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hairtint_desktop.styles import STAFF_STYLE, TOUCH_TARGET

COLUMNS = 2


def big_button(text: str, parent: QWidget, name: str = "", checkable: bool = False) -> QPushButton:
    """A button at least :data:`TOUCH_TARGET` pixels each way; ``name``: "primary", "danger" or ""."""
    button = QPushButton(text, parent)
    button.setMinimumSize(TOUCH_TARGET * 2, TOUCH_TARGET + 8)
    button.setCheckable(checkable)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if name:
        button.setObjectName(name)
    return button


def label(text: str, parent: QWidget, name: str = "") -> QLabel:
    widget = QLabel(text, parent)
    widget.setWordWrap(True)
    if name:
        widget.setObjectName(name)
    return widget


class Cover(QWidget):
    """Lies over the whole of its parent (the window), following its size, until :meth:`close_cover`;
    then ``closed`` is sent (once) and the widget goes."""

    closed = Signal()

    def __init__(self, parent: QWidget, name: str):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STAFF_STYLE)
        self._done = False
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())

    def close_cover(self) -> None:
        if self._done:
            return
        self._done = True
        parent = self.parentWidget()
        if parent is not None:
            parent.removeEventFilter(self)
        self.hide()
        self.closed.emit()
        self.deleteLater()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if event.type() == QEvent.Type.Resize and parent is not None and watched is parent:
            self.setGeometry(parent.rect())
        return False


class Page(QWidget):
    """One page: its note on top, then its content (``body``). The title is shown by the pages' header."""

    def __init__(self, title: str, note: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        layout = self.column = QVBoxLayout(self)  # the note, the body, a stretch
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(18)
        self.note = label(note, self, "staffNote")
        layout.addWidget(self.note)
        self.body = QVBoxLayout()
        self.body.setSpacing(16)
        layout.addLayout(self.body)
        layout.addStretch(1)

    def shown(self) -> None:
        """Called each time the page is opened (a page that looks something up does it here)."""


class ChoicePage(Page):
    """Options as a grid of buttons; tapping one chooses it (``chosen(value)``) and marks it."""

    chosen = Signal(object)

    def __init__(self, title: str, note: str, parent: QWidget | None = None):
        super().__init__(title, note, parent)
        self.grid = QGridLayout()
        self.grid.setSpacing(14)
        self.body.addLayout(self.grid)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Hashable, QPushButton] = {}

    def set_choices(self, choices: Sequence[tuple[Hashable, str]], current: Hashable,
                    unusable: Sequence[Hashable] = ()) -> None:
        """``choices``: (value, label) in order; ``unusable``: values shown but not offered."""
        for button in self.buttons.values():
            self.group.removeButton(button)
            self.grid.removeWidget(button)
            button.deleteLater()
        self.buttons = {}
        for i, (value, text) in enumerate(choices):
            button = big_button(text, self, checkable=True)
            button.setEnabled(value not in unusable)
            button.toggled.connect(lambda on, b=button, t=text: b.setText(f"✓  {t}" if on else t))
            button.clicked.connect(lambda _=False, v=value: self.chosen.emit(v))
            self.group.addButton(button)
            self.grid.addWidget(button, i // COLUMNS, i % COLUMNS)
            self.buttons[value] = button
        self.mark(current)

    def mark(self, value: Hashable) -> None:
        if value in self.buttons:
            self.buttons[value].setChecked(True)


__all__ = ["COLUMNS", "ChoicePage", "Cover", "Page", "big_button", "label"]
