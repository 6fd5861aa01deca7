"""The install id, which puts an installation in its rollout bucket: derived from the machine's own id
(or, where there is none, its host name) without writing anything, so it is the same at every start,
and the machine id itself is never shown or stored. The settings file may pin one
(``core.catalog.config``); this is the id used until it does."""

from __future__ import annotations

import hashlib
import hmac
import platform
import re
import sys
import uuid

#: HairTint's application id: the key that turns the machine id into HairTint's own install id, as
#: systemd's ``sd_id128_get_machine_app_specific()`` does (``systemd-id128 machine-id --app-specific=`` this
#: prints the same id), so the machine id itself is never shown or stored.
APP_ID = uuid.UUID("4eeec022-8090-47a0-b29c-3270d299895f")
#: Where the machine id is read (Linux, BSD): systemd's, then D-Bus's (the same id where both exist).
MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")
_MACHINE_ID = re.compile(r"[0-9a-f]{32}")


def machine_install_id() -> str:
    """This machine's install id for HairTint: the same at every start, and nothing is written.

    HMAC-SHA256 of :data:`APP_ID` keyed with the machine id (32 hex digits in ``/etc/machine-id``, else
    ``/var/lib/dbus/machine-id``; on Windows the ``MachineGuid`` the system keeps in the registry), made a
    version-4 UUID. Where there is none (macOS, a container without one), the host name takes the
    machine id's place: stable while the host name is; an explicit save of the settings pins it."""
    key = _machine_id()
    if key is None:
        key = hashlib.sha256(f"hairtint host:{platform.node()}".encode("utf-8", "surrogateescape")).digest()[:16]
    digest = bytearray(hmac.new(key, APP_ID.bytes, hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40  # version 4
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return str(uuid.UUID(bytes=bytes(digest)))


def _machine_id() -> bytes | None:
    """The machine id's 16 bytes, or None where the system keeps none that can be read."""
    for name in MACHINE_ID_FILES:
        try:
            with open(name, "rb") as handle:
                text = handle.read(64).decode("ascii").strip().lower()
        except (OSError, UnicodeDecodeError):
            continue
        if _MACHINE_ID.fullmatch(text) and text.strip("0"):
            return bytes.fromhex(text)
    if sys.platform == "win32":
        try:
            import winreg  # Windows only

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography", 0,
                                winreg.KEY_READ | winreg.KEY_WOW64_64KEY) as key:
                return uuid.UUID(str(winreg.QueryValueEx(key, "MachineGuid")[0])).bytes
        except (OSError, ValueError):
            return None
    return None
