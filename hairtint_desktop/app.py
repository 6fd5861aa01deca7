"""Starting the GUI: ``run_gui`` is what the ``hairtint`` command line calls. The window is built from
a :class:`~core.session.Session` (the settings and what follows from them: model, palette, sources)."""

from __future__ import annotations

import logging
import os
import sys
from typing import Callable

from core.session import Session

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_S = 30.0


def _application(args: list[str]):
    from hairtint_desktop.qtenv import prepare_qt_environment

    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(args)
    app.setApplicationName("HairTint")
    app.setOrganizationName("HairTint")
    return app


def quit_on_signals(app, window) -> None:
    """SIGTERM (a service manager stopping the kiosk) and SIGINT (Ctrl+C in the terminal) end the app in
    every mode: the window is allowed to close (the staff PIN guards the on-screen quit, not the
    service manager), the worker is stopped, and the event loop exits."""
    import signal

    from PySide6.QtCore import QTimer

    def handler(signum, _frame):
        log.info("signal %d: closing", signum)
        window.allow_quit()
        code = 128 + signum if signum == signal.SIGINT else 0
        QTimer.singleShot(0, lambda: app.exit(code))  # also when it comes before the event loop runs

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            try:
                signal.signal(getattr(signal, name), handler)
            except ValueError:  # not the main thread
                return
    wake = QTimer(app)  # Python runs signal handlers only between bytecodes: wake it regularly
    wake.timeout.connect(lambda: None)
    wake.start(200)


def serve_metrics(window):
    """Serve the window's metrics at ``/metrics`` when ``metrics.port`` is set (a MetricsServer, else
    None). A port that cannot be used is a warning in the banner, never a reason not to start."""
    metrics = window.settings.metrics
    if metrics.port is None:
        return None
    from core.telemetry import MetricsServer

    try:
        server = MetricsServer(window.fleet.telemetry, metrics.port, metrics.address)
    except OSError as exc:
        window.banner.show_message(f"Metrics cannot be served on {metrics.address}:{metrics.port} ({exc.strerror or exc})",
                                   "warning")
        return None
    log.info("metrics at %s", server.url)
    return server


def _show(window, kiosk: bool, size: tuple[int, int] | None) -> None:
    if size is not None:  # a given size (screenshots of a layout), also in kiosk mode
        window.resize(*size)
        window.show()
    elif kiosk and window.kiosk is not None:
        window.kiosk.activate()
    else:
        window.show()


def run_gui(source: str | None = None, kiosk: bool = False, screenshot: str | None = None,
            settings_path=None, *, pipeline_factory: Callable[[bool], object] | None = None,
            opener: Callable[[str], object] | None = None, timeout_s: float = SCREENSHOT_TIMEOUT_S,
            size: tuple[int, int] | None = None) -> int:
    """Open the main window (fullscreen and locked with ``kiosk``) on ``source`` ("camera:N", "synthetic",
    or a photo/folder/video path; None: the configured camera) and run until it closes.

    With ``screenshot``: wait for the first processed frame to be painted (or for the start panel, when
    the source cannot be opened), save a picture of the whole window to that path, and return 0; return 1
    with a message on stderr when nothing is shown within ``timeout_s`` seconds. ``size``: the window's
    size in pixels instead of the default (or full screen). ``pipeline_factory``/``opener`` are for tests."""
    from hairtint_desktop.qtenv import has_display, prepare_qt_environment

    prepare_qt_environment(headless_fallback=screenshot is not None)
    if not has_display():
        print("hairtint: no display found (DISPLAY/WAYLAND_DISPLAY unset). Run it on a desktop, or use "
              "--screenshot OUT.png which can render without one.", file=sys.stderr)
        return 1
    app = _application(sys.argv[:1])
    from PySide6.QtCore import QEventLoop, QTimer

    from hairtint_desktop.main_window import MainWindow

    session = Session.load(settings_path)
    window = MainWindow(session=session, pipeline_factory=pipeline_factory, opener=opener, kiosk=kiosk)
    if screenshot is None:
        quit_on_signals(app, window)
        server = serve_metrics(window)
        _show(window, kiosk, size)
        window.start(source)
        log.info("HairTint is running (pid %d)", os.getpid())
        code = app.exec()
        window.shutdown()
        if server is not None:
            server.close()
        return int(code)

    # --screenshot: a local event loop, so an application that goes on running (a test session) is
    # left as it was -- QCoreApplication.exit() would make every later event loop return at once.
    loop = QEventLoop()
    outcome: dict = {"code": None}
    deadline = QTimer()
    deadline.setSingleShot(True)

    def finish(code: int, message: str) -> None:
        if outcome["code"] is not None:
            return
        outcome["code"] = code
        deadline.stop()
        print(f"hairtint: {message}", file=sys.stderr)
        window.shutdown()
        window.close()
        loop.exit(code)

    def grab() -> None:
        if outcome["code"] is not None:
            return
        if window.overlay.isVisible():
            window.refresh_overlay()
        if window.grab().save(str(screenshot)):
            finish(0, f"screenshot saved to {screenshot}")
        else:
            finish(1, f"could not write the screenshot to {screenshot}")

    # a few more frames first, so the overlay has figures (when it is on), then grab
    window.frame_displayed.connect(lambda: QTimer.singleShot(1500 if window.overlay.isVisible() else 300, grab))
    def unavailable(message: str) -> None:  # capture the start panel, which says why
        print(f"hairtint: {message}", file=sys.stderr)
        QTimer.singleShot(0, grab)

    window.source_unavailable.connect(unavailable)
    deadline.timeout.connect(lambda: finish(1, f"no processed frame within {timeout_s:g} s; no screenshot written"))
    deadline.start(int(timeout_s * 1000))
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        _show(window, kiosk, size)
        window.start(source)
        loop.exec()
    finally:
        app.setQuitOnLastWindowClosed(quit_on_close)
        window.shutdown()
        if window.kiosk is not None:
            window.kiosk.stop()
        window.deleteLater()
    return outcome["code"] if outcome["code"] is not None else 1


__all__ = ["run_gui"]


