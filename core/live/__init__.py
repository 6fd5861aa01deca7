"""The live view's engine, without Qt, as messages: commands in, events out.

* :class:`LiveRunner` (``runner``) is a façade: its methods put frozen commands (``commands``:
  ``SetSource``, ``SetLooks``, ``SwapModel``, ``Clear``, ``Step``, ``Shown``, ``Stop``) in a mailbox.
* The **processing loop** (``processing``, one thread per run) takes them in order, then the newest
  captured frame, and runs the pipeline; it supervises the capture (``feed``).
* The **capture loop** (``capture``, one thread per opened source) reads, paces (``pacer``), retries
  (``retry``) and puts each frame in the mailbox's one slot, where the newest wins, so nothing queues.
* Everything goes out through one callback, ``emit(event)`` (the records in ``events``); ``Idle`` says
  when there is nothing left to do.

The threads share nothing but what ``shared`` holds (the mailbox, the epoch, the stuck threads), each
behind a lock. The message protocol is ADR 0009 (docs/adr/0009-live-runner-messages.md)."""

from core.frames import Result
from core.live.events import (
    Event,
    Finished,
    FrameInfo,
    Idle,
    Notice,
    Problem,
    Processed,
    Recovered,
    Status,
    Unavailable,
    message,
    model_label,
)
from core.live.runner import LiveRunner

__all__ = [
    "Event",
    "Finished",
    "FrameInfo",
    "Idle",
    "LiveRunner",
    "Notice",
    "Problem",
    "Processed",
    "Recovered",
    "Result",
    "Status",
    "Unavailable",
    "message",
    "model_label",
]
