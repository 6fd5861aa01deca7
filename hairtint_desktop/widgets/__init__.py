"""The window's building blocks. They paint and take input; the worker does the work."""

from hairtint_desktop.widgets.banner import Banner
from hairtint_desktop.widgets.look_controls import LookControls
from hairtint_desktop.widgets.overlay import StatsOverlay
from hairtint_desktop.widgets.start_panel import StartPanel
from hairtint_desktop.widgets.swatches import SwatchButton, SwatchPalette
from hairtint_desktop.widgets.video_view import VideoView

__all__ = ["Banner", "LookControls", "StartPanel", "StatsOverlay", "SwatchButton", "SwatchPalette", "VideoView"]
