"""The status bar's account of the source, from what the live view reports: opening it, showing it,
could not open it (and, for a camera, looking for one), another camera found. One label, the status
bar's normal message, so a passing message ("Saved …") covers it for a while and it comes back; the
start panel says the same in more words (``widgets.start_panel``)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from core.io.source_spec import parse_spec


class SourceStatus(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._spec = parse_spec("")
        self._found: str | None = None  # "Camera 0 is not connected: showing camera 1", once one is found

    def opening(self, spec: str) -> None:
        self._spec, self._found = parse_spec(spec), None
        self.setText(f"Opening {self._spec.describe()}…")

    def showing(self) -> None:
        """A picture of the source is on screen."""
        self.setText(self._found or f"Showing {self._spec.describe()}")

    def unavailable(self) -> None:
        if self._spec.is_camera:
            self.setText(f"No camera found ({self._spec.describe()}) — looking for a camera…")
        else:
            self.setText(f"Could not open {self._spec.describe()}")

    def heard(self, message: str) -> None:
        """A status message of the live view: a camera found while looking is what is shown from now on."""
        if self._spec.is_camera and message.startswith("Camera ") and (message.endswith(" found") or ": showing camera " in message):
            self._found = None if message.endswith(" found") else message
            self.setText(message)


__all__ = ["SourceStatus"]
