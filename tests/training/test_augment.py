"""Training data and augmentation: packs hold what the folders hold, head crops fill the square, JPEG
quantisation behaves like JPEG, the boundary band is where the boundary is, the schedule warms up and
ends at zero."""

from itertools import pairwise

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from tests.training.test_train_smoke import make_set
from training import augment
from training.data import PhotoSet, count_photos, hair_box, load_folders, load_photos
from training.objective import boundary_band
from training.pack import pack
from training.train import WARMUP, learning_rate


def test_a_pack_holds_what_the_folders_hold(tmp_path):
    data = make_set(tmp_path / "tiny")
    packed = tmp_path / "tiny.npz"
    assert pack([data], packed, longest=512, quality=95, progress=False) == {("tiny", "train"): 8, ("tiny", "val"): 4}
    for split in ("train", "val"):
        from_folders = load_folders([data], split, 96, progress=False)
        from_pack = load_photos([packed], split, 96, progress=False)
        assert from_pack.set_names == from_folders.set_names
        assert torch.equal(from_pack.masks, from_folders.masks)
        diff = (from_pack.images.float() - from_folders.images.float()).abs().mean()
        assert diff < 3.0  # JPEG at quality 95
    assert count_photos([packed], "train") == count_photos([data], "train") == {"tiny": 8}


def test_folders_and_packs_do_not_mix(tmp_path):
    data = make_set(tmp_path / "tiny")
    pack([data], tmp_path / "tiny.npz", progress=False)
    with pytest.raises(Exception, match="not both"):
        load_photos([data, tmp_path / "tiny.npz"], "train", 64, progress=False)


def _corner_photo(n: int = 4, side: int = 128) -> PhotoSet:
    """Photos with a 16 px square of hair near the top-left corner."""
    mask = np.zeros((side, side), np.uint8)
    mask[8:24, 8:24] = 255
    images = torch.from_numpy(np.repeat(mask[None, None], 3, axis=1)).repeat(n, 1, 1, 1)
    masks = torch.from_numpy(mask[None, None]).repeat(n, 1, 1, 1)
    boxes = torch.tensor([hair_box(mask)] * n, dtype=torch.float32)
    return PhotoSet(images, masks, boxes, ["corner"] * n)


def test_head_crops_centre_on_the_hair_and_fill_the_square(monkeypatch):
    photos = _corner_photo()
    share_in_source = float((photos.masks > 127).float().mean())
    monkeypatch.setattr(augment, "HEAD_CROP_SHARE", 1.0)
    _, y = augment.augmented_batch(photos, torch.arange(4), 64, torch.Generator().manual_seed(0))
    shares = (y > 0.5).float().mean(dim=(1, 2, 3))
    assert (shares > 4 * share_in_source).all(), shares
    # the hair sits near the middle of the crop, not in its corner
    ys, xs = torch.nonzero(y[0, 0] > 0.5, as_tuple=True)
    assert abs(float(xs.float().mean()) - 32) < 12 and abs(float(ys.float().mean()) - 32) < 12


def test_without_head_crops_the_corner_stays_small(monkeypatch):
    photos = _corner_photo()
    monkeypatch.setattr(augment, "HEAD_CROP_SHARE", 0.0)
    _, y = augment.augmented_batch(photos, torch.arange(4), 64, torch.Generator().manual_seed(0))
    assert float((y > 0.5).float().mean()) < 0.1


def test_batches_are_normalised_and_reproducible():
    photos = _corner_photo()
    x, y = augment.augmented_batch(photos, torch.arange(4), 64, torch.Generator().manual_seed(3))
    x2, _ = augment.augmented_batch(photos, torch.arange(4), 64, torch.Generator().manual_seed(3))
    assert x.shape == (4, 3, 64, 64) and y.shape == (4, 1, 64, 64)
    assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0 and float(y.min()) >= 0.0 and float(y.max()) <= 1.0
    assert torch.equal(x, x2)


def test_jpeg_quantisation_is_mild_at_high_quality_and_blocky_at_low():
    g = torch.Generator().manual_seed(0)
    smooth = F.interpolate(torch.rand(2, 3, 8, 8, generator=g), size=(64, 64), mode="bilinear", align_corners=False)
    high = (augment.jpeg(smooth, 95) - smooth).abs().mean()
    low = (augment.jpeg(smooth, 10) - smooth).abs().mean()
    assert high < 0.01 < low
    assert float(augment.jpeg(smooth, 10).min()) >= 0.0


def test_the_boundary_band_lies_along_the_boundary():
    target = torch.zeros(1, 1, 32, 32)
    target[..., 8:24, 8:24] = 1.0
    band = boundary_band(target, 2)
    assert band[0, 0, 16, 16] == 0 and band[0, 0, 0, 0] == 0  # deep inside, far outside
    assert band[0, 0, 16, 8] == 1 and band[0, 0, 16, 6] == 1 and band[0, 0, 16, 9] == 1
    naive = F.max_pool2d(target, 5, 1, 2) + F.max_pool2d(-target, 5, 1, 2)
    assert torch.equal(band, naive)
    assert boundary_band(torch.ones(1, 1, 16, 16), 2).sum() == 0


def test_the_learning_rate_warms_up_then_falls_to_zero():
    assert learning_rate(1.0, 0.0) < 0.05
    assert learning_rate(1.0, WARMUP) == pytest.approx(1.0)
    later = [learning_rate(1.0, p) for p in np.linspace(WARMUP, 1.0, 20)]
    assert all(a >= b for a, b in pairwise(later))
    assert learning_rate(1.0, 1.0) == pytest.approx(0.0, abs=1e-9)


def test_a_pack_with_a_teacher_carries_its_probabilities_through_augmentation(tmp_path):
    data = make_set(tmp_path / "tiny")
    packed = tmp_path / "taught.npz"

    def teacher(rgb: np.ndarray) -> np.ndarray:  # "hair" = the left half of the photo, at 0.75
        prob = np.zeros(rgb.shape[:2], np.float32)
        prob[:, : rgb.shape[1] // 2] = 0.75
        return prob

    pack([data], packed, longest=512, quality=95, progress=False, teacher=teacher)
    photos = load_photos([packed], "train", 64, progress=False)
    truth = load_photos([data], "train", 64, progress=False)
    assert photos.masks.shape[1] == 2
    assert torch.equal(photos.masks[:, :1], truth.masks)  # the truth is untouched, the boxes follow it
    assert torch.equal(photos.boxes.nan_to_num(-9), truth.boxes.nan_to_num(-9))
    taught = photos.masks[:, 1].float()
    assert abs(float(taught[:, :, 8:24].mean()) - 191) < 4 and float(taught[:, :, 40:56].max()) < 4
    _, y = augment.augmented_batch(photos, torch.arange(4), 48, torch.Generator().manual_seed(0))
    assert y.shape == (4, 2, 48, 48) and float(y[:, 1].max()) <= 0.76
    # a pack with a teacher beside one without: the truth alone
    plain = tmp_path / "plain.npz"
    pack([data], plain, progress=False)
    assert load_photos([packed, plain], "train", 64, progress=False).masks.shape[1] == 1


def test_distilling_adds_a_pull_towards_the_teacher():
    from training.objective import training_loss
    from training.train import TrainConfig

    truth = torch.zeros(2, 1, 32, 32)
    truth[:, :, :, :16] = 1.0
    logits = torch.where(truth > 0.5, 3.0, -3.0)
    agrees = torch.cat([truth, truth], dim=1)
    differs = torch.cat([truth, 1.0 - truth], dim=1)
    plain = TrainConfig(data=[], out="", distill=0.0)
    taught = TrainConfig(data=[], out="", distill=1.0)
    assert training_loss(logits, differs, plain) == training_loss(logits, agrees, plain)
    assert training_loss(logits, differs, taught) > training_loss(logits, agrees, taught) + 1.0
