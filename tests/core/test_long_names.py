"""A 240-character photo or shade name gives a shortened output name, never "File name too long"
(issue 23, item 10): recolour results (one photo, a batch), snapshots, files written whole through a
temporary name, staged report folders."""

from datetime import datetime

import cv2
import numpy as np
import pytest

from core.demo.synthetic import render_portrait
from core.frames import Look, Shade
from core.io.images import load_image, save_image
from core.io.naming import MAX_STEM_BYTES, result_stem, shorten, snapshot_path
from core.io.outputs import staged_folder, write_text
from core.tools.batch import plan
from hairtint_desktop.cli import main

LOOK = Look(Shade("Sunlit Amber", (200, 120, 42)), intensity=55)
LONG = "portrait-of-a-customer-" * 10 + "x" * 10  # 240 characters
NAME_MAX = 255  # bytes, on the file systems HairTint runs on


def _fits(path) -> bool:
    return len(path.name.encode("utf-8", "surrogateescape")) <= NAME_MAX


@pytest.mark.parametrize("stem", [LONG, "é" * 240, "写真" * 120, LONG[:180], "a" * 181])
def test_shorten_keeps_the_ends_and_a_digest_within_the_limit(stem):
    short = shorten(stem)
    assert len(short.encode()) <= MAX_STEM_BYTES
    if len(stem.encode()) <= MAX_STEM_BYTES:
        assert short == stem
    else:
        assert short.startswith(stem[:20]) and short.endswith(stem[-10:]) and short.count("~") >= 2


def test_two_long_names_that_differ_only_in_the_middle_stay_apart(tmp_path):
    a, b = LONG[:120] + "A" + LONG[121:], LONG[:120] + "B" + LONG[121:]
    assert shorten(a) != shorten(b)
    for stem in (a, b):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"{stem}.jpg").write_bytes(b"x")
    jobs, problems = plan([tmp_path / "in"], tmp_path / "out", LOOK)
    assert problems == [] and len({j.target for j in jobs}) == 2
    assert all(_fits(j.target) and j.target.name.endswith("_sunlit-amber_55.jpg") for j in jobs)


def test_a_long_result_name_still_gets_its_number_when_taken(tmp_path):
    photo = tmp_path / f"{LONG}.png"
    photo.write_bytes(b"x")
    first = tmp_path / "out" / f"{result_stem(LONG, LOOK)}.png"
    first.parent.mkdir()
    first.write_bytes(b"x")
    jobs, _ = plan([photo], tmp_path / "out", LOOK)
    assert jobs[0].target.name == f"{first.stem}-2.png" and _fits(jobs[0].target)


def test_recolor_of_a_photo_with_a_240_character_name_writes_a_shortened_one(tmp_path, capsys):
    rgb, _ = render_portrait(64, 48, t=0.0, seed=1)
    photo = tmp_path / f"{LONG}.jpg"
    assert len(photo.name) == 244
    cv2.imwrite(str(photo), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    out = tmp_path / "results"
    assert main(["recolor", str(photo), "-o", str(out), "--color", "Sunlit Amber"]) == 0
    assert main(["recolor", str(photo), "-o", str(out), "--color", "Sunlit Amber"]) == 0
    written = sorted(out.iterdir())
    assert "too long" not in capsys.readouterr().err
    assert len(written) == 2 and all(_fits(p) and p.name.startswith(LONG[:60]) for p in written)
    assert written[0].name.endswith("_sunlit-amber_70-2.jpg") or written[1].name.endswith("_sunlit-amber_70-2.jpg")
    assert load_image(written[0]).shape == rgb.shape


def test_a_snapshot_of_a_shade_with_a_240_character_name(tmp_path):
    look = Look(Shade("Midnight " * 26 + "Blue", (20, 30, 90)), intensity=70)
    path = snapshot_path(tmp_path, look, datetime(2026, 1, 2, 3, 4, 5))
    assert _fits(path) and path.name.startswith("hairtint_midnight-midnight") and path.name.endswith("_70_20260102-030405.jpg")
    save_image(path, np.zeros((8, 8, 3), np.uint8))
    assert snapshot_path(tmp_path, look, datetime(2026, 1, 2, 3, 4, 5)).name == f"{path.stem}-2.jpg"


def test_a_name_a_person_chose_up_to_the_limit_is_written_whole(tmp_path):
    """The temporary file beside it has a short name of its own, so 255 bytes is the only limit."""
    image = tmp_path / ("p" * 251 + ".png")
    save_image(image, np.zeros((8, 8, 3), np.uint8))
    text = write_text(tmp_path / ("t" * 250 + ".json"), "{}")
    with staged_folder(tmp_path / ("r" * 255)) as work:
        (work / "index.html").write_text("<p>")
    assert image.is_file() and text.read_text() == "{}" and (tmp_path / ("r" * 255) / "index.html").is_file()
    assert sorted(p.name[:1] for p in tmp_path.iterdir()) == ["p", "r", "t"]  # nothing left beside them
