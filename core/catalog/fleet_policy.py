"""The fleet policy: a small read-only JSON file that config management (Ansible, Puppet...) writes on
every kiosk, so the fleet is steered without a shell on each one. Default ``/etc/hairtint/fleet.json``;
``fleet_policy`` in the settings names another, and ``HAIRTINT_FLEET_POLICY`` overrides both (tests,
a second instance). The app only ever reads it.

It may hold (each key optional, ``null`` or ``""`` the same as absent; any other key is refused, so a
typo is never silently ignored)::

    {"stage": "ten_percent",                 # the rollout stage, any case; wins over env and settings
     "kiosk": "paris-3-front", "salon": "paris-3",   # the metrics' kiosk and salon labels
     "allowed_models": ["hairnet", "hairnet-hq@0.9.0"],  # experimental models the rollout may run
     "clear_rollbacks_at": "2026-12-07T09:00:00+01:00"}  # rollbacks recorded before it are cleared, once

A file that cannot be used (not JSON, a wrong value, an unknown key) is one :class:`PolicyError` with the
file's name and what is wrong; a running app keeps the last good policy it read (:class:`PolicyWatch`).
A missing file is the empty policy: nothing is set by it. No Qt here."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.catalog.setting_values import place_name, rollout_stage
from core.errors import ConfigError
from core.io.small_files import FileProblem, json_kind, read_json

log = logging.getLogger(__name__)

DEFAULT_POLICY_FILE = Path("/etc/hairtint/fleet.json")
ENV_POLICY = "HAIRTINT_FLEET_POLICY"
MAX_POLICY_BYTES = 64 << 10
POLL_EVERY_S = 5.0


class PolicyError(ConfigError):
    """The fleet policy file cannot be used; the text names the file and what is wrong."""


@dataclass(frozen=True)
class FleetPolicy:
    """What the fleet policy file sets (None: not set by it). ``path``: the file it was read from;
    ``found``: whether that file existed."""

    path: Path = DEFAULT_POLICY_FILE
    found: bool = False
    stage: str | None = None
    kiosk: str | None = None
    salon: str | None = None
    allowed_models: tuple[str, ...] | None = None
    clear_rollbacks_at: datetime | None = field(default=None)

    def allows(self, model_id: str, version: str) -> bool:
        """Whether the rollout may run this experimental model (every one when the file does not say)."""
        return self.allowed_models is None or model_id in self.allowed_models \
            or f"{model_id}@{version}" in self.allowed_models

    def clears(self, recorded: str, now: datetime | None = None) -> bool:
        """Whether a rollback recorded at ``recorded`` (ISO 8601; local time when it has no zone) is
        cleared: it is older than ``clear_rollbacks_at``, and that time has come. A time that cannot be
        read (a damaged state file) counts as older."""
        at = self.clear_rollbacks_at
        if at is None or (now or datetime.now().astimezone()) < at:
            return False
        when = _moment(recorded)
        return when is None or when < at

    def place(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The ``kiosk``/``salon`` labels: the file's over ``labels`` (the settings')."""
        return {**labels, **({"kiosk": self.kiosk} if self.kiosk else {}),
                **({"salon": self.salon} if self.salon else {})}

    def to_json(self) -> dict:
        return {"path": str(self.path), "found": self.found, "stage": self.stage, "kiosk": self.kiosk,
                "salon": self.salon,
                "allowed_models": None if self.allowed_models is None else list(self.allowed_models),
                "clear_rollbacks_at": None if self.clear_rollbacks_at is None
                else self.clear_rollbacks_at.isoformat(timespec="seconds")}


def _moment(text) -> datetime | None:
    """An ISO 8601 time as an aware datetime (no zone: local time); None when it is not one."""
    try:
        return datetime.fromisoformat(text).astimezone()
    except (TypeError, ValueError):
        return None


def _models(value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"expected a list of model ids (\"hairnet\" or \"hairnet@1.0.0\"), got {json_kind(value)}")
    return tuple(v.strip() for v in value)


def _time(value) -> datetime:
    when = _moment(value) if isinstance(value, str) else None
    if when is None:
        raise ValueError(f"expected an ISO 8601 time such as \"2026-12-07T09:00:00+01:00\", got {json_kind(value)}")
    return when


_CHECKS: dict[str, Callable] = {"stage": rollout_stage, "kiosk": place_name, "salon": place_name,
                                "allowed_models": _models, "clear_rollbacks_at": _time}


def policy_from_dict(data, path: Path) -> FleetPolicy:
    """The policy in a parsed JSON value; PolicyError names every problem."""
    if not isinstance(data, dict):
        raise PolicyError(f"The fleet policy {path} cannot be used: it holds {json_kind(data)}, not an object")
    problems = [f"{key!r} is not a fleet policy key ({', '.join(_CHECKS)})" for key in data if key not in _CHECKS]
    values = {}
    for key, check in _CHECKS.items():
        if data.get(key) not in (None, ""):
            try:
                values[key] = check(data[key])
            except (ValueError, TypeError) as exc:
                problems.append(f"{key}: {exc}")
    if problems:
        raise PolicyError(f"The fleet policy {path} cannot be used: {'; '.join(problems)}")
    return FleetPolicy(path=path, found=True, **values)


def read_policy(path: str | os.PathLike) -> FleetPolicy:
    """The policy in ``path``: the empty policy when there is no such file, PolicyError when it cannot be used."""
    path = Path(path)
    try:
        data = read_json(path, MAX_POLICY_BYTES)
    except FileProblem as exc:
        if exc.missing:
            return FleetPolicy(path=path)
        raise PolicyError(f"The fleet policy {path} cannot be used: {exc}") from None
    return policy_from_dict(data, path)


def policy_path(setting: str | None = None, environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The policy file and where that came from: ``HAIRTINT_FLEET_POLICY``, else ``setting`` (the
    settings' ``fleet_policy``), else the default."""
    value = (os.environ if environ is None else environ).get(ENV_POLICY, "").strip()
    if value:
        return Path(value).expanduser(), ENV_POLICY
    if setting:
        return Path(setting).expanduser(), "settings"
    return DEFAULT_POLICY_FILE, "default"


@dataclass(frozen=True)
class PolicyRead:
    """A policy read once (a command): ``path_from`` says where its path came from; ``problem``: why the
    file cannot be used (``policy`` is then the empty one)."""

    policy: FleetPolicy
    path_from: str
    problem: str | None = None


def load_policy(setting: str | None = None, environ: Mapping[str, str] | None = None) -> PolicyRead:
    """The fleet policy for the settings' ``fleet_policy`` and the environment; a file that cannot be used
    is logged and read as the empty policy."""
    path, path_from = policy_path(setting, environ)
    try:
        return PolicyRead(read_policy(path), path_from)
    except PolicyError as exc:
        log.warning("%s; it is left out", exc)
        return PolicyRead(FleetPolicy(path=path), path_from, str(exc))


class PolicyWatch:
    """The policy in force in a running app: the file is looked at (one ``stat``) at most every ``every_s``
    seconds of ``clock`` when :meth:`poll` is called, and read again only when its size, time or inode
    changed. A file that cannot be used is logged once (``problem`` says why) and the last good policy
    stays; no thread of its own."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic, every_s: float = POLL_EVERY_S):
        self.path, self._clock, self.every_s = Path(path), clock, every_s
        self.policy = FleetPolicy(path=self.path)
        self.problem: str | None = None
        self._seen: tuple | None = ()  # () never matches: the first poll reads the file
        self._next = float("-inf")

    def poll(self) -> bool:
        """True when the policy in force changed."""
        now = self._clock()
        if now < self._next:
            return False
        self._next = now + self.every_s
        try:
            info = os.stat(self.path)
            seen: tuple | None = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev)
        except OSError:
            seen = None
        if seen == self._seen:
            return False
        self._seen = seen
        try:
            policy = read_policy(self.path)
        except PolicyError as exc:
            if str(exc) != self.problem:
                log.error("%s; keeping the last good policy", exc)
            self.problem = str(exc)
            return False
        if self.problem is not None:
            log.warning("the fleet policy %s can be used again", self.path)
        self.problem = None
        changed, self.policy = policy != self.policy, policy
        if changed:
            log.info("fleet policy %s: %s", self.path, {k: v for k, v in policy.to_json().items() if v is not None})
        return changed


__all__ = ["DEFAULT_POLICY_FILE", "ENV_POLICY", "FleetPolicy", "PolicyError", "PolicyRead", "PolicyWatch",
           "load_policy", "policy_from_dict", "policy_path", "read_policy"]
