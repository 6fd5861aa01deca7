"""The window's style sheets: dark, with larger type in kiosk mode; the staff pages' (and the PIN
prompt's) big-target sheet. Every button here sets its own background and text colour, so no system
theme (light or dark palette) can leave white text on a white button."""

STYLE = """
QMainWindow, #sidePanel { background: #17171c; }
#sidePanel QLabel { color: #e6e6ea; }
#sidePanel QLabel#heading { color: #9a9aa2; font-weight: bold; }
QPushButton#toggle, QPushButton#action { background: #2a2a33; color: #e6e6ea; border: 1px solid #3a3a46;
    border-radius: 8px; padding: 6px 12px; }
QPushButton#toggle:checked { background: #3d5a99; border-color: #6ea8ff; }
QPushButton#action { background: #2f6b3f; border-color: #4f9a63; }
QPushButton#action:disabled { background: #2a2a33; color: #777; }
QPushButton#subtle { background: transparent; color: #9a9aa2; border: 1px solid #3a3a46; border-radius: 8px; }
QStatusBar, QStatusBar QLabel { color: #c8c8ce; }
"""
KIOSK_STYLE = """
#sidePanel QLabel, QPushButton#toggle, QPushButton#action, QPushButton#subtle { font-size: 18px; }
#startPanel QPushButton { font-size: 18px; }
"""

#: The least height and width of a touch target on the staff pages and the PIN pad, in pixels.
TOUCH_TARGET = 64

#: The staff pages and the PIN prompt: light text on dark, 24 px type, 64 px targets. ``danger`` (Quit
#: HairTint) is white on a deep red, ``primary`` (Save) white on green; the chosen option is blue.
STAFF_STYLE = f"""
#staffPages, #pinPrompt {{ background: #17171c; }}
QLabel {{ color: #e6e6ea; font-size: 24px; }}
QLabel#staffTitle {{ color: #ffffff; font-size: 34px; font-weight: bold; }}
QLabel#staffNote {{ color: #c4c4cc; font-size: 21px; }}
QLabel#pinDots {{ color: #ffffff; font-size: 40px; background: #24242c; border: 2px solid #4a4a58;
    border-radius: 12px; padding: 6px; }}
QPushButton {{ background: #2a2a33; color: #f2f2f5; border: 2px solid #55556a; border-radius: 12px;
    font-size: 24px; padding: 8px 20px; min-height: {TOUCH_TARGET}px; min-width: {TOUCH_TARGET}px; }}
QPushButton:pressed {{ background: #3a3a48; }}
QPushButton:checked {{ background: #2d4f8f; border-color: #9cc3ff; color: #ffffff; }}
QPushButton:disabled {{ background: #22222a; color: #9a9aa6; border-color: #3a3a46; }}
QPushButton#primary {{ background: #23683a; border-color: #6cc485; color: #ffffff; }}
QPushButton#primary:pressed {{ background: #1a4f2c; }}
QPushButton#primary:disabled {{ background: #22222a; color: #9a9aa6; border-color: #3a3a46; }}
QPushButton#danger {{ background: #a1261f; border-color: #ef8a82; color: #ffffff; }}
QPushButton#danger:pressed {{ background: #7c1c17; }}
QPushButton#stepper {{ font-size: 44px; font-weight: bold; min-width: 132px; min-height: 96px; }}
"""


def window_style(kiosk: bool) -> str:
    return STYLE + (KIOSK_STYLE if kiosk else "")
