""":class:`LiveRunner`, the live view's façade: every public method puts a command in the processing
loop's mailbox (or reads what the façade itself keeps) and returns at once, except :meth:`stop`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.frames import Look
from core.io.source_spec import parse_spec
from core.live.commands import Clear, SetLooks, SetSource, SetView, Shown, Step, Stop, SwapModel
from core.live.events import Event, Idle
from core.live.processing import Processing
from core.live.retry import CAMERA_POLL_S
from core.live.shared import Epoch, Mailbox, Stuck, Wiring

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.io.sources import Source
    from core.pipeline.framing import View
    from core.pipeline.pipeline import PipelineFactory


class LiveRunner:
    """Create anywhere; call from any thread. ``emit(event)`` is called on the runner's threads.
    ``clock`` (seconds) stamps frames and paces files; tests inject one. ``cameras()``: the indexes of
    the cameras connected now (the device list), asked while no camera has worked; None: only the
    configured index is tried.

    Each result carries the *epoch* it was made in; :meth:`start`, :meth:`set_source`, :meth:`clear` and
    :meth:`stop` start a new one, and a receiver drops results whose epoch is not :attr:`epoch`."""

    def __init__(self, pipeline_factory: PipelineFactory, opener: Callable[[str], Source],
                 emit: Callable[[Event], None], *, clock: Callable[[], float] = time.perf_counter,
                 cameras: Callable[[], list[int]] | None = None, camera_poll_s: float = CAMERA_POLL_S):
        self._wiring = Wiring(opener, emit, clock, cameras, camera_poll_s, Epoch())
        self._stuck = Stuck()
        self._lock = threading.Lock()  # guards the five fields below
        self._factory = pipeline_factory
        self._looks: tuple[Look, ...] = ()
        self._spec: str | None = None
        self._view: View | None = None
        self._mailbox = Mailbox()  # the current run's; each run gets its own
        self._thread: threading.Thread | None = None

    # ---- what it keeps ---------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        return self._wiring.epoch.value

    @property
    def spec(self) -> str | None:
        with self._lock:
            return self._spec

    @property
    def looks(self) -> tuple[Look, ...]:
        with self._lock:
            return self._looks

    @property
    def stuck_threads(self) -> list[threading.Thread]:
        """Threads that did not stop in time (a driver stuck in ``read()``), let go."""
        return self._stuck.threads

    def is_running(self) -> bool:
        with self._lock:
            return self._thread is not None and self._thread.is_alive()

    def caught_up(self, idle: Idle) -> bool:
        """True when ``idle`` came after every command given so far (and every note of the capture):
        the runner has nothing left to do for them (a still shown, a source given up on)."""
        with self._lock:
            return idle.upto == self._mailbox.posted

    # ---- the commands ----------------------------------------------------------------------------------
    def start(self, spec: str, looks: Look | tuple[Look, ...]) -> None:
        """Open ``spec`` and process with ``looks``; restarts when already running."""
        looks = as_looks(looks)
        with self._lock:
            running = self._thread is not None
        if running:
            self.stop()
        with self._lock:
            self._looks, self._spec = looks, spec
            self._mailbox = mailbox = self._mailbox.successor()
            processing = Processing(mailbox, self._wiring, self._stuck, self._factory, looks)
            self._thread = thread = threading.Thread(target=processing.run, name="hairtint-live", daemon=True)
            view = self._view
        self._wiring.epoch.next()
        mailbox.post(SetSource(spec))
        if view is not None:
            mailbox.post(SetView(view))
        thread.start()

    def stop(self, timeout_s: float = 3.0) -> bool:
        """Stop both loops. True when they ended within ``timeout_s``."""
        with self._lock:
            thread, self._thread = self._thread, None
            mailbox = self._mailbox
        self._wiring.epoch.next()
        if thread is None:
            return True
        mailbox.post(Stop())
        return self._stuck.join(thread, timeout_s)

    def set_source(self, spec: str) -> None:
        """Switch to another source, keeping the thread and the loaded model."""
        if not self.is_running():
            self.start(spec, self.looks)
            return
        with self._lock:
            self._spec = spec
        self._wiring.epoch.next()
        self._post(SetSource(spec))

    def set_looks(self, looks: Look | tuple[Look, ...]) -> None:
        """The first look is the main one; the others come back as ``result.variants`` (compare view).
        Takes effect on the next frame; a still is done again at once."""
        looks = as_looks(looks)
        with self._lock:
            self._looks = looks
        self._post(SetLooks(looks))

    def set_pipeline_factory(self, factory: PipelineFactory) -> None:
        """Another model: the pipelines are rebuilt on the processing thread, the source stays open."""
        with self._lock:
            self._factory = factory
        self._post(SwapModel(factory))

    def clear(self) -> None:
        """Forget the current picture: drop the held frame, reset temporal state, and start a new epoch
        (results already on their way are dropped by the receiver)."""
        with self._lock:
            mailbox = self._mailbox
        mailbox.clear()
        self._wiring.epoch.next()
        mailbox.post(Clear())

    def step(self, delta: int) -> bool:
        """The next (``delta`` > 0) or previous photo of a folder source. False for other sources."""
        spec = self.spec
        if spec is None or not parse_spec(spec).is_folder:
            return False
        self._post(Step(delta))
        return True

    def set_view(self, view: View | None) -> None:
        """Where the kiosk's mirror shows the picture: a pipeline that frames (the kiosk's) cuts each
        frame to the framed part round the face and works it at about that view's size."""
        with self._lock:
            self._view = view
        self._post(SetView(view))

    def frame_shown(self) -> None:
        """The receiver has taken the last result: the next one may come."""
        self._post(Shown())

    def _post(self, command) -> None:
        with self._lock:
            mailbox = self._mailbox
        mailbox.post(command)


def as_looks(looks: Look | tuple[Look, ...] | list[Look]) -> tuple[Look, ...]:
    if isinstance(looks, Look):
        return (looks,)
    looks = tuple(looks)
    if not looks or not all(isinstance(look, Look) for look in looks):
        raise TypeError("the runner needs a Look or a non-empty sequence of Looks")
    return looks


__all__ = ["LiveRunner", "as_looks"]
