"""The parts of the live view (:mod:`core.live`): what comes out of it (the event records), the one-slot
mailbox where the newest frame wins, the pacer for files and the demo clip, and the one retry rule for
failing sources. No Qt here."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from core.errors import HairTintError
from core.frames import Frame, Look, Result
from core.io.source_spec import parse_spec

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 0.5
FIRST_BACKOFF_S = 0.05
MAX_FPS = 60.0  # upper bound for paced (non-camera) sources
STATS_EVERY_S = 0.25
DISPLAY_CREDIT_TIMEOUT_S = 1.0
CAMERA_POLL_S = 1.0  # how often a camera that never worked is looked for (a late camera shows within 5 s)
TAKE_TIMEOUT_S = 0.05


# ---- what comes out ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FrameInfo:
    """What the display needs besides the Result: timing of this frame and a snapshot of the
    statistics. ``capture_t`` and ``done_t`` are the runner's clock (``time.perf_counter`` unless
    injected): the paint time minus ``capture_t`` is the capture-to-display latency."""

    capture_t: float
    done_t: float
    epoch: int
    still: bool
    source_id: str
    dropped: int  # frames overwritten in the mailbox before processing, since the runner started
    stats: dict  # Pipeline.stats.summary() (refreshed a few times a second)
    model: str  # "id version" of the segmentation model
    looks: tuple[Look, ...] = ()
    reprocessed: bool = False  # the same frame again for a new Look (no new capture)

    @property
    def pipeline_ms(self) -> float:
        return (self.done_t - self.capture_t) * 1000.0


@dataclass(frozen=True)
class Processed:
    result: Result  # result.variants: the compare view's other looks
    info: FrameInfo


@dataclass(frozen=True)
class Problem:
    """Show in the banner (the source failed and is being retried, or processing failed)."""
    message: str


@dataclass(frozen=True)
class Status:
    """Show in the status bar."""
    message: str


@dataclass(frozen=True)
class Notice:
    """Show in the banner until the person dismisses it (why the model running is not the one chosen)."""
    message: str


@dataclass(frozen=True)
class Recovered:
    """The source works again."""


@dataclass(frozen=True)
class Unavailable:
    """The source could not be opened at all (or has nothing in it)."""
    message: str
    spec: str


@dataclass(frozen=True)
class Finished:
    """The processing thread has ended."""


Event = Processed | Problem | Status | Notice | Recovered | Unavailable | Finished


# ---- the parts -----------------------------------------------------------------------------------
class Mailbox:
    """One slot between capture and processing: ``put`` overwrites, ``take`` empties.
    ``poke`` wakes the taker without a frame (a new Look, a command)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._item = None
        self._poked = False
        self.dropped = 0

    def put(self, item) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def poke(self) -> None:
        with self._cond:
            self._poked = True
            self._cond.notify_all()

    def take(self, timeout: float):
        """(item or None, poked) -- waits up to ``timeout`` seconds for either."""
        with self._cond:
            if self._item is None and not self._poked:
                self._cond.wait(timeout)
            item, self._item = self._item, None
            poked, self._poked = self._poked, False
            return item, poked

    def clear(self) -> None:
        with self._cond:
            self._item = None

    def __len__(self) -> int:  # 0 or 1, never more
        with self._cond:
            return int(self._item is not None)


def _wait(stop: threading.Event, seconds: float) -> None:
    stop.wait(seconds)


class Pacer:
    """Holds frames to the pace of their timestamps (files and the demo clip); also caps any source at
    ``max_fps``. ``clock`` and ``sleep(stop, seconds)`` are injectable; ``wait`` returns the delay."""

    def __init__(self, max_fps: float = MAX_FPS, clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[threading.Event, float], None] = _wait):
        self.min_gap = 1.0 / max_fps
        self._clock, self._sleep = clock, sleep
        self.reset()

    def reset(self) -> None:
        self._anchor: tuple[float, int] | None = None
        self._last_wall = -1e9
        self._last_ts: int | None = None

    def wait(self, timestamp_ms: int, stop: threading.Event) -> float:
        now = self._clock()
        if self._anchor is None or self._last_ts is None or timestamp_ms < self._last_ts:
            self._anchor = (now, timestamp_ms)
        due = self._anchor[0] + (timestamp_ms - self._anchor[1]) / 1000.0
        due = max(due, self._last_wall + self.min_gap)
        if due - now > 1.0 or now - due > 0.25:  # a jump in the timestamps, or we fell behind
            self._anchor = (now, timestamp_ms)
            due = max(now, self._last_wall + self.min_gap)
        delay = max(0.0, due - now)
        if delay:
            self._sleep(stop, delay)
        self._last_wall = max(due, now)
        self._last_ts = timestamp_ms
        return delay


class Retry:
    """The one rule for a source that fails: never worked -> unavailable (the caller stops; a camera
    is then looked for, see ``LiveRunner``); worked once (or a camera) -> one banner message, then
    retries with a growing backoff until it is back."""

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
            except Exception as problem:
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
    except Exception as exc:  # a device list that cannot be read: the configured index is still tried
        log.debug("the camera list cannot be read: %s", message(exc))
        return []


@dataclass(frozen=True)
class Captured:
    """A frame in the mailbox, with when it was captured, from which source and in which epoch."""

    frame: Frame
    capture_t: float
    source_gen: int
    epoch: int
    still: bool


def model_label(pipeline) -> str:
    info = getattr(pipeline, "model_info", None) or getattr(getattr(pipeline, "segmenter", None), "info", None)
    if info is None:
        return "unknown model"
    return f"{getattr(info, 'id', '?')} {getattr(info, 'version', '')}".strip()


def message(exc: BaseException) -> str:
    if isinstance(exc, HairTintError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def as_looks(looks: Look | tuple[Look, ...] | list[Look]) -> tuple[Look, ...]:
    if isinstance(looks, Look):
        return (looks,)
    looks = tuple(looks)
    if not looks or not all(isinstance(look, Look) for look in looks):
        raise TypeError("the runner needs a Look or a non-empty sequence of Looks")
    return looks


def close_quietly(source) -> None:
    if source is not None:
        try:
            source.close()
        except Exception:
            log.exception("closing the source failed")


__all__ = ["FrameInfo", "Processed", "Problem", "Status", "Notice", "Recovered", "Unavailable", "Finished", "Event",
           "Mailbox", "Pacer", "Retry", "Captured", "CAMERA_POLL_S", "look_for_camera", "model_label", "as_looks", "message", "close_quietly"]
