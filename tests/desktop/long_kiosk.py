"""The kiosk run for a long while, fast (for tests/desktop/test_shutdown.py): ``python -m
tests.desktop.long_kiosk FRAMES [hairtint's arguments]`` runs ``hairtint --kiosk`` itself (its entry point,
signal handling and ending included) on the demo portrait delivered unpaced, through the fake pipeline (tests.fakes), so frames come as fast as the window shows
them (one frame captured for each frame shown). On stderr it says what the process holds at the first checkpoint and after FRAMES frames shown:
``at N frames: threads T objects O``, then ``ready``; the test then sends its signal."""

from __future__ import annotations

import gc
import sys
import threading

from core.io.sources import SyntheticSource
from core.live import Processed
from tests.fakes import PipelineFactory

FIRST_CHECK = 1000
SIZE = (64, 48)


class SteppedDemo(SyntheticSource):
    """The demo portrait as a camera (live: the capture loop does not pace it) that has its next frame as
    soon as the window took the last one (``shown``), and otherwise after a camera's frame time at most,
    as a camera's ``read()`` waits for its next frame."""

    is_live = True
    TURNS = threading.Semaphore(2)

    def read(self):
        self.TURNS.acquire(timeout=1 / 30)
        return super().read()

    @classmethod
    def shown(cls) -> None:
        cls.TURNS.release()


def report(shown: int) -> None:
    threads = sorted(t.name for t in threading.enumerate() if not isinstance(t, threading._DummyThread))
    print(f"at {shown} frames: threads {','.join(threads)} objects {len(gc.get_objects())}", file=sys.stderr,
          flush=True)


def drive(frames: int) -> None:
    """Make the app build its window with the fakes, and count the frames it is given to show."""
    import hairtint_desktop.app as app

    build = app.build_window
    counted = {"shown": 0}

    def build_window(*args, **kwargs):
        kwargs.update(pipeline_factory=PipelineFactory(), opener=lambda _spec: SteppedDemo(*SIZE))
        window = build(*args, **kwargs)

        def count(event) -> None:
            if isinstance(event, Processed):
                SteppedDemo.shown()
                counted["shown"] += 1
                if counted["shown"] in (FIRST_CHECK, frames):
                    report(counted["shown"])
                if counted["shown"] == frames:
                    print("ready", file=sys.stderr, flush=True)

        window.worker.event.connect(count)
        return window

    app.build_window = build_window


if __name__ == "__main__":
    from hairtint_desktop.cli import run

    drive(int(sys.argv[1]))
    sys.argv = ["hairtint", "--kiosk", "--source", "camera:0", *sys.argv[2:]]
    sys.exit(run())
