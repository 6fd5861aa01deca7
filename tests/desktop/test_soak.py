"""``hairtint soak``: the real main window, offscreen, on the demo clip at its own frame rate, until a
number of frames has been shown (events, not the clock, end these runs)."""

from __future__ import annotations

import json
import os
import signal

import pytest

from hairtint_desktop.cli import main
from hairtint_desktop.soak import WARMUP_FRAMES, AppSoak, run_soak
from tests.fakes import PipelineFactory, real_threads

SOAK_KEYS = {"every", "unit", "samples", "start_mb", "end_mb", "max_mb", "growth_mb", "growth_second_half_mb", "counts"}


@pytest.mark.slow
def test_soak_runs_the_window_on_the_demo_clip_until_n_frames_are_shown(qtbot, tmp_path):
    before = real_threads()
    settings = tmp_path / "settings.json"
    factory = PipelineFactory()

    result = run_soak(frames=150, every_s=0.5, settings_path=settings, pipeline_factory=factory,
                      progress=False, handle_signals=False)
    report = result.to_json()  # what --json writes

    assert report["ok"] and report["stopped"] == "frames"
    assert report["model"] == "fake-hair 0.0.1" and report["source"] == "synthetic"
    assert report["overlay"] is True and report["window"] == [1180, 760]
    assert report["frames_shown"] == 150 and report["problems"] == 0 and report["problem_messages"] == []
    # the demo clip ran on: every frame shown was a new frame of the clip, and none came from nowhere
    assert report["clip_frames"] >= report["frames_shown"]
    assert report["not_shown"] == report["clip_frames"] - report["frames_shown"]
    assert factory.segment_calls >= WARMUP_FRAMES + 150
    soak = report["soak"]
    assert set(soak) == SOAK_KEYS and soak["unit"] == "s" and soak["every"] == 0.5
    frames, seconds, mbs = zip(*soak["samples"], strict=True)
    assert frames[0] == 0 and frames[-1] == 150 and list(frames) == sorted(frames)
    assert seconds[0] == 0 and list(seconds) == sorted(seconds) and report["seconds"] >= seconds[-1]
    assert all(mb > 50 for mb in mbs) and soak["max_mb"] == max(mbs)
    assert soak["growth_mb"] == pytest.approx(soak["end_mb"] - soak["start_mb"], abs=0.11)
    assert all(len(column) == len(frames) for column in soak["counts"].values())
    assert soak["counts"]["problems"] == [0] * len(frames)
    table = result.table()
    assert "150 shown" in table and "not shown" in table and "sampled every 0.5 s" in table
    # the overlay was on for the run only: no settings were saved (a first start writes no file)
    assert not settings.exists()
    assert real_threads() == before  # the worker and capture threads are gone


def test_a_source_that_cannot_be_opened_ends_the_soak_with_no_samples(qtbot, tmp_path):
    result = run_soak(frames=10, source=str(tmp_path / "missing.mp4"), settings_path=tmp_path / "s.json",
                      pipeline_factory=PipelineFactory(), progress=False, handle_signals=False)
    report = result.to_json()
    assert not report["ok"] and report["stopped"].startswith("the source could not be opened")
    assert "missing.mp4" in report["problem_messages"][0]
    assert report["frames_shown"] == 0 and "soak" not in report
    assert "ended: the source could not be opened" in result.table()


def test_sigterm_ends_the_soak_with_a_report_and_puts_the_handlers_back(qtbot, tmp_path, monkeypatch):
    previous = signal.getsignal(signal.SIGTERM)
    begin = AppSoak._begin

    def begin_then_terminate(self):
        begin(self)
        os.kill(os.getpid(), signal.SIGTERM)  # as a service manager stopping it

    monkeypatch.setattr(AppSoak, "_begin", begin_then_terminate)
    report = run_soak(frames=10**6, every_s=0.5, settings_path=tmp_path / "s.json", pipeline_factory=PipelineFactory(),
                      progress=False)
    assert report.stopped == f"signal {int(signal.SIGTERM)}" and not report.ok
    assert len(report.soak.samples) >= 2  # the first and the last
    assert signal.getsignal(signal.SIGTERM) is previous


@pytest.mark.slow
def test_the_command_soaks_the_real_pipeline_and_writes_json(qtbot, tmp_path, capsys):
    out = tmp_path / "soak.json"
    assert main(["soak", "--frames", "40", "--every", "1", "--config", str(tmp_path / "s.json"), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["ok"] and report["frames_shown"] == 40 and report["model"].startswith("hairnet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["soak.json"]  # nothing beside it, no settings file
    printed = capsys.readouterr()
    assert "growth" in printed.out and f"JSON written to {out}" in printed.out


@pytest.mark.parametrize("flags", [[], ["--minutes", "0"], ["--frames", "0"], ["--minutes", "1", "--every", "61"],
                                   ["--frames", "5", "--every", "0.01"], ["--minutes", "x"]])
def test_soak_settings_that_cannot_run_are_refused_before_it_starts(capsys, monkeypatch, flags):
    started = []
    monkeypatch.setattr("hairtint_desktop.soak.run_soak", lambda **kw: started.append(kw))
    try:
        code = main(["soak", *flags])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    assert code == 2 and not started
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("hairtint" in err or "usage" in err)
