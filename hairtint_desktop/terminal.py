"""What the headless commands do about the terminal and the process around them, so that a long
``recolor`` (or eval, bench, ...) ends with a message and an exit code, never a traceback:

- standard streams that are closed when the command starts (``>&-``) are opened on the null device, so
  that no file the command opens later takes their number and receives what was meant for the terminal;
  what is printed to a closed stdout is dropped;
- text the terminal's encoding cannot show (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``; a file name
  with ``é`` or ``→`` in it, or bytes that are not UTF-8) is printed as backslash escapes;
- stdout is line-buffered, so each result line leaves as soon as it is printed (and a reader that went
  away is noticed at the next line, not at exit);
- SIGTERM and SIGHUP raise :class:`Terminated` in the main thread: the work unwinds as from any error
  (a file being written is removed, finished ones stay) and the command exits ``128 + signal``.

Exit codes (see docs/CLI.md): 141 (128 + SIGPIPE, what a shell reports for a program a closed pipe ended)
when stdout's reader went away, 143 for SIGTERM, 129 for SIGHUP, 130 for Ctrl+C."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator

#: The exit code after the reader of stdout went away (``hairtint recolor ... | head -1``).
PIPE_CLOSED = 128 + getattr(signal, "SIGPIPE", 13)  # Windows has no SIGPIPE
STOP_SIGNALS = ("SIGTERM", "SIGHUP")
_owned: list[bool] = []  # [True] once prepare_standard_streams ran: this process is the command, its streams are ours


class Terminated(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so that no ``except Exception``
    on the way takes it for a failed photo and goes on."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def prepare_standard_streams() -> None:
    """Closed descriptors 0-2 opened on the null device; stdout and stderr that escape what their
    encoding cannot show; stdout line-buffered. For the ``hairtint`` entry point (not for tests that
    call :func:`hairtint_desktop.cli.main` in-process)."""
    _owned[:] = [True]
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdout is None:  # Python found descriptor 1 closed at start: what is printed is dropped
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115  the process's stdout, open while it runs
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115  the same, for stderr
    for stream, line in ((sys.stdout, True), (sys.stderr, None)):
        reconfigure = getattr(stream, "reconfigure", None)  # a stream put in place (pytest's) may lack it
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace", **({} if line is None else {"line_buffering": line}))


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, the first SIGTERM or SIGHUP raises :class:`Terminated`; later ones are ignored,
    so that the clean-up the first one started is not cut short. The previous handlers come back after.
    Outside the main thread (where Python cannot set handlers) this does nothing."""
    stopping: list[int] = []

    def handler(signum, _frame):
        if not stopping:
            stopping.append(signum)
            raise Terminated(signum)

    previous = {}
    try:
        for name in STOP_SIGNALS:
            if hasattr(signal, name):  # the signals differ by platform (no SIGHUP on Windows)
                signum = getattr(signal, name)
                previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def say(message: str) -> None:
    """``message`` on stderr; if stderr cannot be written (a closed pipe too), it is dropped."""
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        mute(sys.stderr)


def flush_stdout() -> None:
    """Flush stdout now, inside the command, so a reader that went away is a BrokenPipeError there
    rather than a message about an ignored exception at exit."""
    if sys.stdout is not None:
        sys.stdout.flush()


def end_process(code: int) -> None:
    """End the ``hairtint`` process now with ``code``, once the app's window has closed and its worker,
    pipelines and metrics server have stopped: what was printed and logged is flushed, and Python's own
    ending is skipped. That ending (the garbage collection of every module, Qt destroying the widgets,
    the native libraries' destructors: MediaPipe, TFLite, OpenCV's thread pool) has nothing left to save
    and took 0.3-1.5 s of a busy two-core kiosk after SIGTERM. Only in the ``hairtint`` process itself
    (after :func:`prepare_standard_streams`): in a test it returns."""
    if not _owned:
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe, a closed descriptor: nothing more to say
            stream.flush()
    os._exit(code)


def mute(stream) -> None:
    """Send what is left for ``stream``, and anything printed to it from now on, to the null device: so
    that the flush at exit neither fails on a closed pipe nor waits for a reader that stopped reading.
    Only in the ``hairtint`` process itself (after :func:`prepare_standard_streams`): a test's streams are
    left alone."""
    if not _owned:
        return
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real descriptor (captured in a test)
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


__all__ = ["PIPE_CLOSED", "Terminated", "end_process", "flush_stdout", "mute", "prepare_standard_streams", "say",
           "stop_on_signals"]
