"""The statistics overlay drawn over the top-left of the picture: pipeline FPS, p50/p95/p99 of the
total and of the segment stage, capture-to-display latency, the model id and version, and the rollout
(stage and assignment, or the rollback that holds the installation on the stable model)."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QWidget

from core.frames import RunningMode


def _ms(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"


def _trio(summary: dict | None) -> str:
    summary = summary or {}
    return " / ".join(_ms(summary.get(k)) for k in ("p50", "p95", "p99"))


def format_stats(*, fps: float, display_fps: float, stats: dict, latency: dict, model: str,
                 size: tuple[int, int] | None, dropped: int, mode: RunningMode, rollout: str | None = None) -> str:
    fps_text = "still photo" if mode is RunningMode.IMAGE else f"{_ms(fps)}  (shown {_ms(display_fps)})"
    lines = [
        f"FPS        {fps_text}",
        "           p50 / p95 / p99 ms",
        f"total      {_trio(stats.get('total'))}",
        f"segment    {_trio(stats.get('segment'))}",
        f"cap→disp   {_trio(latency)}",
        f"model      {model}",
    ]
    if size is not None:
        lines.append(f"frame      {size[0]}×{size[1]}, {dropped} dropped")
    if rollout:
        lines.append(rollout)
    return "\n".join(lines)


class StatsOverlay(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(9.0, QFont().pointSizeF()))
        self.setFont(font)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("QLabel { background: rgba(0, 0, 0, 165); color: #e8ffe8; padding: 8px;"
                           " border-radius: 6px; }")
        self.setText("FPS        –\nwaiting for the first frame…")
        self.adjustSize()
        self.move(12, 12)
        self.hide()

    def show_text(self, text: str) -> None:
        if text != self.text():
            self.setText(text)
            self.adjustSize()
