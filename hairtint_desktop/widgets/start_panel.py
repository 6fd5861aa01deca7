"""Shown instead of the picture when there is nothing to show: no camera, or a source that could not
be opened. Says so plainly and offers the ways forward."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.io.images import IMAGE_SUFFIXES
from core.io.source_spec import SourceSpec


def unavailable_text(spec: SourceSpec, message: str, kiosk: bool) -> tuple[str, str]:
    """(title, detail) for a source that could not be opened."""
    if not spec.is_camera:
        return f"Could not open {spec.describe()}", message
    if kiosk:
        return "No camera found", (f"{message}\n\nCheck the camera cable, or play the demo clip. Staff can "
                                   "choose another camera (behind the staff PIN).")
    return "No camera found", f"{message}\n\nPick another camera, open a photo or a video, or play the demo clip."


def dropped_image(event) -> str | None:
    """The first local photo file in a drag-and-drop event."""
    mime = event.mimeData()
    for url in mime.urls() if mime.hasUrls() else ():
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
            return url.toLocalFile()
    return None


class StartPanel(QWidget):
    pick_camera = Signal()
    open_photo = Signal()
    open_video = Signal()
    play_demo = Signal()

    def __init__(self, parent: QWidget | None = None, kiosk: bool = False):
        super().__init__(parent)
        self.setObjectName("startPanel")
        self.setStyleSheet(
            "#startPanel { background: #121214; } QLabel { color: #e6e6ea; }"
            " #startPanel QPushButton { background: #2a2a33; color: #e6e6ea; border: 1px solid #3a3a46;"
            " border-radius: 10px; padding: 8px 16px; }"
            " #startPanel QPushButton:hover { border-color: #6ea8ff; }"
            " #startPanel QPushButton#primary { background: #3d5a99; border-color: #6ea8ff; }")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.title = QLabel("No camera found", self)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.title)
        self.detail = QLabel("", self)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.detail)
        grid = self._grid = QGridLayout()
        grid.setSpacing(12)
        self.buttons: dict[str, QPushButton] = {}
        entries = [("camera", "Pick a camera…", self.pick_camera), ("photo", "Open a photo…", self.open_photo),
                   ("video", "Open a video…", self.open_video), ("demo", "Play the demo clip", self.play_demo)]
        for i, (key, text, signal) in enumerate(entries):
            button = QPushButton(text, self)
            button.setMinimumSize(220, 64)
            if key == "demo":
                button.setObjectName("primary")
            button.clicked.connect(signal.emit)
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        holder = QWidget(self)
        holder.setLayout(grid)
        outer.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self.set_kiosk(kiosk)

    def set_kiosk(self, kiosk: bool) -> None:
        """Kiosk: no file dialogs, so only the camera and demo buttons, side by side; the camera is chosen by
        staff (behind the PIN), and the button says so."""
        self.buttons["camera"].setText("Choose a camera (staff)…" if kiosk else "Pick a camera…")
        grid = self._grid
        for button in self.buttons.values():
            grid.removeWidget(button)
        shown = [key for key in self.buttons if not (kiosk and key in ("photo", "video"))]
        for key, button in self.buttons.items():
            button.setVisible(key in shown)
        for i, key in enumerate(shown):
            grid.addWidget(self.buttons[key], i // 2, i % 2)

    def set_message(self, title: str, detail: str = "") -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
