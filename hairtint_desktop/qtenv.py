"""Prepare the process environment before the first QApplication is created.

Importing OpenCV's pip wheels points ``QT_QPA_PLATFORM_PLUGIN_PATH`` (and ``QT_QPA_FONTDIR``) at the Qt
plugins and fonts bundled inside ``cv2``; PySide6 would then load the wrong platform plugin or find no
fonts. We import cv2 first (so its side effect has happened) and drop those variables again."""

from __future__ import annotations

import os
import sys

_CV2_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def prepare_qt_environment(*, headless_fallback: bool = False) -> None:
    """Undo cv2's Qt variables. With ``headless_fallback`` (used by --screenshot) and no display on
    Linux, select the offscreen platform instead of letting Qt abort."""
    try:  # noqa: SIM105  the import is the point, and any failure of it is let go
        import cv2  # noqa: F401  (its import is what sets the variables)
    except Exception:  # noqa: BLE001  # pragma: no cover - cv2 is a dependency of core, but don't fail the GUI for it
        pass
    for name in _CV2_VARS:
        value = os.environ.get(name, "")
        if value and ("cv2" in value or name == "QT_QPA_PLATFORM_PLUGIN_PATH"):
            os.environ.pop(name, None)
    if headless_fallback and sys.platform.startswith("linux") and not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def has_display() -> bool:
    """True where a Qt window can be shown (always on Windows/macOS; on Linux X11 or Wayland, or an
    explicitly chosen platform plugin such as offscreen)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))
