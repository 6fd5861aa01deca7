"""The one rule for a source that fails, and the search for a camera that never worked."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from core.io.source_spec import parse_spec
from core.live.events import Event, Problem, Recovered, Status, Unavailable, message

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 0.5
FIRST_BACKOFF_S = 0.05
CAMERA_POLL_S = 1.0  # how often a camera that never worked is looked for (a late camera shows within 5 s)


class Retry:
    """The one rule for a source that fails: never worked -> unavailable (the caller stops; a camera
    is then looked for, see :func:`look_for_camera`); worked once (or a camera) -> one banner message,
    then retries with a growing backoff until it is back."""

    def __init__(self, emit: Callable[[Event], None], name: str):
        self._emit, self._name = emit, name
        self.failing = False
        self.delivered = False
        self.backoff = FIRST_BACKOFF_S

    def failed(self, exc: BaseException, spec: str, stop: threading.Event, may_retry: bool) -> bool:
        """False: report the source as unavailable and give up. True: wait, then try again."""
        if not may_retry:
            self._emit(Unavailable(message(exc), spec))
            return False
        if not self.failing:
            self.failing = True
            self._emit(Problem(f"{message(exc)} — retrying…"))
        stop.wait(self.backoff)
        self.backoff = min(self.backoff * 2, MAX_BACKOFF_S)
        return True

    def worked(self) -> None:
        if self.failing:
            self.failing = False
            self._emit(Recovered())
            self._emit(Status(f"{self._name[:1].upper()}{self._name[1:]} is back"))
        self.delivered = True
        self.backoff = FIRST_BACKOFF_S


def look_for_camera(spec: str, opener: Callable[[str], object], cameras: Callable[[], list[int]] | None,
                    emit: Callable[[Event], None], stop: threading.Event, poll_s: float = CAMERA_POLL_S):
    """Every ``poll_s`` seconds try the camera ``spec`` names, then each camera the device list
    (``cameras()``) names, until one opens: that source (a Status says which), or None once ``stop``
    is set."""
    wanted = parse_spec(spec).camera_index
    while not stop.wait(poll_s):
        for candidate in (spec, *(f"camera:{i}" for i in _listed(cameras) if i != wanted)):
            try:
                source = opener(candidate)
            except Exception as problem:  # noqa: BLE001  a camera that fails to open in any way is passed over
                log.debug("%s: %s", candidate, message(problem))
                continue
            found = parse_spec(candidate).camera_index
            emit(Status(f"Camera {found} found" if found == wanted else
                        f"Camera {wanted} is not connected: showing camera {found}"))
            return source
    return None


def _listed(cameras: Callable[[], list[int]] | None) -> list[int]:
    if cameras is None:
        return []
    try:
        return [int(i) for i in cameras()]
    except Exception as exc:  # noqa: BLE001  a device list that cannot be read: the configured index is still tried
        log.debug("the camera list cannot be read: %s", message(exc))
        return []


def close_quietly(source) -> None:
    if source is not None:
        try:
            source.close()
        except Exception:
            log.exception("closing the source failed")


__all__ = ["CAMERA_POLL_S", "FIRST_BACKOFF_S", "MAX_BACKOFF_S", "Retry", "close_quietly", "look_for_camera"]
