"""Starting the GUI: ``run_gui`` is what the ``hairtint`` command line calls. The window is built from
a :class:`~core.tryon.session.Session` (the settings and what follows from them: model, palette, sources)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.tryon.session import Session
from hairtint_desktop.qtenv import platform_problem, prepare_qt_environment

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.io.sources import Source
    from core.pipeline.pipeline import PipelineFactory

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_S = 30.0


def _application(args: list[str]):
    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication  # lazy: Qt reads the environment prepare_qt_environment sets

    app = QApplication.instance()
    if app is None:
        app = QApplication(args)
    app.setApplicationName("HairTint")
    app.setOrganizationName("HairTint")
    return app


def quit_on_signals(app, window) -> None:
    """SIGTERM (a service manager stopping the kiosk), SIGINT (Ctrl+C in the terminal) and SIGHUP (that
    terminal closed) end the app in every mode: the window is allowed to close (the staff PIN guards the on-screen quit, not the
    service manager), the worker is stopped, and the event loop exits."""
    from PySide6.QtCore import QTimer  # lazy: Qt, loaded after prepare_qt_environment

    def handler(signum: int) -> None:
        log.info("signal %d: closing", signum)
        window.allow_quit()
        code = 128 + signum if signum == signal.SIGINT else 0
        QTimer.singleShot(0, lambda: app.exit(code))  # also when it comes before the event loop runs

    on_stop_signals(app, handler)


def on_stop_signals(app, handler: Callable[[int], None]) -> Callable[[], None]:
    """Call ``handler(signum)`` on the GUI thread for SIGINT, SIGTERM and SIGHUP (nothing where signals
    cannot be set: not the main thread). Returns a function that puts the previous handlers back.

    Python runs a signal's handler only between bytecodes, and Qt's event loop may wait in C++ for as
    long as nothing happens; so the signal also wakes the loop at once: Python writes it to its wakeup
    descriptor, and its :class:`_Wakeup` runs a slot."""
    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # the signals differ by platform (no SIGHUP on Windows)
            number = getattr(signal, name)
            try:
                previous[number] = signal.signal(number, lambda signum, _frame: handler(signum))
            except ValueError:  # not the main thread
                return lambda: None
    wakeup = _Wakeup(app)

    def restore() -> None:
        wakeup.close()
        for number, old in previous.items():
            signal.signal(number, old)

    return restore


class _Wakeup:
    """Python's signal wakeup descriptor (the writing end of a pipe; on Windows, where it must be a socket,
    of a socket pair) and a QSocketNotifier on the reading end, whose slot lets Python run the signal's
    handler. A pipe, not a socket, where there is one: the app opens no socket of its own (README,
    Privacy). Kept in :data:`_WAKEUPS` until closed: the descriptor must stay open while Python may
    write to it."""

    def __init__(self, app):
        from PySide6.QtCore import QSocketNotifier  # lazy: Qt, loaded after prepare_qt_environment

        if os.name == "posix":
            self.read_end, self.write_end = os.pipe()
            self.pair: tuple[socket.socket, socket.socket] | None = None
        else:
            self.pair = socket.socketpair()
            self.read_end, self.write_end = (end.fileno() for end in self.pair)
        for end in (self.read_end, self.write_end):
            os.set_blocking(end, False)
        self.before = signal.set_wakeup_fd(self.write_end, warn_on_full_buffer=False)
        self.notifier = QSocketNotifier(self.read_end, QSocketNotifier.Type.Read, app)
        self.notifier.activated.connect(self.drain)
        _WAKEUPS.append(self)

    def drain(self, *_args) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError: nothing more to read
            while os.read(self.read_end, 64) if self.pair is None else self.pair[0].recv(64):
                pass

    def close(self) -> None:
        self.notifier.setEnabled(False)
        self.notifier.deleteLater()
        signal.set_wakeup_fd(self.before)
        if self.pair is None:
            os.close(self.read_end)
            os.close(self.write_end)
        else:
            for end in self.pair:
                end.close()
        _WAKEUPS.remove(self)


_WAKEUPS: list[_Wakeup] = []


def serve_metrics(window):
    """Serve the window's metrics at ``/metrics`` when ``metrics.port`` is set (a MetricsServer, else
    None). A port that cannot be used is a warning in the banner, never a reason not to start."""
    metrics = window.settings.metrics
    if metrics.port is None:
        return None
    from core.fleet.telemetry import MetricsServer  # lazy: OpenCV, only with metrics.port set

    window.fleet.set_place(window.settings.fleet.labels())  # kiosk, salon: a central Prometheus tells kiosks apart
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


def _run_window(app, window, source: str | None, kiosk: bool, size: tuple[int, int] | None) -> int:
    """Show ``window`` on ``source`` and run until it closes (with its metrics server, where one is set)."""
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


def run_gui(source: str | None = None, kiosk: bool = False, screenshot: str | None = None,  # noqa: C901  the screenshot's wait
            settings_path=None, *, pipeline_factory: PipelineFactory | None = None,
            opener: Callable[[str], Source] | None = None, timeout_s: float = SCREENSHOT_TIMEOUT_S,
            size: tuple[int, int] | None = None, trust_unverified: bool = False) -> int:
    """Open the main window (fullscreen and locked with ``kiosk``) on ``source`` ("camera:N", "synthetic",
    or a photo/folder/video path; None: the configured camera) and run until it closes.

    With ``screenshot``: wait for the first processed frame to be painted (or for the start panel, when
    the source cannot be opened), save a picture of the whole window to that path, and return 0; return 1
    with a message on stderr when no model can run (the picture then shows the banner saying why) or
    nothing is shown within ``timeout_s`` seconds. ``size``: the window's
    size in pixels instead of the default (or full screen). ``pipeline_factory``/``opener`` are for tests."""
    prepare_qt_environment(headless_fallback=screenshot is not None)
    problem = platform_problem()  # what would make Qt abort (a library, the display), in one line
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    app = _application(sys.argv[:1])
    from PySide6.QtCore import QEventLoop, QTimer  # lazy: Qt, loaded after prepare_qt_environment

    window = build_window(settings_path, kiosk=kiosk, pipeline_factory=pipeline_factory, opener=opener,
                          trust_unverified=trust_unverified)
    if screenshot is None:
        return _run_window(app, window, source, kiosk, size)

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

    def ended() -> None:  # the live view stopped before a frame (no model could run): capture the banner saying why
        if outcome["code"] is None:
            saved = window.grab().save(str(screenshot))
            finish(1, f"no picture: {window.banner.message or 'the live view stopped'}"
                      + (f"; screenshot saved to {screenshot}" if saved else ""))

    window.live_ended.connect(ended)
    deadline.timeout.connect(lambda: finish(1, f"no processed frame within {timeout_s:g} s; no screenshot written"))
    deadline.start(int(timeout_s * 1000))
    run_locally(app, window, loop, source, kiosk=kiosk, size=size)
    return outcome["code"] if outcome["code"] is not None else 1


def build_window(settings_path=None, *, kiosk: bool = False, pipeline_factory: PipelineFactory | None = None,
                 opener: Callable[[str], Source] | None = None, overlay: bool | None = None,
                 trust_unverified: bool = False):
    """The main window as ``hairtint`` builds it, from the settings file (read as the app reads it).
    ``overlay`` True or False shows or hides the statistics overlay for this run only: the settings
    file is not written for it. ``trust_unverified``: run a model named by path without a checksum."""
    from hairtint_desktop.main_window import MainWindow  # lazy: Qt, loaded after prepare_qt_environment

    session = Session.load(settings_path, trust_unverified=trust_unverified)
    if overlay is not None:
        session.settings = session.settings.with_(overlay=overlay)
    return MainWindow(session=session, pipeline_factory=pipeline_factory, opener=opener, kiosk=kiosk)


def run_locally(app, window, loop, source: str | None, *, kiosk: bool = False,
                size: tuple[int, int] | None = None) -> None:
    """Show ``window``, open ``source`` and run ``loop`` (a QEventLoop) until something exits it; then stop
    the worker and dispose of the window. A local event loop, so that an application that goes on
    running (a test session) is left as it was -- QCoreApplication.exit() would make every later event
    loop return at once."""
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


__all__ = ["build_window", "on_stop_signals", "run_gui", "run_locally"]


