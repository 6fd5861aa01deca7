"""LiveRunner without Qt: newest frame wins, pacing on an injected clock, clean start and stop, camera
loss and recovery, stills done once, folders stepped through. Every wait is on an event."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core.errors import SourceError
from core.frames import Frame, Look, RunningMode, Shade
from core.live import Finished, Idle, LiveRunner, Problem, Processed, Recovered, Status, Unavailable
from core.live.commands import Shown
from core.live.feed import MAX_RESTARTS
from core.live.pacer import Pacer
from core.live.shared import Mail, Mailbox
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer

AMBER = Look(Shade("Sunlit Amber", (200, 120, 42)), intensity=70)
BLUE = Look(Shade("Ocean Blue", (44, 104, 144)), intensity=70)
TIMEOUT = 10.0  # only ever reached when something is broken


def picture(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 200, (48, 64, 3), dtype=np.uint8)


class TopHalf:
    info = None

    def __init__(self):
        self.calls = 0

    def segment(self, frame):
        self.calls += 1
        mask = np.zeros(frame.pixels.shape[:2], np.float32)
        mask[: frame.pixels.shape[0] // 2] = 1
        return mask

    def reset(self):
        pass

    def close(self):
        pass


class Same:
    def refine(self, mask, frame):
        return mask


class Factory:
    def __init__(self):
        self.made = []

    def __call__(self, mode):
        pipeline = Pipeline(TopHalf(), PassThroughSmoother(), Same(), Recolorer())
        self.made.append(pipeline)
        return pipeline

    @property
    def segments(self):
        return sum(p.segmenter.calls for p in self.made)


class Stills:
    """A photo (or a few, as a folder would give them one per read) then the end."""

    is_live = False

    def __init__(self, spec, count=1):
        self.source_id, self._left, self.reads, self.current = spec, count, 0, 0

    def read(self):
        self.reads += 1
        if self._left <= 0:
            return None
        self._left -= 1
        return Frame(picture(self.current), 0, self.reads, f"{self.source_id}/{self.current}")

    def step(self, delta):
        self.current += delta
        self._left = 1

    def close(self):
        pass


class Camera:
    """About 200 frames a second; unplug with ``available = False``."""

    is_live = True

    def __init__(self):
        self.available = True
        self.opened = self.closed = 0
        self.i = 0

    def open(self, spec):
        if not self.available:
            raise SourceError(f"{spec} is gone")
        self.opened += 1
        return self

    def read(self):
        if not self.available:
            raise SourceError("camera 0 stopped delivering frames")
        self.i += 1
        threading.Event().wait(0.005)  # a real camera blocks in read() for a frame time
        return Frame(picture(self.i % 3), self.i * 5, self.i, "camera:0")

    def close(self):
        self.closed += 1


class Events:
    """The runner's emit callback: records events, gives the display credit back, wakes waiters."""

    def __init__(self):
        self.runner = None
        self.items = []
        self._cond = threading.Condition()

    def __call__(self, event):
        if isinstance(event, Processed):
            self.runner.frame_shown()
            if event.info.epoch != self.runner.epoch:
                return
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def of(self, kind):
        with self._cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait(self, predicate):
        with self._cond:
            assert self._cond.wait_for(predicate, TIMEOUT), f"timed out; events: {self.items[-5:]}"

    def idle(self):
        """Wait for the Idle that comes after every command given so far: nothing left to do."""
        self.wait(lambda: any(isinstance(e, Idle) and self.runner.caught_up(e) for e in self.items))

    def clear(self):
        with self._cond:
            self.items.clear()


@pytest.fixture
def run():
    runners = []

    def make(opener, factory=None, **kw):
        events = Events()
        runner = LiveRunner(factory or Factory(), opener, events, **{"camera_poll_s": 0.01, **kw})
        events.runner = runner
        runners.append(runner)
        return runner, events

    yield make
    for runner in runners:
        assert runner.stop()


def test_mailbox_keeps_only_the_newest():
    box = Mailbox()
    for i in range(5):
        box.put(i)
    assert len(box) == 1 and box.dropped == 4
    assert box.take(0.01) == Mail(4, (), 0)
    box.post(Shown())  # a message wakes the taker without a frame, and is never dropped
    assert box.take(0.01) == Mail(None, (Shown(),), 1)


def test_pacer_holds_a_file_to_its_timestamps_on_an_injected_clock():
    now = [100.0]

    def sleep(stop, seconds):
        now[0] += seconds

    pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    delays = [pacer.wait(i * 50, threading.Event()) for i in range(7)]  # 20 fps
    assert delays[0] == 0 and delays[1:] == pytest.approx([0.05] * 6)
    assert now[0] == pytest.approx(100.3)
    assert pacer.wait(10_000, threading.Event()) == pytest.approx(1 / 60)  # a jump: no long stall


def test_a_still_is_processed_once_and_again_only_for_a_new_look(run):
    sources = []
    factory = Factory()
    runner, events = run(lambda spec: sources.append(Stills(spec)) or sources[-1], factory)
    runner.start("photo.png", AMBER)
    events.idle()
    assert factory.segments == 1 and len(events.of(Processed)) == 1 and sources[0].reads == 2
    runner.set_looks(BLUE)
    events.idle()
    second = events.of(Processed)
    assert len(second) == 2 and second[1].info.reprocessed and second[1].info.mode is RunningMode.IMAGE
    assert not np.array_equal(second[0].result.pixels, second[1].result.pixels)


def test_compare_looks_come_from_one_segmentation_through_the_pipeline(run):
    factory = Factory()
    runner, events = run(lambda spec: Stills(spec), factory)
    runner.start("photo.png", (AMBER, BLUE, AMBER.with_(intensity=0)))
    events.idle()
    (out,) = events.of(Processed)
    assert factory.segments == 1 and len(out.result.variants) == 2
    np.testing.assert_array_equal(out.result.variants[1], out.result.frame.pixels)  # intensity 0: untouched


def test_clear_forgets_the_picture(run):
    runner, events = run(lambda spec: Stills(spec))
    runner.start("photo.png", AMBER)
    events.idle()
    runner.clear()
    events.clear()
    runner.set_looks(BLUE)  # nothing left to redo
    events.idle()
    assert events.of(Processed) == []


def test_start_and_stop_leave_no_thread(run):
    before = set(threading.enumerate())
    camera = Camera()
    runner, events = run(camera.open)
    for spec in ("camera:0", "camera:0"):
        runner.start(spec, AMBER)  # a second start restarts
        events.wait(lambda: len(events.of(Processed)) >= 3)
        events.clear()
    assert runner.stop(timeout_s=5)
    assert set(threading.enumerate()) == before and camera.opened == camera.closed


def test_a_camera_that_fails_is_retried_once_reported_and_recovers(run):
    camera = Camera()
    runner, events = run(camera.open)
    runner.start("camera:0", AMBER)
    events.wait(lambda: len(events.of(Processed)) >= 2)
    camera.available = False
    events.wait(lambda: events.of(Problem))
    assert "retrying" in events.of(Problem)[0].message
    camera.available = True
    events.wait(lambda: events.of(Recovered))
    assert len(events.of(Problem)) == 1 and camera.opened >= 2


class LateCamera:
    """An opener for a camera that is plugged in after the start: ``camera:N`` fails until it has been
    tried ``after`` times; every try is counted and wakes waiters."""

    def __init__(self, after: int, index: int = 0):
        self.after, self.index = after, index
        self.tries = []
        self.camera = Camera()
        self._cond = threading.Condition()

    def __call__(self, spec):
        with self._cond:
            self.tries.append(spec)
            self._cond.notify_all()
            if spec != f"camera:{self.index}" or self.tries.count(spec) <= self.after:
                raise SourceError("no camera found")
        return self.camera.open(spec)

    def wait_tries(self, count):
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.tries) >= count, TIMEOUT)


def test_no_camera_at_start_is_reported_once_then_picked_up_when_plugged_in(run):
    opener = LateCamera(after=3)
    runner, events = run(opener)
    runner.start("camera:0", AMBER)
    events.wait(lambda: len(events.of(Processed)) >= 2)  # the fourth try opens it, without a tap
    assert opener.tries[:4] == ["camera:0"] * 4 and opener.camera.opened == 1
    assert [e.message for e in events.of(Unavailable)] == ["no camera found; it will show as soon as one is connected"]
    assert events.of(Problem) == [] and "Camera 0 found" in [e.message for e in events.of(Status)]


def test_a_camera_the_device_list_names_is_taken_when_the_configured_one_stays_missing(run):
    opener = LateCamera(after=0, index=2)
    listed = []

    def cameras():
        listed.append(True)
        return [2] if len(listed) > 2 else []  # enumerates on the third look

    runner, events = run(opener, cameras=cameras)
    runner.start("camera:0", AMBER)
    events.wait(lambda: len(events.of(Processed)) >= 1)
    assert opener.tries[-1] == "camera:2" and set(opener.tries[:-1]) == {"camera:0"}
    assert "Camera 0 is not connected: showing camera 2" in [e.message for e in events.of(Status)]


def test_looking_for_a_camera_is_settled_and_stops_with_the_source(run):
    opener = LateCamera(after=10 ** 9)
    runner, events = run(opener)
    runner.start("camera:0", AMBER)
    opener.wait_tries(3)
    events.idle()  # nothing to show meanwhile: the start panel stays
    runner.set_source("photo.png")  # the capture thread that was looking ends
    assert runner.stop(timeout_s=5)
    assert not [t for t in threading.enumerate() if t.name.startswith("hairtint-capture")]


def test_a_folder_shows_one_photo_until_stepped(run, tmp_path):
    source = Stills(str(tmp_path), count=1)
    runner, events = run(lambda spec: source)
    runner.start(str(tmp_path), AMBER)
    events.idle()
    assert [e.result.frame.source_id for e in events.of(Processed)] == [f"{tmp_path}/0"]
    assert runner.step(1)
    events.idle()
    assert runner.step(-1)
    events.idle()
    assert [e.result.frame.source_id.rsplit("/", 1)[1] for e in events.of(Processed)] == ["0", "1", "0"]


def test_step_is_refused_for_other_sources(run):
    runner, _ = run(lambda spec: Stills(spec))
    runner.start("photo.png", AMBER)
    assert not runner.step(1)


def test_a_new_model_is_built_on_the_same_source(run):
    first, second = Factory(), Factory()
    runner, events = run(lambda spec: Stills(spec), first)
    runner.start("photo.png", AMBER)
    events.idle()
    runner.set_pipeline_factory(second)
    events.idle()
    assert first.segments == 1 and second.segments == 1 and len(events.of(Processed)) == 2


class Broken:
    """A source that hands out something that is not a frame: the capture loop dies on it."""

    is_live = False

    def __init__(self, spec):
        self.source_id = spec

    def read(self):
        return "not a frame"

    def close(self):
        pass


def test_a_capture_loop_that_dies_is_reported_and_restarted(run):
    sources = iter([Broken("photo.png"), Stills("photo.png")])
    runner, events = run(lambda spec: next(sources))
    runner.start("photo.png", AMBER)
    events.idle()
    assert [p.message for p in events.of(Problem)] == [
        "AttributeError: 'str' object has no attribute 'timestamp_ms' — restarting the capture"]
    assert len(events.of(Processed)) == 1 and events.of(Unavailable) == []


def test_a_capture_loop_that_keeps_dying_is_given_up_on(run):
    opened = []
    runner, events = run(lambda spec: opened.append(spec) or Broken(spec))
    runner.start("photo.png", AMBER)
    events.idle()
    assert len(opened) == 1 + MAX_RESTARTS and len(events.of(Problem)) == MAX_RESTARTS
    assert [u.spec for u in events.of(Unavailable)] == ["photo.png"] and runner.is_running()


class NoStatistics:
    """A pipeline whose statistics cannot be read: an error outside processing proper."""

    model_info = None

    def process(self, frame, look, others):
        return frame

    @property
    def stats(self):
        raise RuntimeError("the statistics are gone")

    def close(self):
        self.closed = True


def test_a_processing_loop_that_dies_is_reported_and_ends_the_run_cleanly(run):
    pipeline = NoStatistics()
    runner, events = run(lambda spec: Stills(spec), lambda mode: pipeline)
    runner.start("photo.png", AMBER)
    events.wait(lambda: events.of(Finished))
    assert [p.message for p in events.of(Problem)] == ["RuntimeError: the statistics are gone"]
    assert pipeline.closed and events.of(Processed) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("hairtint-capture")]
