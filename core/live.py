"""The live view's engine, without Qt: a capture thread per source, a one-slot mailbox where the newest
frame wins, pacing for files and the demo clip, a processing thread that owns the pipeline, epochs so
nothing of an old source or a previous customer is shown, and one retry rule for failing sources.

Two threads per running :class:`LiveRunner`:

* the **processing thread** creates the pipeline (MediaPipe is slow to create and likes to be used from
  the thread that made it), takes the newest captured frame, runs ``Pipeline.process`` with the current
  look(s) and hands the result out;
* the **capture thread** (one per opened source) reads the source, paces non-camera sources to their
  timestamps, and puts each frame in the mailbox, overwriting any frame not yet taken. A source that
  worked and fails is reopened with a backoff of at most 0.5 s; a file that never worked is reported as
  unavailable. A camera that never worked is reported as unavailable once and then looked for every
  ``camera_poll_s`` seconds -- the configured index, then any camera the device list (``cameras``)
  names -- so one plugged in later is picked up without a tap. A folder of photos shows one photo until
  :meth:`LiveRunner.step` moves on or back.

Everything goes out through one callback, ``emit(event)`` (the records in :mod:`core.live_parts`),
called on the runner's threads. A result is handed out only once the receiver has taken the previous
one (:meth:`LiveRunner.frame_shown`, or after a safety timeout), so nothing piles up behind a slow
display. Each result carries the *epoch* it was made in; ``set_source``, ``clear`` and ``stop`` start a
new one and a receiver drops results whose epoch is not :attr:`LiveRunner.epoch`."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from core.errors import SourceError
from core.frames import Look
from core.live_parts import (CAMERA_POLL_S, DISPLAY_CREDIT_TIMEOUT_S, STATS_EVERY_S, TAKE_TIMEOUT_S, Event, Finished,
                             FrameInfo, Mailbox, Notice, Pacer, Problem, Processed, Recovered, Retry, Status,
                             Unavailable, Captured, close_quietly, as_looks, look_for_camera, message, model_label)
from core.io.source_spec import parse_spec

log = logging.getLogger(__name__)


class LiveRunner:
    """Create anywhere; every method returns at once except :meth:`stop` (joins with a timeout).
    ``clock`` (seconds) stamps frames and paces files; tests inject one. ``cameras()``: the indexes of
    the cameras connected now (the device list), asked while no camera has worked; None: only the
    configured index is tried."""

    def __init__(self, pipeline_factory: Callable[[bool], object], opener: Callable[[str], object],
                 emit: Callable[[Event], None], *, clock: Callable[[], float] = time.perf_counter,
                 cameras: Callable[[], list[int]] | None = None, camera_poll_s: float = CAMERA_POLL_S):
        self._factory = pipeline_factory
        self._opener = opener
        self._cameras, self._camera_poll_s = cameras, camera_poll_s
        self._emit = emit
        self._clock = clock
        self._lock = threading.Condition()
        self._mailbox = Mailbox()
        self._looks: tuple[Look, ...] = ()
        self._look_version = 0
        self._epoch = 0
        self._pending_spec: str | None = None
        self._reset_pipeline = False
        self._new_factory = False
        self._shown = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._capture: tuple[threading.Thread, threading.Event] | None = None
        self._source_gen = 0
        self._last_arrival = 0.0
        self._ended = False
        self._steps = 0  # folder navigation asked for and not yet done
        self._commands = 0  # counts every command and captured frame, for settled()
        self._settled_at = -1
        self._capture_busy = False
        self.spec: str | None = None
        self.stuck_threads: list[threading.Thread] = []

    # ---- control (any thread) -----------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        with self._lock:
            return self._epoch

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, spec: str, looks: Look | tuple[Look, ...]) -> None:
        """Open ``spec`` and process with ``looks``; restarts when already running."""
        if self._thread is not None:
            self.stop()
        self._stop = threading.Event()
        self._shown.set()
        with self._lock:
            self._looks = as_looks(looks)
            self._look_version += 1
        self._command(spec=spec, new_epoch=True)
        self._thread = threading.Thread(target=self._run, name="hairtint-live", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 3.0) -> bool:
        """Stop both threads. True when they ended within ``timeout_s``."""
        thread, self._thread = self._thread, None
        with self._lock:
            self._epoch += 1
        if thread is None:
            return True
        self._stop.set()
        self._mailbox.poke()
        thread.join(timeout_s)
        if thread.is_alive():
            log.error("the live thread did not stop within %.1f s", timeout_s)
            self.stuck_threads.append(thread)
            return False
        return True

    def set_source(self, spec: str) -> None:
        """Switch to another source, keeping the thread and the loaded model."""
        if not self.is_running():
            self.start(spec, self._looks)
        else:
            self._command(spec=spec, new_epoch=True)

    def set_looks(self, looks: Look | tuple[Look, ...]) -> None:
        """The first look is the main one; the others come back as ``result.variants`` (compare view).
        Takes effect on the next frame; a still is done again at once."""
        looks = as_looks(looks)
        with self._lock:
            self._looks = looks
            self._look_version += 1
        self._command()

    @property
    def looks(self) -> tuple[Look, ...]:
        with self._lock:
            return self._looks

    def set_pipeline_factory(self, factory: Callable[[bool], object]) -> None:
        """Another model: the pipelines are rebuilt on the processing thread, the source stays open."""
        with self._lock:
            self._factory = factory
            self._new_factory = True
        self._command()

    def clear(self) -> None:
        """Forget the current picture: drop the held frame, reset temporal state, and start a new epoch
        (results already on their way are dropped by the receiver)."""
        with self._lock:
            self._reset_pipeline = True
        self._mailbox.clear()
        self._command(new_epoch=True)

    def step(self, delta: int) -> bool:
        """The next (``delta`` > 0) or previous photo of a folder source. False for other sources."""
        if self.spec is None or not parse_spec(self.spec).is_folder:
            return False
        with self._lock:
            self._steps += delta
            self._lock.notify_all()
        self._command()
        return True

    def frame_shown(self) -> None:
        """The receiver has taken the last result: the next one may come."""
        self._shown.set()
        self._command()

    def settled(self) -> bool:
        """True when both threads have nothing left to do for every command given so far (a still
        shown, a source given up on). For tests and screenshots; a camera never settles."""
        with self._lock:
            return self._settled_at == self._commands and not self._capture_busy

    def wait_settled(self, timeout: float) -> bool:
        """Block until :meth:`settled` (True) or ``timeout`` seconds pass (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._settled_at == self._commands and not self._capture_busy,
                                       timeout)

    def _command(self, spec: str | None = None, new_epoch: bool = False) -> None:
        with self._lock:
            if spec is not None:
                self._pending_spec = self.spec = spec
            if new_epoch:
                self._epoch += 1
            self._commands += 1
            self._lock.notify_all()
        self._mailbox.poke()

    # ---- the capture thread ---------------------------------------------------------------------------
    def _start_capture(self, spec: str) -> None:
        self._stop_capture()
        self._source_gen += 1
        self._ended = False
        with self._lock:
            self._steps = 0
            self._capture_busy = True
        stop = threading.Event()
        thread = threading.Thread(target=self._capture_loop, args=(spec, self._source_gen, stop),
                                  name=f"hairtint-capture-{self._source_gen}", daemon=True)
        self._capture = (thread, stop)
        thread.start()

    def _stop_capture(self, timeout: float = 1.5) -> None:
        if self._capture is None:
            return
        (thread, stop), self._capture = self._capture, None
        stop.set()
        with self._lock:
            self._lock.notify_all()
        thread.join(timeout)
        if thread.is_alive():  # a driver stuck in read(): let it go, its frames are ignored
            log.warning("capture thread %s did not stop within %.1f s", thread.name, timeout)
            self.stuck_threads.append(thread)

    def _idle_capture(self, busy: bool) -> None:
        with self._lock:
            self._capture_busy = busy
            self._commands += 1
            self._lock.notify_all()
        self._mailbox.poke()

    def _wait_for_step(self, stop: threading.Event) -> int:
        """Block until a folder step is asked for (or the source is stopped); the step, or 0."""
        self._idle_capture(False)
        with self._lock:
            self._lock.wait_for(lambda: stop.is_set() or self._steps != 0)
            delta, self._steps = self._steps, 0
            self._capture_busy = not stop.is_set()
        return delta

    def _capture_loop(self, spec: str, gen: int, stop: threading.Event) -> None:
        parsed = parse_spec(spec)
        name = parsed.describe()
        retry = Retry(self._emit, name)
        pacer = Pacer(clock=self._clock)
        source = None
        try:
            while not stop.is_set():
                if source is None:
                    try:
                        source = self._opener(spec)
                        pacer.reset()
                    except Exception as exc:
                        if parsed.is_camera and not retry.delivered:
                            if (source := self._look_for_camera(spec, exc, stop)) is None:
                                return
                            pacer.reset()
                        elif retry.failed(exc, spec, stop, may_retry=retry.delivered):
                            continue
                        else:
                            return
                try:
                    frame = source.read()
                    if frame is None and getattr(source, "is_live", False):
                        raise SourceError(f"{name} stopped delivering frames")
                except Exception as exc:
                    close_quietly(source)
                    source = None
                    if not retry.failed(exc, spec, stop, may_retry=retry.delivered or parsed.is_camera):
                        return
                    retry.delivered = True  # it did open: from now on, keep retrying
                    continue
                if frame is None:  # the end of a photo or a video: keep showing the last frame
                    if not retry.delivered:
                        self._emit(Unavailable(f"{name} has no pictures in it", spec))
                        return
                    if parsed.is_folder and hasattr(source, "step"):
                        source.step(0)  # back to the last photo, so that a step goes from there
                        if (delta := self._wait_for_step(stop)):
                            source.step(delta)
                        continue
                    self._ended = True
                    if not parsed.still:
                        self._emit(Status(f"End of {name} — showing the last frame"))
                    close_quietly(source)
                    source = None
                    self._idle_capture(False)
                    stop.wait()
                    return
                retry.worked()
                if not parsed.is_camera or not getattr(source, "is_live", False):
                    pacer.wait(frame.timestamp_ms, stop)
                now = self._clock()
                self._last_arrival = now
                with self._lock:
                    epoch = self._epoch
                self._mailbox.put(Captured(frame, now, gen, epoch, parsed.still))
                self._idle_capture(True)
                if parsed.is_folder and hasattr(source, "step"):
                    if (delta := self._wait_for_step(stop)):
                        source.step(delta)
        finally:
            close_quietly(source)
            self._idle_capture(False)

    def _look_for_camera(self, spec: str, exc: BaseException, stop: threading.Event):
        """A camera that has not worked yet: report it unavailable once (the start panel says so), then
        look for it (:func:`core.live_parts.look_for_camera`): the opened source, or None once stopped."""
        self._emit(Unavailable(f"{message(exc)}; it will show as soon as one is connected", spec))
        self._idle_capture(False)
        return look_for_camera(spec, self._opener, self._cameras, self._emit, stop, self._camera_poll_s)

    # ---- the processing thread ------------------------------------------------------------------------
    def _run(self) -> None:
        pipelines: dict[bool, object] = {}
        last: Captured | None = None
        last_version = -1
        pending: Processed | None = None
        stats_at, stats = -1e9, {}
        shown_at = -1e9
        stop = self._stop
        try:
            while not stop.is_set():
                with self._lock:
                    seen = self._commands
                    spec, self._pending_spec = self._pending_spec, None
                    reset, self._reset_pipeline = self._reset_pipeline, False
                    new_factory, self._new_factory = self._new_factory, False
                    epoch, factory = self._epoch, self._factory
                if new_factory:
                    for pipeline in pipelines.values():
                        pipeline.close()
                    pipelines.clear()
                    last_version = -1  # show the same picture again with the new model
                if spec is not None:
                    last, pending = None, None
                    self._mailbox.clear()
                    self._start_capture(spec)
                    for pipeline in pipelines.values():
                        pipeline.reset()
                        pipeline.stats.reset()
                if reset:
                    last, pending = None, None
                    for pipeline in pipelines.values():
                        pipeline.reset()
                if last is not None and last.epoch != epoch:
                    last = None

                # hand out a result the receiver could not take yet
                if pending is not None and (self._shown.is_set() or self._clock() - shown_at > DISPLAY_CREDIT_TIMEOUT_S):
                    if pending.info.epoch == epoch:
                        self._shown.clear()
                        shown_at = self._clock()
                        self._emit(pending)
                    pending = None

                item, poked = self._mailbox.take(TAKE_TIMEOUT_S)
                again = False
                if item is not None and (item.source_gen != self._source_gen or item.epoch != epoch):
                    item = None  # from a source or a customer we have moved on from
                with self._lock:
                    looks, version = self._looks, self._look_version
                if item is None:
                    idle = self._ended or (last is not None and last.still) or \
                        self._clock() - self._last_arrival > 0.2
                    if last is not None and version != last_version and idle:
                        item, again = last, True  # a new Look on a still (or a stalled source): do it again
                    else:
                        if pending is None and not poked:
                            with self._lock:
                                self._settled_at = seen
                                self._lock.notify_all()
                        continue
                if stop.is_set():
                    break

                pipeline = pipelines.get(item.still)
                if pipeline is None:
                    self._emit(Status("Loading the hair model…"))
                    try:
                        pipeline = pipelines[item.still] = factory(item.still)
                    except Exception as exc:
                        log.exception("cannot build the pipeline")
                        self._emit(Problem(message(exc)))
                        break
                    self._emit(Status(f"Model {model_label(pipeline)} ready"))
                try:
                    result = pipeline.process(item.frame, looks[0], looks[1:])
                except Exception as exc:
                    log.exception("processing failed")
                    self._emit(Problem(f"Processing failed: {message(exc)}"))
                    last, last_version = item, version
                    continue
                done = self._clock()
                if done - stats_at > STATS_EVERY_S or item.still:
                    stats, stats_at = pipeline.stats.summary(), done
                info = FrameInfo(capture_t=item.capture_t, done_t=done, epoch=item.epoch, still=item.still,
                                 source_id=item.frame.source_id, dropped=self._mailbox.dropped, stats=stats,
                                 model=model_label(pipeline), looks=looks, reprocessed=again)
                last, last_version = item, version
                out = Processed(result, info)
                if self._shown.is_set() or done - shown_at > DISPLAY_CREDIT_TIMEOUT_S:
                    self._shown.clear()
                    shown_at = done
                    self._emit(out)
                    pending = None
                else:
                    pending = out
        except Exception as exc:  # never let the thread die silently
            log.exception("live loop failed")
            self._emit(Problem(message(exc)))
        finally:
            self._stop_capture()
            for pipeline in pipelines.values():
                try:
                    pipeline.close()
                except Exception:
                    log.exception("closing the pipeline failed")
            self._emit(Finished())


__all__ = ["LiveRunner", "FrameInfo", "Processed", "Problem", "Status", "Notice", "Recovered", "Unavailable", "Finished",
           "Event"]
