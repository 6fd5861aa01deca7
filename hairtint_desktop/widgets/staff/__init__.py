"""The kiosk's staff settings: full-window pages with big targets, and the PIN pad."""

from hairtint_desktop.widgets.staff.pages import StaffPages
from hairtint_desktop.widgets.staff.pin_pad import PinPad

__all__ = ["PinPad", "StaffPages"]
