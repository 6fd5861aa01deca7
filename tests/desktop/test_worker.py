"""The worker: newest frame wins, clean start/stop/restart, camera loss and recovery, stills done once."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import shiboken6

from core.frames import Look, Shade
from hairtint_desktop.worker import Mailbox, Pacer, Worker
from tests.desktop.conftest import Camera, ListSource, Opener, PipelineFactory, portrait, real_threads

AMBER = Look(Shade("Sunlit Amber", (200, 120, 42)), intensity=70)
BLUE = Look(Shade("Ocean Blue", (44, 104, 144)), intensity=70)


class Collector:
    def __init__(self, worker: Worker):
        self.results, self.errors, self.statuses, self.unavailable = [], [], [], []
        self.recovered = 0
        worker.result.connect(lambda r, i: self.results.append((r, i)))
        worker.error.connect(self.errors.append)
        worker.status.connect(self.statuses.append)
        worker.unavailable.connect(self.unavailable.append)
        worker.recovered.connect(self._recovered)

    def _recovered(self):
        self.recovered += 1


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


def test_mailbox_keeps_only_the_newest():
    box = Mailbox()
    for i in range(5):
        box.put(i)
    assert len(box) == 1 and box.dropped == 4
    assert box.take(0.01) == (4, False)
    assert box.take(0.01) == (None, False)
    box.poke()
    assert box.take(0.01) == (None, True)


def test_pacer_holds_a_file_to_its_timestamps():
    pacer, stop = Pacer(), threading.Event()
    start = time.perf_counter()
    for i in range(7):
        pacer.wait(i * 50, stop)  # 20 fps
    assert 0.27 < time.perf_counter() - start < 0.6


def test_starts_processes_on_the_worker_thread_and_stops_clean(qtbot, worker):
    before = real_threads()
    factory = PipelineFactory()
    w, got = worker(factory)
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: bool(len(got.results) >= 5), timeout=5000)
    assert factory.threads and factory.threads[0] != threading.main_thread().name
    result, info = got.results[-1]
    assert result.pixels.shape == result.frame.pixels.shape
    assert info.capture_t <= info.done_t and info.model == "fake-hair 0.0.1"
    thread = w.thread
    assert w.stop(timeout_s=2.0)
    assert not thread.isRunning() and not w.is_running()
    assert real_threads() == before  # the capture thread is gone too


def test_restart_and_switching_sources_leak_no_thread(qtbot, worker):
    before = real_threads()
    camera = Camera()
    w, got = worker(opener=Opener(camera))
    threads = []
    for _ in range(4):
        w.start("camera:0", AMBER)  # start() on a running worker restarts it
        threads.append(w.thread)
        qtbot.waitUntil(lambda: bool(len(got.results) >= 1), timeout=5000)
        got.results.clear()
    for spec in ("synthetic", "camera:0", "synthetic"):
        w.set_source(spec)
        qtbot.waitUntil(lambda: bool(got.results and got.results[-1][0].frame.source_id == spec), timeout=5000)
    assert w.thread is threads[-1]  # switching kept the thread (and the model)
    t0 = time.perf_counter()
    assert w.stop(timeout_s=2.0)
    assert time.perf_counter() - t0 < 1.0
    qtbot.wait(50)  # let deleteLater run
    assert not any(shiboken6.isValid(t) and t.isRunning() for t in threads)  # stopped, most already deleted
    assert real_threads() == before
    assert camera.opened == camera.closed  # every camera it opened was released


def test_slow_pipeline_drops_stale_frames_instead_of_queueing(qtbot, worker):
    factory = PipelineFactory(delay_s=0.08)  # ~12 fps pipeline behind a 60 fps camera
    w, got = worker(factory)
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: bool(len(got.results) >= 8), timeout=8000)
    indices = [r.frame.index for r, _ in got.results]
    assert max(np.diff(indices)) > 2  # frames were skipped...
    ages = [(i.done_t - i.capture_t) for _, i in got.results[2:]]
    assert max(ages) < 0.3  # ...so every shown frame is fresh (no backlog)
    assert got.results[-1][1].dropped > 0


def test_a_camera_that_fails_mid_stream_is_retried_and_recovers(qtbot, worker):
    camera = Camera()
    w, got = worker(opener=Opener(camera))
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: bool(len(got.results) >= 3), timeout=5000)
    camera.available = False
    qtbot.waitUntil(lambda: bool(got.errors), timeout=3000)
    assert "camera 0" in got.errors[0] and "retrying" in got.errors[0]
    time.sleep(0.3)
    qtbot.wait(100)
    got.results.clear()
    back = time.perf_counter()
    camera.available = True
    qtbot.waitUntil(lambda: bool(got.recovered and got.results), timeout=2000)
    assert time.perf_counter() - back < 2.0
    assert len(got.errors) == 1  # one banner, not one per retry
    assert camera.opened >= 2


def test_no_camera_at_start_is_reported_once_not_retried(qtbot, worker):
    opener = Opener(camera=None)
    w, got = worker(opener=opener)
    w.start("camera:0", AMBER)
    qtbot.waitUntil(lambda: bool(got.unavailable), timeout=3000)
    qtbot.wait(300)
    assert opener.opened == ["camera:0"] and "no camera" in got.unavailable[0]
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
    qtbot.waitUntil(lambda: bool(len(got.results) == 1), timeout=5000)
    qtbot.wait(500)
    assert factory.segment_calls == 1 and len(got.results) == 1  # idle: no spinning
    assert reads[0].reads == 2  # the frame, then the end
    first = got.results[0][0].pixels
    w.set_look(BLUE)
    qtbot.waitUntil(lambda: bool(len(got.results) == 2), timeout=3000)
    qtbot.wait(300)
    assert factory.segment_calls == 2 and len(got.results) == 2
    assert got.results[1][1].reprocessed and got.results[1][1].still
    assert not np.array_equal(first, got.results[1][0].pixels)


def test_compare_looks_come_back_recoloured_from_one_segmentation(qtbot, worker):
    factory = PipelineFactory()
    w, got = worker(factory, lambda spec: ListSource(spec, [portrait()]))
    looks = (AMBER, BLUE, AMBER.with_(intensity=0), BLUE.with_(intensity=100))
    w.start("photo.png", looks)
    qtbot.waitUntil(lambda: bool(got.results), timeout=5000)
    result, info = got.results[-1]
    assert len(info.compare) == 3 and factory.segment_calls == 1
    np.testing.assert_array_equal(info.compare[1], result.frame.pixels)  # intensity 0: untouched
    assert not np.array_equal(result.pixels, info.compare[0])


def test_clear_drops_the_held_frame_and_results_in_flight(qtbot, worker):
    w, got = worker(opener=lambda spec: ListSource(spec, [portrait()]))
    w.start("photo.png", AMBER)
    qtbot.waitUntil(lambda: bool(got.results), timeout=5000)
    w.clear()
    got.results.clear()
    w.set_look(BLUE)  # nothing left to redo
    qtbot.wait(400)
    assert got.results == []
