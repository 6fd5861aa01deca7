import cv2
import numpy as np
import pytest

from core.catalog.palette import default_palette, resolve_color
from core.io.datasets import load_mask
from core.io.images import load_image
from core.tools import edge_metrics as em
from core.tools import texture_metrics as tm

SKIN = (214, 170, 140)
GREY = (128, 128, 128)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(lin: np.ndarray) -> np.ndarray:
    c = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return np.rint(c * 255.0)


def hair_patch(base=(46, 32, 24), amplitude=18.0, shape=(90, 100), square=(10, 80, 10, 90),
               seed=0) -> tuple[np.ndarray, np.ndarray]:
    """(photo, truth): a square of striped hair on skin. The strands run down the picture: each column a
    strand of its own brightness (stripes of 3-7 px plus a ripple along them), about ``base`` +-
    ``amplitude`` in sRGB."""
    rng = np.random.default_rng(seed)
    truth = np.zeros(shape, bool)
    top, bottom, left, right = square
    truth[top:bottom, left:right] = True
    photo = np.empty((*shape, 3), np.float64)
    photo[...] = SKIN
    columns = np.repeat(rng.uniform(-1, 1, shape[1] // 3 + 1), rng.integers(3, 8, shape[1] // 3 + 1))[:shape[1]]
    rows = np.arange(shape[0])[:, None]
    strands = np.clip(columns[None, :] + 0.3 * np.sin(rows / 4.0 + columns[None, :] * 5.0), -1, 1)
    photo[truth] = (np.array(base, float)[None, None, :] + amplitude * strands[..., None])[truth]
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), truth


def painted(photo: np.ndarray, truth: np.ndarray, rgb) -> np.ndarray:
    out = photo.copy()
    out[truth] = rgb
    return out


def test_luminance_is_linear_light():
    colours = np.array([[[0, 0, 0], [255, 255, 255], [0, 255, 0], [255, 0, 0], [0, 0, 255], [188, 188, 188],
                         [10, 10, 10]]], np.uint8)
    expected = [0.0, 1.0, 0.7152, 0.2126, 0.0722, float(srgb_to_linear(188.0)), 10 / 255 / 12.92]
    assert tm.luminance(colours)[0] == pytest.approx(expected, rel=1e-4)
    assert srgb_to_linear(188.0) == pytest.approx(0.5, abs=0.005)  # mid-grey light is sRGB 188, not 128


@pytest.fixture()
def patch():
    return hair_patch()


def test_an_output_left_as_it_was_keeps_all_of_its_texture(patch):
    photo, truth = patch
    kept = tm.texture(photo, photo.copy(), truth)
    assert kept.spread_ratio == pytest.approx(1.0, abs=1e-6)
    assert kept.correlation == pytest.approx(1.0, abs=1e-6)


def test_a_flat_paint_keeps_no_texture(patch):
    photo, truth = patch
    kept = tm.texture(photo, painted(photo, truth, (200, 190, 170)), truth)
    assert kept.spread_ratio == pytest.approx(0.0, abs=0.01)
    assert kept.correlation == 0.0


@pytest.mark.parametrize("factor", [3.0, 0.5])
def test_a_change_of_reflectance_keeps_the_relative_texture(patch, factor):
    """Scaling the hair's linear light (a lift or a darkening that multiplies every strand alike) is the
    ideal: the relative detail is as it was, even beside skin that did not change."""
    photo, truth = patch
    lifted = photo.copy()
    light = srgb_to_linear(photo[truth].astype(float)) * factor
    assert light.max() < 1.0  # no clipping
    lifted[truth] = linear_to_srgb(light)
    kept = tm.texture(photo, lifted, truth)
    assert kept.spread_ratio == pytest.approx(1.0, abs=0.05)
    assert kept.correlation > 0.98


@pytest.mark.parametrize("space", ["srgb", "lightness"])
def test_adding_a_constant_flattens_the_relative_texture(patch, space):
    photo, truth = patch
    if space == "srgb":
        brighter = photo.astype(float)
        brighter[truth] += 80.0
        brighter = brighter.astype(np.uint8)
    else:
        lab = em.lab(photo)
        lab[truth, 0] += 30.0
        brighter = np.clip(np.rint(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB) * 255.0), 0, 255).astype(np.uint8)
    kept = tm.texture(photo, brighter, truth)
    assert kept.spread_ratio < 0.8
    assert kept.correlation > 0.9  # the strands stay where they were: only their contrast went


def test_too_few_core_pixels_or_no_texture_gives_nan():
    photo, truth = hair_patch(square=(10, 28, 10, 28))  # an 18 px square: an 11 x 11 core (121 px)
    assert np.count_nonzero(em.distance_inside(truth) > em.CORE_INSET) < tm.MIN_PIXELS
    for kept in (tm.texture(photo, photo, truth), tm.texture(photo, photo, np.zeros_like(truth))):
        assert np.isnan(kept.spread_ratio) and np.isnan(kept.correlation)
    assert np.isnan(tm.swatch_distance(photo, truth, GREY))
    photo, truth = hair_patch(amplitude=0.0)  # hair without strands
    kept = tm.texture(photo, photo, truth)
    assert np.isnan(kept.spread_ratio) and np.isnan(kept.correlation)
    assert np.isnan(tm.swatch_distance(photo, np.zeros_like(truth), GREY))


@pytest.mark.parametrize("base, dark", [((46, 32, 24), True), ((92, 70, 54), True), ((104, 82, 64), False),
                                        ((200, 180, 140), False)])  # L* about 15, 33, 38 and 75
def test_the_dark_flag_follows_the_hairs_lightness(base, dark):
    photo, truth = hair_patch(base=base)
    lightness = em.lab(photo)[..., 0][em.distance_inside(truth) > em.CORE_INSET].mean()
    assert (lightness < tm.DARK_L) == dark  # the patches straddle the line
    assert tm.texture(photo, photo, truth).dark is dark
    assert tm.is_dark(photo, truth) is dark
    rim = truth & ~(em.distance_inside(truth) > em.CORE_INSET)
    assert tm.is_dark(painted(photo, rim, SKIN if dark else (20, 14, 10)), truth) is dark  # only the core counts


@pytest.mark.parametrize("name", ["Platinum Blonde", "Sunlit Amber"])
def test_swatch_distance_is_nought_on_the_swatch_and_large_for_grey(patch, name):
    photo, truth = patch
    swatch = resolve_color(name, default_palette()).rgb
    assert tm.swatch_distance(painted(photo, truth, swatch), truth, swatch) == pytest.approx(0.0, abs=0.5)
    assert tm.swatch_distance(painted(photo, truth, GREY), truth, swatch) > 25.0
    # only the core counts: the skin around the hair and the hair's rim do not pull the mean
    rim = truth & ~(em.distance_inside(truth) > em.CORE_INSET)
    assert tm.swatch_distance(painted(painted(photo, truth, swatch), rim, GREY), truth, swatch) < 0.5


def test_the_looks_are_the_built_in_light_shades_and_the_figures_name_them():
    assert set(tm.TEXTURE_LOOKS) == {"platinum", "amber"}
    assert tm.TEXTURE_LOOKS["platinum"].shade.name == "Platinum Blonde"
    assert tm.TEXTURE_LOOKS["platinum"].shade.hex == "#e4dac6" and tm.TEXTURE_LOOKS["platinum"].intensity == 80
    assert tm.TEXTURE_LOOKS["amber"].shade.hex == "#c8782a" and tm.TEXTURE_LOOKS["amber"].intensity == 70
    assert set(tm.FIGURES) == {"spread_platinum", "corr_platinum", "swatch_platinum", "spread_amber", "corr_amber",
                               "swatch_amber", "dark"}
    assert tm.look_names() == {"platinum": "#e4dac6@80", "amber": "#c8782a@70"}


def test_texture_figures_measure_each_look_on_dark_hair_only(patch):
    photo, truth = patch
    platinum = tm.TEXTURE_LOOKS["platinum"].shade

    def dye(look):
        """Platinum at 80 leaves the photo as it was, at 100 paints the swatch; amber paints grey."""
        if look.shade != platinum:
            return painted(photo, truth, GREY)
        return photo.copy() if look.intensity == 80 else painted(photo, truth, platinum.rgb)

    figures = tm.texture_figures(photo, dye, truth)
    assert set(figures) == set(tm.FIGURES)
    assert figures["spread_platinum"] == pytest.approx(1.0) and figures["corr_platinum"] == pytest.approx(1.0)
    assert figures["spread_amber"] == pytest.approx(0.0, abs=0.01) and figures["corr_amber"] == 0.0
    assert figures["swatch_platinum"] == pytest.approx(0.0, abs=0.5) and figures["swatch_amber"] > 20.0
    assert figures["dark"] == 1.0
    light, light_truth = hair_patch(base=(200, 180, 140))
    asked = []
    on_light = tm.texture_figures(light, lambda look: asked.append(look) or light, light_truth)
    assert on_light["dark"] == 0.0 and not asked  # light hair is not dyed for these figures
    assert all(np.isnan(value) for name, value in on_light.items() if name != "dark")


@pytest.mark.shared
def test_a_real_photo_left_as_it_was_keeps_all_of_its_texture(shared_dir):
    data = shared_dir / "datasets" / "celebamaskhq_hair"
    photo = load_image(data / "images" / "celebahq_27636.jpg")
    truth = load_mask(data / "masks" / "celebahq_27636.png")
    assert truth.shape == photo.shape[:2] and np.count_nonzero(truth) > 10_000
    kept = tm.texture(photo, photo.copy(), truth)
    assert kept.spread_ratio == pytest.approx(1.0, abs=1e-6)
    assert kept.correlation == pytest.approx(1.0, abs=1e-6)
    assert kept.dark  # dark brown hair
