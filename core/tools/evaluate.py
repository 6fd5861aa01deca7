"""What ``hairtint eval`` runs: each model over labelled photos, IoU per photo, speed per photo, and
the edge figures of the whole still pipeline.

Each photo goes whole to the segmenter in still-image mode (no previous mask, no smoothing); the hair
probability comes back at the photo's size and, cut at 0.5, gives the model's own IoU, comparable
across backends. The same probability then goes through the still pipeline's refine and recolour
stages for the boundary score, bleed and coverage (``core.tools.edge_metrics``) and for the hairline
figures: seam, follow-through and clean bleed of each hairline look, and how far light strands follow
(``core.tools.hairline_metrics``); and for dark hair, whether a lift keeps the strands and reaches its
swatch (``core.tools.texture_metrics``)."""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
from tqdm import tqdm

from core.errors import DataError
from core.frames import Frame, Look
from core.io.datasets import (
    MaskOrientationError,
    Sample,
    expand_sets,
    list_samples,
    load_mask,
    load_pair,
    mask_orientation_unclear,
)
from core.io.naming import shorten
from core.stages.head_crop import place_far
from core.tools import edge_metrics as em
from core.tools import hairline_metrics as hm
from core.tools import texture_metrics as tm
from core.tools.mask_metrics import false_positive_area, mask_iou

log = logging.getLogger(__name__)
FAILURE_IOU = 0.5
EDGE_FIGURES = ("boundary_f", "bleed", "coverage", *hm.FIGURES, *tm.FIGURES)
MEDIAN_FIGURES = tuple(name for name in tm.FIGURES if name != "dark")  # summed up by their median (dark hair)
P10_FIGURES = tuple(name for name in MEDIAN_FIGURES if name.startswith("spread_"))  # and their 10th percentile
SEAM_CROP, SEAM_ZOOM = 80, 3  # the report's hairline crops: px of the photo, and how many times enlarged


@dataclass
class ModelScores:
    """Per-photo figures of one model: ``iou`` of the model's own mask (cut at 0.5, no refinement);
    ``boundary_f``, ``bleed`` and ``coverage`` of the whole still pipeline's mask and recolour (see
    ``core.tools.edge_metrics``), its hairline figures (``core.tools.hairline_metrics.FIGURES``) and its
    texture figures (``core.tools.texture_metrics.FIGURES``: medians over the dark photos, and
    ``<spread>_p10``); ``ms``: the segmenter's time."""

    model: str
    ious: list[float] = field(default_factory=list)
    fps: list[float] = field(default_factory=list)  # false-positive area of the model's own mask
    ms: list[float] = field(default_factory=list)
    stems: list[tuple[str, Sample]] = field(default_factory=list)
    edges: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in EDGE_FIGURES})

    def add(self, set_name: str, sample: Sample, iou: float, ms: float, edge: dict[str, float] | None = None,
            fp: float = float("nan")) -> None:
        self.stems.append((set_name, sample))
        self.ious.append(iou)
        self.fps.append(fp)
        self.ms.append(ms)
        for name, values in self.edges.items():
            values.append(float("nan") if edge is None else edge[name])

    def summary(self) -> dict:
        ious = np.asarray(self.ious, dtype=np.float64)
        fps = _numbers(self.fps)
        out = {
            "n": int(ious.size),
            "mean_iou": float(ious.mean()) if ious.size else float("nan"),
            "median_iou": float(np.median(ious)) if ious.size else float("nan"),
            "failure_rate": float((ious < FAILURE_IOU).mean()) if ious.size else float("nan"),
            "fp_area": float(fps.mean()) if fps.size else float("nan"),
            "ms_per_image": float(np.mean(self.ms)) if self.ms else float("nan"),
        }
        for name, listed in self.edges.items():
            values = _numbers(listed)
            if not values.size:
                out[name] = float("nan")
            elif name in MEDIAN_FIGURES:
                out[name] = float(np.median(values))
            else:
                out[name] = float(values.mean())
            if name in P10_FIGURES:
                out[f"{name}_p10"] = float(np.percentile(values, 10)) if values.size else float("nan")
        return out

    def by_set(self) -> dict[str, dict]:
        return self.grouped(lambda set_name, sample: set_name)

    def grouped(self, group_of: Callable[[str, Sample], str | None]) -> dict[str, dict]:
        """``summary`` of each group of photos, ``group_of(set name, sample)`` naming a photo's group (None:
        in none), in the groups' order."""
        groups: dict[str, ModelScores] = {}
        for k, (set_name, sample) in enumerate(self.stems):
            group = group_of(set_name, sample)
            if group is None:
                continue
            part = groups.setdefault(group, ModelScores(self.model))
            part.add(set_name, sample, self.ious[k], self.ms[k], {name: v[k] for name, v in self.edges.items()},
                     self.fps[k])
        return {name: part.summary() for name, part in sorted(groups.items())}


def _numbers(values: list[float]) -> np.ndarray:
    """The values that are numbers (not NaN), float64."""
    array = np.asarray(values, dtype=np.float64)
    return array[~np.isnan(array)]


def collect_samples(folders: list[Path], split: str | None,
                    mask_orientation: str | None = None) -> list[tuple[str, Sample]]:
    """(set name, sample) for every set under ``folders``. ``split`` is a file of stems; where it is
    not a path that exists, each set's own file of that name is used (``--split val.txt``).
    ``mask_orientation`` ("upright", "stored"): how masks were drawn where a photo's EXIF tag turns it
    and the mask's shape cannot tell (see ``core.io.datasets.load_pair``)."""
    found: list[tuple[str, Sample]] = []
    for folder in expand_sets([Path(f) for f in folders]):
        chosen = None
        if split is not None:
            chosen = Path(split) if Path(split).exists() else folder / Path(split).name
            if not chosen.exists():
                raise DataError(f"split file {Path(split).name} not found for set {folder}")
        found.extend((folder.name, replace(s, mask_orientation=mask_orientation))
                     for s in list_samples(folder, chosen))
    if not found:
        raise DataError("no labelled photos found in " + ", ".join(str(f) for f in folders))
    return found


def first_per_set(samples: list[tuple[str, Sample]], limit: int) -> list[tuple[str, Sample]]:
    """The first ``limit`` samples of each set, in order (quick checks, the pinned regression subset)."""
    counts: dict[str, int] = {}
    kept = []
    for set_name, sample in samples:
        if counts.get(set_name, 0) < limit:
            kept.append((set_name, sample))
            counts[set_name] = counts.get(set_name, 0) + 1
    return kept


def predict(segmenter, rgb: np.ndarray, index: int = 0) -> tuple[np.ndarray, float]:
    """Hair probability at the photo's size and the milliseconds the segmenter took."""
    frame = Frame(rgb, timestamp_ms=index, index=index, source_id="eval")
    start = time.perf_counter()
    prob = segmenter.segment(frame)
    ms = (time.perf_counter() - start) * 1000.0
    if prob.shape != rgb.shape[:2]:
        prob = cv2.resize(prob, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)
    return prob, ms


class EdgeView(NamedTuple):
    """One photo's edge figures and the pictures they came from (the report draws them): ``ours`` and
    ``reference`` dyed with ``edge_metrics.TEST_LOOK`` through the pipeline's mask and the true mask,
    ``bled`` the band pixels that changed visibly; ``dyed`` dyed Copper Red at 70 through the pipeline's
    mask and ``hairline`` that picture's hairline figures and maps (``hairline_metrics.Hairline``)."""

    figures: dict[str, float]
    ours: np.ndarray
    reference: np.ndarray
    bled: np.ndarray
    dyed: np.ndarray
    hairline: hm.Hairline


class EdgeJudge:
    """The still pipeline's refine and recolour stages, run on a model's hair probability to measure
    what a customer sees at the hair's edge (see ``core.tools.edge_metrics``)."""

    def __init__(self, refiner, recolorer):
        self.refiner, self.recolorer = refiner, recolorer

    def judge(self, rgb: np.ndarray, prob: np.ndarray, truth: np.ndarray, index: int) -> EdgeView:
        frame = Frame(rgb, timestamp_ms=0, index=0, source_id=f"eval-{index}")  # a photo is its own source
        mask = self.refiner.refine(prob, frame)
        ours = self.recolorer.recolor(rgb, mask, em.TEST_LOOK)
        reference = self.recolorer.recolor(rgb, truth.astype(np.float32), em.TEST_LOOK)
        recolour = em.recolour_edge(rgb, ours, reference, truth)
        figures = {"boundary_f": em.boundary_f(mask > 0.5, truth), "bleed": recolour.bleed,
                   "coverage": recolour.coverage}
        dyed = {key: ours if look == em.TEST_LOOK else self.recolorer.recolor(rgb, mask, look)
                for key, look in hm.HAIRLINE_LOOKS.items()}
        hairline, lines = hm.hairline_figures(rgb, dyed, truth)
        figures.update(hairline)
        figures.update(tm.texture_figures(rgb, lambda look: self.recolorer.recolor(rgb, mask, look), truth))
        return EdgeView(figures, ours, reference, recolour.bled, dyed["copper"], lines["copper"])

    def dye_through_truth(self, rgb: np.ndarray, truth: np.ndarray, index: int,
                          look: Look = hm.COPPER_LOOK) -> np.ndarray:
        """The photo dyed through its true mask by the same stages (refine, face guard, recolour): what
        the pipeline would show with a perfect model."""
        frame = Frame(rgb, timestamp_ms=0, index=0, source_id=f"eval-{index}")
        return self.recolorer.recolor(rgb, self.refiner.refine(truth.astype(np.float32), frame), look)

    def close(self) -> None:
        close = getattr(self.refiner, "close", None)
        if close is not None:
            close()


def check_masks(samples: list[tuple[str, Sample]]) -> None:
    """Read every mask before a run starts: DataError naming the first that cannot be used, or saying
    how many turned photos have masks that could be either way round (``load_pair``), so that no IoU
    is measured against a mask turned the wrong way."""
    for _, sample in samples:
        load_mask(sample.mask_path)
    unclear = [(set_name, sample) for set_name, sample in samples if mask_orientation_unclear(sample)]
    if unclear:
        set_name, first = unclear[0]
        count = "1 photo is" if len(unclear) == 1 else f"{len(unclear)} photos are"
        raise MaskOrientationError(
            f"{count} stored turned (EXIF orientation) with masks whose shape cannot tell whether they were drawn "
            f"on the photo as shown or on its stored pixels, and the two readings give different IoUs (first: "
            f"{set_name}/{first.image_path.name}): say which with --mask-orientation upright or stored")


def evaluate_model(segmenter, model_id: str, samples: list[tuple[str, Sample]], progress: bool = True,
                   edges: EdgeJudge | None = None, far: float | None = None) -> ModelScores:
    """IoU of the model's own mask on each photo; with ``edges``, the edge figures of the whole still
    pipeline too; with ``far``, each photo shrunk to that share of a 640x480 frame first
    (``core.stages.head_crop.place_far``)."""
    scores = ModelScores(model_id)
    for i, (set_name, sample) in enumerate(tqdm(samples, desc=f"eval {model_id}", unit="photo", disable=not progress)):
        rgb, truth = load_pair(sample)
        if far is not None:
            rgb, truth = place_far(rgb, truth, far, seed=i)
        segmenter.reset()
        prob, ms = predict(segmenter, rgb, i)
        edge = edges.judge(rgb, prob, truth, i).figures if edges is not None else None
        scores.add(set_name, sample, mask_iou(prob > 0.5, truth), ms, edge, false_positive_area(prob > 0.5, truth))
    return scores


def true_mask_seen_at(truth: np.ndarray, size: int) -> np.ndarray:
    """The photo's true mask as a perfect model with a ``size`` x ``size`` input would give it: squeezed to
    the model's square (area average), then enlarged back to the photo as the segment stage enlarges a
    model's output."""
    small = cv2.resize(truth.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA)
    return np.clip(cv2.resize(small, (truth.shape[1], truth.shape[0]), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def evaluate_true_masks(samples: list[tuple[str, Sample]], size: int, edges: EdgeJudge,
                        progress: bool = True) -> ModelScores:
    """The still pipeline's figures when the model is perfect at a ``size`` input: each photo's true mask
    (``true_mask_seen_at``) in place of the model's probability. What is left of bleed and coverage here
    is the refine, face-guard and recolour stages' own; the rest of a model's is the model's."""
    scores = ModelScores(f"true masks at {size}x{size}")
    for i, (set_name, sample) in enumerate(tqdm(samples, desc=scores.model, unit="photo", disable=not progress)):
        rgb, truth = load_pair(sample)
        prob = true_mask_seen_at(truth, size)
        scores.add(set_name, sample, mask_iou(prob > 0.5, truth), float("nan"), edges.judge(rgb, prob, truth, i).figures,
                   false_positive_area(prob > 0.5, truth))
    return scores


def write_report(report_dir: Path, results: dict[str, ModelScores], segmenters: dict, worst: int = 8,
                 edges: EdgeJudge | None = None) -> Path:
    """An HTML page per run with each model's worst photos as image | truth | prediction and, with
    ``edges``, its worst hairlines as crops: photo | ours | recoloured through the true mask, for bleed
    (``edge_metrics.TEST_LOOK``) and for seam (Copper Red at 70, the true mask through the same stages)."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for model_id, scores in results.items():
        summary = scores.summary()
        rows.append(f"<h2>{html.escape(model_id)}</h2><p>n={summary['n']} mean IoU {summary['mean_iou']:.3f}, "
                    f"median {summary['median_iou']:.3f}, failures {summary['failure_rate']:.1%}, "
                    f"{summary['ms_per_image']:.1f} ms/photo; boundary F {summary['boundary_f']:.3f}, "
                    f"bleed {summary['bleed']:.1%}, coverage {summary['coverage']:.3f}; Copper Red at 70: "
                    f"seam {_shown(summary['seam_copper'], '.1%')}, follow {_shown(summary['follow_copper'], '.2f')}, "
                    f"clean bleed {_shown(summary['clean_copper'], '.1%')}, light strands follow "
                    f"{_shown(summary['light_follow'], '.2f')}</p>")
        rows.append("<h3>Lowest IoU</h3>")
        for rank, k in enumerate(np.argsort(scores.ious)[:worst]):
            set_name, sample = scores.stems[k]
            rgb, truth = load_pair(sample)
            prob, _ = predict(segmenters[model_id], rgb, int(k))
            tile = np.hstack([rgb, np.dstack([truth.astype(np.uint8) * 255] * 3),
                              np.dstack([(prob * 255).astype(np.uint8)] * 3)])
            name = f"{_safe(model_id)}_{rank:02d}.jpg"
            _save(report_dir / name, tile)
            rows.append(_figure(name, f"{set_name}/{sample.stem} IoU {scores.ious[k]:.3f} (image | truth | prediction)"))
        if edges is None:
            continue
        rows.append("<h3>Most bleed at the hairline (dyed #2E6FD8 at 100)</h3>")
        bleed = np.nan_to_num(np.asarray(scores.edges["bleed"], np.float64), nan=-1.0)
        for rank, k in enumerate(np.argsort(-bleed)[:worst]):
            set_name, sample = scores.stems[k]
            rgb, truth = load_pair(sample)
            prob, _ = predict(segmenters[model_id], rgb, int(k))
            view = edges.judge(rgb, prob, truth, int(k))
            x, y, w, h = em.worst_crop(view.bled, max(48, min(rgb.shape[:2]) // 3))
            crops = [p[y : y + h, x : x + w] for p in (rgb, view.ours, view.reference)]
            tile = cv2.resize(np.hstack(crops), None, fx=256 / h, fy=256 / h, interpolation=cv2.INTER_NEAREST)
            name = f"{_safe(model_id)}_edge_{rank:02d}.jpg"
            _save(report_dir / name, tile)
            f = view.figures
            rows.append(_figure(name, f"{set_name}/{sample.stem} bleed {f['bleed']:.1%}, coverage "
                                      f"{f['coverage']:.3f} (photo | ours | true-mask recolour)"))
        rows.extend(_seam_rows(report_dir, model_id, scores, segmenters[model_id], edges, worst))
    page = report_dir / "index.html"
    page.write_text("<!doctype html><meta charset='utf-8'><title>HairTint evaluation</title>"
                    "<h1>HairTint evaluation: worst cases</h1>" + "\n".join(rows))
    return page


def _seam_rows(report_dir: Path, model_id: str, scores: ModelScores, segmenter, edges: EdgeJudge,
               worst: int) -> list[str]:
    """The report's hairline section for one model: its ``worst`` photos by seam (Copper Red at 70), each
    as crops photo | ours | dyed through the true mask by the same stages, enlarged ``SEAM_ZOOM`` times."""
    rows = ["<h3>Hairline (Copper Red at 70): most seam</h3>"]
    seam = np.nan_to_num(np.asarray(scores.edges["seam_copper"], np.float64), nan=-1.0)
    for rank, k in enumerate(np.argsort(-seam, kind="stable")[:worst]):
        set_name, sample = scores.stems[k]
        rgb, truth = load_pair(sample)
        prob, _ = predict(segmenter, rgb, int(k))
        view = edges.judge(rgb, prob, truth, int(k))
        reference = edges.dye_through_truth(rgb, truth, int(k))
        line = view.hairline
        x, y, w, h = hm.hairline_crop(line.seamed if line.seamed.any() else line.mixed, SEAM_CROP)
        crops = [p[y : y + h, x : x + w] for p in (rgb, view.dyed, reference)]
        tile = cv2.resize(np.hstack(crops), None, fx=SEAM_ZOOM, fy=SEAM_ZOOM, interpolation=cv2.INTER_NEAREST)
        name = f"{_safe(model_id)}_hairline_{rank:02d}.jpg"
        _save(report_dir / name, tile)
        f = view.figures
        rows.append(_figure(name, f"{set_name}/{sample.stem} seam {_shown(f['seam_copper'], '.1%')}, follow "
                                  f"{_shown(f['follow_copper'], '.2f')}, clean bleed {_shown(f['clean_copper'], '.1%')} "
                                  f"(photo | ours | dyed through the true mask, {SEAM_ZOOM}x)", tile.shape[0]))
    return rows


def _shown(value: float, spec: str) -> str:
    """A figure for a caption; '-' where it was not measured."""
    return "-" if value != value else format(value, spec)


def _save(path: Path, rgb: np.ndarray) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def _figure(name: str, caption: str, height: int = 256) -> str:
    return f"<figure><img src='{name}' height='{height}'><figcaption>{html.escape(caption)}</figcaption></figure>"


def _safe(text: str) -> str:
    """A model's name as the start of a report file's name (a long one shortened)."""
    return shorten("".join(c if c.isalnum() or c in "-_." else "_" for c in text), 120)
