"""What comes out of the live runner: one record per kind of event, handed to the ``emit`` callback on
the runner's threads, and the two helpers that word them (an exception, a pipeline's model)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import HairTintError
from core.frames import Look, Result, RunningMode


@dataclass(frozen=True)
class FrameInfo:
    """What the display needs besides the Result: timing of this frame and a snapshot of the
    statistics. ``capture_t`` and ``done_t`` are the runner's clock (``time.perf_counter`` unless
    injected): the paint time minus ``capture_t`` is the capture-to-display latency."""

    capture_t: float
    done_t: float
    epoch: int
    mode: RunningMode  # IMAGE: a photo, processed once per Look
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
class Idle:
    """Nothing left to do: every message up to number ``upto`` taken and dealt with (a still shown, a
    folder waiting for a step, a source given up on or being looked for), no result held back, and the
    capture waiting. A camera that delivers is never idle. :meth:`LiveRunner.caught_up` says whether an
    Idle covers every command given so far; it is sent once each time the runner goes quiet."""
    upto: int


@dataclass(frozen=True)
class Finished:
    """The processing thread has ended."""


Event = Processed | Problem | Status | Notice | Recovered | Unavailable | Idle | Finished


def message(exc: BaseException) -> str:
    """An exception as the banner says it: our own errors as they are, others with their type."""
    if isinstance(exc, HairTintError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def model_label(pipeline) -> str:
    """"id version" of the model a pipeline runs, as the status bar and the overlay name it."""
    info = pipeline.model_info
    if info is None:
        return "unknown model"
    return f"{info.id} {info.version}".strip()


__all__ = [
    "Event",
    "Finished",
    "FrameInfo",
    "Idle",
    "Notice",
    "Problem",
    "Processed",
    "Recovered",
    "Status",
    "Unavailable",
    "message",
    "model_label",
]
