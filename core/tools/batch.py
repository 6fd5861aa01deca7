"""Recolouring photos on disk (``hairtint recolor``): which files, where each result goes, and one
pass over them that reports a bad file and goes on with the rest. Inputs are never overwritten."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import HairTintError
from core.frames import Frame, Look
from core.io.images import IMAGE_SUFFIXES, load_image, save_image
from core.io.naming import free_name, result_stem
from core.pipeline.pipeline import Pipeline
from core.stages.levels import LiftAdvice

log = logging.getLogger(__name__)
OUTPUT_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class Job:
    source: Path
    target: Path


@dataclass(frozen=True)
class Outcome:
    job: Job
    error: str | None = None
    advice: str | None = None  # e.g. that the shade needs pre-lightening on this hair

    @property
    def ok(self) -> bool:
        return self.error is None


def expand_inputs(inputs: list[Path]) -> tuple[list[Path], list[str]]:
    """Photo files named directly or found in folders (sorted, not recursive); and problems found."""
    files, problems = [], []
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                problems.append(f"{item}: no photos in this folder")
            files.extend(found)
        elif item.exists():
            files.append(item)
        else:
            problems.append(f"{item}: no such file or folder")
    return files, problems


def plan(inputs: list[Path], out: Path, look: Look) -> tuple[list[Job], list[str]]:
    """Where each result goes. A single photo may name an output file; otherwise ``out`` is a folder
    and each result is ``<stem>_<shade>_<intensity>.<jpg|png>`` (see :func:`result_stem` for tips and
    shine). A name already taken (by an input or an earlier result) gets a numbered suffix instead of
    being overwritten."""
    files, problems = expand_inputs(inputs)
    out = Path(out)
    single_file = len(files) == 1 and out.suffix.lower() in OUTPUT_SUFFIXES and not out.is_dir()
    taken = {f.resolve() for f in files}
    jobs = []
    for source in files:
        if single_file:
            target = out
        else:
            suffix = ".png" if source.suffix.lower() == ".png" else ".jpg"
            target = out / f"{result_stem(source.stem, look)}{suffix}"
        target = free_name(target, taken)
        taken.add(target.resolve())
        jobs.append(Job(source, target))
    return jobs, problems


def run(jobs: list[Job], pipeline: Pipeline, look: Look) -> Iterator[Outcome]:
    """Recolour each job's photo; a photo that fails yields its error and the pass goes on."""
    for i, job in enumerate(jobs):
        try:
            rgb = load_image(job.source)
            result = pipeline.process(Frame(rgb, 0, i, f"photo:{job.source}:{i}"), look)
            job.target.parent.mkdir(parents=True, exist_ok=True)
            save_image(job.target, result.pixels)
            yield Outcome(job, advice=LiftAdvice().update(result.hair_level, look))
        except (HairTintError, OSError) as exc:
            log.warning("%s: %s", job.source, exc)
            yield Outcome(job, str(exc))
