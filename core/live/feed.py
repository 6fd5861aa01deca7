"""The processing loop's side of capture: it starts one capture loop per source (stopping the one
before), hands it the folder steps, follows its notes, restarts it when it dies, and keeps the frames of
sources and customers it has moved on from out of the picture. Used by the processing thread only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.live.capture import Capture
from core.live.commands import CaptureBusy, Captured, CaptureEnded, CaptureGone, CaptureWaiting
from core.live.events import Problem, Unavailable
from core.live.shared import Mailbox, Stuck, Wiring

MAX_RESTARTS = 3  # a capture loop that dies is restarted this often for one source, then given up on
STALL_S = 0.2  # a live source with no new frame for this long counts as stalled: a new Look is done on the last
CAPTURE_STOP_S = 1.5


class Feed:
    def __init__(self, wiring: Wiring, mailbox: Mailbox, stuck: Stuck):
        self._wiring, self._mailbox, self._stuck = wiring, mailbox, stuck
        self._capture: Capture | None = None
        self.gen = 0  # which capture is current: frames and notes of another are ignored
        self.waiting = True  # the capture reads nothing until asked (or there is none)
        self.ended = False  # the source came to its end: its last frame stays
        self.arrival = 0.0  # when the newest frame taken was captured
        self._asked = 0  # folder steps handed to the current capture
        self._restarts = 0
        self._on_note: dict[type, Callable[[Any], None]] = {CaptureBusy: self._busy, CaptureWaiting: self._waiting, CaptureEnded: self._ended,
                         CaptureGone: self._gone}

    def open(self, spec: str) -> None:
        self._restarts = 0
        self._start(spec)

    def stop(self) -> None:
        if self._capture is None:
            return
        capture, self._capture = self._capture, None
        capture.stop()
        self._stuck.join(capture.thread, CAPTURE_STOP_S)  # a driver stuck in read(): let go, its frames ignored
        self.waiting = True

    def step(self, delta: int) -> None:
        if self._capture is not None:
            self._capture.step(delta)
            self._asked += 1
            self.waiting = False

    def note(self, note) -> None:
        if note.gen == self.gen:
            self._on_note[type(note)](note)

    def current(self, item: Captured | None, epoch: int) -> Captured | None:
        """``item`` if it is of the current capture and epoch, else None."""
        if item is None:
            return None
        self.arrival = item.capture_t
        return item if item.source_gen == self.gen and item.epoch == epoch else None

    def stalled(self, now: float) -> bool:
        """No new frame to come soon: the source ended, or none came for a while."""
        return self.ended or now - self.arrival > STALL_S

    # ---- the notes ------------------------------------------------------------------------------------
    def _busy(self, note: CaptureBusy) -> None:
        self.waiting = False

    def _waiting(self, note: CaptureWaiting) -> None:
        self.waiting = note.steps == self._asked  # a step handed over and not yet taken: busy

    def _ended(self, note: CaptureEnded) -> None:
        self.ended = self.waiting = True

    def _gone(self, note: CaptureGone) -> None:
        self.waiting = True
        if note.error is None or self._capture is None:
            return
        spec = self._capture.spec
        if self._restarts < MAX_RESTARTS:
            self._restarts += 1
            self._wiring.emit(Problem(f"{note.error} — restarting the capture"))
            self._start(spec)
        else:
            self._wiring.emit(Unavailable(note.error, spec))

    def _start(self, spec: str) -> None:
        self.stop()
        self.gen += 1
        self.waiting, self.ended, self._asked = False, False, 0
        self._capture = Capture(spec, self.gen, self._wiring, self._mailbox)
        self._capture.start()


__all__ = ["MAX_RESTARTS", "STALL_S", "Feed"]
