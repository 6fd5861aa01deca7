"""Training data: photos preloaded into memory at a working size, and augmentation for selfie and
kiosk framing (scale, crop, flip, rotation, aspect, colour and exposure, blur, noise)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from tqdm import tqdm

from core.datasets import Sample, expand_sets, list_samples, load_rgb

cv2.setNumThreads(1)


@dataclass
class Photo:
    rgb: np.ndarray  # uint8 H x W x 3
    mask: np.ndarray  # uint8 H x W, 0..255 (soft after resizing)
    set_name: str
    stem: str


def _fit(image: np.ndarray, longest: int, interpolation: int) -> np.ndarray:
    h, w = image.shape[:2]
    scale = longest / max(h, w)
    if scale >= 1.0:
        return image
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=interpolation)


def load_photos(folders: list[Path], split: str, longest: int, progress: bool = True) -> list[Photo]:
    """Read every sample of ``split`` in each set, shrunk so the longer side is at most ``longest``."""
    items: list[tuple[str, Sample]] = []
    for folder in expand_sets(folders):
        items.extend((folder.name, sample) for sample in list_samples(folder, split))
    photos = []
    for set_name, sample in tqdm(items, desc=f"loading {split}", unit="photo", disable=not progress):
        rgb = _fit(load_rgb(sample.image_path), longest, cv2.INTER_AREA)
        mask = cv2.imread(str(sample.mask_path), cv2.IMREAD_GRAYSCALE)
        if mask.shape[:2] != rgb.shape[:2]:
            mask = cv2.resize(mask, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_AREA)
        photos.append(Photo(rgb, mask, set_name, sample.stem))
    return photos


def random_affine(w: int, h: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """A 2x3 matrix taking a w x h photo to a size x size crop: the whole photo stretched to the square
    (as MediaPipe's segmenter feeds it), then zoomed, rotated, shifted, stretched and mirrored."""
    zoom = math.exp(rng.uniform(math.log(0.75), math.log(1.35)))
    aspect = math.exp(rng.uniform(math.log(0.8), math.log(1.25)))
    angle = math.radians(rng.uniform(-15, 15))
    sx, sy = size / w * zoom * math.sqrt(aspect), size / h * zoom / math.sqrt(aspect)
    if rng.random() < 0.5:
        sx = -sx
    cos, sin = math.cos(angle), math.sin(angle)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([sx, sy])
    shift = rng.uniform(-0.12, 0.12, size=2) * size
    centre_out = np.array([size / 2, size / 2]) + shift
    offset = centre_out - linear @ np.array([w / 2, h / 2])
    return np.hstack([linear, offset[:, None]]).astype(np.float32)


def augment_geometry(photo: Photo, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    h, w = photo.mask.shape
    matrix = random_affine(w, h, size, rng)
    rgb = cv2.warpAffine(photo.rgb, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    mask = cv2.warpAffine(photo.mask, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    if rng.random() < 0.2:
        sigma = rng.uniform(0.5, 1.8)
        rgb = cv2.GaussianBlur(rgb, (0, 0), sigma)
    return rgb, mask


def plain_geometry(photo: Photo, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The evaluation view: the whole photo stretched to the square."""
    rgb = cv2.resize(photo.rgb, (size, size), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(photo.mask, (size, size), interpolation=cv2.INTER_AREA)
    return rgb, mask


def to_tensor(rgb_batch: np.ndarray) -> torch.Tensor:
    """uint8 N x H x W x 3 -> float N x 3 x H x W in [-1, 1] (the normalisation written into the model metadata)."""
    x = torch.from_numpy(rgb_batch).permute(0, 3, 1, 2).float()
    return (x / 127.5 - 1.0).contiguous(memory_format=torch.channels_last)


def photometric(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Colour and exposure jitter on a [-1, 1] batch: gamma, brightness, contrast, saturation, white
    balance and sensor noise, each drawn per photo."""
    n = x.shape[0]

    def uniform(lo: float, hi: float, *shape: int) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, *shape, generator=generator)

    img = (x + 1.0) / 2.0
    gamma = torch.exp(uniform(-0.4, 0.4, 1, 1, 1))
    img = img.clamp(1e-4, 1.0) ** gamma
    gray = img.mean(dim=1, keepdim=True)
    img = gray + (img - gray) * uniform(0.5, 1.4, 1, 1, 1)
    img = img * uniform(0.85, 1.15, 3, 1, 1)  # white balance
    mean = img.mean(dim=(1, 2, 3), keepdim=True)
    img = mean + (img - mean) * uniform(0.7, 1.3, 1, 1, 1)
    img = img * uniform(0.7, 1.3, 1, 1, 1)
    noisy = torch.rand(n, 1, 1, 1, generator=generator) < 0.3
    noise = torch.randn(img.shape, generator=generator) * uniform(0.0, 0.04, 1, 1, 1)
    img = img + noise * noisy
    return (img.clamp(0.0, 1.0) * 2.0 - 1.0).contiguous(memory_format=torch.channels_last)


class Batches:
    """Shuffled augmented batches for one epoch, seeded by (seed, epoch) so a resumed run sees the same data."""

    def __init__(self, photos: list[Photo], size: int, batch_size: int, seed: int):
        self.photos, self.size, self.batch_size, self.seed = photos, size, batch_size, seed

    def __len__(self) -> int:
        return len(self.photos) // self.batch_size

    def epoch(self, epoch: int):
        rng = np.random.default_rng([self.seed, epoch])
        generator = torch.Generator().manual_seed(self.seed * 100_003 + epoch)
        order = rng.permutation(len(self.photos))
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            pairs = [augment_geometry(self.photos[i], self.size, rng) for i in order[start : start + self.batch_size]]
            rgb = np.stack([p[0] for p in pairs])
            mask = np.stack([p[1] for p in pairs])
            x = photometric(to_tensor(rgb), generator)
            y = torch.from_numpy(mask).float().div_(255.0).unsqueeze(1).contiguous(memory_format=torch.channels_last)
            yield x, y
