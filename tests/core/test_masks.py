"""Masks as people store them (issue 10, part 4): read right, or refused with a message."""

import numpy as np
import pytest
from PIL import Image

from core.errors import DataError
from core.io.datasets import MaskOrientationError, Sample, load_mask, load_pair, mask_orientation_unclear, read_split

HAIR = np.zeros((30, 40), bool)
HAIR[:12, 5:35] = True  # a band across the top: orientation is visible


def _save(path, array, mode=None, **kw):
    image = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    image.save(path, **kw)
    return path


@pytest.mark.parametrize("store", ["0/1", "0/255", "bool", "16-bit", "soft", "red on black", "white on black",
                                   "blue on white", "palette", "palette 2 colours", "alpha", "anti-aliased colour",
                                   "0/128"])
def test_each_way_of_storing_a_mask_reads_the_same_hair(tmp_path, store):  # noqa: C901  one branch per way of storing
    path = tmp_path / "mask.png"
    hair = HAIR.astype(np.uint8)
    if store == "0/1":
        _save(path, hair)
    elif store == "0/255":
        _save(path, hair * 255)
    elif store == "0/128":
        _save(path, hair * 128)
    elif store == "bool":
        Image.fromarray(HAIR).save(path)
    elif store == "16-bit":
        Image.fromarray((hair * 65535).astype(np.uint16)).save(path)
    elif store == "soft":
        soft = hair * 230 + 10
        soft[12, 5:35] = 120  # an anti-aliased edge row, under half
        _save(path, soft.astype(np.uint8))
    elif store in ("red on black", "white on black", "blue on white", "anti-aliased colour"):
        colour = {"red on black": (200, 30, 40), "white on black": (255, 255, 255), "blue on white": (20, 40, 220),
                  "anti-aliased colour": (200, 30, 40)}[store]
        background = (255, 255, 255) if store == "blue on white" else (0, 0, 0)
        rgb = np.where(HAIR[..., None], np.uint8(colour), np.uint8(background)).astype(np.uint8)
        if store == "anti-aliased colour":
            rgb[12, 5:35] = (60, 9, 12)  # 30 % of the way to the hair colour
            rgb[11, 5:35] = (150, 22, 30)  # 75 %: still hair
        _save(path, rgb)
    elif store == "palette":
        image = Image.fromarray(hair, mode=None).convert("P")
        image.putpalette([0, 0, 0, 128, 0, 0] + [0] * 762)
        image.save(path)
    elif store == "palette 2 colours":
        image = Image.new("P", (40, 30))
        image.putpalette([0, 0, 0, 255, 200, 0])
        image.putdata(list(hair.ravel()))
        image.save(path)
    elif store == "alpha":
        rgba = np.zeros((30, 40, 4), np.uint8)
        rgba[..., 3] = hair * 255
        _save(path, rgba)

    np.testing.assert_array_equal(load_mask(path), HAIR)


@pytest.mark.parametrize("kind", ["labels", "colours"])
def test_a_map_of_several_classes_is_refused_not_read_as_no_hair(tmp_path, kind):
    path = tmp_path / "parts.png"
    if kind == "labels":
        labels = np.zeros((30, 40), np.uint8)
        labels[:10], labels[10:20] = 1, 2  # e.g. 1 hair, 2 skin
        _save(path, labels)
    else:
        rgb = np.zeros((30, 40, 3), np.uint8)
        rgb[:10], rgb[10:20], rgb[20:] = (255, 0, 0), (0, 255, 0), (0, 0, 255)  # hair / face / background
        _save(path, rgb)

    with pytest.raises(DataError, match=r"parts\.png cannot be used: it (holds 3 labels|has 3 colours)"):
        load_mask(path)


@pytest.mark.parametrize("content", [b"", b"not a png", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_an_unreadable_mask_is_a_data_error_naming_it(tmp_path, content):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"bad.png"):
        load_mask(path)


def _exif(tag: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = tag
    return exif.tobytes()


LOCK = np.zeros_like(HAIR)
LOCK[12:24, 6:10] = True  # a lock down the left: no turn or mirror leaves the hair as it was
TURN = {2: np.fliplr, 3: lambda a: np.rot90(a, 2), 4: np.flipud, 5: lambda a: a.T,
        6: lambda a: np.rot90(a, -1), 7: lambda a: np.rot90(a, 2).T, 8: lambda a: np.rot90(a, 1)}


@pytest.mark.slow
@pytest.mark.parametrize("tag", sorted(TURN))
@pytest.mark.parametrize("mask_drawn", ["as stored", "upright", "with its own tag"])
@pytest.mark.parametrize("said", [None, "upright", "stored"])
@pytest.mark.parametrize("hair", [HAIR | LOCK, (HAIR | LOCK)[:, 5:35]], ids=["40x30", "square"])
def test_exif_orientation_turns_photo_and_mask_alike_or_refuses(tmp_path, tag, mask_drawn, said, hair):
    """Issue 23, item 8: the mask lies on the photo's hair, whichever way it was drawn, or the pair is
    refused where the shape cannot tell (orientations 2-4; 5-8 on a square photo) and nobody said."""
    turn = TURN[tag]
    photo = np.where(hair[..., None], np.uint8((40, 30, 20)), np.uint8((200, 200, 200))).astype(np.uint8)
    _save(tmp_path / "p.jpg", photo, quality=95, exif=_exif(tag))
    mask = tmp_path / "p.png"
    if mask_drawn == "upright":
        _save(mask, np.ascontiguousarray(turn(hair)).astype(np.uint8) * 255)
    elif mask_drawn == "with its own tag":
        _save(mask, hair.astype(np.uint8) * 255, exif=_exif(tag))
    else:
        _save(mask, hair.astype(np.uint8) * 255)
    sample = Sample("p", tmp_path / "p.jpg", mask, mask_orientation=said)
    shape_tells = tag >= 5 and hair.shape[0] != hair.shape[1]
    drawn = {"as stored": "stored", "upright": "upright"}.get(mask_drawn)
    if drawn is not None and not shape_tells and said is None:
        with pytest.raises(MaskOrientationError, match=rf"p\.jpg is stored turned \(EXIF orientation {tag}\).*"
                                                       "--mask-orientation upright or stored"):
            load_pair(sample)
        assert mask_orientation_unclear(sample)
        return
    rgb, truth = load_pair(sample)
    if drawn is not None and not shape_tells and said != drawn:  # told the wrong way: read as told
        assert truth.shape == rgb.shape[:2] and (truth != np.ascontiguousarray(turn(hair))).any()
        return

    upright_hair = np.ascontiguousarray(turn(hair))
    assert rgb.shape[:2] == truth.shape == upright_hair.shape
    np.testing.assert_array_equal(truth, upright_hair)
    assert (rgb[truth].mean() < 100) and (rgb[~truth].mean() > 150)  # the mask lies on the photo's hair
    assert not mask_orientation_unclear(sample)


def test_a_symmetric_mask_needs_no_word_on_its_orientation(tmp_path):
    hair = np.zeros((30, 40), bool)
    hair[10:20, 10:30] = True  # the same after a half turn or a mirror
    for tag in (2, 3, 4):
        _save(tmp_path / "p.jpg", np.zeros((30, 40, 3), np.uint8), exif=_exif(tag))
        _save(tmp_path / "p.png", hair.astype(np.uint8) * 255)
        _, truth = load_pair(Sample("p", tmp_path / "p.jpg", tmp_path / "p.png"))
        np.testing.assert_array_equal(truth, hair)


def test_a_mask_of_another_shape_is_refused(tmp_path):
    _save(tmp_path / "p.png", np.zeros((30, 40, 3), np.uint8))
    _save(tmp_path / "m.png", np.zeros((40, 10), np.uint8))
    with pytest.raises(DataError, match=r"m\.png is 10 x 40 but its photo is 40 x 30"):
        load_pair(Sample("p", tmp_path / "p.png", tmp_path / "m.png"))


@pytest.mark.parametrize("content", [b"s1\n\xff\xfes2\n", "s1\n".encode("utf-16"), b"s1\x00\x00"])
def test_a_split_file_that_is_not_utf8_text_is_a_clear_error(tmp_path, content):
    path = tmp_path / "val.txt"
    path.write_bytes(content)
    with pytest.raises(DataError, match=r"val\.txt is not (UTF-8 text|a text file)"):
        read_split(path)


def test_a_split_file_with_a_bom_or_crlf_reads(tmp_path):
    path = tmp_path / "val.txt"
    path.write_bytes("\ufeffs1\r\n# note\r\ns2\r\n".encode())
    assert read_split(path) == ["s1", "s2"]


def test_a_split_that_is_a_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="not a regular file"):
        read_split(tmp_path)
