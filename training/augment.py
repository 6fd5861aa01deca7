"""Augmentation for selfie, kiosk and news-photo framing, on whole batches and on whichever device
holds them (so a GPU run does not wait on the CPU).

- Geometry: zoom, rotation, shift, aspect and mirror of the whole photo; and, for a share of each
  batch, a *head crop*: the view centred on the hair and zoomed so the head fills most of the
  square, which is what the app feeds the model when it crops round a face far from the camera.
- Camera: colour, white balance and exposure, low light with sensor noise, blur, a low-resolution
  sensor, and real JPEG block quantisation.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from training.data import PhotoSet

HEAD_CROP_SHARE = 0.35


def _uniform(g: torch.Generator, n: int, lo: float, hi: float) -> torch.Tensor:
    return lo + (hi - lo) * torch.rand(n, generator=g, device=g.device)


def _chance(g: torch.Generator, n: int, p: float) -> torch.Tensor:
    return torch.rand(n, generator=g, device=g.device) < p


def geometry(boxes: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """N x 2 x 3 matrices taking the output square to the source square ([-1, 1] coordinates)."""
    n = boxes.shape[0]
    zoom = torch.exp(_uniform(g, n, math.log(0.7), math.log(1.4)))
    centre = torch.stack([_uniform(g, n, -0.15, 0.15), _uniform(g, n, -0.15, 0.15)], dim=1)

    # head crops: centre on the hair, zoom so its larger half-extent covers 45-90 % of the output's
    has_hair = ~torch.isnan(boxes[:, 0])
    head = _chance(g, n, HEAD_CROP_SHARE) & has_hair
    safe = torch.nan_to_num(boxes, nan=0.0)
    half = torch.maximum(safe[:, 2] - safe[:, 0], safe[:, 3] - safe[:, 1]).clamp(min=0.05) / 2
    head_zoom = (_uniform(g, n, 0.45, 0.9) / half).clamp(0.5, 4.0)
    head_centre = torch.stack([(safe[:, 0] + safe[:, 2]) / 2, (safe[:, 1] + safe[:, 3]) / 2], dim=1)
    head_centre = head_centre + (torch.rand(n, 2, generator=g, device=g.device) - 0.5) * 0.2 * half[:, None]
    zoom = torch.where(head, head_zoom, zoom)
    centre = torch.where(head[:, None], head_centre, centre)

    aspect = torch.exp(_uniform(g, n, math.log(0.8), math.log(1.25)))
    angle = torch.deg2rad(_uniform(g, n, -20.0, 20.0))
    mirror = torch.where(_chance(g, n, 0.5), -1.0, 1.0)
    sx, sy = mirror / (zoom * aspect.sqrt()), aspect.sqrt() / zoom
    cos, sin = torch.cos(angle), torch.sin(angle)
    return torch.stack([torch.stack([cos * sx, -sin * sy, centre[:, 0]], dim=1),
                        torch.stack([sin * sx, cos * sy, centre[:, 1]], dim=1)], dim=1)


def _gaussian_blur(img: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, math.ceil(2.5 * sigma))
    x = torch.arange(-radius, radius + 1, device=img.device, dtype=img.dtype)
    k = torch.exp(-(x**2) / (2 * sigma**2))
    k = k / k.sum()
    c = img.shape[1]
    img = F.conv2d(F.pad(img, (radius, radius, 0, 0), mode="reflect"), k.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(F.pad(img, (0, 0, radius, radius), mode="reflect"), k.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def _where(pick: torch.Tensor, changed: torch.Tensor, img: torch.Tensor) -> torch.Tensor:
    return torch.where(pick[:, None, None, None], changed, img)


# the JPEG standard's example quantisation tables (ITU T.81, Annex K)
_LUMA = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
         14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
         49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
_CHROMA = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
           47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32


def _dct_matrix(device: torch.device) -> torch.Tensor:
    k = torch.arange(8, device=device, dtype=torch.float32)
    d = torch.cos((2 * k[None, :] + 1) * k[:, None] * math.pi / 16) * math.sqrt(2 / 8)
    d[0] /= math.sqrt(2)
    return d


def jpeg(img: torch.Tensor, quality: float) -> torch.Tensor:
    """JPEG's lossy step on a [0, 1] batch (sides a multiple of 16): YCbCr, 2x chroma subsampling,
    8x8 DCT quantised with the standard tables scaled to ``quality`` (1-100)."""
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    tables = [torch.tensor(t, dtype=torch.float32, device=img.device).view(8, 8) for t in (_LUMA, _CHROMA)]
    tables = [((t * scale + 50) / 100).floor().clamp(min=1) for t in tables]
    r, gr, b = (img * 255).unbind(1)
    y = 0.299 * r + 0.587 * gr + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * gr + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * gr - 0.081312 * b
    d = _dct_matrix(img.device)

    def quantise(channel: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        n, h, w = channel.shape
        blocks = (channel - 128).view(n, h // 8, 8, w // 8, 8).permute(0, 1, 3, 2, 4)
        coef = d @ blocks @ d.T
        blocks = d.T @ ((coef / table).round() * table) @ d
        return blocks.permute(0, 1, 3, 2, 4).reshape(n, h, w) + 128

    def chroma(channel: torch.Tensor) -> torch.Tensor:
        small = F.avg_pool2d(channel[:, None], 2)[:, 0]
        return F.interpolate(quantise(small, tables[1])[:, None], scale_factor=2, mode="bilinear",
                             align_corners=False)[:, 0]

    y, cb, cr = quantise(y, tables[0]), chroma(cb) - 128, chroma(cr) - 128
    rgb = torch.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], dim=1)
    return (rgb / 255).clamp(0, 1)


def camera(img: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Colour, exposure, low light, noise, blur, low resolution and JPEG on a [0, 1] batch."""
    n, _, h, w = img.shape
    gamma = torch.exp(_uniform(g, n, -0.4, 0.4)).view(n, 1, 1, 1)
    img = img.clamp(1e-4, 1.0) ** gamma
    gray = img.mean(dim=1, keepdim=True)
    img = gray + (img - gray) * _uniform(g, n, 0.5, 1.4).view(n, 1, 1, 1)  # saturation
    img = img * _uniform(g, 3 * n, 0.85, 1.15).view(n, 3, 1, 1)  # white balance
    mean = img.mean(dim=(1, 2, 3), keepdim=True)
    img = mean + (img - mean) * _uniform(g, n, 0.7, 1.3).view(n, 1, 1, 1)  # contrast
    img = img * _uniform(g, n, 0.7, 1.3).view(n, 1, 1, 1)  # exposure
    dark = _chance(g, n, 0.15)
    img = _where(dark, img * _uniform(g, n, 0.2, 0.5).view(n, 1, 1, 1), img)
    sigma = torch.where(dark, _uniform(g, n, 0.02, 0.06), _uniform(g, n, 0.0, 0.03))
    noisy = dark | _chance(g, n, 0.3)
    noise = torch.randn(img.shape, generator=g, device=g.device) * sigma.view(n, 1, 1, 1)
    img = (img + noise * noisy.view(n, 1, 1, 1)).clamp(0.0, 1.0)
    if (pick := _chance(g, n, 0.2)).any():
        img = _where(pick, _gaussian_blur(img, float(_uniform(g, 1, 0.5, 2.0))), img)
    if (pick := _chance(g, n, 0.15)).any():
        small = [max(8, round(s * float(_uniform(g, 1, 0.35, 0.7)))) for s in (h, w)]
        low = F.interpolate(F.interpolate(img, size=small, mode="area"), size=(h, w), mode="bilinear", align_corners=False)
        img = _where(pick, low, img)
    if (pick := _chance(g, n, 0.25)).any() and h % 16 == 0 and w % 16 == 0:
        img = _where(pick, jpeg(img, float(_uniform(g, 1, 25.0, 85.0))), img)
    return img


@torch.no_grad()
def augmented_batch(photos: PhotoSet, index: torch.Tensor, size: int, g: torch.Generator,
                    camera_faults: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs normalised to [-1, 1] (N x 3 x size x size, channels last) and soft targets (N x C x size
    x size: the truth, and a teacher's probability where the photos carry one). ``camera_faults=False``:
    geometry only."""
    images = photos.images[index].float() / 255.0
    masks = photos.masks[index].float() / 255.0
    working = round(size * 1.3)
    if photos.source > working:  # shrink with an area filter first, so the warp does not alias
        images = F.interpolate(images, size=(working, working), mode="area")
        masks = F.interpolate(masks, size=(working, working), mode="area")
    theta = geometry(photos.boxes[index], g)
    grid = F.affine_grid(theta, [len(index), 1, size, size], align_corners=False)
    images = F.grid_sample(images, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    masks = F.grid_sample(masks, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    x = (camera(images, g) if camera_faults else images) * 2.0 - 1.0
    return x.contiguous(memory_format=torch.channels_last), masks.contiguous(memory_format=torch.channels_last)


@torch.no_grad()
def plain_batch(photos: PhotoSet, index: torch.Tensor, size: int) -> torch.Tensor:
    """The evaluation view: the whole (square) photo at the model's size, normalised to [-1, 1]."""
    images = photos.images[index].float()
    images = F.interpolate(images, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return (images / 127.5 - 1.0).contiguous(memory_format=torch.channels_last)
