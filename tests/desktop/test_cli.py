"""``hairtint`` end to end on generated photos: recolor, eval, eval-video, bench, models."""

import json

import cv2
import numpy as np
import pytest

from core.images import load_image
from hairtint_desktop.cli import main
from tests.conftest import FIXTURES

PORTRAIT = FIXTURES / "portrait_640x480.png"


def test_recolor_writes_named_results_and_skips_bad_files(tmp_path, capsys):
    photos = tmp_path / "in"
    photos.mkdir()
    (photos / "a.png").write_bytes(PORTRAIT.read_bytes())
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    out = tmp_path / "out"
    code = main(["recolor", str(photos), "-o", str(out), "--color", "Sunlit Amber", "--intensity", "80"])
    assert code == 1  # one photo failed
    err = capsys.readouterr().err
    assert "broken.jpg" in err and "1 recoloured, 1 failed" in err
    result = out / "a_sunlit-amber_80.png"
    assert result.exists()
    before, after = load_image(photos / "a.png"), load_image(result)
    assert before.shape == after.shape and not np.array_equal(before, after)


def test_recolor_never_overwrites_an_input(tmp_path):
    photo = tmp_path / "me.png"
    photo.write_bytes(PORTRAIT.read_bytes())
    original = photo.read_bytes()
    assert main(["recolor", str(photo), "-o", str(photo), "--color", "#204080"]) == 0
    assert photo.read_bytes() == original
    assert (tmp_path / "me-2.png").exists()


def test_recolor_unknown_shade_is_a_clear_error(tmp_path, capsys):
    assert main(["recolor", str(PORTRAIT), "-o", str(tmp_path), "--color", "Mauve Thunder"]) == 2
    assert "Mauve Thunder" in capsys.readouterr().err


def _tiny_set(root):
    from core.synthetic import render_portrait

    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for i in range(3):
        rgb, mask = render_portrait(320, 240, t=i * 0.5, seed=i)
        cv2.imwrite(str(root / "images" / f"s{i}.jpg"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        cv2.imwrite(str(root / "masks" / f"s{i}.png"), mask.astype(np.uint8) * 255)
    (root / "val.txt").write_text("s0\ns2\n")
    return root


def test_eval_prints_and_writes_json_and_report(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    code = main(["eval", "--data", str(data), "--split", "val.txt", "--json", str(tmp_path / "e.json"),
                 "--report", str(tmp_path / "report")])
    assert code == 0
    figures = json.loads((tmp_path / "e.json").read_text())["models"]["hairnet"]
    assert figures["n"] == 2
    assert set(figures) >= {"n", "mean_iou", "median_iou", "failure_rate", "ms_per_image"}
    assert 0.0 <= figures["mean_iou"] <= 1.0 and figures["ms_per_image"] > 0
    assert "hairnet" in capsys.readouterr().out
    assert (tmp_path / "report" / "index.html").exists()
    assert len(list((tmp_path / "report").glob("*.jpg"))) == 2


def test_eval_on_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["eval", "--data", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err


def test_eval_video_prints_and_writes_json(tmp_path, capsys):
    data = _tiny_set(tmp_path / "tiny")
    out = tmp_path / "v.json"
    assert main(["eval-video", "--data", str(data), "--split", "val.txt", "--frames", "4", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["frames"] == 4
    figures = report["models"]["hairnet"]
    assert figures["n"] == 2 and set(figures["sets"]) == {"tiny"}
    assert set(figures) >= {"live_flicker", "per_frame_flicker", "flicker_ratio", "live_iou", "per_frame_iou"}
    assert 0.0 <= figures["live_iou"] <= 1.0 and figures["live_flicker"] >= 0.0
    printed = capsys.readouterr().out
    assert "hairnet" in printed and "ratio" in printed


def test_eval_video_fails_cleanly_on_bad_input(tmp_path, capsys):
    assert main(["eval-video", "--data", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere" in err and "Traceback" not in err
    data = _tiny_set(tmp_path / "tiny")
    assert main(["eval-video", "--data", str(data), "--model", str(tmp_path / "missing.tflite")]) == 2
    assert "missing.tflite" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["eval-video", "--data", str(data), "--limit", "0"])
    assert stop.value.code == 2


def test_bench_reports_the_documented_fields(tmp_path):
    out = tmp_path / "bench.json"
    assert main(["bench", "--source", "synthetic", "--frames", "15", "--size", "320x240", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["frames"] == 15 and report["size"] == [320, 240] and report["fps"] > 0
    assert set(report["latency_ms"]) == {"p50", "p95", "p99"}
    assert set(report["stages"]) == {"segment", "smooth", "refine", "recolor"}
    assert report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
    assert report["machine"]["cores"] >= 1 and report["model"].startswith("hairnet@")


def test_models_list_and_verify(capsys):
    assert main(["models", "list"]) == 0
    assert "hairnet@" in capsys.readouterr().out
    assert main(["models", "verify"]) == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.shared
def test_eval_compares_with_the_2019_model_by_path(shared_dir, tmp_path):
    data = shared_dir / "datasets" / "celebamaskhq_hair"
    anchor = shared_dir / "models" / "mediapipe_hair_segmentation_2019.tflite"
    out = tmp_path / "e.json"
    assert main(["eval", "--data", str(data), "--split", "val.txt", "--limit", "3", "--model", "hairnet",
                 "--model", str(anchor), "--json", str(out)]) == 0
    models = json.loads(out.read_text())["models"]
    assert set(models) == {"hairnet", "mediapipe_hair_segmentation_2019 (file)"}
    assert all(m["n"] == 3 for m in models.values())
