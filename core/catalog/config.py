"""User settings, stored as JSON in the platform's config directory.

Where the file lives (first match wins):
  1. the ``path`` argument;
  2. ``$HAIRTINT_CONFIG`` -- a settings file, or a directory (existing, or ending in a path separator)
     that holds ``settings.json``;
  3. Linux/BSD: ``$XDG_CONFIG_HOME/hairtint/settings.json`` (default ``~/.config/hairtint/settings.json``);
     macOS: ``~/Library/Application Support/hairtint/settings.json``;
     Windows: ``%APPDATA%\\hairtint\\settings.json``.

Reading never crashes or hangs the app: a missing file gives the defaults; a file that is not a regular
file of at most MAX_SETTINGS_BYTES, is not UTF-8, nests too deeply or is not JSON, or a bad value, gives
the defaults for what could not be used plus a message naming the file and key (returned by
:func:`read_settings`, logged by :func:`load_settings`; what each value may be is in
``core.catalog.setting_values``). Unknown keys are ignored, so an older app
can read a newer file.

The file is written only by an explicit save (:func:`save_settings`), never by reading it: a first start
writes nothing. A save changes only the keys it is given, on the file as it is at that moment (read again
under a lock), so other writers' keys, keys it does not know and values it could not use are kept; it
writes through a symbolic link to its target and keeps the last good file as ``settings.json.bak``. A
file it cannot read is never replaced: the save fails with a message naming the file and the line.

The install id (which puts the installation in its rollout bucket) is the one the file holds; else
`core.catalog.install_id.machine_install_id`, derived from the machine's id without writing anything, the same at
every start. An explicit save records it in the file, which pins it from then on. No Qt here."""

from __future__ import annotations

import copy
import logging
import os
import socket
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from core.catalog.install_id import machine_install_id
from core.catalog.setting_values import (
    FEEDBACK_CHECKS,
    FLEET_CHECKS,
    KIOSK_CHECKS,
    METRICS_CHECKS,
    ROLLOUT_STAGES,
    TOP_CHECKS,
    rollout_percent,
    rollout_stage,
    uuid_text,
)
from core.errors import ConfigError
from core.io.small_files import FileProblem, json_kind, read_json, update_json

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
MAX_SETTINGS_BYTES = 256 << 10
DEFAULT_METRICS_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class KioskSettings:
    """``pin``: the PIN that opens settings in kiosk mode (None: settings stay locked in kiosk mode).
    ``idle_reset_s``: seconds without input before the view resets for the next customer."""

    pin: str | None = None
    idle_reset_s: float = 90.0


@dataclass(frozen=True)
class MetricsSettings:
    """``port``: serve Prometheus text at ``http://address:port/metrics`` while the app runs (None: off).
    ``address``: where to listen; only this machine by default."""

    port: int | None = None
    address: str = DEFAULT_METRICS_ADDRESS


@dataclass(frozen=True)
class FeedbackSettings:
    """``keep_snapshot``: the "Looks wrong" button also keeps the frame and its mask (off: only a count).
    ``folder``: where they go (None: ``feedback`` beside the settings file)."""

    keep_snapshot: bool = False
    folder: str | None = None


@dataclass(frozen=True)
class FleetSettings:
    """The names on every metric this kiosk serves (``kiosk`` and ``salon`` labels), for a central Prometheus
    to tell 200 kiosks apart. ``kiosk``: "" means this machine's host name (its first part); ``salon``: ""
    leaves the label off. Names people know, never the install id (an id is refused)."""

    kiosk: str = ""
    salon: str = ""

    def labels(self) -> dict[str, str]:
        host = socket.gethostname().split(".")[0].lower() or "kiosk"
        return {"kiosk": self.kiosk or host, **({"salon": self.salon} if self.salon else {})}


@dataclass(frozen=True)
class Settings:
    camera_index: int = 0
    resolution: tuple[int, int] = (640, 480)
    palette_file: str | None = None
    overlay: bool = False
    model: str | None = None  # None: the registry's default stable model
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    snapshot_dir: str | None = None
    look_card_dir: str | None = None  # where "Keep this look" saves the customer's card (None: not kept)
    rollout_stage: str = "disabled"  # one of ROLLOUT_STAGES; HAIRTINT_ROLLOUT_STAGE overrides it per process
    colour_beard: bool = False  # True: a beard takes the hair's colour too; False: the face below the nose is kept out
    install_id: str = ""  # the file's; else read_settings fills in machine_install_id() (not written)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    fleet: FleetSettings = field(default_factory=FleetSettings)  # kiosk, salon: the metrics' labels
    fleet_policy: str | None = None  # the fleet policy file (None: /etc/hairtint/fleet.json; core.catalog.fleet_policy)
    feedback: FeedbackSettings = field(default_factory=FeedbackSettings)

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def to_json(self) -> dict:
        data = asdict(self)
        data["resolution"] = list(self.resolution)
        return data


def config_dir() -> Path:
    """The directory HairTint keeps its settings in on this platform (not created here)."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "hairtint"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "hairtint"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "hairtint"


def settings_path(path: str | os.PathLike | None = None) -> Path:
    if path is not None:
        return Path(path)
    override = os.environ.get("HAIRTINT_CONFIG")
    if override:
        candidate = Path(override).expanduser()
        if override.endswith(("/", os.sep)) or candidate.is_dir():
            return candidate / SETTINGS_FILE
        return candidate
    return config_dir() / SETTINGS_FILE


def settings_from_dict(data: dict) -> tuple[Settings, list[str]]:
    """Settings from a parsed JSON object, with one message per value that could not be used."""
    warnings: list[str] = []
    if not isinstance(data, dict):
        return Settings(), ["the file does not hold a JSON object"]
    values = _checked(data, TOP_CHECKS, "", warnings)
    if "rollout_stage" not in data:  # a file from before rollout stages: rollout_percent 0/10/50/100
        old = _checked(data, {"rollout_percent": rollout_percent}, "", warnings)
        if "rollout_percent" in old:
            values["rollout_stage"] = old["rollout_percent"]
    kiosk = KioskSettings(**_checked(_section(data, "kiosk", warnings), KIOSK_CHECKS, "kiosk.", warnings))
    metrics = MetricsSettings(**_checked(_section(data, "metrics", warnings), METRICS_CHECKS, "metrics.", warnings))
    feedback = FeedbackSettings(**_checked(_section(data, "feedback", warnings), FEEDBACK_CHECKS, "feedback.", warnings))
    fleet = FleetSettings(**_checked(_section(data, "fleet", warnings), FLEET_CHECKS, "fleet.", warnings))
    return Settings(kiosk=kiosk, metrics=metrics, feedback=feedback, fleet=fleet, **values), warnings


def _section(data: dict, key: str, warnings: list[str]) -> dict:
    section = data.get(key, {})
    if not isinstance(section, dict):
        warnings.append(f"{key}: expected an object; using the defaults")
        return {}
    return section


def _checked(data: dict, checks: dict, prefix: str, warnings: list[str]) -> dict:
    """The values in ``data`` that pass their check; a message in ``warnings`` for each that fails."""
    values = {}
    for key, check in checks.items():
        if key in data:
            try:
                values[key] = check(data[key])
            except (ValueError, TypeError) as exc:
                warnings.append(f"{prefix}{key}: {exc}; using the default")
    return values


def read_settings(path: str | os.PathLike | None = None) -> tuple[Settings, list[str]]:
    """Read the settings and return them with the messages about anything that could not be used.

    Never raises for a missing, unreadable or corrupt file, and never writes: when the file holds no
    usable install id, the settings get :func:`machine_install_id`, which an explicit save then records."""
    file = settings_path(path)
    warnings: list[str] = []
    settings = Settings()
    try:
        data = read_json(file, MAX_SETTINGS_BYTES)
    except FileProblem as exc:
        if not exc.missing:
            warnings.append(str(ConfigError(f"Settings file {file} cannot be used: {exc}; using the defaults. "
                                            "Fix or delete the file to get rid of this message.")))
    else:
        settings, problems = settings_from_dict(data)
        warnings += [str(ConfigError(f"Settings file {file}: {p}.")) for p in problems]
    if not settings.install_id:
        settings = settings.with_(install_id=machine_install_id())
    return settings, warnings


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """The settings (defaults for whatever is missing or unusable); problems are logged as warnings."""
    settings, warnings = read_settings(path)
    for message in warnings:
        log.warning("%s", message)
    return settings


def changed_keys(old: Settings, new: Settings) -> list[str]:
    """The settings that differ between ``old`` and ``new``, as :func:`save_settings` names them
    ("overlay", "kiosk.pin")."""
    before, after = _leaves(old.to_json()), _leaves(new.to_json())
    return [key for key, value in after.items() if before.get(key) != value]


def save_settings(settings: Settings, path: str | os.PathLike | None = None,
                  keys: list[str] | tuple[str, ...] | None = None) -> Path:
    """Write ``keys`` of ``settings`` ("overlay", "kiosk.pin"; None: every setting) to the settings file,
    and the install id when the file holds no usable one. Returns the path.

    The file is read again under a lock and only those keys change, so what another writer put there
    since (``hairtint rollout set`` from a shell, a second app) is kept, as are keys this version does
    not know. Atomic, the old file kept as ``settings.json.bak``, a link written through to its target.
    A file that exists but cannot be read (not JSON, not UTF-8, too large, not a regular file, not an
    object) is never replaced: ConfigError names it and the line, and nothing is written."""
    file = settings_path(path)
    values = _leaves(settings.to_json())
    keys = list(values) if keys is None else list(keys)

    def change(old):
        if not isinstance(old, dict):
            raise FileProblem(f"it holds {json_kind(old)}, not an object")
        data = copy.deepcopy(old)  # old stays as it was, to compare with
        for key in keys:
            section, _, name = key.rpartition(".")
            into = data
            if section:
                into = data[section] = data[section] if isinstance(data.get(section), dict) else {}
            into[name] = values[key]
        if not _usable(uuid_text, data.get("install_id")) and settings.install_id:
            data["install_id"] = settings.install_id
        if "rollout_stage" in keys and _usable(rollout_percent, data.get("rollout_percent")):
            del data["rollout_percent"]  # the setting before stages, now written as rollout_stage
        return data

    try:
        update_json(file, change, MAX_SETTINGS_BYTES, missing={})
    except FileProblem as exc:
        bak = Path(os.path.realpath(file) + ".bak")  # beside a link's target
        last_good = f" (the last good copy is {bak})" if bak.is_file() else ""
        raise ConfigError(f"Settings file {file} cannot be read, so it is left as it is and nothing was saved: "
                          f"{exc}; fix or delete it{last_good}") from None
    except OSError as exc:
        raise ConfigError(f"Settings cannot be saved to {file}: {exc.strerror or exc}") from exc
    return file


def _leaves(data: dict) -> dict:
    """``{"kiosk": {"pin": "1"}}`` as ``{"kiosk.pin": "1"}`` (one level of sections)."""
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{name}": inner for name, inner in value.items()})
        else:
            flat[key] = value
    return flat


def _usable(check, value) -> bool:
    try:
        check(value)
        return True
    except (ValueError, TypeError):
        return False


__all__ = [
    "ROLLOUT_STAGES",
    "FeedbackSettings",
    "FleetSettings",
    "KioskSettings",
    "MetricsSettings",
    "Settings",
    "changed_keys",
    "config_dir",
    "load_settings",
    "read_settings",
    "rollout_stage",
    "save_settings",
    "settings_from_dict",
    "settings_path",
]
