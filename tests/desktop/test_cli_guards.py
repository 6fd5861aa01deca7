"""Bad arguments and outputs are refused before the work starts (issue 10): exit 2, a message, no
traceback, nothing written."""

import json
import os

import cv2
import numpy as np
import pytest

from hairtint_desktop.cli import main
from tests.desktop.test_cli import _tiny_set


@pytest.mark.parametrize("flags", [["--frames", "0"], ["--frames", "-3"], ["--frames", "many"],
                                   ["--size", "100000x100000"], ["--size", "8000x8000"], ["--size", "0x0"],
                                   ["--size", "640x"], ["--frames", "1000000000000"], ["--soak", "0"],
                                   ["--soak", "10", "--every", "11"], ["--every", "-1"]])
def test_bench_bad_numbers_are_usage_errors(capsys, flags):
    with pytest.raises(SystemExit) as stopped:
        code = main(["bench", *flags])
        raise SystemExit(code)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("hairtint" in err or "usage" in err)


@pytest.mark.parametrize("where", ["missing folder", "a folder", "read-only", "empty"])
@pytest.mark.parametrize("command", ["bench", "eval", "eval-video", "soak"])
def test_unwritable_json_is_refused_before_the_work(tmp_path, capsys, monkeypatch, where, command):
    target = {"missing folder": tmp_path / "nowhere" / "out.json", "a folder": tmp_path,
              "read-only": "/proc/self/hairtint.json", "empty": ""}[where]
    started = []
    monkeypatch.setattr("core.tools.bench.run_bench", lambda *a, **k: started.append(1))
    monkeypatch.setattr("core.tools.evaluate.collect_samples", lambda *a, **k: started.append(1))
    monkeypatch.setattr("hairtint_desktop.soak.run_soak", lambda *a, **k: started.append(1))
    args = {"bench": ["bench", "--frames", "2", "--size", "64x48"], "soak": ["soak", "--frames", "2"],
            "eval": ["eval", "--data", str(tmp_path)], "eval-video": ["eval-video", "--data", str(tmp_path)]}[command]
    before = sorted(os.listdir(tmp_path))

    assert main([*args, "--json", str(target)]) == 2

    err = capsys.readouterr().err
    assert "hairtint: " in err and "Traceback" not in err and not started
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("where", ["a file", "under a file", "read-only"])
def test_unwritable_report_folder_is_refused_before_the_work(tmp_path, capsys, monkeypatch, where):
    (tmp_path / "f.txt").write_text("x")
    target = {"a file": tmp_path / "f.txt", "under a file": tmp_path / "f.txt" / "report",
              "read-only": "/proc/self/report"}[where]
    started = []
    monkeypatch.setattr("core.tools.evaluate.collect_samples", lambda *a, **k: started.append(1))
    assert main(["eval", "--data", str(tmp_path), "--report", str(target)]) == 2
    assert "Traceback" not in capsys.readouterr().err and not started


@pytest.mark.parametrize("limit", ["-1", "0", "x"])
def test_eval_limit_must_be_positive(capsys, tmp_path, limit):
    with pytest.raises(SystemExit) as stopped:
        main(["eval", "--data", str(tmp_path), "--limit", limit])
    assert stopped.value.code == 2


def test_eval_split_that_is_not_utf8_is_a_clear_error(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    (data / "val.txt").write_bytes(b"s0\n\xe9t\xe9\n")
    assert main(["eval", "--data", str(data), "--split", "val.txt"]) == 2
    err = capsys.readouterr().err
    assert "val.txt is not UTF-8 text" in err and "Traceback" not in err


def test_eval_refuses_a_mask_of_several_classes_before_it_starts(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    labels = (cv2.imread(str(data / "masks" / "s2.png"), cv2.IMREAD_GRAYSCALE) > 0).astype(np.uint8)
    labels[-20:] = 2  # another class
    cv2.imwrite(str(data / "masks" / "s2.png"), labels)
    assert main(["eval", "--data", str(data), "--json", str(tmp_path / "e.json")]) == 2
    assert "s2.png cannot be used" in capsys.readouterr().err
    assert not (tmp_path / "e.json").exists()


def test_eval_reads_0_1_masks_like_0_255(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    assert main(["eval", "--data", str(data), "--json", str(tmp_path / "a.json")]) == 0
    for mask in (data / "masks").iterdir():
        cv2.imwrite(str(mask), (cv2.imread(str(mask), cv2.IMREAD_GRAYSCALE) > 127).astype(np.uint8))
    assert main(["eval", "--data", str(data), "--json", str(tmp_path / "b.json")]) == 0
    a, b = (json.loads((tmp_path / n).read_text())["models"] for n in ("a.json", "b.json"))
    assert [m["mean_iou"] for m in a.values()] == [m["mean_iou"] for m in b.values()]
    assert all(m["mean_iou"] > 0.5 for m in b.values())


def test_report_is_written_whole_and_leaves_no_partial_folder(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    report = tmp_path / "report"
    assert main(["eval", "--data", str(data), "--limit", "1", "--report", str(report)]) == 0
    assert (report / "index.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial") or p.name.endswith(".tmp")]


def test_bench_soak_reports_memory_over_time(tmp_path, capsys):
    out = tmp_path / "soak.json"
    assert main(["bench", "--soak", "12", "--every", "4", "--size", "96x72", "--json", str(out)]) == 0
    soak = json.loads(out.read_text())["soak"]
    assert [s[0] for s in soak["samples"]] == [0, 4, 8, 12]
    assert soak["every"] == 4 and all(s[2] > 0 for s in soak["samples"])
    assert soak["growth_mb"] == pytest.approx(soak["end_mb"] - soak["start_mb"], abs=0.11)
    printed = capsys.readouterr().out
    assert "RSS MB" in printed and "growth" in printed
