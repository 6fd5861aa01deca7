"""A coloured strip across the top of the window for problems a person should see (camera gone,
model missing, bad settings), with optional action buttons and a close button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLES = {
    "error": "background: #8c1d18; color: white;",
    "warning": "background: #7a5a00; color: white;",
    "notice": "background: #7a5a00; color: white;",  # a warning that only a person dismisses (kiosk resets keep it)
    "info": "background: #24446e; color: white;",
}
#: The banner's buttons: white on a dark shade of the strip (their own background, so no system theme
#: leaves white text on a light button).
BUTTON = "color: white; background: rgba(0, 0, 0, 0.45); border: 1px solid rgba(255, 255, 255, 0.6); border-radius: 6px;"


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None, touch: bool = False):
        super().__init__(parent)
        self.setObjectName("banner")
        self._touch = touch
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self._actions = QHBoxLayout()
        layout.addLayout(self._actions)
        self.close_button = QPushButton("✕", self)
        self.close_button.setFlat(True)
        self.close_button.setToolTip("Hide this message")
        self.close_button.setFixedSize(44, 44) if touch else self.close_button.setFixedSize(30, 30)
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button)
        self.kind = "info"
        self.hide()

    @property
    def message(self) -> str:
        parent = self.parentWidget()
        return self.label.text() if parent is not None and self.isVisibleTo(parent) else ""

    def show_message(self, text: str, kind: str = "error",
                     actions: list[tuple[str, Callable[[], None]]] | None = None) -> None:
        self.kind = kind
        self.setStyleSheet(f"#banner {{ {STYLES.get(kind, STYLES['info'])} }} QLabel {{ color: white; }}"
                           f" QPushButton {{ {BUTTON} }}")
        self.label.setText(text)
        while self._actions.count():
            item = self._actions.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget:
                widget.deleteLater()
        for label, callback in actions or []:
            button = QPushButton(label, self)
            if self._touch:
                button.setMinimumHeight(56)
            button.clicked.connect(callback)
            self._actions.addWidget(button)
        self.show()

    def dismiss(self) -> None:
        self.label.setText("")
        self.hide()
