"""Printing a kept look card through CUPS (the kiosk, which has no print dialog): is there a printer
(``lpstat -d`` names the default destination, ``lpstat -p`` the printers and whether each is enabled), and
``lp`` to send the file to it. Both run only when the customer has kept a look and taps Print; nothing runs
on its own. The command runner is a parameter, so every step can be checked without a printer."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_S = 10.0
JOB_TITLE = "HairTint look card"

#: Runs a command and gives back its exit status and what it printed (stdout, then stderr).
Run = Callable[[Sequence[str]], tuple[int, str]]


def run_command(args: Sequence[str]) -> tuple[int, str]:
    """``args`` run with no input, CUPS's messages in English (``LC_ALL=C``), at most TIMEOUT_S seconds;
    a command that cannot be started or does not finish gives status 127 and the reason."""
    try:
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
                              stdin=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError) as exc:
        return 127, str(exc)
    return done.returncode, done.stdout + done.stderr


def lp_command(path: str | os.PathLike, printer: str) -> list[str]:
    """The ``lp`` command that prints ``path`` once on ``printer``, scaled to the paper."""
    return ["lp", "-d", printer, "-n", "1", "-t", JOB_TITLE, "-o", "fit-to-page", "--", os.fspath(path)]


def default_destination(text: str) -> str | None:
    """The printer ``lpstat -d`` names ('system default destination: Office'); None for 'no system default'."""
    for line in text.splitlines():
        head, sep, name = line.partition(":")
        if sep and head.strip() == "system default destination" and name.strip():
            return name.strip()
    return None


def enabled_printers(text: str) -> list[str]:
    """The printers ``lpstat -p`` lists as enabled ('printer Office is idle.  enabled since ...'), in its
    order; 'printer Office disabled since ...' is left out."""
    names = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "printer" and parts[2] != "disabled":
            names.append(parts[1])
    return names


@dataclass
class Cups:
    """The system's printers as CUPS's command-line tools see them."""

    run: Run = run_command
    which: Callable[[str], str | None] = field(default=shutil.which)

    def printer(self) -> str | None:
        """The printer a card goes to: the default destination when it is enabled, else the first enabled
        printer; None when CUPS's tools are not installed or no printer is ready."""
        if self.which("lp") is None or self.which("lpstat") is None:
            return None
        status, text = self.run(["lpstat", "-d"])
        default = default_destination(text) if status == 0 else None
        status, text = self.run(["lpstat", "-p"])
        if status != 0:
            return default
        enabled = enabled_printers(text)
        return default if default in enabled else (enabled[0] if enabled else None)

    def print_file(self, path: Path, printer: str) -> str | None:
        """Send ``path`` to ``printer``: None when CUPS took the job, else one line saying why not."""
        status, text = self.run(lp_command(path, printer))
        if status == 0:
            return None
        reason = " ".join(text.split()) or f"lp ended with status {status}"
        return f"The card could not be sent to {printer}: {reason}"


__all__ = ["JOB_TITLE", "Cups", "Run", "default_destination", "enabled_printers", "lp_command", "run_command"]
