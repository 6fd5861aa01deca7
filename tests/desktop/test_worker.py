"""The Qt adapter over LiveRunner: results reach the GUI thread through one signal, old epochs are
dropped, threads end clean. The runner's own behaviour is tested in tests/core/test_live.py."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.frames import Look, RunningMode, Shade
from core.live import Idle, Problem, Processed, Recovered, Status, Unavailable
from hairtint_desktop.worker import Worker
from tests.desktop.conftest import settle
from tests.fakes import Camera, Gate, ListSource, Opener, PipelineFactory, portrait, real_threads

AMBER = Look(Shade("Sunlit Amber", (200, 120, 42)), intensity=70)
BLUE = Look(Shade("Ocean Blue", (44, 104, 144)), intensity=70)


class Collector:
    def __init__(self, worker: Worker):
        self.events = []
        worker.event.connect(self.events.append)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def results(self):
        return [(e.result, e.info) for e in self.of(Processed)]

    @property
    def errors(self):
        return [e.message for e in self.of(Problem)]

    @property
    def unavailable(self):
        return [e.message for e in self.of(Unavailable)]


@pytest.fixture
def worker(qtbot):
    workers = []

    def make(factory=None, opener=None):
        w = Worker(factory or PipelineFactory(), opener or Opener(Camera()))
        workers.append(w)
        return w, Collector(w)

    yield make
    for w in workers:
        assert w.stop()


def test_starts_processes_on_another_thread_and_stops_clean(qtbot, worker):
    before = real_threads()
    factory = PipelineFactory()
    w, got = worker(factory)
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: len(got.results) >= 5, timeout=5000)
    assert factory.threads and factory.threads[0] != threading.main_thread().name
    result, info = got.results[-1]
    assert result.pixels.shape == result.frame.pixels.shape
    assert info.capture_t <= info.done_t and info.model == "fake-hair 0.0.1"
    assert any(isinstance(e, Status) for e in got.events)
    assert w.stop(timeout_s=2.0)
    assert not w.is_running() and real_threads() == before  # the capture thread is gone too


def test_restart_and_switching_sources_leak_no_thread(qtbot, worker):
    before = real_threads()
    camera = Camera()
    w, got = worker(opener=Opener(camera))
    for _ in range(3):
        w.start("camera:0", AMBER)  # start() on a running worker restarts it
        qtbot.waitUntil(lambda: len(got.results) >= 1, timeout=5000)
        got.events.clear()
    for spec in ("synthetic", "camera:0", "synthetic"):
        w.set_source(spec)
        qtbot.waitUntil(lambda spec=spec: bool(got.results and got.results[-1][0].frame.source_id == spec), timeout=5000)
    assert w.stop(timeout_s=2.0)
    assert real_threads() == before
    assert camera.opened == camera.closed  # every camera it opened was released


def test_slow_pipeline_drops_stale_frames_instead_of_queueing(qtbot, worker):
    camera, gate = Camera(shutter=True), Gate()
    w, got = worker(PipelineFactory(gate=gate), Opener(camera))
    w.start("camera:0", AMBER)
    camera.release(1)
    qtbot.waitUntil(lambda: gate.waiting == 1, timeout=5000)  # the pipeline is busy with frame 1 ...
    camera.release(5)  # ... while the camera delivers frames 2 to 6
    qtbot.waitUntil(lambda: camera.reads == 6 and camera.waiting, timeout=5000)  # all five captured
    gate.release(2)  # frame 1 done; then whatever the pipeline takes next
    qtbot.waitUntil(lambda: len(got.results) == 2, timeout=5000)
    assert [r.frame.index for r, _ in got.results] == [1, 6]  # the newest frame won: 2-5 skipped, not queued
    assert got.results[-1][1].dropped == 4
    assert gate.passed == 2 and gate.waiting == 0  # nothing else was processed
    camera.run_free()  # so that the capture thread can be stopped


def test_a_camera_that_fails_mid_stream_is_retried_and_recovers(qtbot, worker):
    camera = Camera()
    w, got = worker(opener=Opener(camera))
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: len(got.results) >= 3, timeout=5000)
    camera.available = False
    qtbot.waitUntil(lambda: bool(got.errors), timeout=3000)
    assert "camera 0" in got.errors[0] and "retrying" in got.errors[0]
    got.events.clear()
    camera.available = True
    qtbot.waitUntil(lambda: bool(got.of(Recovered) and got.results), timeout=5000)
    assert got.errors == []  # one banner, not one per retry
    assert camera.opened >= 2


def test_no_camera_at_start_is_reported_once_and_a_late_one_is_picked_up(qtbot, worker):
    opener = Opener(camera=None)
    w, got = worker(opener=opener)
    w.start("camera:0", AMBER)
    settle(qtbot, w)
    assert opener.opened == ["camera:0"] and len(got.unavailable) == 1 and "no camera" in got.unavailable[0]
    opener.camera = Camera()  # plugged in: shown within 5 s, nobody taps
    qtbot.waitUntil(lambda: bool(got.results), timeout=5000)
    assert len(got.unavailable) == 1 and got.errors == [] and set(opener.opened) == {"camera:0"}


def test_no_camera_at_start_and_the_demo_clip_picked_instead(qtbot, worker):
    opener = Opener(camera=None)
    w, got = worker(opener=opener)
    w.start("camera:0", AMBER)
    settle(qtbot, w)
    w.set_source("synthetic")  # the person picks the demo clip instead
    qtbot.waitUntil(lambda: bool(got.results), timeout=5000)


def test_a_still_is_processed_once_and_again_only_for_a_new_look(qtbot, worker, photo_path):
    factory = PipelineFactory()
    reads = []

    def opener(spec):
        source = ListSource(spec, [portrait()])
        reads.append(source)
        return source

    w, got = worker(factory, opener)
    w.start(str(photo_path), AMBER)
    settle(qtbot, w)
    assert factory.segment_calls == 1 and len(got.results) == 1  # idle: no spinning
    assert reads[0].reads == 2  # the frame, then the end
    first = got.results[0][0].pixels
    w.set_look(BLUE)
    settle(qtbot, w)
    assert factory.segment_calls == 2 and len(got.results) == 2
    assert got.results[1][1].reprocessed and got.results[1][1].mode is RunningMode.IMAGE
    assert not np.array_equal(first, got.results[1][0].pixels)


def test_results_of_an_old_epoch_are_dropped(qtbot, worker):
    w, got = worker(opener=lambda spec: ListSource(spec, [portrait()]))
    w.start("photo.png", AMBER)
    settle(qtbot, w)
    w.clear()
    got.events.clear()
    w.set_look(BLUE)  # nothing left to redo
    settle(qtbot, w)
    assert got.results == []


def test_settled_waits_for_an_idle_after_every_command(qtbot, worker):
    w, got = worker(opener=lambda spec: ListSource(spec, [portrait()]))
    assert not w.settled()  # nothing said yet
    w.start("photo.png", AMBER)
    settle(qtbot, w)
    assert got.of(Idle) and len(got.results) == 1
    w.set_look(BLUE)
    assert not w.settled()  # the Idle before does not cover the new look
    settle(qtbot, w)
    assert len(got.results) == 2 and w.runner.caught_up(got.of(Idle)[-1])
