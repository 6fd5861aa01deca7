import os

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from core.errors import HairTintError, ImageReadError
from core.io.images import IMAGE_SUFFIXES, ImageExistsError, ImageWriteError, load_image, save_image

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def quadrants(height=40, width=60) -> np.ndarray:
    """Red top-left, green top-right, blue bottom-left, white bottom-right: orientation is visible."""
    image = np.zeros((height, width, 3), np.uint8)
    h, w = height // 2, width // 2
    image[:h, :w], image[:h, w:], image[h:, :w], image[h:, w:] = RED, GREEN, BLUE, WHITE
    return image


def close(a: np.ndarray, b: np.ndarray, tolerance: float = 12) -> bool:
    return a.shape == b.shape and float(np.abs(a.astype(int) - b.astype(int)).mean()) < tolerance


# EXIF orientation tag -> how the stored pixels must be turned to stand upright
ORIENTATIONS = {
    1: lambda a: a,
    3: lambda a: np.rot90(a, 2),
    6: lambda a: np.rot90(a, -1),  # rotate 90 degrees clockwise
    8: lambda a: np.rot90(a, 1),
    2: lambda a: a[:, ::-1],
}


@pytest.mark.parametrize("tag", sorted(ORIENTATIONS))
def test_exif_orientation_is_honoured(tmp_path, tag):
    stored = quadrants()
    exif = Image.Exif()
    exif[0x0112] = tag
    path = tmp_path / f"turned_{tag}.jpg"
    Image.fromarray(stored).save(path, quality=95, exif=exif.tobytes())

    loaded = load_image(path)

    expected = np.ascontiguousarray(ORIENTATIONS[tag](stored))
    assert loaded.dtype == np.uint8
    assert loaded.shape == expected.shape
    assert close(loaded, expected)


def test_rgba_png_is_composited_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (255, 0, 0, 0)  # fully transparent
    rgba[0, 2] = (0, 0, 0, 128)  # half-transparent black
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba, "RGBA").save(path)

    loaded = load_image(path)

    assert loaded.shape == (4, 4, 3)
    assert tuple(loaded[0, 0]) == RED
    assert tuple(loaded[0, 1]) == WHITE
    assert all(abs(int(v) - 127) <= 2 for v in loaded[0, 2])


def test_greyscale_becomes_three_equal_channels(tmp_path):
    grey = np.arange(0, 256, 16, dtype=np.uint8).reshape(4, 4)
    path = tmp_path / "grey.png"
    Image.fromarray(grey, "L").save(path)

    loaded = load_image(path)

    assert loaded.shape == (4, 4, 3)
    for channel in range(3):
        np.testing.assert_array_equal(loaded[:, :, channel], grey)


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path):
    grey16 = np.array([[0, 65535], [32896, 257 * 10]], np.uint16)
    path = tmp_path / "deep.png"
    assert cv2.imwrite(str(path), grey16)

    loaded = load_image(path)

    np.testing.assert_array_equal(loaded[:, :, 0], [[0, 255], [128, 10]])


def test_16_bit_colour_png_keeps_rgb_order(tmp_path):
    bgr16 = np.zeros((3, 3, 3), np.uint16)
    bgr16[..., 2] = 65535  # OpenCV writes BGR: this is pure red
    path = tmp_path / "deep_red.png"
    assert cv2.imwrite(str(path), bgr16)

    loaded = load_image(path)

    assert loaded.dtype == np.uint8
    assert tuple(loaded[1, 1]) == RED


def test_palette_png_with_transparency(tmp_path):
    image = Image.new("P", (4, 2))
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * (254 * 3))
    image.putpixel((0, 0), 0)
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 1
    path = tmp_path / "palette.png"
    image.save(path, transparency=1)

    loaded = load_image(path)

    assert tuple(loaded[0, 0]) == RED
    assert tuple(loaded[0, 1]) == WHITE  # palette entry 1 is transparent


def test_cmyk_jpeg_comes_out_rgb(tmp_path):
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 16), (0, 255, 255, 0)).save(path, quality=95)  # no cyan, full magenta+yellow: red

    loaded = load_image(path)

    assert loaded.shape == (16, 16, 3)
    assert close(loaded, np.full((16, 16, 3), RED, np.uint8))


@pytest.mark.parametrize("suffix, options", [(".bmp", {}), (".webp", {"lossless": True}), (".tif", {}), (".tiff", {})])
def test_other_formats_round_trip(tmp_path, suffix, options):
    picture = quadrants(20, 30)
    path = tmp_path / f"picture{suffix}"
    Image.fromarray(picture).save(path, **options)

    np.testing.assert_array_equal(load_image(path), picture)
    assert suffix in IMAGE_SUFFIXES


def test_truncated_jpeg_is_reported_with_its_name(tmp_path):
    path = tmp_path / "cut_short.jpg"
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, quality=90)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(ImageReadError) as caught:
        load_image(path)

    assert "cut_short.jpg" in str(caught.value)
    assert "is not an image HairTint can read" in str(caught.value)


def test_text_file_named_jpg_is_reported(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("this is a shopping list, not a photo\n")

    with pytest.raises(ImageReadError, match=r"photo\.jpg is not an image HairTint can read \(.+\)"):
        load_image(path)


@pytest.mark.parametrize("make", ["missing", "empty", "folder"])
def test_missing_empty_and_folder_paths(tmp_path, make):
    path = tmp_path / "nothing.png"
    if make == "empty":
        path.write_bytes(b"")
    elif make == "folder":
        path.mkdir()

    with pytest.raises(ImageReadError, match=r"nothing.png"):
        load_image(path)


def test_save_png_round_trips_exactly_and_leaves_no_temp_files(tmp_path):
    picture = quadrants()
    path = save_image(tmp_path / "out.png", picture)

    np.testing.assert_array_equal(load_image(path), picture)
    assert os.listdir(tmp_path) == ["out.png"]


def test_save_jpeg_is_high_quality(tmp_path):
    picture = quadrants()
    path = save_image(tmp_path / "out.JPG", picture)

    with Image.open(path) as written:
        assert written.format == "JPEG"
    assert close(load_image(path), picture, tolerance=3)


def test_save_refuses_to_overwrite_unless_told(tmp_path):
    path = tmp_path / "keep.png"
    save_image(path, np.zeros((4, 4, 3), np.uint8))
    before = path.read_bytes()

    with pytest.raises(ImageExistsError, match=r"keep.png") as caught:
        save_image(path, np.full((4, 4, 3), 255, np.uint8))
    assert isinstance(caught.value, FileExistsError) and isinstance(caught.value, HairTintError)
    assert path.read_bytes() == before

    save_image(path, np.full((4, 4, 3), 255, np.uint8), overwrite=True)
    assert load_image(path).min() == 255
    assert os.listdir(tmp_path) == ["keep.png"]


def test_save_rejects_unknown_suffix_and_bad_arrays(tmp_path):
    with pytest.raises(ImageWriteError, match=r"out.gif"):
        save_image(tmp_path / "out.gif", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError):
        save_image(tmp_path / "out.png", np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ImageWriteError):
        save_image(tmp_path / "no_such_folder" / "out.png", np.zeros((4, 4, 3), np.uint8))
    assert os.listdir(tmp_path) == []


@settings(max_examples=25, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9), st.just(3))))
def test_png_round_trip_property(tmp_path_factory, picture):
    path = tmp_path_factory.mktemp("prop") / "any.png"
    save_image(path, picture)
    np.testing.assert_array_equal(load_image(path), picture)


# --- memory bounded by design (issue 10) ---------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_photo_over_the_pixel_budget_is_decoded_reduced(tmp_path, suffix):
    path = tmp_path / f"big{suffix}"
    Image.fromarray(quadrants(400, 600)).save(path)

    loaded = load_image(path, max_pixels=20_000)

    assert loaded.shape[0] * loaded.shape[1] <= 20_000
    assert loaded.shape[0] * 3 == loaded.shape[1] * 2  # the same shape, only smaller
    small = cv2.resize(quadrants(400, 600), (loaded.shape[1], loaded.shape[0]), interpolation=cv2.INTER_AREA)
    assert close(loaded, small, tolerance=20)


def test_reduction_keeps_exif_orientation(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "turned.jpg"
    Image.fromarray(quadrants(400, 600)).save(path, quality=95, exif=exif.tobytes())

    loaded = load_image(path, max_pixels=20_000)

    assert loaded.shape[0] > loaded.shape[1]  # upright: stored landscape, shown portrait
    expected = cv2.resize(np.ascontiguousarray(np.rot90(quadrants(400, 600), -1)), (loaded.shape[1], loaded.shape[0]),
                          interpolation=cv2.INTER_AREA)
    assert close(loaded, expected, tolerance=20)


@pytest.mark.parametrize("mode", ["P", "1", "I;16", "LA"])
def test_reduction_works_for_every_mode(tmp_path, mode):
    path = tmp_path / f"big_{mode.replace(';', '')}.png"
    Image.new(mode, (300, 200)).save(path)

    loaded = load_image(path, max_pixels=5_000)

    assert loaded.dtype == np.uint8 and loaded.ndim == 3 and loaded.shape[0] * loaded.shape[1] <= 5_000


def test_a_header_claiming_a_huge_picture_is_refused_before_decoding(tmp_path, monkeypatch):
    import core.io.images

    path = tmp_path / "claims_a_lot.png"
    Image.new("RGB", (400, 300)).save(path)
    monkeypatch.setattr(core.io.images, "MAX_DECODE_BYTES", 400 * 300 * 3 - 1)

    with pytest.raises(ImageReadError, match=r"claims_a_lot\.png.*too large: 400 x 300 pixels"):
        load_image(path)


def _peak_load(path: str) -> tuple[str, int]:
    """load_image in a child process: its outcome and the peak resident memory (MB) of the whole
    interpreter, numpy and PIL included. Linux's VmHWM, the peak of the child's own memory since it
    started: ``ru_maxrss`` keeps the largest of the process before its exec too, here the test run's."""
    import subprocess
    import sys

    script = ("import resource, sys\nfrom core.io.images import load_image\nfrom core.errors import HairTintError\n"
              "try:\n    a = load_image(sys.argv[1]); out = f'{a.shape[1]}x{a.shape[0]}'\n"
              "except HairTintError as exc:\n    out = str(exc)\n"
              "import re\ntry:\n    peak = int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
              "except OSError:\n    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
              "print(peak); print(out)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", script, path], check=True, capture_output=True, text=True, cwd=root)
    peak, outcome = done.stdout.strip().split("\n", 1)
    return outcome, int(peak)


@pytest.mark.slow
@pytest.mark.parametrize("side", [11000, 13000])
def test_a_huge_png_stays_under_1_gb(tmp_path, side):
    """The issue's case: a 519 KB PNG of 13,000 x 13,000 px took 6.5 GB and 40 s in recolor. 11,000 px
    (a 460 MB decode) is decoded and reduced; 13,000 px (a 645 MB decode) is refused from its header."""
    import subprocess
    import sys

    path = tmp_path / "huge.png"
    subprocess.run([sys.executable, "-c", f"from PIL import Image; Image.new('RGB', ({side}, {side}), (90, 60, 40))"
                    f".save({str(path)!r}, compress_level=1)"], check=True)

    outcome, peak_mb = _peak_load(str(path))

    if side == 11000:
        width, height = map(int, outcome.split("x"))
        assert width == height and width * height <= 16_000_000
    else:
        assert "huge.png" in outcome and "too large: 13000 x 13000 pixels" in outcome
    assert peak_mb < 1024, f"peak {peak_mb} MB"
