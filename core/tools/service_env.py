"""The environment of the running kiosk service, so ``hairtint rollout status`` typed in a shell says what
the app runs with: the stage and fleet policy variables that the service unit (or ``systemctl --user
set-environment``) gave it, read from ``/proc/PID/environ`` of the unit's main process (the same user may
read it). Where there is no such service (no systemd, not running, another user's), the shell's own
environment is used, and the status says so. No Qt here."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping

from core.catalog.fleet_policy import ENV_POLICY
from core.catalog.rollout import ENV_STAGE, ENV_STAGE_ALIAS

SERVICE = "hairtint-kiosk"
#: What the service's environment decides; the rest of the shell's environment is kept.
KEYS = (ENV_STAGE, ENV_STAGE_ALIAS, ENV_POLICY)


def main_pid(unit: str) -> int | None:
    """The main process of the user unit ``unit``, None when it is not running or there is no systemd."""
    try:
        done = subprocess.run(["systemctl", "--user", "show", "--property=MainPID", "--value", unit],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = done.stdout.strip()
    return int(text) if done.returncode == 0 and text.isdigit() and int(text) > 0 else None


def process_environ(pid: int) -> dict[str, str] | None:
    """The environment process ``pid`` started with; None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            data = handle.read(1 << 20)
    except OSError:
        return None
    pairs = (item.decode("utf-8", "replace").partition("=") for item in data.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def running_environment(unit: str = SERVICE, environ: Mapping[str, str] | None = None
                        ) -> tuple[dict[str, str], str]:
    """The environment to decide with, and whose it is in words: the shell's, with KEYS as the running
    service ``unit`` has them (set or not) when it runs; else the shell's own."""
    shell = dict(os.environ if environ is None else environ)
    pid = main_pid(unit) if unit else None
    service = process_environ(pid) if pid is not None else None
    if service is None:
        why = f"the service {unit} is not running" if unit else "no service asked about"
        return shell, f"this shell's ({why})"
    merged = {k: v for k, v in shell.items() if k not in KEYS}
    merged.update({k: service[k] for k in KEYS if k in service})
    differ = [k for k in KEYS if shell.get(k) != service.get(k)]
    note = f"; this shell's {', '.join(differ)} left out" if differ else ""
    return merged, f"the running service {unit}'s (pid {pid}){note}"


__all__ = ["KEYS", "SERVICE", "main_pid", "process_environ", "running_environment"]
