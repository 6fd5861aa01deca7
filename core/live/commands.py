"""What goes into the processing loop's mailbox, as frozen records: the commands :class:`LiveRunner`
puts there (its public methods do nothing else), the notes a capture loop sends about itself, and the
captured frames (one slot: the newest wins). The processing loop takes them in the order they came."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.frames import Frame, Look, RunningMode

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.pipeline.framing import View
    from core.pipeline.pipeline import PipelineFactory


# ---- commands, from the façade ---------------------------------------------------------------------
@dataclass(frozen=True)
class SetSource:
    """Stop the capture of the source before and open ``spec``; the pipelines stay loaded."""
    spec: str


@dataclass(frozen=True)
class SetLooks:
    """The first look is the main one, the others the compare view's; a still is done again."""
    looks: tuple[Look, ...]


@dataclass(frozen=True)
class SwapModel:
    """Close the pipelines and build new ones with ``factory(mode)``; the picture is done again."""
    factory: PipelineFactory


@dataclass(frozen=True)
class Clear:
    """Forget the picture and the pipelines' temporal state (the epoch has already moved on)."""


@dataclass(frozen=True)
class Step:
    """Move a folder of photos on (``delta`` > 0) or back."""
    delta: int


@dataclass(frozen=True)
class Shown:
    """The receiver took the last result: the next one may be handed out."""


@dataclass(frozen=True)
class Stop:
    """End the run: the capture is stopped, the pipelines closed, then :class:`Finished` is sent."""


@dataclass(frozen=True)
class SetView:
    """Where the kiosk's mirror shows the picture (None: nowhere framed): the pipelines that frame cut
    each frame for it (``core.pipeline.framing``)."""
    view: View | None


Command = SetSource | SetLooks | SwapModel | Clear | Step | Shown | Stop | SetView


# ---- notes, from a capture loop (``gen``: which capture, so that a note of an old one is ignored) ------
@dataclass(frozen=True)
class CaptureBusy:
    """Reading again (a camera that was looked for has been found)."""
    gen: int


@dataclass(frozen=True)
class CaptureWaiting:
    """Nothing to read until asked: a folder waiting for a step (``steps``: the steps taken so far), or
    a camera being looked for."""
    gen: int
    steps: int


@dataclass(frozen=True)
class CaptureEnded:
    """The end of a photo or a video: the last frame stays."""
    gen: int


@dataclass(frozen=True)
class CaptureGone:
    """The capture loop has ended: given up on its source, stopped, or died (``error``)."""
    gen: int
    error: str | None = None


Note = CaptureBusy | CaptureWaiting | CaptureEnded | CaptureGone


# ---- frames -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Captured:
    """A frame in the mailbox, with when it was captured, from which capture and in which epoch."""

    frame: Frame
    capture_t: float
    source_gen: int
    epoch: int
    mode: RunningMode  # the source's: IMAGE for a photo or a folder, VIDEO for a camera, video or the demo


__all__ = [
    "CaptureBusy",
    "CaptureEnded",
    "CaptureGone",
    "CaptureWaiting",
    "Captured",
    "Clear",
    "Command",
    "Note",
    "SetLooks",
    "SetSource",
    "Shown",
    "Step",
    "Stop",
    "SwapModel",
]
