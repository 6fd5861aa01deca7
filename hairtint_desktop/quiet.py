"""Keeps MediaPipe's start-up noise off the terminal unless ``-v`` is given: the absl/glog lines its C++
writes straight to the process's stderr (EGL, XNNPACK, feedback tensors, ...) and protobuf's deprecation
warnings. Python's own messages (ours, tqdm's, tracebacks) are never filtered."""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import warnings

NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\)"
    r"|[IWEF]\d{4} [\d:. ]+\s*\d+ [\w./-]+:\d+\]"  # absl / glog: I0000 00:00:1795708680.99 6955 file.cc:85]
    r"|INFO: Created TensorFlow Lite"
    r"|gl_context|EGL)")
PY_WARNINGS = (r".*MessageFactory class is deprecated.*", r".*SymbolDatabase\.GetPrototype\(\) is deprecated.*")


def quiet_python_warnings() -> None:
    """Protobuf's deprecation warnings, and the log levels MediaPipe's C++ reads (set before it loads)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for message in PY_WARNINGS:
        warnings.filterwarnings("ignore", message=message)


def quiet_native_logs() -> None:
    """Route file descriptor 2 through a filter that drops :data:`NOISE` lines; Python's ``sys.stderr``
    keeps writing to the terminal directly. For the command-line entry point only (never in tests)."""
    quiet_python_warnings()
    try:
        terminal = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
    except OSError:
        return
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"  # the terminal's: an ASCII one gets escapes
    sys.stderr = io.TextIOWrapper(os.fdopen(os.dup(terminal), "wb", buffering=0), encoding=encoding,
                                  errors="backslashreplace", line_buffering=True, write_through=True)

    def pump() -> None:
        forward = True
        with os.fdopen(read_end, "rb") as native:
            for line in native:  # read to the end even when the terminal is gone, so no writer blocks
                if forward and not NOISE.match(line.decode("utf-8", "replace")):
                    try:
                        os.write(terminal, line)
                    except OSError:  # the terminal went away (a closed pipe): the rest is dropped
                        forward = False

    threading.Thread(target=pump, name="hairtint-stderr-filter", daemon=True).start()


__all__ = ["NOISE", "quiet_native_logs", "quiet_python_warnings"]
