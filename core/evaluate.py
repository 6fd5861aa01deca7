"""What ``hairtint eval`` runs: each model over labelled photos, IoU per photo, speed per photo.

Each photo goes whole to the segmenter in still-image mode (no previous mask, no smoothing, no
refinement), the hair probability comes back at the photo's size and is cut at 0.5. That is the
model's own quality, comparable across backends."""

from __future__ import annotations

import html
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from core.datasets import Sample, expand_sets, list_samples, load_mask, load_rgb
from core.errors import DataError
from core.frames import Frame
from core.metrics import mask_iou
from core.registry import ModelEntry

log = logging.getLogger(__name__)
FAILURE_IOU = 0.5


@dataclass
class ModelScores:
    model: str
    ious: list[float] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    stems: list[tuple[str, Sample]] = field(default_factory=list)

    def summary(self) -> dict:
        ious = np.asarray(self.ious, dtype=np.float64)
        return {
            "n": int(ious.size),
            "mean_iou": float(ious.mean()) if ious.size else float("nan"),
            "median_iou": float(np.median(ious)) if ious.size else float("nan"),
            "failure_rate": float((ious < FAILURE_IOU).mean()) if ious.size else float("nan"),
            "ms_per_image": float(np.mean(self.ms)) if self.ms else float("nan"),
        }

    def by_set(self) -> dict[str, dict]:
        sets: dict[str, ModelScores] = {}
        for (set_name, sample), iou, ms in zip(self.stems, self.ious, self.ms):
            part = sets.setdefault(set_name, ModelScores(self.model))
            part.ious.append(iou)
            part.ms.append(ms)
            part.stems.append((set_name, sample))
        return {name: part.summary() for name, part in sorted(sets.items())}


def collect_samples(folders: list[Path], split: str | None) -> list[tuple[str, Sample]]:
    """(set name, sample) for every set under ``folders``. ``split`` is a file of stems; where it is
    not a path that exists, each set's own file of that name is used (``--split val.txt``)."""
    found = []
    for folder in expand_sets([Path(f) for f in folders]):
        chosen = None
        if split is not None:
            chosen = Path(split) if Path(split).exists() else folder / Path(split).name
            if not chosen.exists():
                raise DataError(f"split file {Path(split).name} not found for set {folder}")
        found.extend((folder.name, s) for s in list_samples(folder, chosen))
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


def evaluate_model(segmenter, model_id: str, samples: list[tuple[str, Sample]], progress: bool = True) -> ModelScores:
    scores = ModelScores(model_id)
    for i, (set_name, sample) in enumerate(tqdm(samples, desc=f"eval {model_id}", unit="photo", disable=not progress)):
        rgb, truth = load_rgb(sample.image_path), load_mask(sample.mask_path)
        if truth.shape != rgb.shape[:2]:
            truth = cv2.resize(truth.astype(np.uint8), (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
        segmenter.reset()
        prob, ms = predict(segmenter, rgb, i)
        scores.ious.append(mask_iou(prob > 0.5, truth))
        scores.ms.append(ms)
        scores.stems.append((set_name, sample))
    return scores


def write_report(report_dir: Path, results: dict[str, ModelScores], segmenters: dict, worst: int = 8) -> Path:
    """An HTML page per run with each model's worst photos as image | truth | prediction."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for model_id, scores in results.items():
        summary = scores.summary()
        rows.append(f"<h2>{html.escape(model_id)}</h2><p>n={summary['n']} mean IoU {summary['mean_iou']:.3f}, "
                    f"median {summary['median_iou']:.3f}, failures {summary['failure_rate']:.1%}, "
                    f"{summary['ms_per_image']:.1f} ms/photo</p>")
        order = np.argsort(scores.ious)[:worst]
        for rank, k in enumerate(order):
            set_name, sample = scores.stems[k]
            rgb, truth = load_rgb(sample.image_path), load_mask(sample.mask_path)
            prob, _ = predict(segmenters[model_id], rgb, int(k))
            tile = np.hstack([rgb, np.dstack([truth.astype(np.uint8) * 255] * 3),
                              np.dstack([(prob * 255).astype(np.uint8)] * 3)])
            name = f"{_safe(model_id)}_{rank:02d}.jpg"
            cv2.imwrite(str(report_dir / name), cv2.cvtColor(tile, cv2.COLOR_RGB2BGR))
            rows.append(f"<figure><img src='{name}' height='200'><figcaption>{html.escape(set_name)}/"
                        f"{html.escape(sample.stem)} IoU {scores.ious[k]:.3f} (image | truth | prediction)</figcaption></figure>")
    page = report_dir / "index.html"
    page.write_text("<!doctype html><meta charset='utf-8'><title>HairTint evaluation</title>"
                    "<h1>HairTint evaluation: worst cases</h1>" + "\n".join(rows))
    return page


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
