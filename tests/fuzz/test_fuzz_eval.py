"""Fuzzing ``hairtint eval`` with the real model on photos turned by their EXIF tag (issue 23, items 8 and
11): any orientation, a square photo or not, the mask drawn on the stored pixels, upright or with its
own tag, and ``--mask-orientation`` given or not. Eval refuses with a sentence, or measures the IoU that
the same photo stored upright gets: never a silently different one."""

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from PIL import Image

from core.demo.synthetic import render_portrait
from hairtint_desktop.cli import main
from tests.fuzz.real_model import use_real_models
from tests.fuzz.tiers import fuzz

# EXIF tag -> how the upright picture is stored so that the tag shows it upright again (PIL's transposes)
STORE = {1: lambda a: a, 2: np.fliplr, 3: lambda a: np.rot90(a, 2), 4: np.flipud, 5: lambda a: np.swapaxes(a, 0, 1),
         6: lambda a: np.rot90(a, 1), 7: lambda a: np.swapaxes(np.rot90(a, 2), 0, 1), 8: lambda a: np.rot90(a, -1)}
AGREEING = 0.02  # how far apart the IoUs may be where the two readings of a mask agree (IoU >= 0.99)


def _save(path: Path, pixels: np.ndarray, tag: int | None) -> None:
    exif = Image.Exif()
    if tag is not None:
        exif[0x0112] = tag
    Image.fromarray(np.ascontiguousarray(pixels)).save(path, exif=exif.tobytes())


def _one_photo_set(root: Path, rgb: np.ndarray, mask: np.ndarray, tag: int, drawn: str) -> Path:
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    _save(root / "images" / "p.png", STORE[tag](rgb), tag)
    hair = mask.astype(np.uint8) * 255
    if drawn == "stored":
        _save(root / "masks" / "p.png", STORE[tag](hair), None)
    elif drawn == "upright":
        _save(root / "masks" / "p.png", hair, None)
    else:  # its own tag, as the photo's
        _save(root / "masks" / "p.png", STORE[tag](hair), tag)
    return root


def _eval(capsys, data: Path, out: Path, *extra) -> tuple[int, str, float | None]:
    try:
        code = main(["eval", "--data", str(data), "--json", str(out), *extra])
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    iou = json.loads(out.read_text())["models"].popitem()[1]["mean_iou"] if code == 0 else None
    return code, err, iou


@pytest.fixture(autouse=True)
def _real_models(monkeypatch):
    use_real_models(monkeypatch)


@pytest.mark.slow
@fuzz(quick=16, long=240)
@given(tag=st.integers(1, 8), size=st.sampled_from([(48, 40), (40, 40), (36, 44)]), seed=st.integers(0, 50),
       drawn=st.sampled_from(["stored", "upright", "own tag"]), said=st.sampled_from([None, "upright", "stored"]))
def test_eval_refuses_or_measures_the_upright_photos_iou(capsys, tag, size, seed, drawn, said):
    rgb, mask = render_portrait(*size, t=seed * 0.1, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        upright = _one_photo_set(folder / "upright", rgb, mask, 1, "stored")
        turned = _one_photo_set(folder / "turned", rgb, mask, tag, drawn)
        code, err, reference = _eval(capsys, upright, folder / "a.json")
        assert code == 0, err
        code, err, iou = _eval(capsys, turned, folder / "b.json",
                               *([f"--mask-orientation={said}"] if said else []))
    shape_tells = tag >= 5 and size[0] != size[1]
    unclear = tag != 1 and drawn != "own tag" and not shape_tells
    event(f"{'unclear' if unclear else 'clear'}, told {said}: exit {code}")
    if code == 2:
        assert unclear and said is None, err
        assert "1 photo is stored turned" in err and "--mask-orientation upright or stored" in err
        return
    assert code == 0, err
    if not unclear or said == drawn:
        assert iou == pytest.approx(reference, abs=1e-9)
    elif said is None:  # the two readings agreed, so it went on: the IoU is as good as the upright photo's
        assert abs(iou - reference) <= AGREEING
