"""The worker: owns the frame source and the pipeline, off the GUI thread.

Two threads per running worker:

* the **processing loop** runs on a ``QThread`` (the ``_Loop`` QObject moved onto it). It creates the
  pipeline there (MediaPipe is slow to create and likes to be used from the thread that made it),
  takes the newest captured frame from a one-slot mailbox, runs ``Pipeline.process`` and emits the
  result;
* the **capture loop** runs on a plain daemon thread, one per opened source. It reads the source,
  paces non-camera sources to their timestamps (a video or the demo clip never spins a core), and puts
  each frame in the mailbox, overwriting any frame not yet taken: the newest frame wins and no queue
  grows. A camera that fails is closed and reopened with a backoff of at most 0.5 s.

The GUI talks to the worker only through :class:`Worker` (which lives on the GUI thread): ``set_look``
hands over an immutable Look (or a tuple of Looks for the 2x2 compare view) under a lock,
``set_source`` switches source without rebuilding the pipeline, ``clear`` forgets the current picture
(kiosk idle reset), ``stop`` sets a flag checked every frame and joins with a timeout.

Results are delivered with a display credit: a new result is emitted only once the GUI has taken the
previous one (or after a safety timeout), so queued signals cannot pile up behind a slow GUI either.
Each result carries an *epoch*; ``set_source``, ``clear`` and ``stop`` start a new epoch and the
:class:`Worker` drops results of older epochs, so nothing of an old source or a previous customer is
shown after a switch or a reset."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from core.errors import HairTintError, SourceError
from core.frames import Frame, Look, Result
from core.source_spec import parse_spec

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 0.5
FIRST_BACKOFF_S = 0.05
MAX_FPS = 60.0  # upper bound for paced (non-camera) sources
STATS_EVERY_S = 0.25
DISPLAY_CREDIT_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class FrameInfo:
    """What the GUI needs besides the Result: timing of this frame and a snapshot of the statistics.

    ``capture_t`` and ``done_t`` are ``time.perf_counter()`` seconds: the paint time minus
    ``capture_t`` is the capture-to-display latency."""

    capture_t: float
    done_t: float
    epoch: int
    still: bool
    source_id: str
    dropped: int  # frames overwritten in the mailbox before processing, since the source opened
    stats: dict  # Pipeline.stats.summary() (refreshed a few times a second)
    model: str  # "id version" of the segmentation model
    looks: tuple[Look, ...] = ()
    reprocessed: bool = False  # the same frame again for a new Look (no new capture)
    compare: tuple[np.ndarray, ...] = field(default=(), repr=False)  # looks[1:], recoloured

    @property
    def pipeline_ms(self) -> float:
        return (self.done_t - self.capture_t) * 1000.0


@dataclass(frozen=True)
class _Captured:
    frame: Frame
    capture_t: float
    source_gen: int
    epoch: int
    still: bool


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


class Pacer:
    """Sleeps so that frames leave at the pace of their timestamps (for files and the demo clip); a
    camera whose read() already blocks is never delayed. Also caps any source at ``max_fps``."""

    def __init__(self, max_fps: float = MAX_FPS):
        self.min_gap = 1.0 / max_fps
        self.reset()

    def reset(self) -> None:
        self._anchor: tuple[float, int] | None = None
        self._last_wall = -1e9
        self._last_ts: int | None = None

    def wait(self, timestamp_ms: int, stop: threading.Event) -> None:
        now = time.perf_counter()
        if self._anchor is None or self._last_ts is None or timestamp_ms < self._last_ts:
            self._anchor = (now, timestamp_ms)
        due = self._anchor[0] + (timestamp_ms - self._anchor[1]) / 1000.0
        due = max(due, self._last_wall + self.min_gap)
        if due - now > 1.0 or now - due > 0.25:  # a jump in the timestamps, or we fell behind
            self._anchor = (now, timestamp_ms)
            due = max(now, self._last_wall + self.min_gap)
        if due > now:
            stop.wait(due - now)
        self._last_wall = max(due, now)
        self._last_ts = timestamp_ms


def model_label(pipeline) -> str:
    info = getattr(pipeline, "model_info", None) or getattr(getattr(pipeline, "segmenter", None), "info", None)
    if info is None:
        return "unknown model"
    return f"{getattr(info, 'id', '?')} {getattr(info, 'version', '')}".strip()


def _message(exc: BaseException) -> str:
    if isinstance(exc, HairTintError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class _Loop(QObject):
    """Runs on the worker QThread. Everything shared with the GUI thread goes through ``_lock`` or the
    mailbox; signals are the only way out."""

    result = Signal(object, object)
    error = Signal(str)
    status = Signal(str)
    recovered = Signal()
    unavailable = Signal(str)
    finished = Signal()

    def __init__(self, pipeline_factory: Callable[[bool], object], opener: Callable[[str], object],
                 spec: str, looks: tuple[Look, ...], epoch: int):
        super().__init__()
        self._factory = pipeline_factory
        self._opener = opener
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._mailbox = Mailbox()
        self._looks = looks
        self._look_version = 0
        self._epoch = epoch
        self._pending_spec: str | None = spec
        self._reset_pipeline = False
        self._shown = threading.Event()
        self._shown.set()
        self._capture: threading.Thread | None = None
        self._capture_stop: threading.Event | None = None
        self._source_gen = 0
        self._last_arrival = 0.0
        self._ended = False
        self.stuck_threads: list[threading.Thread] = []

    # ---- called from the GUI thread -------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop.set()
        self._mailbox.poke()

    def set_looks(self, looks: tuple[Look, ...]) -> None:
        with self._lock:
            self._looks = looks
            self._look_version += 1
        self._mailbox.poke()

    def switch_source(self, spec: str, epoch: int) -> None:
        with self._lock:
            self._pending_spec = spec
            self._epoch = epoch
        self._mailbox.poke()

    def clear(self, epoch: int) -> None:
        with self._lock:
            self._epoch = epoch
            self._reset_pipeline = True
        self._mailbox.clear()
        self._mailbox.poke()

    def frame_shown(self) -> None:
        self._shown.set()
        self._mailbox.poke()

    # ---- the capture thread ----------------------------------------------------------------------
    def _start_capture(self, spec: str) -> None:
        self._stop_capture()
        self._source_gen += 1
        self._ended = False
        stop = threading.Event()
        thread = threading.Thread(target=self._capture_loop, args=(spec, self._source_gen, stop),
                                  name=f"hairtint-capture-{self._source_gen}", daemon=True)
        self._capture, self._capture_stop = thread, stop
        thread.start()

    def _stop_capture(self, timeout: float = 1.5) -> None:
        thread, stop = self._capture, self._capture_stop
        self._capture = self._capture_stop = None
        if thread is None:
            return
        stop.set()
        thread.join(timeout)
        if thread.is_alive():  # a driver stuck in read(): let it go, its frames are ignored
            log.warning("capture thread %s did not stop within %.1f s", thread.name, timeout)
            self.stuck_threads.append(thread)

    def _capture_loop(self, spec: str, gen: int, stop: threading.Event) -> None:
        parsed = parse_spec(spec)
        still = parsed.still
        source = None
        failing = False
        delivered = False
        backoff = FIRST_BACKOFF_S
        pacer = Pacer()
        name = parsed.describe()
        try:
            while not stop.is_set():
                if source is None:
                    try:
                        source = self._opener(spec)
                        pacer.reset()
                    except Exception as exc:
                        if not delivered:
                            # never worked: say so and let the person choose something else
                            self.unavailable.emit(_message(exc))
                            return
                        if not failing:
                            failing = True
                            self.error.emit(f"{_message(exc)} — retrying…")
                        stop.wait(backoff)
                        backoff = min(backoff * 2, MAX_BACKOFF_S)
                        continue
                try:
                    frame = source.read()
                    if frame is None and getattr(source, "is_live", False):
                        raise SourceError(f"{name} stopped delivering frames")
                except Exception as exc:
                    _close(source)
                    source = None
                    if not delivered and not parsed.is_camera:
                        self.unavailable.emit(_message(exc))
                        return
                    delivered = True  # it did open: from now on, keep retrying
                    if not failing:
                        failing = True
                        self.error.emit(f"{_message(exc)} — retrying…")
                    stop.wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_S)
                    continue
                if frame is None:  # end of a photo, folder or video: keep showing the last frame
                    if not delivered:
                        self.unavailable.emit(f"{name} has no pictures in it")
                        return
                    self._ended = True
                    if not still:
                        self.status.emit(f"End of {name} — showing the last frame")
                    self._mailbox.poke()
                    _close(source)
                    source = None
                    stop.wait()
                    return
                if failing:
                    failing = False
                    self.recovered.emit()
                    self.status.emit(f"{name[:1].upper()}{name[1:]} is back")
                delivered = True
                backoff = FIRST_BACKOFF_S
                if not getattr(source, "is_live", False) or not parsed.is_camera:
                    pacer.wait(frame.timestamp_ms, stop)
                now = time.perf_counter()
                self._last_arrival = now
                with self._lock:
                    epoch = self._epoch
                self._mailbox.put(_Captured(frame, now, gen, epoch, still))
        finally:
            _close(source)

    # ---- the processing loop ---------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        pipelines: dict[bool, object] = {}
        last: _Captured | None = None
        last_version = -1
        pending: tuple[Result, FrameInfo] | None = None
        stats_at, stats = 0.0, {}
        shown_at = 0.0
        try:
            while not self._stop.is_set():
                with self._lock:
                    spec, self._pending_spec = self._pending_spec, None
                    reset, self._reset_pipeline = self._reset_pipeline, False
                    epoch = self._epoch
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

                # deliver a result the GUI could not take yet
                if pending is not None and (self._shown.is_set() or time.perf_counter() - shown_at > DISPLAY_CREDIT_TIMEOUT_S):
                    if pending[1].epoch == epoch:
                        self._shown.clear()
                        shown_at = time.perf_counter()
                        self.result.emit(*pending)
                    pending = None

                item, poked = self._mailbox.take(0.05)
                again = False
                if item is not None and (item.source_gen != self._source_gen or item.epoch != epoch):
                    item = None  # from a source or a customer we have moved on from
                with self._lock:
                    looks, version = self._looks, self._look_version
                if item is None:
                    idle = self._ended or (last is not None and last.still) or \
                        time.perf_counter() - self._last_arrival > 0.2
                    if last is not None and version != last_version and idle:
                        item = last  # a new Look on a still (or a stalled source): do it again
                        again = True
                    else:
                        continue
                if self._stop.is_set():
                    break

                pipeline = pipelines.get(item.still)
                if pipeline is None:
                    self.status.emit("Loading the hair model…")
                    try:
                        pipeline = pipelines[item.still] = self._factory(item.still)
                    except Exception as exc:
                        log.exception("cannot build the pipeline")
                        self.error.emit(_message(exc))
                        break
                    self.status.emit(f"Model {model_label(pipeline)} ready")
                try:
                    result = pipeline.process(item.frame, looks[0])
                    compare = tuple(pipeline.recolorer.recolor(item.frame.pixels, result.mask, look)
                                    for look in looks[1:])
                except Exception as exc:
                    log.exception("processing failed")
                    self.error.emit(f"Processing failed: {_message(exc)}")
                    last, last_version = item, version
                    continue
                done = time.perf_counter()
                if done - stats_at > STATS_EVERY_S or item.still:
                    stats, stats_at = pipeline.stats.summary(), done
                info = FrameInfo(capture_t=item.capture_t, done_t=done, epoch=item.epoch, still=item.still,
                                 source_id=item.frame.source_id, dropped=self._mailbox.dropped, stats=stats,
                                 model=model_label(pipeline), looks=looks, reprocessed=again, compare=compare)
                last, last_version = item, version
                if self._shown.is_set() or done - shown_at > DISPLAY_CREDIT_TIMEOUT_S:
                    self._shown.clear()
                    shown_at = done
                    self.result.emit(result, info)
                    pending = None
                else:
                    pending = (result, info)
        except Exception as exc:  # never let the thread die silently
            log.exception("worker loop failed")
            self.error.emit(_message(exc))
        finally:
            self._stop_capture()
            for pipeline in pipelines.values():
                try:
                    pipeline.close()
                except Exception:
                    log.exception("closing the pipeline failed")
            self.finished.emit()


def _close(source) -> None:
    if source is None:
        return
    try:
        source.close()
    except Exception:
        log.exception("closing the source failed")


def _as_looks(looks: Look | tuple[Look, ...] | list[Look]) -> tuple[Look, ...]:
    if isinstance(looks, Look):
        return (looks,)
    looks = tuple(looks)
    if not looks or not all(isinstance(look, Look) for look in looks):
        raise TypeError("set_look needs a Look or a non-empty sequence of Looks")
    return looks


class Worker(QObject):
    """The GUI-side handle of one worker thread. Create on the GUI thread; all methods are GUI-thread
    calls and return at once, except ``stop`` which waits at most ``timeout_s``."""

    result = Signal(object, object)  # Result, FrameInfo
    error = Signal(str)  # show in the banner
    status = Signal(str)  # show in the status bar
    recovered = Signal()  # the source works again: hide the banner
    unavailable = Signal(str)  # the source could not be opened at all
    finished = Signal()

    def __init__(self, pipeline_factory: Callable[[bool], object], opener: Callable[[str], object] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        if opener is None:
            from core.sources import open_source as opener
        self._factory = pipeline_factory
        self._opener = opener
        self._thread: QThread | None = None
        self._loop: _Loop | None = None
        self._epoch = 0
        self._looks: tuple[Look, ...] | None = None
        self.spec: str | None = None
        self.stuck_threads: list[threading.Thread] = []

    # ---- control -----------------------------------------------------------------------------------
    def start(self, spec: str, looks: Look | tuple[Look, ...]) -> None:
        """Open ``spec`` and start processing with ``looks``; restarts if already running."""
        if self.is_running():
            self.stop()
        self._looks = _as_looks(looks)
        self.spec = spec
        self._epoch += 1
        thread = QThread()
        thread.setObjectName("hairtint-worker")
        loop = _Loop(self._factory, self._opener, spec, self._looks, self._epoch)
        loop.moveToThread(thread)
        thread.started.connect(loop.run)
        loop.result.connect(self._on_result)
        loop.error.connect(self._on_error)
        loop.status.connect(self._on_status)
        loop.recovered.connect(self._on_recovered)
        loop.unavailable.connect(self._on_unavailable)
        loop.finished.connect(thread.quit)
        loop.finished.connect(self._on_finished)
        self._thread, self._loop = thread, loop
        thread.start()

    def stop(self, timeout_s: float = 3.0) -> bool:
        """Stop and join. True when the thread ended within ``timeout_s``."""
        thread, loop = self._thread, self._loop
        self._thread = self._loop = None
        self._epoch += 1
        if thread is None:
            return True
        loop.request_stop()
        thread.quit()
        ok = thread.wait(int(timeout_s * 1000))
        if not ok:
            log.error("worker thread did not stop within %.1f s", timeout_s)
        self.stuck_threads += [t for t in loop.stuck_threads if t.is_alive()]
        if ok and not self.stuck_threads:
            loop.deleteLater()
            thread.deleteLater()
        else:  # keep Python references so Qt never destroys an object a live thread still uses
            self._zombies = getattr(self, "_zombies", []) + [(thread, loop)]
        if ok:
            self.finished.emit()
        return ok

    def set_pipeline_factory(self, factory: Callable[[bool], object]) -> None:
        """The factory used from the next start on (a model change restarts the worker)."""
        self._factory = factory

    def restart(self, spec: str | None = None) -> None:
        spec = spec or self.spec
        if spec is None or self._looks is None:
            raise RuntimeError("restart() before start()")
        self.start(spec, self._looks)

    def set_source(self, spec: str) -> None:
        """Switch to another source, keeping the thread and the loaded model."""
        if not self.is_running():
            if self._looks is None:
                raise RuntimeError("set_source() before start()")
            self.start(spec, self._looks)
            return
        self.spec = spec
        self._epoch += 1
        self._loop.switch_source(spec, self._epoch)

    def set_look(self, looks: Look | tuple[Look, ...]) -> None:
        """Hand over a new immutable Look (or Looks: the first is the main one, the rest are for the
        compare view). Takes effect on the next frame; a still is redone at once."""
        self._looks = _as_looks(looks)
        if self._loop is not None:
            self._loop.set_looks(self._looks)

    def clear(self) -> None:
        """Forget the current picture: drop the held frame, reset temporal state, and ignore results
        already on their way."""
        self._epoch += 1
        if self._loop is not None:
            self._loop.clear(self._epoch)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    @property
    def thread(self) -> QThread | None:
        return self._thread

    # ---- forwarding (GUI thread) -------------------------------------------------------------------
    def _current(self) -> bool:
        return self.sender() is self._loop and self._loop is not None

    @Slot(object, object)
    def _on_result(self, result: Result, info: FrameInfo) -> None:
        loop = self._loop
        if loop is None or self.sender() is not loop:
            return
        loop.frame_shown()  # the display credit: the loop may emit the next one
        if info.epoch != self._epoch:
            return
        self.result.emit(result, info)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        if self._current():
            self.error.emit(message)

    @Slot(str)
    def _on_status(self, message: str) -> None:
        if self._current():
            self.status.emit(message)

    @Slot()
    def _on_recovered(self) -> None:
        if self._current():
            self.recovered.emit()

    @Slot(str)
    def _on_unavailable(self, message: str) -> None:
        if self._current():
            self.unavailable.emit(message)

    @Slot()
    def _on_finished(self) -> None:
        if self.sender() is self._loop:
            self.finished.emit()


__all__ = ["Worker", "FrameInfo", "Mailbox", "Pacer", "model_label"]
