"""Fuzzing the files people hand HairTint (issue 10, part 5): generated malformed photos, masks,
palette files and split files go through the same functions the CLI and the app call. Each must give
a result or a HairTintError, never another exception; no input may change; nothing partial may be
left behind. The examples each test runs in each tier: its ``@fuzz``."""

import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from core.catalog.palette import load_palette
from core.errors import HairTintError
from core.io.datasets import load_mask, read_split
from core.io.images import load_image
from tests.fuzz.tiers import fuzz

FORMATS = ["PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF"]
MODES = ["RGB", "L", "RGBA", "P", "1", "LA", "I;16", "CMYK"]


@st.composite
def small_images(draw) -> bytes:
    """A tiny real picture in some format and mode, then perhaps cut short, bit-flipped, spliced or
    given a header that claims another size."""
    fmt, mode = draw(st.sampled_from(FORMATS)), draw(st.sampled_from(MODES))
    w, h = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    seed = draw(st.integers(0, 2**16))
    pixels = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    try:
        image = image.convert(mode)
        buffer = io.BytesIO()
        extra = {}
        if draw(st.booleans()) and fmt in ("JPEG", "PNG", "WEBP", "TIFF"):
            exif = Image.Exif()
            exif[0x0112] = draw(st.integers(0, 12))
            extra["exif"] = exif.tobytes()
        image.save(buffer, format=fmt, **extra)
        data = bytearray(buffer.getvalue())
    except (OSError, ValueError, KeyError, TypeError):
        data = bytearray(pixels.tobytes())  # a mode the format cannot store: raw bytes instead
    damage = draw(st.sampled_from(["none", "truncate", "flip", "splice", "size"]))
    if damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "flip" and data:
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
    elif damage == "splice":
        at = draw(st.integers(0, len(data)))
        data[at:at] = draw(st.binary(min_size=1, max_size=64))
    elif damage == "size" and fmt == "PNG" and len(data) > 24:
        data[16:24] = draw(st.binary(min_size=8, max_size=8))  # IHDR width and height
    elif damage == "size" and fmt == "BMP" and len(data) > 26:
        data[18:26] = draw(st.binary(min_size=8, max_size=8))
    return bytes(data)


def read_or_refuse(name: str, data: bytes, read, mentions: str):
    """``read`` the file ``name`` holding ``data``: its result, or None when it was refused with a
    HairTintError that mentions ``mentions``. Either way the file is unchanged and nothing else is
    left beside it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            result = read(path)
        except HairTintError as exc:
            assert mentions in str(exc)
            result = None
        assert path.read_bytes() == data
        assert {p.name for p in Path(folder).iterdir()} == {name}
    return result


@pytest.mark.slow
@fuzz(quick=400, long=3000)
@given(data=small_images(), suffix=st.sampled_from([".png", ".jpg", ".bmp", ".tif", ".webp", ".gif"]))
def test_photos_load_or_are_refused(data, suffix):
    result = read_or_refuse(f"photo{suffix}", data, load_image, "photo")
    if result is not None:
        assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 3 and result.size > 0


@pytest.mark.slow
@fuzz(quick=150, long=1200)
@given(data=small_images())
def test_masks_read_or_are_refused(data):
    result = read_or_refuse("mask.png", data, load_mask, "mask")
    if result is not None:
        assert result.dtype == bool and result.ndim == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
shade_entries = st.dictionaries(st.sampled_from(["name", "hex", "tips", "extra"]),
                                st.text(max_size=10) | st.sampled_from(["#c8782a", "#fff", "Honey Blonde", ""])
                                | json_values, max_size=4)


@st.composite
def palette_files(draw) -> bytes:
    kind = draw(st.sampled_from(["shades", "any json", "bytes", "deep", "encoding"]))
    if kind == "shades":
        return json.dumps({"shades": draw(st.lists(shade_entries, max_size=5))}).encode()
    if kind == "any json":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        depth = draw(st.integers(100, 100_000))
        return b"[" * depth + b"]" * draw(st.integers(0, depth))
    if kind == "encoding":
        text = json.dumps({"shades": [{"name": draw(st.text(max_size=8)), "hex": "#123456"}]})
        return text.encode(draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "utf-32"])), "replace")
    return draw(st.binary(max_size=200))


@pytest.mark.slow
@fuzz(quick=250, long=1500)
@given(data=palette_files())
def test_palette_files_load_or_are_refused(data):
    result = read_or_refuse("palette.json", data, load_palette, "palette")
    if result is not None:
        assert all(len(s.rgb) == 3 for s in result)


@pytest.mark.slow
@fuzz(quick=150, long=1000)
@given(data=st.binary(max_size=300) | st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_split_files_read_or_are_refused(data):
    result = read_or_refuse("val.txt", data, read_split, "val.txt")
    if result is not None:
        assert all(isinstance(s, str) and s for s in result)
