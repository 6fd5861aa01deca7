"""Fuzzing ``hairtint recolor``, ``eval`` and ``bench`` argument values (issue 10, part 5; issue 23,
item 11): whatever a person types, the command ends with exit 0, 1 or 2 and a message, never a
traceback; inputs do not change; no partial output is left. ``recolor`` and ``eval`` run the real model
and stages on small photos (each model loaded once for the whole run, not once an example); only
bench's timed loop is stood in for, after the real argument and input checks."""

import json
import tempfile
from pathlib import Path

import cv2
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from core.demo.synthetic import render_portrait
from hairtint_desktop.cli import main
from tests.fuzz.real_model import use_real_models
from tests.fuzz.tiers import fuzz
from tests.labelled_sets import labelled_set

TRICKY = ["", "0", "-1", "1", "100", "101", "1e3", "nan", "inf", "-0", " 5", "5 ", "0x10", "١٢", "640x480", "16x16",
          "15x15", "0x0", "99999x99999", "7680x4320", "7681x10", "-640x480", "640x", "x480", "640X480", "3x3x3",
          "none", "None", "#fff", "#c8782a", "#C8782A", "#zzzzzz", "Sunlit Amber", "sunlit amber", "Espresso",
          "Honey Balayage", "Pastel Lavender", "val", "val.txt", "../val.txt", "\u00e9t\u00e9", "\ufeffval"]
values = st.one_of(st.sampled_from(TRICKY), st.integers(-10**13, 10**13).map(str),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                           max_size=14))


def mostly(*valid) -> st.SearchStrategy:
    """Usually one of the ``valid`` values, sometimes any fuzzed one: so that some runs get deep."""
    return st.tuples(st.integers(0, 4), st.sampled_from(valid), values).map(lambda t: t[2] if t[0] == 0 else t[1])


def _ended_cleanly(argv: list[str], capsys) -> int:
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's usage errors
        code = stop.code
    err = capsys.readouterr().err
    assert code in (0, 1, 2), (argv, code)
    event(f"exit {code}")
    if code == 2:
        event(err.strip().splitlines()[-1][:60])
    assert "Traceback" not in err
    if code == 2:
        assert err.strip(), argv  # a message says why
    return code


@pytest.fixture
def photo(tmp_path):
    rgb, _ = render_portrait(64, 48, t=0.0, seed=1)
    path = tmp_path / "me.png"
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return path


@pytest.mark.slow
@fuzz(quick=60, long=400)
@given(color=mostly("Sunlit Amber", "Espresso", "#c8782a", "Honey Balayage"),
       tips=st.none() | mostly("none", "Pastel Lavender", "#b7a2d2"),
       intensity=mostly(*map(str, range(0, 101, 7))), shine=mostly(*map(str, range(0, 101, 9))),
       name=st.sampled_from(["out.png", "out.jpg", "results", "sub/"]) | st.sampled_from(["out.gif", ".png", "me.png"])
       | st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), max_size=12))
def test_recolor_arguments(photo, capsys, monkeypatch, color, tips, intensity, shine, name):
    use_real_models(monkeypatch)
    original = photo.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / name if name else Path(folder) / "results"
        argv = ["recolor", str(photo), "-o", str(out), f"--color={color}", f"--intensity={intensity}",
                f"--shine={shine}", *([f"--tips={tips}"] if tips is not None else [])]
        code = _ended_cleanly(argv, capsys)
        written = [p for p in Path(folder).rglob("*") if p.is_file()]
        assert not [p for p in written if p.name.endswith(".tmp")]  # no partial output
        if code == 0:
            assert len(written) == 1 and cv2.imread(str(written[0])) is not None
        elif code == 2:
            assert written == []
    assert photo.read_bytes() == original


@pytest.fixture
def tiny_set(tmp_path):
    return labelled_set(tmp_path / "set", 2, size=(48, 40), suffix=".png", step=0.5)


@pytest.mark.slow
@fuzz(quick=40, long=250)
@given(split=st.none() | mostly("val.txt", "val"), limit=st.none() | mostly("1", "2", "5"),
       json_name=st.none() | mostly("e.json", "sub/e.json"), model=st.none() | mostly("hairnet", "hairnet@1.0.0"),
       orientation=st.none() | mostly("upright", "stored"))
def test_eval_arguments(tiny_set, capsys, monkeypatch, split, limit, json_name, model, orientation):
    use_real_models(monkeypatch)
    before = sorted((p.name, p.read_bytes()) for p in tiny_set.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as folder:
        argv = ["eval", "--data", str(tiny_set)]
        argv += [f"--split={split}"] if split is not None else []
        argv += [f"--limit={limit}"] if limit is not None else []
        argv += [f"--model={model}"] if model is not None else []
        argv += [f"--mask-orientation={orientation}"] if orientation is not None else []
        argv += [f"--json={Path(folder) / json_name}"] if json_name not in (None, "") and "\x00" not in json_name else []
        code = _ended_cleanly(argv, capsys)
        assert not [p for p in Path(folder).rglob("*") if p.name.endswith((".tmp", ".partial"))]
        if code == 0 and json_name in ("e.json", "sub/e.json") and (Path(folder) / json_name).exists():
            (row,) = json.loads((Path(folder) / json_name).read_text())["models"].values()
            assert 0.0 <= row["mean_iou"] <= 1.0  # the real model's figure, not a stand-in
    assert sorted((p.name, p.read_bytes()) for p in tiny_set.rglob("*") if p.is_file()) == before


@pytest.mark.slow
@fuzz(quick=150, long=500)
@given(frames=st.none() | mostly("1", "30", "100000"), size=st.none() | mostly("64x48", "16x16", "7680x4320"),
       soak=st.none() | mostly("1", "20", "500"), every=st.none() | mostly("1", "5", "20"),
       source=st.sampled_from(["synthetic", "synthetic:64x48", "camera:9", "nowhere.mp4", "", "synthetic:0x0"]))
def test_bench_arguments(capsys, monkeypatch, frames, size, soak, every, source):
    from core.tools import bench

    use_real_models(monkeypatch)

    def quick(pipeline, source_spec, frames, size, look, progress=True, soak_every=None):
        from core.tools.timing_reports import BenchReport, Machine, MemoryCurve

        bench.check_settings(frames, size)  # the real checks; then a report without the timed loop
        stats = {"p50": 1.0, "p95": 2.0, "p99": 3.0}
        soak = MemoryCurve.of([(0, 0.0, 1.0), (frames, 1.0, 1.0)], soak_every) if soak_every else None
        return BenchReport("m", frames, size, 1.0, stats, {n: stats for n in ("segment", "smooth", "refine", "recolor")},
                           1.0, Machine("cpu", 1, "system", "3", "mp", "cv", "today"), soak)

    monkeypatch.setattr(bench, "run_bench", quick)
    argv = ["bench", f"--source={source}"]
    for flag, value in (("--frames", frames), ("--size", size), ("--soak", soak), ("--every", every)):
        argv += [f"{flag}={value}"] if value is not None else []
    _ended_cleanly(argv, capsys)
