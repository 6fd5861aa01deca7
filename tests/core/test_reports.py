"""The reports the commands print, as records: each ``table()`` is the exact text a command prints and
each ``to_json()`` the exact JSON ``--json`` writes (``core.tools.timing_reports``, ``eval_report``,
``video_eval``, ``selftest``, ``core.catalog.rollout``, ``model_listing``)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from core.catalog.model_listing import ListedModel, ModelListing, mean_iou_figures
from core.catalog.rollout import Assignment, RolloutStatus, Stage
from core.catalog.rollout_state import RollbackRecord
from core.io.outputs import figures_json
from core.tools.eval_report import EvalReport, ModelFigures
from core.tools.selftest import Check, SelfTestReport
from core.tools.timing_reports import AppSoakReport, BenchReport, Machine, MemoryCurve
from core.tools.video_eval import VideoFigures, VideoReport

MACHINE = Machine("Some CPU", 8, "Linux 6.1", "3.11.7", "0.10.14", "4.11.0", "2026-12-07")
STATS = {"p50": 10.25, "p95": 12.5, "p99": 20.0}


def _bench(soak: MemoryCurve | None = None) -> BenchReport:
    return BenchReport("hairnet@2.2.0", 30, (640, 480), 41.234, STATS,
                       {name: {"p50": 1.0 + i, "p95": 2.0 + i} for i, name in enumerate(("segment", "smooth", "refine",
                                                                                          "recolor"))},
                       312.6, MACHINE, soak)


def test_bench_table_and_json():
    report = _bench()
    assert report.table() == "\n".join([
        "model    hairnet@2.2.0",
        "frames   30 at 640x480",
        "speed    41.2 frames/s",
        "machine  Some CPU, 8 cores, Linux 6.1",
        "memory   313 MB peak",
        "",
        "stage        p50 ms   p95 ms",
        "segment         1.0      2.0",
        "smooth          2.0      3.0",
        "refine          3.0      4.0",
        "recolor         4.0      5.0",
        "total          10.2     12.5   (p99 20.0)"])
    written = json.loads(figures_json(report.to_json()))
    assert list(written) == ["model", "frames", "size", "fps", "latency_ms", "stages", "peak_rss_mb", "machine"]
    assert written["size"] == [640, 480] and written["latency_ms"] == STATS
    assert written["machine"] == {"cpu": "Some CPU", "cores": 8, "system": "Linux 6.1", "python": "3.11.7",
                                  "mediapipe": "0.10.14", "opencv": "4.11.0", "date": "2026-12-07"}


def test_memory_curve_rounds_its_samples_and_says_its_growth():
    curve = MemoryCurve.of([(0, 0.0, 100.04), (10, 1.234, 101.0), (20, 2.5, 103.46)], 10)
    assert curve.to_json() == {"every": 10, "unit": "frames", "samples": [[0, 0.0, 100.0], [10, 1.23, 101.0],
                                                                          [20, 2.5, 103.5]],
                               "start_mb": 100.0, "end_mb": 103.5, "max_mb": 103.5, "growth_mb": 3.4,
                               "growth_second_half_mb": 2.5}
    assert curve.table() == "\n".join([
        "    frame  seconds   RSS MB   change",
        "        0      0.0    100.0     +0.0",
        "       10      1.2    101.0     +1.0",
        "       20      2.5    103.5     +3.5",
        "growth   +3.4 MB over the run (100.0 -> 103.5 MB, after warm-up), +2.5 MB over its second half; "
        "sampled every 10 frames"])
    report = _bench(curve)
    assert report.table().endswith("\n\n" + curve.table()) and report.to_json()["soak"] == curve.to_json()


def test_app_soak_table_and_json():
    curve = MemoryCurve.of([(0, 0.0, 200.0), (40, 1.5, 201.0)], 1.5, unit="s",
                           counts={"clip_frames": [0, 45], "not_shown": [0, 5], "problems": [0, 1]})
    report = AppSoakReport("synthetic", "hairnet@2.2.0", (1180, 760), True, 10, "frames", 90.0, 40, 45, 5, 0.44,
                           1, ("the camera went away",), 0, 400.0, MACHINE, curve)
    assert not report.ok  # a problem
    assert report.table() == "\n".join([
        "model     hairnet@2.2.0",
        "source    synthetic, window 1180x760, overlay on",
        "time      1.5 min after 10 warm-up frames (ended: frames)",
        "frames    40 shown (0.4 frames/s), 5 of the clip's 45 not shown",
        "problems  1 (0 errors logged)",
        "machine   Some CPU, 8 cores, Linux 6.1",
        "memory    400 MB peak",
        "          the camera went away",
        "",
        "    frame  seconds   RSS MB   change not shown problems",
        "        0      0.0    200.0     +0.0         0        0",
        "       40      1.5    201.0     +1.0         5        1",
        "growth   +1.0 MB over the run (200.0 -> 201.0 MB, after warm-up), +0.0 MB over its second half; "
        "sampled every 1.5 s"])
    written = report.to_json()
    assert next(iter(written)) == "command" and list(written)[-2:] == ["soak", "ok"] and written["ok"] is False
    assert written["window"] == [1180, 760] and written["soak"]["counts"]["not_shown"] == [0, 5]


def test_an_app_soak_with_no_samples_has_no_memory_table():
    report = AppSoakReport("x.mp4", None, None, None, 10, "the source could not be opened", 0.0, 0, 0, 0, 0.0, 1,
                           ("x.mp4: no such file",), 0, 90.0, MACHINE)
    assert report.table().splitlines()[1] == "source    x.mp4, window ?x?, overlay off"
    assert "soak" not in report.to_json() and report.to_json()["ok"] is False


def test_video_report_table_and_json():
    a = VideoFigures(2, 0.001, 0.004, 4.0, 0.9, 0.85)
    b = VideoFigures(1, 0.002, 0.003, 1.5, 0.8, 0.8)
    report = VideoReport(4, {"hairnet@2.2.0": a}, {"hairnet@2.2.0": {"tiny": b}})
    pad = " " * (40 - len("hairnet@2.2.0"))
    assert report.table() == "\n".join([
        f"model{' ' * 35} set                       n  flicker live  per-frame   ratio  IoU live  per-frame",
        f"hairnet@2.2.0{pad} tiny                      1       0.00200    0.00300    1.5x    0.8000     0.8000",
        f"hairnet@2.2.0{pad} all                       2       0.00100    0.00400    4.0x    0.9000     0.8500"])
    assert report.to_json() == {"frames": 4, "models": {"hairnet@2.2.0": {**a.to_json(), "sets": {"tiny": b.to_json()}}}}
    assert list(a.to_json()) == ["n", "live_flicker", "per_frame_flicker", "flicker_ratio", "live_iou", "per_frame_iou"]


def _eval_figures(**overrides) -> dict:
    from core.tools.eval_report import HAIRLINE_COLUMNS

    figures = {"n": 2, "mean_iou": 0.8, "median_iou": 0.75, "failure_rate": 0.5, "fp_area": 0.02,
               "ms_per_image": 12.0, "boundary_f": 0.7, "bleed": 0.01, "coverage": 0.9}
    figures.update({name: float("nan") for name, _, _ in HAIRLINE_COLUMNS})
    return {**figures, **overrides}


def test_eval_report_table_json_and_hard_cases():
    overall, tiny = _eval_figures(), _eval_figures(n=1, ms_per_image=float("nan"))
    report = EvalReport({"m": ModelFigures(overall, {"tiny": tiny}, {"headwear": _eval_figures(n=1)}),
                         "n": ModelFigures(overall, {}, {})},
                        "#2e6fd8", {"copper": "#b4532a@70"}, {"amber": "#c8782a@70"})
    lines = report.table().splitlines()
    assert lines[0].split()[:11] == ["model", "set", "n", "mean", "IoU", "median", "fail<0.5", "FP", "area", "bound.F",
                                     "bleed"]
    assert lines[1].startswith("m" + " " * 34 + "tiny") and lines[1].split()[2:6] == ["1", "0.800", "0.750", "50.0%"]
    assert lines[1].endswith("        -") and lines[2].endswith("     12.0")  # not measured, measured
    assert lines[2].split()[1] == "all" and lines[3].split()[:2] == ["n", "all"]
    assert lines[4:] == ["", "model                              hard cases            n mean IoU fail<0.5  FP area",
                         "m                                  headwear              1    0.800    50.0%     2.0%",
                         "n                                  (none of the listed photos evaluated)"]
    written = json.loads(figures_json(report.to_json()))
    assert list(written) == ["models", "edge_look", "hairline_looks", "texture_looks"]
    assert list(written["models"]["m"])[-2:] == ["sets", "hard_cases"] and written["models"]["m"]["sets"]["tiny"]["n"] == 1
    assert written["models"]["m"]["sets"]["tiny"]["ms_per_image"] is None
    without = EvalReport({"m": ModelFigures(overall, {})}, "#2e6fd8", {}, {})
    assert len(without.table().splitlines()) == 2 and "hard_cases" not in without.to_json()["models"]["m"]


def test_self_test_report():
    report = SelfTestReport((Check("ok", "palette", "17 built-in shades"), Check("info", "camera", "none found")),
                            "0.1.0", "3.11.7", "4.11.0", "Linux x86_64")
    assert not report.failed
    assert report.table() == "\n".join([
        "HairTint self-test — hairtint 0.1.0, Python 3.11.7, OpenCV 4.11.0, Linux x86_64", "",
        f"ok      {'palette':<40} 17 built-in shades", f"info    {'camera':<40} none found", "", "PASSED: 2 checks"])
    failed = SelfTestReport((*report.checks, Check("FAILED", "pipeline", "no")), "0.1.0", "3", "4", "Linux")
    assert failed.failed and failed.table().endswith("FAILED: 1 of 3 checks")
    assert failed.to_json()["checks"][-1] == {"status": "FAILED", "name": "pipeline", "detail": "no"}


def _entry(model_id: str, version: str, stage: str = "stable"):
    return SimpleNamespace(id=model_id, version=version, stage=stage)


def test_rollout_status_table_and_json():
    held = RollbackRecord(time="2026-12-07T03:33:29", model="hq@1.0.0", reason="too slow", by="manual")
    status = RolloutStatus(Assignment(Stage("disabled", "settings"), "id-1", _entry("hairnet", "2.2.0"), "rolled back",
                                      _entry("hq", "1.0.0", "experimental"), 15, held),
                           Path("/c/settings.json"), Path("/c/rollout_state.json"))
    assert status.table() == "\n".join([
        "stage         disabled (from the settings file /c/settings.json)",
        "installation  id-1",
        "bucket        15 for hq@1.0.0",
        "model         hairnet@2.2.0 (stable)",
        "assignment    held",
        "why           rolled back",
        "rollback      manual at 2026-12-07T03:33:29 from hq@1.0.0: too slow",
        "figures       –",
        "state file    /c/rollout_state.json"])
    assert status.to_json() == {**status.assignment.to_json(), "settings_file": "/c/settings.json",
                                "state_file": "/c/rollout_state.json"}
    plain = RolloutStatus(Assignment(Stage("beta", "environment", "a warning"), "id-1", _entry("hairnet", "2.2.0"), "why"),
                          Path("s"), Path("r"))
    assert plain.table().splitlines()[0] == "stage         beta (from HAIRTINT_ROLLOUT_STAGE)"
    assert plain.table().splitlines()[2:] == ["bucket        –", "model         hairnet@2.2.0 (stable)",
                                              "assignment    stable", "why           why", "rollback      none",
                                              "warning       a warning"]


def test_model_listing_lines_and_what_they_leave_out():
    model = ListedModel("hairnet", "2.2.0", "stable", True, "hairnet-2.2.0.tflite", (256, 256),
                        (("celeba", 0.8534), ("figaro", 0.9)))
    odd = ListedModel("hq", "1.0.0", "experimental", False, "hq.tflite", None, (), "its metrics are odd")
    listing = ModelListing(Path("/r/model_registry.json"), (model, odd))
    assert listing.table() == ("hairnet@2.2.0  stable (default)  hairnet-2.2.0.tflite  input (256, 256)  "
                               "celeba 0.853, figaro 0.900\nhq@1.0.0  experimental  hq.tflite  input None  ")
    assert listing.problem_line(model) is None
    assert listing.problem_line(odd) == "hairtint: hq@1.0.0 in /r/model_registry.json: its metrics are odd"
    assert listing.to_json()["models"][0]["mean_iou"] == {"celeba": 0.8534, "figaro": 0.9}
    assert mean_iou_figures({"metrics": {"mean_iou": {"a": 0.5, "b": "x"}}}) == (
        (("a", 0.5),), 'metrics.mean_iou has figures that are not numbers, left out: b ("x")')
