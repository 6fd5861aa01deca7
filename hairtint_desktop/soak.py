"""``hairtint soak``: the real app -- the main window as ``hairtint`` builds it, its worker thread, the
statistics overlay -- on the demo clip at the clip's own frame rate, headless (Qt's offscreen platform),
for a given time or number of frames. Every so often it samples resident memory, the frames shown, the
frames of the clip that were not shown, and the problems the window was told about; at the end it
reports them as ``hairtint bench --soak`` does (``core.tools.timing_reports.MemoryCurve``).

It writes nothing while it runs: the overlay is turned on for the run only (the settings file is not
written for it), no snapshot is taken, and the report goes to the terminal or, with ``--json FILE``, to
that file once at the end (and the app writes no settings file at a first start)."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core import live
from core.errors import HairTintError
from core.tools.bench import machine, peak_mb, resident_mb
from core.tools.timing_reports import AppSoakReport, MemoryCurve
from hairtint_desktop.app import _application, build_window, on_stop_signals, run_locally

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is loaded with the first pipeline, not here
    from core.io.sources import Source
    from core.pipeline.pipeline import PipelineFactory

WARMUP_FRAMES = 10  # frames shown before the first sample (the model loaded, the first buffers made)
START_TIMEOUT_S = 180.0  # the warm-up frames must be shown within this long
MAX_MINUTES = 7 * 24 * 60
MAX_SAMPLES = 100_000
MIN_EVERY_S = 0.1
SAMPLES_BY_DEFAULT = 20  # without --every: about this many samples over the run
KEPT_PROBLEMS = 20  # distinct problem messages kept for the report


class SoakError(HairTintError):
    """Soak settings that cannot be run."""


def check_settings(minutes: float | None, frames: int | None, every_s: float | None) -> float:
    """The sampling interval in seconds; SoakError, before anything starts, for settings that cannot
    be run. ``minutes`` and/or ``frames`` (shown after warm-up) end the run, whichever comes first."""
    if minutes is None and frames is None:
        raise SoakError("say how long to soak: --minutes M, --frames N, or both (whichever comes first)")
    if minutes is not None and not 0 < minutes <= MAX_MINUTES:
        raise SoakError(f"the soak must last more than 0 and at most {MAX_MINUTES:,} minutes, got {minutes:g}")
    if frames is not None and (isinstance(frames, bool) or not isinstance(frames, int) or frames < 1):
        raise SoakError(f"the number of frames must be a whole number of at least 1, got {frames!r}")
    if every_s is None:
        return max(MIN_EVERY_S, minutes * 60 / SAMPLES_BY_DEFAULT) if minutes is not None else 10.0
    if not every_s >= MIN_EVERY_S:
        raise SoakError(f"memory samples must be taken at least {MIN_EVERY_S:g} s apart, got {every_s:g}")
    if minutes is not None and every_s > minutes * 60:
        raise SoakError(f"memory samples every {every_s:g} s would take none in a {minutes:g}-minute soak")
    if minutes is not None and minutes * 60 / every_s > MAX_SAMPLES:
        raise SoakError(f"at most {MAX_SAMPLES:,} memory samples: sample less often than every {every_s:g} s")
    return every_s


@dataclass
class Tally:
    """What the window received and showed, counted on the GUI thread."""

    shown: int = 0  # frames painted for the first time (VideoView.painted)
    index: int | None = None  # the clip's frame number of the newest frame shown
    problems: int = 0  # Problem and Unavailable events: what the banner or the start panel said
    messages: list[str] = field(default_factory=list)
    model: str = "unknown model"


class _ErrorLog(logging.Handler):
    """Counts the log records at ERROR and above, from any thread."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class AppSoak:
    """Watches ``window`` (a MainWindow) and decides when to start sampling (after ``WARMUP_FRAMES``
    shown), when to sample (every ``every_s`` seconds) and when to stop (``minutes`` after the start,
    or ``frames`` frames shown after it); ``done(reason)`` is called once, on the GUI thread."""

    def __init__(self, window, done: Callable[[str], None], *, every_s: float, minutes: float | None = None,
                 frames: int | None = None, progress: bool = True, clock: Callable[[], float] = time.perf_counter,
                 rss: Callable[[], float] = resident_mb, start_timeout_s: float = START_TIMEOUT_S):
        from PySide6.QtCore import QTimer  # lazy: Qt, loaded after prepare_qt_environment

        self.window, self._done = window, done
        self.every_s, self.minutes, self.frames = every_s, minutes, frames
        self._progress, self._clock, self._rss = progress, clock, rss
        self.tally = Tally()
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.stopped: str | None = None
        self._base: tuple[int, int, int, int] | None = None  # shown, clip index, problems, errors at the start
        self._view: dict = {}  # the window's size and overlay, as the run started
        self.samples: list[tuple[int, float, float]] = []
        self.counts: list[tuple[int, int, int]] = []  # clip frames, not shown, problems + errors, per sample
        self.errors = _ErrorLog()
        logging.getLogger().addHandler(self.errors)
        self._sampler, self._deadline, self._start_deadline = QTimer(), QTimer(), QTimer()
        self._deadline.setSingleShot(True)
        self._start_deadline.setSingleShot(True)
        self._sampler.timeout.connect(self.sample)
        self._deadline.timeout.connect(lambda: self.stop("time"))
        self._start_deadline.timeout.connect(
            lambda: self.stop(f"no frames shown within {start_timeout_s:g} s of the start"))
        window.view.painted.connect(self._painted)
        window.worker.event.connect(self._event)
        self._start_deadline.start(int(start_timeout_s * 1000))

    # ---- what the window gets -------------------------------------------------------------------------
    def _event(self, event) -> None:
        if isinstance(event, live.Processed):
            self.tally.model = event.info.model
        elif isinstance(event, (live.Problem, live.Unavailable)):
            self.tally.problems += 1
            if event.message not in self.tally.messages and len(self.tally.messages) < KEPT_PROBLEMS:
                self.tally.messages.append(event.message)
            if isinstance(event, live.Unavailable):
                self.stop(f"the source could not be opened: {event.message}")

    def _painted(self, _latency_ms: float) -> None:
        self.tally.shown += 1
        if self.window.last_result is not None:  # the frame just painted: the newest the window was given
            self.tally.index = self.window.last_result.frame.index
        if self._base is None and self.tally.shown >= WARMUP_FRAMES:
            self._begin()
        elif self._base is not None and self.frames is not None and self.shown >= self.frames:
            self.stop("frames")

    # ---- the run ----------------------------------------------------------------------------------------
    def _begin(self) -> None:
        self._start_deadline.stop()
        self.started_at = self._clock()
        self._view = {"window": [self.window.width(), self.window.height()], "overlay": self.window.overlay.isVisible()}
        self._base = (self.tally.shown, self.tally.index or 0, self.tally.problems, self.errors.count)
        self.sample()
        self._sampler.start(max(1, round(self.every_s * 1000)))
        if self.minutes is not None:
            self._deadline.start(max(1, round(self.minutes * 60_000)))

    @property
    def shown(self) -> int:
        """Frames shown since the start (after warm-up)."""
        return self.tally.shown - self._base[0] if self._base else 0

    @property
    def clip_frames(self) -> int:
        """Frames of the clip that came and went since the start (shown or not)."""
        return (self.tally.index or 0) - self._base[1] if self._base else 0

    @property
    def problems(self) -> int:
        """Problems the window was told about plus errors logged, since the start."""
        return (self.tally.problems - self._base[2]) + (self.errors.count - self._base[3]) if self._base else 0

    def sample(self) -> None:
        assert self.started_at is not None, "sampled before the soak started"
        seconds = self._clock() - self.started_at
        mb = self._rss()
        self.samples.append((self.shown, seconds, mb))
        self.counts.append((self.clip_frames, max(0, self.clip_frames - self.shown), self.problems))
        if self._progress and len(self.samples) > 1:
            print(f"soak  {seconds / 60:7.1f} min  {self.shown:>9,} frames shown  RSS {mb:7.1f} MB  "
                  f"{self.problems} problems", file=sys.stderr, flush=True)

    def stop(self, reason: str) -> None:
        if self.stopped is not None:
            return
        self.stopped = reason
        for timer in (self._sampler, self._deadline, self._start_deadline):
            timer.stop()
        if self._base is not None:
            self.sample()
            self.ended_at = self._clock()
        logging.getLogger().removeHandler(self.errors)
        self._done(reason)

    # ---- the report ---------------------------------------------------------------------------------------
    def report(self, source: str) -> AppSoakReport:
        seconds = (self.ended_at - self.started_at) if self.started_at is not None and self.ended_at else 0.0
        curve = None
        if self.samples:
            curve = MemoryCurve.of(self.samples, self.every_s, unit="s",
                                   counts={"clip_frames": [c[0] for c in self.counts],
                                           "not_shown": [c[1] for c in self.counts],
                                           "problems": [c[2] for c in self.counts]})
        return AppSoakReport(
            source=source,
            model=self.tally.model,
            window=tuple(self._view["window"]) if self._view.get("window") else None,
            overlay=self._view.get("overlay"),
            warmup_frames=WARMUP_FRAMES,
            stopped=self.stopped,
            seconds=round(seconds, 2),
            frames_shown=self.shown,
            clip_frames=self.clip_frames,
            not_shown=max(0, self.clip_frames - self.shown),
            shown_fps=round(self.shown / seconds, 2) if seconds else 0.0,
            problems=self.problems,
            problem_messages=tuple(self.tally.messages),
            errors_logged=self.errors.count,
            peak_rss_mb=round(peak_mb(), 1),
            machine=machine(),
            soak=curve,
        )


def run_soak(*, minutes: float | None = None, frames: int | None = None, every_s: float | None = None,
             source: str = "synthetic", settings_path=None, pipeline_factory: PipelineFactory | None = None,
             opener: Callable[[str], Source] | None = None, size: tuple[int, int] | None = None,
             progress: bool = True, handle_signals: bool = True) -> AppSoakReport:
    """Soak the app (see the module's text) and return the report; ``report.ok`` says whether it ran
    to its end (time or frames) with frames flowing and no problem. SIGINT, SIGTERM and SIGHUP end it early, with
    a report of what it saw (``handle_signals``). ``pipeline_factory``/``opener`` are for tests."""
    every_s = check_settings(minutes, frames, every_s)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen needed; QT_QPA_PLATFORM=xcb shows it
    from PySide6.QtCore import QEventLoop  # lazy: Qt, loaded after prepare_qt_environment


    app = _application(sys.argv[:1])
    window = build_window(settings_path, pipeline_factory=pipeline_factory, opener=opener, overlay=True)
    loop = QEventLoop()
    soak = AppSoak(window, lambda _reason: loop.exit(0), every_s=every_s, minutes=minutes, frames=frames,
                   progress=progress)
    restore = on_stop_signals(app, lambda signum: soak.stop(f"signal {signum}")) if handle_signals else None
    try:
        run_locally(app, window, loop, source, size=size)
    finally:
        if restore is not None:
            restore()
        soak.stop("ended")  # (a no-op when it had stopped) the error log handler is removed
    return soak.report(source)


__all__ = ["WARMUP_FRAMES", "AppSoak", "SoakError", "check_settings", "run_soak"]
