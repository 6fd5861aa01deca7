"""What each value in the settings file may be: one check per key, which returns the value as the
settings hold it or raises ValueError saying what was expected (``core.catalog.config`` turns that into a
message naming the key and keeps the default). The rollout stages' names live here too, with the check
that reads them in any case; the fleet policy file (``core.catalog.fleet_policy``) uses the same checks
for the values it shares with the settings."""

from __future__ import annotations

import re
import uuid

#: The rollout stages, in order, and the share of installations (percent) each lets experimental models reach.
ROLLOUT_STAGES = {"disabled": 0, "ten_percent": 10, "fifty_percent": 50, "full": 100}


def _int(value, lo=None, hi=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{value} is out of range")
    return value


def _opt_str(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _resolution(value) -> tuple[int, int]:
    if isinstance(value, str) and "x" in value.lower():
        value = value.lower().split("x")
        value = [int(v) for v in value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"expected [width, height], got {value!r}")
    w, h = (_int(v, 16, 16384) for v in value)
    return (w, h)


def _bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _pin(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected the PIN as text, got {value!r}")
    return value


def _seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number of seconds, got {value!r}")
    if not 5 <= value <= 24 * 3600:
        raise ValueError(f"{value} s is out of range (5 s to 24 h)")
    return float(value)


def rollout_stage(value) -> str:
    """A rollout stage name in any case ("FULL", "Ten-Percent"), as its canonical spelling; ValueError
    names the stages."""
    name = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
    if name not in ROLLOUT_STAGES:
        raise ValueError(f"{value!r} is not a rollout stage ({', '.join(ROLLOUT_STAGES)})")
    return name


def rollout_percent(value) -> str:
    """The setting before stages (0/10/50/100), read as the stage it means."""
    value = _int(value)
    for stage, percent in ROLLOUT_STAGES.items():
        if percent == value:
            return stage
    raise ValueError(f"{value} is not one of {', '.join(map(str, ROLLOUT_STAGES.values()))}")


def _port(value) -> int | None:
    return None if value is None else _int(value, 1, 65535)


def _address(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a host name or IP address, got {value!r}")
    return value.strip()


def place_name(value) -> str:
    """A kiosk or salon name for the metrics' labels: up to 64 letters, digits, spaces, ``.``, ``_``, ``-``."""
    if not isinstance(value, str) or not re.fullmatch(r"[\w][\w .-]{0,63}", value.strip()):
        raise ValueError(f"expected a name of up to 64 letters, digits, spaces, '.', '_' or '-', got {value!r}")
    try:
        uuid.UUID(value.strip())
    except ValueError:
        return value.strip()
    raise ValueError("that is an id, not a name: the install id never goes into the metrics")


def uuid_text(value) -> str:
    return str(uuid.UUID(str(value)))


TOP_CHECKS = {
    "camera_index": lambda v: _int(v, 0, 255),
    "resolution": _resolution,
    "palette_file": _opt_str,
    "overlay": _bool,
    "model": _opt_str,
    "snapshot_dir": _opt_str,
    "look_card_dir": _opt_str,
    "rollout_stage": rollout_stage,
    "colour_beard": _bool,
    "install_id": uuid_text,
    "fleet_policy": _opt_str,
}
KIOSK_CHECKS = {"pin": _pin, "idle_reset_s": _seconds}
METRICS_CHECKS = {"port": _port, "address": _address}
FLEET_CHECKS = {"kiosk": place_name, "salon": place_name}
FEEDBACK_CHECKS = {"keep_snapshot": _bool, "folder": _opt_str}


__all__ = ["FEEDBACK_CHECKS", "FLEET_CHECKS", "KIOSK_CHECKS", "METRICS_CHECKS", "ROLLOUT_STAGES", "TOP_CHECKS",
           "place_name", "rollout_percent", "rollout_stage", "uuid_text"]
