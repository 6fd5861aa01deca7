"""The window's style sheets: dark, with larger type in kiosk mode."""

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


def window_style(kiosk: bool) -> str:
    return STYLE + (KIOSK_STYLE if kiosk else "")
