"""What a run trains the net towards: the loss against the true mask (and a teacher's probability),
and the hard negatives -- the training photos a teacher gets wrong -- that a run may repeat."""

from __future__ import annotations

from typing import Protocol

import torch
from torch.nn import functional as F

from core.errors import DataError
from training.data import PhotoSet

HARD_FP = 0.10  # a training photo is a hard negative where over this share of what the teacher calls hair is not
# sets whose masks are too coarse to mine: LFW's superpixels leave real hair outside the mask, so a
# teacher's "false positive" there is as often the mask's error as the teacher's
COARSE_SETS = ("lfw_parts_hair",)


class LossSettings(Protocol):
    """The parts of a run's settings the loss reads (``training.train.TrainConfig`` has them)."""

    edge_weight: float  # extra BCE weight on pixels near the true hair boundary
    distill: float  # weight of a BCE towards the pack's teacher probabilities
    hard_negatives: int  # above 1: the teacher is followed only where it agrees with the truth


def boundary_band(target: torch.Tensor, radius: int) -> torch.Tensor:
    """1 within ``radius`` pixels of the target's hair boundary, else 0 (square neighbourhood, pooled
    along rows then columns)."""
    hair = (target > 0.5).float()

    def grow(m: torch.Tensor) -> torch.Tensor:
        m = F.max_pool2d(m, (1, 2 * radius + 1), 1, (0, radius))
        return F.max_pool2d(m, (2 * radius + 1, 1), 1, (radius, 0))

    return grow(hair) + grow(-hair)


def hair_loss(logits: torch.Tensor, target: torch.Tensor, edge_weight: float) -> torch.Tensor:
    """BCE with ``1 + edge_weight`` on the boundary band (about 1.5 % of the side), plus soft Dice."""
    radius = max(1, round(target.shape[-1] / 64))
    weight = 1.0 + edge_weight * boundary_band(target, radius)
    bce = (F.binary_cross_entropy_with_logits(logits, target, reduction="none") * weight).sum() / weight.sum()
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum(dim=(1, 2, 3))
    total = prob.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    dice = 1.0 - (2.0 * inter + 1.0) / (total + 1.0)
    return bce + dice.mean()


def training_loss(logits: torch.Tensor, targets: torch.Tensor, config: LossSettings) -> torch.Tensor:
    """``hair_loss`` against the true mask (channel 0), plus ``distill`` x BCE towards the teacher's
    probability (channel 1) where the run distils. A run that repeats hard negatives follows the
    teacher only where it agrees with the truth (within 0.5): those photos are repeated for the
    teacher's own mistakes, which the student must not learn."""
    truth = targets[:, :1]
    loss = hair_loss(logits, truth, config.edge_weight)
    if config.distill > 0:
        teacher = targets[:, 1:2]
        if config.hard_negatives > 1:
            teacher = torch.where((teacher - truth).abs() > 0.5, truth, teacher)
        loss = loss + config.distill * F.binary_cross_entropy_with_logits(logits, teacher)
    return loss


def hard_photos(photos: PhotoSet) -> torch.Tensor:
    """Indices of the photos where over ``HARD_FP`` of what the pack's teacher calls hair is not hair
    in the truth (``COARSE_SETS`` left out): hats, dark backgrounds and clothes a hair model takes for
    hair. Mined from the teacher, not labelled by eye, so the validation hard cases (labelled by eye,
    ``docs/models/hard-cases.csv``) stay independent of any model."""
    if photos.masks.shape[1] < 2:
        raise DataError("--hard-negatives finds the hard photos by a teacher's mistakes: "
                        "train from a pack made with --pack-teacher")
    said = photos.masks[:, 1] > 127
    wrong = said & (photos.masks[:, 0] <= 127)
    share = wrong.flatten(1).sum(1).float() / said.flatten(1).sum(1).clamp(min=1).float()
    fine = torch.tensor([name not in COARSE_SETS for name in photos.set_names], device=share.device)
    return torch.nonzero((share > HARD_FP) & fine).flatten()
