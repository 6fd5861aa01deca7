import cv2
import numpy as np
import pytest

from core.tools import edge_metrics as em
from core.tools import hairline_metrics as hm

HAIR = np.array([20.0, 8.0, 12.0])  # dark brown
SKIN = np.array([70.0, 14.0, 18.0])
DYED = np.array([38.0, 40.0, 38.0])  # the hair dyed copper
SHARES = (0.9, 0.75, 0.6, 0.45, 0.3, 0.15)  # of hair, in the columns 1, 2, ... px outside the true hair
EDGE = 60  # the true hair is the columns left of this one


def rgb_of(lab: np.ndarray) -> np.ndarray:
    """uint8 RGB of a float CIELAB picture (L 0-100)."""
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB)
    return np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)


def hairline_photo(shape=(120, 140)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(truth, share, Lab picture): hair left of ``EDGE``, then a band of known mixtures of hair and skin
    (``share``: each pixel's share of hair), then bare skin."""
    truth = np.zeros(shape, bool)
    truth[:, :EDGE] = True
    share = np.zeros(shape)
    share[:, :EDGE] = 1.0
    for k, t in enumerate(SHARES):
        share[:, EDGE + k] = t
    lab = share[..., None] * HAIR + (1 - share[..., None]) * SKIN
    return truth, share, lab


def dyed(share: np.ndarray, follow: float, skin_shift: float = 0.0) -> np.ndarray:
    """The hair dyed, each mixed pixel moved ``follow`` of the way its share of hair would take it, and
    the bare skin moved ``skin_shift`` in a*."""
    lab = share[..., None] * HAIR + (1 - share[..., None]) * SKIN
    mixed = (share > 0) & (share < 1)
    lab[share == 1] = DYED
    lab[mixed] += follow * share[mixed][:, None] * (DYED - HAIR)
    lab[share == 0, 1] += skin_shift
    return rgb_of(lab)


@pytest.fixture()
def scene():
    truth, share, lab = hairline_photo()
    return truth, share, rgb_of(lab)


def test_a_band_left_undyed_beside_dyed_hair_is_all_seam(scene):
    truth, share, photo = scene
    line = hm.hairline(photo, dyed(share, follow=0.0), truth)
    assert line.seam == pytest.approx(1.0)
    assert line.follow == pytest.approx(0.0, abs=0.05)
    assert line.clean_bleed == 0.0
    # the mixed pixels are the columns whose share of hair is at least 0.35, and all of them seamed
    mixed_columns = [EDGE + k for k, t in enumerate(SHARES) if t >= hm.MIXED]
    assert set(np.flatnonzero(line.mixed.any(axis=0))) == set(mixed_columns)
    assert np.array_equal(line.seamed, line.mixed)


@pytest.mark.parametrize("follow", [1.0, 0.5])
def test_mixed_pixels_dyed_in_proportion_to_their_hair_follow_through(scene, follow):
    truth, share, photo = scene
    line = hm.hairline(photo, dyed(share, follow=follow), truth)
    assert line.seam == pytest.approx(0.0)
    assert line.follow == pytest.approx(follow, abs=0.05)
    assert line.clean_bleed == 0.0
    assert line.mixed.any() and not line.seamed.any()


def test_dye_on_the_bare_skin_beside_the_hair_is_clean_bleed(scene):
    truth, share, photo = scene
    line = hm.hairline(photo, dyed(share, follow=1.0, skin_shift=12.0), truth)
    assert line.clean_bleed == pytest.approx(1.0)
    assert line.seam == pytest.approx(0.0)


def test_an_output_that_leaves_the_hair_as_it_was_measures_nothing(scene):
    truth, _, photo = scene
    line = hm.hairline(photo, photo.copy(), truth)
    assert np.isnan(line.seam) and np.isnan(line.follow) and np.isnan(line.clean_bleed)
    assert not line.mixed.any() and not line.seamed.any()


def test_hair_and_skin_too_alike_to_tell_apart_are_skipped():
    truth, share, _ = hairline_photo()
    alike = share[..., None] * HAIR + (1 - share[..., None]) * (HAIR + np.array([6.0, 0.0, 0.0]))
    line = hm.hairline(rgb_of(alike), dyed(share, follow=0.0), truth)
    assert np.isnan(line.seam) and not line.mixed.any()


def test_no_hair_or_no_band_gives_nan():
    photo = np.full((50, 50, 3), 128, np.uint8)
    for truth in (np.zeros((50, 50), bool), np.ones((50, 50), bool)):
        line = hm.hairline(photo, photo, truth)
        assert np.isnan(line.seam) and np.isnan(line.follow) and np.isnan(line.clean_bleed)


def test_hairline_crop_holds_the_seam(scene):
    truth, share, photo = scene
    seamed = hm.hairline(photo, dyed(share, follow=0.0), truth).seamed
    x, _y, w, h = hm.hairline_crop(seamed, 40)
    assert (w, h) == (40, 40)
    assert x <= EDGE and x + w > EDGE + 3  # the window straddles the seam's columns


def core_photo(light_columns: int = 40, shape=(100, 100)) -> tuple[np.ndarray, np.ndarray]:
    """(truth, Lab picture): a square of hair, its ``light_columns`` left columns light blonde (L* 85), the
    rest mid brown (L* 45)."""
    truth = np.zeros(shape, bool)
    truth[10:90, 10:90] = True
    lab = np.zeros((*shape, 3))
    lab[...] = (60.0, 5.0, 10.0)
    lab[truth] = (45.0, 8.0, 14.0)
    light = truth.copy()
    light[:, 10 + light_columns:] = False
    lab[light] = (85.0, 2.0, 16.0)
    return truth, lab


def test_light_strands_that_take_the_shade_as_far_as_the_rest_follow_fully():
    truth, lab = core_photo()
    moved = lab.copy()
    moved[truth, 1] += 15.0
    assert hm.light_follow(rgb_of(lab), rgb_of(moved), truth) == pytest.approx(1.0, abs=0.1)


def test_light_strands_left_as_they_were_do_not_follow():
    truth, lab = core_photo()
    moved = lab.copy()
    mid = truth & (lab[..., 0] < 80)
    moved[mid, 1] += 15.0
    assert hm.light_follow(rgb_of(lab), rgb_of(moved), truth) == pytest.approx(0.0, abs=0.05)


def test_light_follow_needs_enough_light_and_mid_pixels():
    truth, lab = core_photo(light_columns=3)  # all within the core's 3 px inset: no light core pixels
    moved = lab.copy()
    moved[truth, 1] += 15.0
    assert np.isnan(hm.light_follow(rgb_of(lab), rgb_of(moved), truth))
    assert np.isnan(hm.light_follow(rgb_of(lab), rgb_of(lab), np.zeros_like(truth)))


def test_the_figures_name_each_look():
    assert set(hm.HAIRLINE_LOOKS) == {"copper", "blue"}
    assert hm.HAIRLINE_LOOKS["blue"] == em.TEST_LOOK
    assert hm.HAIRLINE_LOOKS["copper"].intensity == 70
    assert hm.look_names() == {"copper": "#b4532a@70", "blue": "#2e6fd8@100"}
    assert set(hm.FIGURES) == {"seam_copper", "follow_copper", "clean_copper", "seam_blue", "follow_blue",
                               "clean_blue", "light_follow"}


def test_the_pipelines_own_stages_give_figures_in_range():
    from core.stages.recolor import Recolorer

    truth, _share, photo = (lambda t, s, lab: (t, s, rgb_of(lab)))(*hairline_photo())
    soft = cv2.GaussianBlur(truth.astype(np.float32), (9, 9), 2.0)
    out = Recolorer().recolor(photo, soft, hm.COPPER_LOOK)
    figures, lines = hm.hairline_figures(photo, {"copper": out, "blue": photo}, truth)
    assert set(figures) == set(hm.FIGURES) and set(lines) == set(hm.HAIRLINE_LOOKS)
    assert figures["seam_copper"] == lines["copper"].seam
    assert 0.0 <= figures["seam_copper"] <= 1.0 and 0.0 <= figures["clean_copper"] <= 1.0
    assert np.isnan(figures["seam_blue"])  # the "blue" picture was left as it was


def test_the_edge_judge_adds_the_hairline_figures_and_dyes_through_the_true_mask():
    from core.demo.synthetic import render_portrait
    from core.stages.recolor import Recolorer
    from core.stages.refine import Refiner
    from core.tools.evaluate import EDGE_FIGURES, EdgeJudge, ModelScores

    rgb, truth = render_portrait(240, 180, t=0.0, seed=0)
    truth = truth.astype(bool)
    judge = EdgeJudge(Refiner(), Recolorer())
    view = judge.judge(rgb, truth.astype(np.float32), truth, 0)
    assert set(view.figures) == set(EDGE_FIGURES) >= set(hm.FIGURES)
    for name in hm.FIGURES:
        value = view.figures[name]
        assert np.isnan(value) or value >= 0.0, name
    assert 0.0 <= view.figures["seam_copper"] <= 1.0 and 0.0 <= view.figures["clean_blue"] <= 1.0
    assert view.dyed.shape == rgb.shape and not np.array_equal(view.dyed, rgb)
    assert view.hairline.seamed.shape == truth.shape and not (view.hairline.seamed & ~view.hairline.mixed).any()
    reference = judge.dye_through_truth(rgb, truth, 0)
    assert reference.shape == rgb.shape and not np.array_equal(reference, rgb)
    scores = ModelScores("m")
    scores.add("set", None, 1.0, 1.0, view.figures)
    assert set(scores.summary()) >= set(hm.FIGURES) and set(scores.by_set()["set"]) >= set(hm.FIGURES)
