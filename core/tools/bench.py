"""What ``hairtint bench`` runs: the whole pipeline, headless, over N frames at a given size.

Frames are prepared before the clock starts (rendered, decoded and resized), so the figures are the
pipeline's own: segment + smooth + refine + recolour, as the live view runs them. Memory is bounded by
design: sizes are checked before anything is allocated, and only a pool of at most ``POOL_BYTES`` of
distinct frames is kept, replayed in a loop however many frames are asked for. With ``soak_every``,
resident memory is sampled every that many frames (``hairtint bench --soak N``)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import time
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from core.errors import HairTintError
from core.frames import Frame, Look
from core.io.source_spec import parse_spec
from core.io.sources import Source, open_source
from core.pipeline.pipeline import Pipeline, PipelineStats
from core.tools.timing_reports import BenchReport, Machine, MemoryCurve

WARMUP = 10
POOL_FRAMES = 300  # distinct frames replayed in a loop (10 s of the demo clip at 30 fps)
POOL_BYTES = 288 * 2**20  # ... or fewer, so that the pool stays within this (300 frames at 640x480)
MAX_FRAMES = 100_000_000
MAX_SIDE = 7680
MAX_PIXELS = 7680 * 4320  # 8K UHD
STATS_WINDOW = 10_000  # latency percentiles over at most the last this many frames
DEFAULT_SIZE = (640, 480)


class BenchError(HairTintError):
    """Bench settings that cannot be run: no frames, a size too small or too large."""


def check_settings(frames: int, size: tuple[int, int], soak_every: int | None = None) -> None:
    """Raise BenchError before anything is allocated if ``frames``, ``size`` or ``soak_every`` cannot be run."""
    if isinstance(frames, bool) or not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
        raise BenchError(f"the number of frames must be a whole number from 1 to {MAX_FRAMES:,}, got {frames!r}")
    width, height = size
    if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise BenchError(f"frame size must be from 16x16 to {MAX_SIDE} pixels a side and at most 7680x4320 "
                         f"pixels in all, got {width}x{height}")
    if soak_every is not None and not 1 <= soak_every <= frames:
        raise BenchError(f"memory samples must be taken every 1 to {frames} frames, got {soak_every}")


def bench_size(source_spec: str, size: tuple[int, int] | None) -> tuple[int, int]:
    """The frame size a bench runs at: the one asked for, else the one a ``synthetic:WxH`` source names,
    else DEFAULT_SIZE. A size asked for that differs from the source's own is refused rather than one of
    them being quietly ignored (resizing ``synthetic:1920x1080@1m`` would change the person's distance)."""
    spec = parse_spec(source_spec)
    own = spec.size if spec.kind == "demo" and spec.problem is None else None
    if own is not None and size is not None and tuple(size) != own:
        raise BenchError(f"{spec.text} draws {own[0]}x{own[1]} frames but {size[0]}x{size[1]} was asked for: "
                         "give the size once, in the source or as the size")
    return (int(size[0]), int(size[1])) if size is not None else own or DEFAULT_SIZE


def machine() -> Machine:
    cpu = platform.machine()  # (platform.processor() would run `uname -p`)
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mediapipe  # lazy: MediaPipe, only for its version

    return Machine(cpu=cpu, cores=os.cpu_count(), system=f"{platform.system()} {platform.release()}",
                   python=platform.python_version(), mediapipe=mediapipe.__version__, opencv=cv2.__version__,
                   date=dt.date.today().isoformat())


def pool_size(frames: int, size: tuple[int, int]) -> int:
    """How many distinct frames bench keeps: at most POOL_FRAMES, and at most POOL_BYTES of them."""
    return max(1, min(frames, POOL_FRAMES, POOL_BYTES // (size[0] * size[1] * 3)))


def prepare_frames(source: Source, count: int, size: tuple[int, int]) -> list[np.ndarray]:
    """Up to ``count`` distinct frames from the source at ``size`` (a still gives one; it is repeated)."""
    frames: list[np.ndarray] = []
    while len(frames) < count:
        frame = source.read()
        if frame is None:
            break
        pixels = frame.pixels
        if frame.size != size:
            pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        frames.append(pixels)
    if not frames:
        raise BenchError("the benchmark source gave no frames")
    return frames


def resident_mb() -> float:
    """This process's resident memory now, in MB (the peak so far where /proc is not there)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_mb()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_bench(pipeline: Pipeline, source_spec: str, frames: int, size: tuple[int, int], look: Look,
              progress: bool = True, soak_every: int | None = None) -> BenchReport:
    """Time ``frames`` frames of ``source_spec`` at ``size`` (what :func:`bench_size` gives)."""
    check_settings(frames, size, soak_every)
    spec = parse_spec(source_spec)
    with open_source(f"synthetic:{size[0]}x{size[1]}" if spec.kind == "demo" and spec.size is None else spec) as source:
        pictures = prepare_frames(source, pool_size(frames, size), size)
    window = min(frames, STATS_WINDOW)
    pipeline.stats = PipelineStats(window=window)
    for i in range(WARMUP):
        pipeline.process(Frame(pictures[i % len(pictures)], i * 33, i, "bench"), look)
    pipeline.stats = PipelineStats(window=window)
    samples: list[tuple[int, float, float]] = []
    start = time.perf_counter()
    for i in tqdm(range(frames), desc="soak" if soak_every else "bench", unit="frame", disable=not progress):
        if soak_every and i % soak_every == 0:
            samples.append((i, time.perf_counter() - start, resident_mb()))
        k = WARMUP + i
        pipeline.process(Frame(pictures[k % len(pictures)], k * 33, k, "bench"), look)
    wall = time.perf_counter() - start
    if soak_every:
        samples.append((frames, wall, resident_mb()))
    stats = pipeline.stats.summary()
    info = pipeline.model_info
    return BenchReport(
        model=f"{info.id}@{info.version}" if info else "unknown",
        frames=frames,
        size=(size[0], size[1]),
        fps=frames / wall,
        latency_ms=stats["total"],
        stages={name: {"p50": stats[name]["p50"], "p95": stats[name]["p95"]}
                for name in ("segment", "smooth", "refine", "recolor")},
        peak_rss_mb=peak_mb(),
        machine=machine(),
        soak=MemoryCurve.of(samples, soak_every) if soak_every else None,
    )
