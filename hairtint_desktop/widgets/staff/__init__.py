"""The kiosk's staff settings: full-window pages with big targets, the PIN pad and the PIN prompt."""

from hairtint_desktop.widgets.staff.pages import StaffPages
from hairtint_desktop.widgets.staff.pin_pad import PinPad
from hairtint_desktop.widgets.staff.pin_prompt import PinPrompt

__all__ = ["PinPad", "PinPrompt", "StaffPages"]
