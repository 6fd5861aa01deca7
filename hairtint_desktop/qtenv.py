"""Prepare the process environment before the first QApplication is created, and say in one line what
is missing when Qt could not start.

Importing OpenCV's pip wheels points ``QT_QPA_PLATFORM_PLUGIN_PATH`` (and ``QT_QPA_FONTDIR``) at the Qt
plugins and fonts bundled inside ``cv2``; PySide6 would then load the wrong platform plugin or find no
fonts. We import cv2 first (so its side effect has happened) and drop those variables again.

Qt ends the process with only "Aborted" when its platform plugin cannot be loaded (a library the xcb
plugin needs is not installed) or its display cannot be reached. :func:`platform_problem` looks for both
first; ``python -m hairtint_desktop.qtenv --check [hairtint's arguments]`` (``make run``) prints what to
install and exits 2."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

_CV2_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")

#: The system libraries Qt's own libraries (QtGui, QtWidgets) load on every platform, and their Debian packages.
QT_LIBRARIES = {
    "libGL.so.1": "libgl1", "libEGL.so.1": "libegl1", "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6", "libxkbcommon.so.0": "libxkbcommon0", "libX11.so.6": "libx11-6",
    "libglib-2.0.so.0": "libglib2.0-0", "libdbus-1.so.3": "libdbus-1-3",
}
#: What the platform plugins load besides: xcb (an X display) and wayland.
PLATFORM_LIBRARIES = {
    "xcb": {
        "libxcb.so.1": "libxcb1", "libX11-xcb.so.1": "libx11-xcb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
        "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
        "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
        "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-util.so.1": "libxcb-util1",
        "libxcb-randr.so.0": "libxcb-randr0", "libxcb-shape.so.0": "libxcb-shape0", "libxcb-shm.so.0": "libxcb-shm0",
        "libxcb-sync.so.1": "libxcb-sync1", "libxcb-xfixes.so.0": "libxcb-xfixes0",
        "libxcb-render.so.0": "libxcb-render0", "libxcb-xkb.so.1": "libxcb-xkb1",
    },
    "wayland": {"libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0"},
}
#: Each platform plugin's display: the variable that names it.
DISPLAY_VARIABLE = {"xcb": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}
#: The Debian packages the app needs to show a window (README's install section lists the same).
DEBIAN_PACKAGES = sorted({*QT_LIBRARIES.values(), *PLATFORM_LIBRARIES["xcb"].values()})


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


def library_found(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` (as it will when Qt loads its plugin)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def display_reachable(display: str) -> bool:
    """Whether an X server answers at ``display`` (libxcb's own connect; False without libxcb)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def _platforms(environ: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt tries, in its order: QT_QPA_PLATFORM's list, else wayland first in a
    Wayland session, else xcb."""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if chosen:
        return [p.split(":", 1)[0].strip() for p in chosen.split(";") if p.strip()]
    return ["wayland", "xcb"] if environ.get("XDG_SESSION_TYPE") == "wayland" else ["xcb"]


def _install_line(what: str, packages: list[str]) -> str:
    return f"HairTint needs the {what} {' '.join(packages)}: sudo apt-get install {' '.join(packages)}"


def platform_problem(environ: Mapping[str, str] | None = None, *, found: Callable[[str], bool] | None = None,
                     reachable: Callable[[str], bool] | None = None, platform: str = sys.platform) -> str | None:
    """One line saying what keeps Qt from opening a window here and what to do about it, or None when
    nothing does: the libraries Qt and its platform plugin load (named by their Debian package), and a
    display that is set and answers. Call it after :func:`prepare_qt_environment`. ``found`` and
    ``reachable`` are for tests."""
    if not platform.startswith("linux"):
        return None
    environ = os.environ if environ is None else environ
    found, reachable = found or library_found, reachable or display_reachable
    missing = [package for soname, package in QT_LIBRARIES.items() if not found(soname)]
    if missing:
        return _install_line("system libraries", missing)
    problems = []
    for name in _platforms(environ):
        variable = DISPLAY_VARIABLE.get(name)
        if variable is None:  # offscreen, minimal, vnc, eglfs...: Qt's own libraries are enough
            return None
        display = environ.get(variable, "")
        libraries = [package for soname, package in PLATFORM_LIBRARIES[name].items() if not found(soname)]
        if not display:
            problems.append(f"HairTint needs a display, and {variable} is not set: start it in a desktop "
                            f"session (with --screenshot FILE it renders without one)")
        elif libraries:
            problems.append(_install_line("X libraries" if name == "xcb" else "Wayland libraries", libraries))
        elif name == "xcb" and not reachable(display):
            problems.append(f"HairTint cannot reach the X display {display} ({variable}): is the desktop "
                            f"session running, and may this user use it?")
        else:
            return None
    return next((p for p in problems if "apt-get" in p), problems[0] if problems else None)


def main(argv: list[str] | None = None) -> int:
    """``python -m hairtint_desktop.qtenv --check [hairtint's arguments]``: exit 0 when the app can open
    its window here (with ``--screenshot`` among the arguments, as the app does, without a display
    too), else print what to install and exit 2."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] != ["--check"]:
        print("usage: python -m hairtint_desktop.qtenv --check [hairtint's arguments]", file=sys.stderr)
        return 2
    prepare_qt_environment(headless_fallback=any(a.split("=", 1)[0] == "--screenshot" for a in argv[1:]))
    problem = platform_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
