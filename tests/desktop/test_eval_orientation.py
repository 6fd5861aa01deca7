"""``hairtint eval`` on photos turned by their EXIF tag whose masks were drawn upright, where the mask's
shape cannot tell (issue 23, item 8): refused with a sentence, or, told how the masks were drawn, the
same IoU as the same photos stored upright. Never a silently wrong IoU."""

import json

import numpy as np
import pytest
from PIL import Image

from hairtint_desktop.cli import main
from tests.labelled_sets import labelled_set

# EXIF tag -> what it does to the stored pixels to show them upright, and its inverse (to store them)
SHOW = {2: np.fliplr, 3: lambda a: np.rot90(a, 2), 6: lambda a: np.rot90(a, -1)}
STORE = {2: np.fliplr, 3: lambda a: np.rot90(a, 2), 6: lambda a: np.rot90(a, 1)}


def _turned_copy(upright_set, root, tag):
    """The same photos stored turned with EXIF ``tag`` (lossless PNG), their masks left upright."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for image in sorted((upright_set / "images").iterdir()):
        pixels = np.asarray(Image.open(image).convert("RGB"))
        stored = np.ascontiguousarray(STORE[tag](pixels))
        np.testing.assert_array_equal(SHOW[tag](stored), pixels)
        exif = Image.Exif()
        exif[0x0112] = tag
        Image.fromarray(stored).save(root / "images" / image.name, exif=exif.tobytes())
        (root / "masks" / image.name).write_bytes((upright_set / "masks" / image.name).read_bytes())
    return root


def _mean_iou(capsys, data, *extra, out):
    assert main(["eval", "--data", str(data), "--json", str(out), *extra]) == 0, capsys.readouterr().err
    (row,) = json.loads(out.read_text())["models"].values()
    return row["mean_iou"]


@pytest.mark.slow
@pytest.mark.parametrize("tag, size", [(3, (64, 48)), (2, (64, 48)), (6, (56, 56))])
def test_eval_refuses_or_scores_as_the_upright_photos(tmp_path, capsys, tag, size):
    upright = labelled_set(tmp_path / "upright", 2, size=size, suffix=".png", step=0.5)
    turned = _turned_copy(upright, tmp_path / "turned", tag)

    assert main(["eval", "--data", str(turned)]) == 2
    err = capsys.readouterr().err
    assert "2 photos are stored turned (EXIF orientation)" in err and "--mask-orientation upright or stored" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1

    reference = _mean_iou(capsys, upright, out=tmp_path / "a.json")
    told = _mean_iou(capsys, turned, "--mask-orientation", "upright", out=tmp_path / "b.json")
    wrong = _mean_iou(capsys, turned, "--mask-orientation", "stored", out=tmp_path / "c.json")
    assert told == pytest.approx(reference, abs=1e-9)
    assert wrong < reference - 0.02  # what eval measured before, with no word of warning
