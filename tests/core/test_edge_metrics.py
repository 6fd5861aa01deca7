import numpy as np
import pytest

from core.stages.recolor import Recolorer
from core.tools import edge_metrics as em


def disc(shape=(120, 160), centre=(60, 80), radius=35) -> np.ndarray:
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (ys - centre[0]) ** 2 + (xs - centre[1]) ** 2 <= radius**2


def photo(truth: np.ndarray) -> np.ndarray:
    """Dark textured hair on a light wall."""
    rng = np.random.default_rng(1)
    rgb = np.full((*truth.shape, 3), (205, 196, 182), np.uint8)
    hair = np.clip(rng.normal((60, 42, 30), 12, (*truth.shape, 3)), 0, 255).astype(np.uint8)
    rgb[truth] = hair[truth]
    return rgb


def test_boundary_f_is_one_for_the_same_mask_and_falls_with_a_shifted_outline():
    truth = disc()
    assert em.boundary_f(truth, truth) == 1.0
    assert em.boundary_f(np.roll(truth, 2, axis=1), truth) == 1.0  # within the 3 px tolerance
    assert em.boundary_f(np.roll(truth, 10, axis=1), truth) < 0.6
    assert em.boundary_f(np.zeros_like(truth), truth) == 0.0
    assert em.boundary_f(np.zeros_like(truth), np.zeros_like(truth)) == 1.0


def test_the_border_of_the_picture_is_not_an_outline():
    full = np.ones((40, 40), bool)
    assert not em.outline(full).any()
    assert em.distance_inside(full).min() > 0


def recolour_figures(mask: np.ndarray, truth: np.ndarray) -> em.EdgeRecolour:
    rgb, recolorer = photo(truth), Recolorer()
    ours = recolorer.recolor(rgb, mask.astype(np.float32), em.TEST_LOOK)
    reference = recolorer.recolor(rgb, truth.astype(np.float32), em.TEST_LOOK)
    return em.recolour_edge(rgb, ours, reference, truth)


def test_the_true_mask_has_no_bleed_and_full_coverage():
    truth = disc()
    figures = recolour_figures(truth, truth)
    assert figures.bleed == 0.0
    assert figures.coverage == 1.0


def test_a_swollen_mask_bleeds_and_a_shrunk_one_loses_coverage():
    truth = disc()
    swollen = recolour_figures(disc(radius=45), truth)
    assert swollen.bleed > 0.3
    assert swollen.coverage == pytest.approx(1.0, abs=0.02)
    shrunk = recolour_figures(disc(radius=22), truth)
    assert shrunk.bleed == 0.0
    assert shrunk.coverage < 0.6


def test_worst_crop_holds_the_bleed():
    bled = np.zeros((100, 100), bool)
    bled[70:80, 10:20] = True
    x, y, w, h = em.worst_crop(bled, 30)
    assert (w, h) == (30, 30)
    assert bled[y : y + h, x : x + w].sum() == bled.sum()


def test_a_true_mask_seen_at_a_models_input_keeps_its_shape_and_loses_detail_finer_than_a_model_pixel():
    from core.tools.evaluate import true_mask_seen_at
    from core.tools.mask_metrics import mask_iou

    truth = disc(shape=(480, 640), centre=(240, 320), radius=150)
    truth[100:102, :] = True  # a strand 2 px high: a third of a model pixel at 64 x 64
    seen = true_mask_seen_at(truth, 64)
    assert seen.shape == truth.shape and seen.dtype == np.float32
    assert seen.min() >= 0.0 and seen.max() <= 1.0
    assert mask_iou(seen > 0.5, disc(shape=(480, 640), centre=(240, 320), radius=150)) > 0.98
    assert seen[101, :100].max() < 0.5  # the strand fades, as a real model's output at that size would
