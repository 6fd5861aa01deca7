"""The processing loop, on the thread ``hairtint-live``: it creates the pipelines there (MediaPipe is slow
to create and likes to be used from the thread that made it), takes what the mailbox holds -- the
commands and the capture's notes in order, then the newest frame -- runs ``Pipeline.process`` with the
current look(s) and hands the result out. A result goes out only once the receiver has taken the
previous one (:class:`~core.live.commands.Shown`, or after a safety timeout), so nothing piles up behind
a slow display; one made meanwhile is held, and a newer one replaces it. When there is nothing left to do
it says so once with :class:`~core.live.events.Idle`.

It supervises the capture loop (see :class:`~core.live.feed.Feed`); an error that escapes it is
reported and ends the run cleanly: the capture stopped, the pipelines closed, then ``Finished``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.frames import Look, RunningMode
from core.live.commands import (
    CaptureBusy,
    Captured,
    CaptureEnded,
    CaptureGone,
    CaptureWaiting,
    Clear,
    SetLooks,
    SetSource,
    SetView,
    Shown,
    Step,
    Stop,
    SwapModel,
)
from core.live.events import Finished, FrameInfo, Idle, Problem, Processed, Status, message, model_label
from core.live.feed import Feed
from core.live.shared import Mail, Mailbox, Stuck, Wiring

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.pipeline.framing import View
    from core.pipeline.pipeline import Pipeline, PipelineFactory

log = logging.getLogger(__name__)

STATS_EVERY_S = 0.25
DISPLAY_CREDIT_TIMEOUT_S = 1.0
TAKE_TIMEOUT_S = 0.05


class Processing:
    """Everything here is the processing thread's own; it hears from other threads only through the
    mailbox. ``factory`` and ``looks``: the model and the look(s) to start with."""

    def __init__(self, mailbox: Mailbox, wiring: Wiring, stuck: Stuck, factory: PipelineFactory,
                 looks: tuple[Look, ...]):
        self._mailbox, self._emit, self._clock, self._epoch = mailbox, wiring.emit, wiring.clock, wiring.epoch
        self.feed = Feed(wiring, mailbox, stuck)
        self._factory, self._looks = factory, looks
        self._pipelines: dict[RunningMode, Pipeline] = {}
        self._view: View | None = None  # where the kiosk's mirror shows the picture
        self._last: Captured | None = None  # the last frame processed: done again for a new Look
        self._stale = True  # the Look or the model changed since _last was processed
        self._held: Processed | None = None  # a result the receiver could not take yet
        self._credit, self._shown_at = True, -1e9  # the receiver took the last result; when it was sent
        self._stats: dict = {}  # the pipeline's stats summary
        self._stats_at = -1e9
        self._quiet = False  # Idle was sent and nothing has happened since
        self._running = True
        self._on_message: dict[type, Callable[[Any], None]] = {SetSource: self._set_source, SetLooks: self._set_looks, SwapModel: self._swap_model,
                            Clear: self._clear, Step: self._step, Shown: self._shown, Stop: self._stop,
                            SetView: self._set_view,
                            CaptureBusy: self.feed.note, CaptureWaiting: self.feed.note,
                            CaptureEnded: self.feed.note, CaptureGone: self.feed.note}

    def run(self) -> None:
        try:
            while self._turn():
                pass
        except Exception as exc:  # never let the thread die silently
            log.exception("live loop failed")
            self._emit(Problem(message(exc)))
        finally:
            self._close()

    def _turn(self) -> bool:
        """Take the mail and act on it. False: the run is over."""
        mail = self._mailbox.take(TAKE_TIMEOUT_S)
        for item in mail.messages:
            self._on_message[type(item)](item)
            if not self._running:
                return False
        epoch = self._epoch.value
        if self._last is not None and self._last.epoch != epoch:
            self._last = None
        self._hand_out_held(epoch)
        item = self.feed.current(mail.frame, epoch)
        if item is not None:
            return self._process(item, again=False)
        if self._last is not None and self._stale and (self._last.mode is RunningMode.IMAGE or self.feed.stalled(self._clock())):
            return self._process(self._last, again=True)  # a new Look on a still (or a stalled source)
        self._settle(mail)
        return True

    # ---- the commands ---------------------------------------------------------------------------------
    def _set_source(self, command: SetSource) -> None:
        self._last = self._held = None
        self._mailbox.clear()
        self.feed.open(command.spec)
        for pipeline in self._pipelines.values():
            pipeline.reset()
            pipeline.stats.reset()

    def _set_looks(self, command: SetLooks) -> None:
        self._looks, self._stale = command.looks, True

    def _swap_model(self, command: SwapModel) -> None:
        for pipeline in self._pipelines.values():
            pipeline.close()
        self._pipelines.clear()
        self._factory, self._stale = command.factory, True  # the same picture again with the new model

    def _clear(self, command: Clear) -> None:
        self._last = self._held = None
        for pipeline in self._pipelines.values():
            pipeline.reset()

    def _set_view(self, command: SetView) -> None:
        self._view = command.view
        for pipeline in self._pipelines.values():
            pipeline.view = command.view

    def _step(self, command: Step) -> None:
        self.feed.step(command.delta)

    def _shown(self, command: Shown) -> None:
        self._credit = True

    def _stop(self, command: Stop) -> None:
        self._running = False

    # ---- the work -------------------------------------------------------------------------------------
    def _process(self, item: Captured, again: bool) -> bool:
        """Run the pipeline on ``item`` and hand the result out (or hold it). False: no pipeline."""
        pipeline = self._pipeline(item.mode)
        if pipeline is None:
            return False
        self._quiet = False
        looks = self._looks
        try:
            result = pipeline.process(item.frame, looks[0], looks[1:])
        except Exception as exc:
            log.exception("processing failed")
            self._emit(Problem(f"Processing failed: {message(exc)}"))
            self._last, self._stale = item, False
            return True
        done = self._clock()
        if done - self._stats_at > STATS_EVERY_S or item.mode is RunningMode.IMAGE:
            self._stats, self._stats_at = pipeline.stats.summary(), done
        info = FrameInfo(capture_t=item.capture_t, done_t=done, epoch=item.epoch, mode=item.mode,
                         source_id=item.frame.source_id, dropped=self._mailbox.dropped, stats=self._stats,
                         model=model_label(pipeline), looks=looks, reprocessed=again)
        self._last, self._stale = item, False
        out = Processed(result, info)
        if self._may_show(done):
            self._held = None
            self._show(out, done)
        else:
            self._held = out
        return True

    def _pipeline(self, mode: RunningMode):
        """The pipeline for ``mode`` (photos or moving pictures), built on first use; None when it cannot be."""
        pipeline = self._pipelines.get(mode)
        if pipeline is not None:
            return pipeline
        self._emit(Status("Loading the hair model…"))
        try:
            pipeline = self._pipelines[mode] = self._factory(mode)
            pipeline.view = self._view
        except Exception as exc:
            log.exception("cannot build the pipeline")
            self._emit(Problem(message(exc)))
            return None
        self._emit(Status(f"Model {model_label(pipeline)} ready"))
        return pipeline

    def _hand_out_held(self, epoch: int) -> None:
        """Hand out a result the receiver could not take before (dropped when of an old epoch)."""
        held = self._held
        if held is None or not self._may_show(self._clock()):
            return
        self._held = None
        if held.info.epoch == epoch:
            self._show(held, self._clock())

    def _may_show(self, now: float) -> bool:
        return self._credit or now - self._shown_at > DISPLAY_CREDIT_TIMEOUT_S

    def _show(self, out: Processed, now: float) -> None:
        self._credit, self._shown_at = False, now
        self._emit(out)

    def _settle(self, mail: Mail) -> None:
        """A turn with nothing in it, nothing held and the capture waiting: say Idle, once."""
        if not mail.empty:
            self._quiet = False
        elif not self._quiet and self._held is None and self.feed.waiting:
            self._quiet = True
            self._emit(Idle(mail.upto))

    def _close(self) -> None:
        self.feed.stop()
        for pipeline in self._pipelines.values():
            try:
                pipeline.close()
            except Exception:
                log.exception("closing the pipeline failed")
        self._emit(Finished())


__all__ = ["DISPLAY_CREDIT_TIMEOUT_S", "STATS_EVERY_S", "TAKE_TIMEOUT_S", "Processing"]
