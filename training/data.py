"""Training photos held as one square tensor per split, on the CPU or the GPU.

Every photo is stretched to a ``source`` x ``source`` square once, at load time, which is how
MediaPipe's segmenter sees a frame (the whole picture stretched to the model's square). Photos come
from dataset folders (``images/``, ``masks/``, ``train.txt``, ``val.txt``) or from a pack file written
by ``training.pack`` (the same photos as JPEG/PNG bytes in one ``.npz``, to carry to a machine that
does not have the folders). Augmentation lives in ``training.augment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from tqdm import tqdm

from core.errors import DataError
from core.io.datasets import expand_sets, list_samples, load_rgb

cv2.setNumThreads(1)

PACK_SUFFIX = ".npz"


@dataclass
class PhotoSet:
    images: torch.Tensor  # uint8 N x 3 x S x S
    masks: torch.Tensor  # uint8 N x C x S x S, 0..255 (soft after resizing); C=2: a teacher's probability too
    boxes: torch.Tensor  # float N x 4: the hair's x0, y0, x1, y1 in [-1, 1]; NaN where there is no hair
    set_names: list[str]

    def __len__(self) -> int:
        return len(self.set_names)

    @property
    def source(self) -> int:
        return self.images.shape[-1]

    def to(self, device: torch.device) -> PhotoSet:
        return PhotoSet(self.images.to(device), self.masks.to(device), self.boxes.to(device), self.set_names)


def _square(rgb: np.ndarray, mask: np.ndarray, source: int) -> tuple[np.ndarray, np.ndarray]:
    h, w = mask.shape[:2]
    shrink = source < max(h, w)
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    rgb = cv2.resize(rgb, (source, source), interpolation=interpolation)
    mask = cv2.resize(mask, (source, source), interpolation=interpolation)
    return rgb, mask


def hair_box(mask: np.ndarray) -> list[float]:
    """The hair's bounding box in [-1, 1] coordinates (grid_sample's), NaN when the mask is empty."""
    ys, xs = np.nonzero(mask > 127)
    if len(xs) == 0:
        return [float("nan")] * 4
    h, w = mask.shape
    return [2 * xs.min() / w - 1, 2 * ys.min() / h - 1, 2 * (xs.max() + 1) / w - 1, 2 * (ys.max() + 1) / h - 1]


def _stack(pairs: list[tuple[np.ndarray, np.ndarray]], set_names: list[str]) -> PhotoSet:
    if not pairs:
        return PhotoSet(torch.zeros(0, 3, 1, 1, dtype=torch.uint8), torch.zeros(0, 1, 1, 1, dtype=torch.uint8),
                        torch.zeros(0, 4), [])
    images = torch.from_numpy(np.stack([p[0] for p in pairs])).permute(0, 3, 1, 2).contiguous()
    planes = [p[1] if p[1].ndim == 3 else p[1][:, :, None] for p in pairs]  # H x W x C: the truth, a teacher's
    masks = torch.from_numpy(np.stack(planes)).permute(0, 3, 1, 2).contiguous()
    boxes = torch.tensor([hair_box(m[:, :, 0]) for m in planes], dtype=torch.float32)
    return PhotoSet(images, masks, boxes, set_names)


def _read_mask(path: Path, shape: tuple[int, int]) -> np.ndarray:
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise DataError(f"cannot read mask {path}")
    if mask.shape[:2] != shape:
        mask = cv2.resize(mask, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return mask


def load_folders(folders: list[Path], split: str, source: int, progress: bool = True) -> PhotoSet:
    """Every sample of ``split`` in each set, stretched to ``source`` x ``source``."""
    items = [(folder.name, sample) for folder in expand_sets(folders) for sample in list_samples(folder, split)]
    pairs, names = [], []
    for set_name, sample in tqdm(items, desc=f"loading {split}", unit="photo", disable=not progress):
        rgb = load_rgb(sample.image_path)
        pairs.append(_square(rgb, _read_mask(sample.mask_path, rgb.shape[:2]), source))
        names.append(set_name)
    return _stack(pairs, names)


def load_pack(path: Path, split: str, source: int, progress: bool = True) -> PhotoSet:
    """The ``split`` photos of a pack file, stretched to ``source`` x ``source``; where the pack holds a
    teacher's probabilities, the masks have them as a second channel."""
    with np.load(path) as pack:
        keep = np.flatnonzero(pack["splits"] == split)
        set_names = [str(s) for s in pack["set_names"][keep]]
        rgb_bytes, rgb_ends = pack["rgb_bytes"], pack["rgb_ends"]
        mask_bytes, mask_ends = pack["mask_bytes"], pack["mask_ends"]
        teacher = (pack["teacher_bytes"], pack["teacher_ends"]) if "teacher_bytes" in pack.files else None
    pairs = []
    for i in tqdm(keep, desc=f"unpacking {split}", unit="photo", disable=not progress):
        rgb = _decode(rgb_bytes, rgb_ends, i, cv2.IMREAD_COLOR)[:, :, ::-1]
        mask = _decode(mask_bytes, mask_ends, i, cv2.IMREAD_GRAYSCALE)
        if teacher is not None:  # stored at half size
            taught = cv2.resize(_decode(*teacher, i, cv2.IMREAD_GRAYSCALE), mask.shape[::-1], interpolation=cv2.INTER_LINEAR)
            mask = np.dstack([mask, taught])
        pairs.append(_square(np.ascontiguousarray(rgb), mask, source))
    return _stack(pairs, set_names)


def _decode(buffer: np.ndarray, ends: np.ndarray, i: int, flags: int) -> np.ndarray:
    start = 0 if i == 0 else ends[i - 1]
    return cv2.imdecode(buffer[start : ends[i]], flags)


def load_photos(data: list[Path], split: str, source: int, progress: bool = True) -> PhotoSet:
    """``data``: dataset folders (or folders of sets), or pack files; all of one kind."""
    packs = [Path(d) for d in data if Path(d).suffix == PACK_SUFFIX]
    if packs and len(packs) != len(data):
        raise DataError("--data takes either dataset folders or pack files, not both")
    if not packs:
        return load_folders([Path(d) for d in data], split, source, progress)
    parts = [part for part in (load_pack(p, split, source, progress) for p in packs) if len(part)]
    if len({p.masks.shape[1] for p in parts}) > 1:  # some packs carry a teacher, some not: keep the truth alone
        parts = [PhotoSet(p.images, p.masks[:, :1].contiguous(), p.boxes, p.set_names) for p in parts]
    if len(parts) < 2:
        return parts[0] if parts else _stack([], [])
    return PhotoSet(torch.cat([p.images for p in parts]), torch.cat([p.masks for p in parts]),
                    torch.cat([p.boxes for p in parts]), [n for p in parts for n in p.set_names])


def count_photos(data: list[Path], split: str) -> dict[str, int]:
    """Photos per set in ``split``, for the model card."""
    counts: dict[str, int] = {}
    for d in map(Path, data):
        if d.suffix == PACK_SUFFIX:
            with np.load(d) as pack:
                for name in pack["set_names"][pack["splits"] == split]:
                    counts[str(name)] = counts.get(str(name), 0) + 1
        else:
            for folder in expand_sets([d]):
                counts[folder.name] = len(list_samples(folder, split))
    return counts
