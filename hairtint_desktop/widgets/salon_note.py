"""A quiet note under the look controls for what a stylist would say about the chosen shade on this
hair, e.g. that it needs pre-lightening in the salon. The wording comes from ``core.stages.levels``."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


class SalonNote(QLabel):
    def __init__(self, parent: QWidget | None = None, touch: bool = False):
        super().__init__(parent)
        self.setObjectName("salonNote")
        self.setWordWrap(True)
        size = 15 if touch else 12
        self.setStyleSheet(f"#salonNote {{ background: #3a3320; color: #f3e3b5; border-radius: 6px; "
                           f"padding: 6px; font-size: {size}px; }}")
        self.hide()

    def say(self, text: str | None) -> None:
        """Show ``text``, or hide the note when there is nothing to say."""
        if not text:
            self.hide()
            return
        if text != self.text():
            self.setText(text)
        self.show()
