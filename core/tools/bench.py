"""What ``hairtint bench`` runs: the whole pipeline, headless, over N frames at a given size.

Frames are prepared before the clock starts (rendered, decoded and resized), so the figures are the
pipeline's own: segment + smooth + refine + recolour, as the live view runs them."""

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

from core.frames import Frame, Look
from core.pipeline import Pipeline, PipelineStats
from core.io.sources import Source, open_source

WARMUP = 10


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mediapipe

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "mediapipe": mediapipe.__version__,
        "opencv": cv2.__version__,
        "date": dt.date.today().isoformat(),
    }


def prepare_frames(source: Source, count: int, size: tuple[int, int]) -> list[np.ndarray]:
    """Up to ``count`` distinct frames from the source at ``size`` (a still gives one; it is repeated)."""
    frames = []
    while len(frames) < count:
        frame = source.read()
        if frame is None:
            break
        pixels = frame.pixels
        if frame.size != size:
            pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
        frames.append(pixels)
    if not frames:
        raise ValueError("the benchmark source gave no frames")
    return frames


def run_bench(pipeline: Pipeline, source_spec: str, frames: int, size: tuple[int, int], look: Look,
              progress: bool = True) -> dict:
    with open_source(source_spec if source_spec != "synthetic" else f"synthetic:{size[0]}x{size[1]}") as source:
        pictures = prepare_frames(source, min(frames, 300), size)
    pipeline.stats = PipelineStats(window=max(frames, 1))
    for i in range(WARMUP):
        pipeline.process(Frame(pictures[i % len(pictures)], i * 33, i, "bench"), look)
    pipeline.stats = PipelineStats(window=max(frames, 1))
    start = time.perf_counter()
    for i in tqdm(range(frames), desc="bench", unit="frame", disable=not progress):
        k = WARMUP + i
        pipeline.process(Frame(pictures[k % len(pictures)], k * 33, k, "bench"), look)
    wall = time.perf_counter() - start
    stats = pipeline.stats.summary()
    info = pipeline.model_info
    return {
        "model": f"{info.id}@{info.version}" if info else "unknown",
        "frames": frames,
        "size": list(size),
        "fps": frames / wall,
        "latency_ms": stats["total"],
        "stages": {name: {"p50": stats[name]["p50"], "p95": stats[name]["p95"]}
                   for name in ("segment", "smooth", "refine", "recolor")},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "machine": machine(),
    }
