"""The reports of ``hairtint bench`` (:class:`BenchReport`) and ``hairtint soak`` (:class:`AppSoakReport`),
with the machine they ran on and, over a soak, resident memory over time (:class:`MemoryCurve`). Each is
a frozen record: ``table()`` is the text the command prints, ``to_json()`` the JSON ``--json`` writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """What a run's figures were measured on (``core.tools.bench.machine``)."""

    cpu: str
    cores: int | None
    system: str
    python: str
    mediapipe: str
    opencv: str
    date: str

    def line(self) -> str:
        return f"{self.cpu}, {self.cores} cores, {self.system}"

    def to_json(self) -> dict:
        return {"cpu": self.cpu, "cores": self.cores, "system": self.system, "python": self.python,
                "mediapipe": self.mediapipe, "opencv": self.opencv, "date": self.date}


@dataclass(frozen=True)
class MemoryCurve:
    """Resident memory over a soak: ``samples`` (frame, seconds, MB), taken every ``every`` ``unit``
    ("frames", or "s" for the app's soak); growth from the first sample (taken after warm-up) to the
    last, and over the second half alone. ``counts``: more figures, one per sample (the app's soak)."""

    every: float
    unit: str
    samples: tuple[tuple[int, float, float], ...]
    start_mb: float
    end_mb: float
    max_mb: float
    growth_mb: float
    growth_second_half_mb: float
    counts: Mapping[str, tuple[int, ...]] | None = None

    @classmethod
    def of(cls, samples: Sequence[tuple[int, float, float]], every: float, unit: str = "frames",
           counts: Mapping[str, Sequence[int]] | None = None) -> MemoryCurve:
        first, last = samples[0][2], samples[-1][2]
        middle = samples[len(samples) // 2][2]
        return cls(every, unit, tuple((f, round(s, 2), round(mb, 1)) for f, s, mb in samples),
                   start_mb=round(first, 1), end_mb=round(last, 1), max_mb=round(max(m for _, _, m in samples), 1),
                   growth_mb=round(last - first, 1), growth_second_half_mb=round(last - middle, 1),
                   counts=None if counts is None else {name: tuple(values) for name, values in counts.items()})

    def to_json(self) -> dict:
        out = {"every": self.every, "unit": self.unit, "samples": [list(sample) for sample in self.samples],
               "start_mb": self.start_mb, "end_mb": self.end_mb, "max_mb": self.max_mb, "growth_mb": self.growth_mb,
               "growth_second_half_mb": self.growth_second_half_mb}
        if self.counts is not None:
            out["counts"] = {name: list(values) for name, values in self.counts.items()}
        return out

    def table(self, rows: int = 11, columns: Mapping[str, Sequence] | None = None) -> str:
        """About ``rows`` of the samples, then the growth. ``columns``: more figures, one per sample,
        shown after the memory."""
        samples = self.samples
        step = max(1, (len(samples) - 1) // (rows - 1))
        picked = list(range(0, len(samples), step))
        if picked[-1] != len(samples) - 1:
            picked.append(len(samples) - 1)
        columns = columns or {}
        widths = {name: max(8, len(name)) for name in columns}
        lines = [f"{'frame':>9} {'seconds':>8} {'RSS MB':>8} {'change':>8}" + "".join(f" {n:>{widths[n]}}" for n in columns)]
        for i in picked:
            f, s, mb = samples[i]
            lines.append(f"{f:>9} {s:>8.1f} {mb:>8.1f} {mb - self.start_mb:>+8.1f}"
                         + "".join(f" {values[i]:>{widths[n]}}" for n, values in columns.items()))
        every = f"{self.every:g} s" if self.unit == "s" else f"{self.every} {self.unit}"
        lines.append(f"growth   {self.growth_mb:+.1f} MB over the run ({self.start_mb:.1f} -> {self.end_mb:.1f} MB, "
                     f"after warm-up), {self.growth_second_half_mb:+.1f} MB over its second half; "
                     f"sampled every {every}")
        return "\n".join(lines)


@dataclass(frozen=True)
class BenchReport:
    """``hairtint bench``: the pipeline's speed over ``frames`` frames of ``size``; latency percentiles
    (ms) of the whole and of each stage; peak resident memory; with ``--soak``, memory over time."""

    model: str
    frames: int
    size: tuple[int, int]
    fps: float
    latency_ms: Mapping[str, float]
    stages: Mapping[str, Mapping[str, float]]
    peak_rss_mb: float
    machine: Machine
    soak: MemoryCurve | None = None

    def to_json(self) -> dict:
        out = {"model": self.model, "frames": self.frames, "size": list(self.size), "fps": self.fps,
               "latency_ms": dict(self.latency_ms), "stages": {name: dict(times) for name, times in self.stages.items()},
               "peak_rss_mb": self.peak_rss_mb, "machine": self.machine.to_json()}
        if self.soak is not None:
            out["soak"] = self.soak.to_json()
        return out

    def table(self) -> str:
        lines = [f"model    {self.model}",
                 f"frames   {self.frames} at {self.size[0]}x{self.size[1]}",
                 f"speed    {self.fps:.1f} frames/s",
                 f"machine  {self.machine.line()}",
                 f"memory   {self.peak_rss_mb:.0f} MB peak",
                 "",
                 f"{'stage':<10} {'p50 ms':>8} {'p95 ms':>8}"]
        for name, times in self.stages.items():
            lines.append(f"{name:<10} {times['p50']:>8.1f} {times['p95']:>8.1f}")
        total = self.latency_ms
        lines.append(f"{'total':<10} {total['p50']:>8.1f} {total['p95']:>8.1f}   (p99 {total['p99']:.1f})")
        if self.soak is not None:
            lines += ["", self.soak.table()]
        return "\n".join(lines)


@dataclass(frozen=True)
class AppSoakReport:
    """``hairtint soak``: the app itself on ``source`` for ``seconds`` after the warm-up frames, why it
    ``stopped`` ("time", "frames", a signal, a source that could not be opened), the frames shown and
    not shown, the problems the window was told about (and errors logged), and memory over time."""

    source: str
    model: str | None
    window: tuple[int, int] | None
    overlay: bool | None
    warmup_frames: int
    stopped: str | None
    seconds: float
    frames_shown: int
    clip_frames: int
    not_shown: int
    shown_fps: float
    problems: int
    problem_messages: tuple[str, ...]
    errors_logged: int
    peak_rss_mb: float
    machine: Machine
    soak: MemoryCurve | None = None

    @property
    def ok(self) -> bool:
        """It ran to its end (time or frames) with frames flowing and no problem."""
        return self.stopped in ("time", "frames") and self.frames_shown > 0 and self.problems == 0

    def to_json(self) -> dict:
        out = {"command": "soak", "source": self.source, "model": self.model,
               "window": None if self.window is None else list(self.window), "overlay": self.overlay,
               "warmup_frames": self.warmup_frames, "stopped": self.stopped, "seconds": self.seconds,
               "frames_shown": self.frames_shown, "clip_frames": self.clip_frames, "not_shown": self.not_shown,
               "shown_fps": self.shown_fps, "problems": self.problems, "problem_messages": list(self.problem_messages),
               "errors_logged": self.errors_logged, "peak_rss_mb": self.peak_rss_mb, "machine": self.machine.to_json()}
        if self.soak is not None:
            out["soak"] = self.soak.to_json()
        out["ok"] = self.ok
        return out

    def table(self) -> str:
        window = self.window or ["?", "?"]
        lines = [f"model     {self.model}",
                 f"source    {self.source}, window {window[0]}x{window[1]}, overlay {'on' if self.overlay else 'off'}",
                 f"time      {self.seconds / 60:.1f} min after {self.warmup_frames} warm-up frames (ended: {self.stopped})",
                 f"frames    {self.frames_shown:,} shown ({self.shown_fps:.1f} frames/s), "
                 f"{self.not_shown:,} of the clip's {self.clip_frames:,} not shown",
                 f"problems  {self.problems} ({self.errors_logged} errors logged)",
                 f"machine   {self.machine.line()}",
                 f"memory    {self.peak_rss_mb:.0f} MB peak"]
        lines += [f"          {message}" for message in self.problem_messages]
        if self.soak is not None:
            counts = self.soak.counts or {}
            lines += ["", self.soak.table(columns={"not shown": counts.get("not_shown", ()),
                                                   "problems": counts.get("problems", ())})]
        return "\n".join(lines)


__all__ = ["AppSoakReport", "BenchReport", "Machine", "MemoryCurve"]
