"""The Qt side of the live view: :class:`Worker` wraps a :class:`~core.live.LiveRunner` (the threads,
the mailbox, pacing, epochs and retries all live there, without Qt) and hands each event to the GUI
thread through one signal, ``event``. It drops results of an old epoch (a switch or a reset happened
while they were on their way), gives the runner its display credit back for each result it takes, and
keeps the newest ``Idle`` the runner sent, for :meth:`Worker.settled`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot

from core.frames import Look
from core.live import Event, FrameInfo, Idle, LiveRunner, Processed, Unavailable

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.io.sources import Source
    from core.pipeline.pipeline import PipelineFactory

log = logging.getLogger(__name__)


class Worker(QObject):
    """Create on the GUI thread; every method is a GUI-thread call that returns at once, except
    ``stop`` which waits at most ``timeout_s``."""

    event = Signal(object)  # type: ignore[assignment]  # the signal shadows QObject.event(), which nothing calls on a Worker; a core.live event: Processed, Problem, Status, Notice, Recovered, Unavailable, Idle, Finished
    _relay = Signal(object)  # from the runner's threads to the GUI thread (queued)

    def __init__(self, pipeline_factory: PipelineFactory, opener: Callable[[str], Source] | None = None,
                 parent: QObject | None = None, *, clock=None, observe: Callable[[Event], None] | None = None,
                 cameras: Callable[[], list[int]] | None = None):
        super().__init__(parent)
        if opener is None:
            from core.io.sources import open_source  # lazy: OpenCV, only when no opener is given
            opener = open_source
        self._relay.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        kw = {"clock": clock} if clock is not None else {}
        if cameras is not None:  # the device list, looked at while no camera works (see LiveRunner)
            kw["cameras"] = cameras
        self._observe = observe  # sees every event first, on the runner's threads (the metrics)
        self.runner = LiveRunner(pipeline_factory, opener, self.post, **kw)
        self._idle: Idle | None = None  # the newest Idle delivered (GUI thread)

    def post(self, event: Event) -> None:
        """Hand ``event`` to the GUI thread (any thread: the runner's, or the fleet monitor's)."""
        if self._observe is not None:
            self._observe(event)
        with contextlib.suppress(RuntimeError):  # the window is gone (a capture thread that was stuck in a driver)
            self._relay.emit(event)

    @Slot(object)
    def _deliver(self, event: Event) -> None:
        if isinstance(event, Processed):
            self.runner.frame_shown()
            if event.info.epoch != self.runner.epoch:
                return
        elif isinstance(event, Unavailable) and event.spec != self.runner.spec:
            return
        elif isinstance(event, Idle):
            self._idle = event
        self.event.emit(event)

    # ---- control: the runner's, on the GUI thread ---------------------------------------------------
    def start(self, spec: str, looks: Look | tuple[Look, ...]) -> None:
        self.runner.start(spec, looks)

    def stop(self, timeout_s: float = 3.0) -> bool:
        return self.runner.stop(timeout_s)

    def set_source(self, spec: str) -> None:
        self.runner.set_source(spec)

    def set_look(self, looks: Look | tuple[Look, ...]) -> None:
        self.runner.set_looks(looks)

    def set_view(self, view) -> None:
        """Where the kiosk's mirror shows the picture (core.pipeline.framing.View, or None)."""
        self.runner.set_view(view)

    def set_pipeline_factory(self, factory: PipelineFactory) -> None:
        self.runner.set_pipeline_factory(factory)

    def clear(self) -> None:
        self.runner.clear()

    def step(self, delta: int) -> bool:
        return self.runner.step(delta)

    def is_running(self) -> bool:
        return self.runner.is_running()

    def settled(self) -> bool:
        """True when the runner has nothing left to do for every command given so far (a still shown, a
        source given up on) and every event it sent before saying so has been delivered. A camera never
        settles."""
        return self._idle is not None and self.runner.caught_up(self._idle)

    @property
    def spec(self) -> str | None:
        return self.runner.spec

    @property
    def stuck_threads(self):
        return self.runner.stuck_threads


__all__ = ["FrameInfo", "Worker"]
