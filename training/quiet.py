"""Training and export print their own progress only. The libraries behind them talk a lot: torchao's
"failed to load" and "no triton" warnings when litert-torch loads it, PyTorch's pytree deprecations, and
the converter's dozens of ``[START]`` / ``[ DONE]`` lines (on stdout) and native log lines (on stderr).
:func:`quiet_libraries` turns the Python side down; :func:`converter_chatter` holds what the converter
writes to the process's stdout and stderr while it runs and shows it only when the step fails, so a real
error is still seen in full."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress

# loggers whose warnings say nothing about the run: torchao's optional kernels, PyTorch's pytree and export
NOISY_LOGGERS = ("torchao", "torch.utils._pytree", "torch._export", "torch.export", "absl")
# (category, message pattern) of the warnings the converter's own use of PyTorch raises
NOISY_WARNINGS = ((FutureWarning, r".*LeafSpec.*"), (UserWarning, r".*TypedStorage is deprecated.*"))


def quiet_libraries() -> None:
    """Before the converter is imported: its progress lines off, the noisy loggers at ERROR, the
    deprecation warnings ignored. Our own loggers (``training``) and real errors are untouched."""
    os.environ["LITERT_TORCH_SHOW_PROGRESS"] = "n"  # litert-torch's own switch for its [START]/[ DONE] lines
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GLOG_minloglevel", "2")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for category, message in NOISY_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)


@contextmanager
def converter_chatter() -> Iterator[None]:
    """File descriptors 1 and 2 (what native code prints) and Python's ``sys.stdout`` and ``sys.stderr``
    go to a scratch file while the block runs, and the libraries' future and deprecation warnings are
    ignored there; when the block raises, the file is copied to stderr before the error goes on, so
    nothing that explains a failure is lost. On success it is dropped."""
    quiet_libraries()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    with tempfile.TemporaryFile() as held, open(held.fileno(), "w", encoding="utf-8", errors="replace",
                                                closefd=False) as text:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(held.fileno(), 1)
            os.dup2(held.fileno(), 2)
            with warnings.catch_warnings(), redirect_stdout(text), redirect_stderr(text):
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                yield
        except BaseException:
            text.flush()
            _restore(saved)
            held.seek(0)
            said = held.read().decode("utf-8", "replace").strip()
            if said:
                print(f"the converter said:\n{said}", file=sys.stderr)
            raise
        finally:
            _restore(saved)


def _restore(saved: list[int]) -> None:
    if not saved:
        return
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    for fd, copy in zip((1, 2), saved, strict=True):
        os.dup2(copy, fd)
        os.close(copy)
    saved.clear()


__all__ = ["NOISY_LOGGERS", "converter_chatter", "quiet_libraries"]
