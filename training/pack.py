"""Pack dataset folders into one ``.npz`` (JPEG photos, PNG masks, set names, splits) so a training
machine without the folders can train from a single file: ``hairtint train --data hair.npz``.
Photos are shrunk so the longer side is at most ``longest``; masks keep the photo's size. With a
``teacher`` (a model's hair probability for a photo), each photo also gets that probability as an
8-bit greyscale JPEG at half the photo's size (it is smooth, so that is small), for training a small
net towards a larger one's output (``hairtint train --distill``); the teacher may be several models
averaged, each also on the mirror image."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from core.errors import DataError
from core.io.datasets import expand_sets, list_samples, load_rgb

SPLITS = ("train", "val")


def _encode(ext: str, image: np.ndarray, params: list[int]) -> np.ndarray:
    ok, buffer = cv2.imencode(ext, image, params)
    if not ok:
        raise DataError(f"could not encode a {ext} image")
    return buffer.ravel()


Teacher = Callable[[np.ndarray], np.ndarray]  # RGB uint8 H x W x 3 -> hair probability float H x W in [0, 1]


def teacher_model(refs: list[str], mirror: bool = False) -> Teacher:
    """Registered models (id, ``id@version``) or model files, run on whole photos (IMAGE mode); with
    several, the mean of their hair probabilities (hairnet-hq and hairnet 2.2.0 together score above
    either alone: docs/models/experiments.md, "Teachers measured"); with ``mirror``, each model's
    answer is itself the mean over the photo and its mirror image."""
    from core.frames import RunningMode
    from core.pipeline.engine import open_segmenter
    from core.stages.mirror import MirroredSegmenter
    from core.tools.evaluate import predict
    from core.tryon.session import Session

    registry = Session().registry
    segmenters = [open_segmenter(registry.resolve(ref), RunningMode.IMAGE) for ref in refs]
    if mirror:
        segmenters = [MirroredSegmenter(s) for s in segmenters]

    def hair(rgb: np.ndarray) -> np.ndarray:
        rgb = np.ascontiguousarray(rgb)
        probs = [np.asarray(predict(segmenter, rgb)[0], np.float32) for segmenter in segmenters]
        return sum(probs) / np.float32(len(probs))

    return hair


def pack(folders: list[Path], out: Path, longest: int = 384, quality: int = 90, splits: tuple[str, ...] = SPLITS,
         progress: bool = True, teacher: Teacher | None = None) -> dict:
    """Write the pack to ``out`` (atomically); returns photo counts per (set, split)."""
    rgbs, masks, taught, set_names, split_names, counts = [], [], [], [], [], {}
    items = [(folder.name, split, sample) for folder in expand_sets(folders) for split in splits
             for sample in list_samples(folder, split)]
    if not items:
        raise DataError(f"no train.txt / val.txt photos in {', '.join(map(str, folders))}")
    for set_name, split, sample in tqdm(items, desc="packing", unit="photo", disable=not progress):
        rgb = load_rgb(sample.image_path)
        mask = cv2.imread(str(sample.mask_path), cv2.IMREAD_GRAYSCALE)
        if mask is None:
            raise DataError(f"cannot read mask {sample.mask_path}")
        taught_prob = teacher(rgb) if teacher is not None else None  # the teacher sees the photo at full size
        h, w = rgb.shape[:2]
        scale = min(1.0, longest / max(h, w))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        if scale < 1.0:
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        if mask.shape[:2] != (size[1], size[0]):
            mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
        rgbs.append(_encode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]))
        masks.append(_encode(".png", mask, [cv2.IMWRITE_PNG_COMPRESSION, 9]))
        if taught_prob is not None:
            prob = cv2.resize(taught_prob, (max(1, size[0] // 2), max(1, size[1] // 2)), interpolation=cv2.INTER_AREA)
            prob = np.clip(np.round(prob * 255.0), 0, 255).astype(np.uint8)
            taught.append(_encode(".jpg", prob, [cv2.IMWRITE_JPEG_QUALITY, 90]))
        set_names.append(set_name)
        split_names.append(split)
        counts[(set_name, split)] = counts.get((set_name, split), 0) + 1
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    extra = {"teacher_bytes": np.concatenate(taught), "teacher_ends": np.cumsum([len(b) for b in taught])} if taught else {}
    np.savez(tmp, rgb_bytes=np.concatenate(rgbs), rgb_ends=np.cumsum([len(b) for b in rgbs]),
             mask_bytes=np.concatenate(masks), mask_ends=np.cumsum([len(b) for b in masks]),
             set_names=np.array(set_names), splits=np.array(split_names), **extra)
    os.replace(tmp, out)
    return counts
