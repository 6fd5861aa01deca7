"""A busy-machine drill for the fair latency rule, run by hand on a kiosk (or any machine): the app's own
monitor (:class:`core.fleet.monitor.FleetMonitor`) watches an experimental model on a camera (``--fps``,
30 by default), on the real models and the real clock, with and without CPU load from other processes.
Four runs:

- ``equivalent``: the experimental model is the stable model itself (a second copy);
- ``slow``: the stable model's segmenter asked ``--slow-factor`` times per frame (a model that cannot
  keep up);

each with no load added and with ``--busy`` processes spinning in busy loops. It prints, per run, the
latency rule's decision with both p95s, the ratio, the budget and the camera's frame interval, and
whether the monitor rolled back. Nothing is written outside a temporary folder::

    python -m core.tools.latency_drill --busy 2 --seconds 60

The camera is a recorded loop of the synthetic portrait whose frame index follows the clock, as a
camera's does: a frame processed late has skipped the ones captured meanwhile. No Qt here."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
import uuid
from pathlib import Path

from core.catalog.config import Settings
from core.catalog.registry import Registry
from core.catalog.registry_file import registry_path
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.demo.synthetic import render_portrait
from core.fleet.monitor import FleetMonitor
from core.fleet.rollback import RollbackRules
from core.frames import Frame, Look, RunningMode, Shade
from core.pipeline.engine import build_pipeline
from core.tryon.session import Session

EXPERIMENTAL = "drill-experimental"


def _spin() -> None:  # a busy loop in another process: what a busy kiosk's other work looks like to the app
    while True:
        pass


def _registry(folder: Path) -> Registry:
    """The shipped registry's default model, registered again as an experimental model in ``folder``."""
    shipped = Registry.load(registry_path())
    data = json.loads(registry_path().read_text(encoding="utf-8"))
    stable = shipped.resolve(None)
    entry = next(m for m in data["models"] if m["id"] == stable.id and m["version"] == stable.version)
    entry = {**entry, "file": str(Path(stable.file).resolve())}
    data = {**data, "default": stable.id, "models": [entry, {**entry, "id": EXPERIMENTAL, "stage": "experimental"}]}
    (folder / "model_registry.json").write_text(json.dumps(data))
    return Registry.load(folder / "model_registry.json")


class Repeated:
    """A segmenter asked ``times`` for each frame (the last answer kept): a model that slow."""

    def __init__(self, inner, times: int):
        self.inner, self.times = inner, times

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def segment(self, frame):
        for _ in range(self.times - 1):
            self.inner.segment(frame)
        return self.inner.segment(frame)


def run(kind: str, busy: int, seconds: float, slow_factor: int, rules: RollbackRules, fps: float = 30.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="hairtint-drill-") as folder:
        registry = _registry(Path(folder))
        inside = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000))
                      if rollout_bucket(i, EXPERIMENTAL) < 10)
        session = Session(Settings(install_id=inside), settings_path=Path(folder) / "settings.json", registry=registry)

        def build(entry, mode):
            pipeline = build_pipeline(session.pipeline_options(entry, mode))
            if kind == "slow" and entry.stage == "experimental":
                pipeline.segmenter = Repeated(pipeline.segmenter, slow_factor)
            return pipeline

        monitor = FleetMonitor(session, rules=rules, build=build, environ={ENV_STAGE: "ten_percent",
                                                                           "HAIRTINT_FLEET_POLICY": f"{folder}/none"})
        factories = [monitor.factory()]
        monitor.attach(factories.append)
        frames = [render_portrait(640, 480, i / 30, 6)[0] for i in range(30)]
        look = Look(Shade("Copper", (180, 80, 40)))
        spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(busy)]
        for spinner in spinners:
            spinner.start()
        try:
            pipeline, made = factories[-1](RunningMode.VIDEO), factories[-1]
            start, last = time.monotonic(), -1
            while (now := time.monotonic()) - start < seconds:
                if factories[-1] is not made:
                    pipeline.close()
                    pipeline, made = factories[-1](RunningMode.VIDEO), factories[-1]
                index = int((now - start) * fps)
                if index == last:  # faster than the camera: wait for its next frame, as the app does
                    time.sleep(start + (index + 1) / fps - now)
                    continue
                last = index
                pipeline.process(Frame(frames[index % 30], round(index * 1000 / fps), index, "camera:drill"), look)
            judged = monitor.watch.judgement.figures() if monitor.rollback is None else monitor.rollback.figures
            pipeline.close()
        finally:
            for spinner in spinners:
                spinner.kill()
                spinner.join()
        return {"run": f"{kind}, {'busy ' + str(busy) if busy else 'no load added'}, {fps:g} fps",
                "rolled_back": monitor.rollback is not None,
                **{k: judged.get(k) for k in ("decision", "p95_ms", "stable_p95_ms", "ratio", "timed_stable_p95_ms",
                                              "paired_p95_ms", "frame_budget_ms", "frame_interval_ms",
                                              "stable_frames", "slow_for_s")}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.tools.latency_drill", description=__doc__.split("\n\n")[0])
    parser.add_argument("--busy", type=int, default=multiprocessing.cpu_count(), help="busy-loop processes")
    parser.add_argument("--seconds", type=float, default=60, help="length of each run")
    parser.add_argument("--slow-factor", type=int, default=6, help="the slow model asks the segmenter this many times "
                        "a frame (6: about 2x the stable pipeline)")
    parser.add_argument("--fps", type=float, default=30, help="the camera's frame rate (its interval is the budget)")
    parser.add_argument("--window", type=float, default=30, help="the rule's window (the app's: 60 s)")
    parser.add_argument("--slow-for", type=float, default=15, help="too slow this long rolls back (the app's: 30 s)")
    args = parser.parse_args(argv)
    rules = RollbackRules(window_s=args.window, slow_for_s=args.slow_for)
    for kind in ("equivalent", "slow"):
        for busy in (0, args.busy):
            result = run(kind, busy, args.seconds, args.slow_factor, rules, args.fps)
            print("  ".join(f"{k} {v}" for k, v in result.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
