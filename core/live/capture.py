"""The capture loop: one opened source on its own thread. It reads the source, paces files and the demo
clip to their timestamps, and puts each frame in the mailbox, where the newest wins. A source that worked
and fails is reopened with a backoff (:class:`~core.live.retry.Retry`); a file that never worked is
reported unavailable; a camera that never worked is reported once and then looked for
(:func:`~core.live.retry.look_for_camera`). A folder of photos shows one photo and waits for a step.

The loop tells the processing loop what it is doing with notes in the mailbox (busy, waiting, ended,
gone); an error that escapes it ends it with a :class:`CaptureGone` that carries the error, and the
processing loop, its supervisor, restarts it (see :class:`~core.live.feed.Feed`)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, cast

from core.errors import SourceError
from core.io.source_spec import parse_spec
from core.live.commands import CaptureBusy, Captured, CaptureEnded, CaptureGone, CaptureWaiting
from core.live.events import Status, Unavailable, message
from core.live.pacer import Pacer
from core.live.retry import Retry, close_quietly, look_for_camera
from core.live.shared import Mailbox, Wiring

if TYPE_CHECKING:  # core.io.sources (OpenCV) is loaded with the first source, not here
    from core.io.sources import Source, SteppingSource

log = logging.getLogger(__name__)


class Steps:
    """The folder steps asked of a capture and not yet taken: a queue its loop waits on."""

    def __init__(self):
        self._cond = threading.Condition()
        self._deltas: list[int] = []

    def ask(self, delta: int) -> None:
        with self._cond:
            self._deltas.append(delta)
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def wait(self, stop: threading.Event) -> list[int]:
        """Every step asked so far, once there is one; [] once ``stop`` is set."""
        with self._cond:
            self._cond.wait_for(lambda: stop.is_set() or bool(self._deltas))
            taken, self._deltas = self._deltas, []
            return [] if stop.is_set() else taken


class Capture:
    """Made and controlled by the processing loop (``start``, ``step``, ``stop``, ``thread``); what
    the loop itself keeps (the source, its retry rule and pacer, the steps taken) is touched only by
    its own thread, ``hairtint-capture-<gen>``."""

    def __init__(self, spec: str, gen: int, wiring: Wiring, mailbox: Mailbox):
        self.spec, self.gen = spec, gen
        self._parsed = parse_spec(spec)
        self._name = self._parsed.describe()
        self._wiring, self._mailbox = wiring, mailbox
        self._stop = threading.Event()
        self._asked = Steps()
        self._retry = Retry(wiring.emit, self._name)
        self._pacer = Pacer(clock=wiring.clock)
        self._source: Source | None = None
        self._steps = 0  # folder steps taken
        self.thread = threading.Thread(target=self._run, name=f"hairtint-capture-{gen}", daemon=True)

    # ---- from the processing thread -----------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def step(self, delta: int) -> None:
        self._asked.ask(delta)

    def stop(self) -> None:
        self._stop.set()
        self._asked.wake()

    # ---- the capture thread -------------------------------------------------------------------------
    def _run(self) -> None:
        error = None
        try:
            while not self._stop.is_set() and self._turn():
                pass
        except Exception as exc:  # never end silently: the processing loop hears of it and restarts us
            log.exception("the capture of %s failed", self._name)
            error = message(exc)
        finally:
            close_quietly(self._source)
            self._source = None
            self._note(CaptureGone(self.gen, error))

    def _turn(self) -> bool:
        """Open the source if need be, else read one frame and pass it on. False: the capture is over."""
        if self._source is None:
            return self._open()
        try:
            frame = self._source.read()
            if frame is None and self._source.is_live:
                raise SourceError(f"{self._name} stopped delivering frames")
        except Exception as exc:  # noqa: BLE001  any failure loses the source; it is reopened
            return self._lost(exc)
        if frame is None:
            return self._at_end()
        self._pass_on(frame)
        return True

    def _open(self) -> bool:
        try:
            self._source = self._wiring.opener(self.spec)
        except Exception as exc:  # noqa: BLE001  a source that cannot open, for any reason, is retried
            return self._not_opened(exc)
        self._pacer.reset()
        return True

    def _not_opened(self, exc: BaseException) -> bool:
        if self._parsed.is_camera and not self._retry.delivered:
            self._source = self._look_for_camera(exc)
            self._pacer.reset()
            return self._source is not None
        return self._retry.failed(exc, self.spec, self._stop, may_retry=self._retry.delivered)

    def _look_for_camera(self, exc: BaseException):
        """A camera that has not worked yet: report it unavailable once (the start panel says so), then
        look for it: the opened source, or None once stopped."""
        w = self._wiring
        w.emit(Unavailable(f"{message(exc)}; it will show as soon as one is connected", self.spec))
        self._note(CaptureWaiting(self.gen, self._steps))
        source = look_for_camera(self.spec, w.opener, w.cameras, w.emit, self._stop, w.camera_poll_s)
        if source is not None:
            self._note(CaptureBusy(self.gen))
        return source

    def _lost(self, exc: BaseException) -> bool:
        close_quietly(self._source)
        self._source = None
        if not self._retry.failed(exc, self.spec, self._stop, may_retry=self._retry.delivered or self._parsed.is_camera):
            return False
        self._retry.delivered = True  # it did open: from now on, keep retrying
        return True

    def _at_end(self) -> bool:
        """The end of a photo or a video: keep showing the last frame (a folder waits for a step)."""
        if not self._retry.delivered:
            self._wiring.emit(Unavailable(f"{self._name} has no pictures in it", self.spec))
            return False
        if self._steps_through():
            self._stepping().step(0)  # back to the last photo, so that a step goes from there
            self._wait_for_step()
            return True
        if self._parsed.live:
            self._wiring.emit(Status(f"End of {self._name} — showing the last frame"))
        close_quietly(self._source)
        self._source = None
        self._note(CaptureEnded(self.gen))
        self._stop.wait()
        return False

    def _pass_on(self, frame) -> None:
        self._retry.worked()
        if not self._parsed.is_camera or (self._source is not None and not self._source.is_live):
            self._pacer.wait(frame.timestamp_ms, self._stop)
        w = self._wiring
        self._mailbox.put(Captured(frame, w.clock(), self.gen, w.epoch.value, self._parsed.running_mode))
        if self._steps_through():
            self._wait_for_step()

    def _steps_through(self) -> bool:
        """A folder's source is a SteppingSource (core.io.sources): it waits for a step."""
        return self._parsed.is_folder

    def _stepping(self) -> SteppingSource:
        """The folder's source, which _steps_through: what its opener gives is a SteppingSource."""
        return cast("SteppingSource", self._source)

    def _wait_for_step(self) -> None:
        self._note(CaptureWaiting(self.gen, self._steps))
        deltas = self._asked.wait(self._stop)
        self._steps += len(deltas)
        if sum(deltas):
            self._stepping().step(sum(deltas))

    def _note(self, note) -> None:
        self._mailbox.post(note)


__all__ = ["Capture", "Steps"]
