"""Two headless apps on the synthetic camera, each serving its metrics on 127.0.0.1; Prometheus in agent
mode scraping both and writing to a central Prometheus with the remote-write receiver (the way through a
salon's NAT), which also pulls one kiosk directly (a flat network) and evaluates the shipped rules. The
central server's HTTP API then has both kiosks' frames, fps, model and assignment, by kiosk and salon."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from tests.fleet.prometheus import (
    REPO,
    Processes,
    agent_config,
    central_config,
    free_port,
    program,
    query,
    wait_for,
    write_config,
)

pytestmark = pytest.mark.slow

KIOSKS = {"kiosk-a": ("north", {"rollout_stage": "disabled"}, "stable"),
          "kiosk-b": ("south", {"model": "hairnet"}, "requested")}
HANG_GUARD_S = 150  # only stops a run that would hang; the waits below are for events


def _start_app(processes: Processes, tmp_path, kiosk: str, salon: str, extra: dict, port: int) -> None:
    folder = tmp_path / kiosk
    folder.mkdir()
    settings = {"metrics": {"port": port}, "fleet": {"kiosk": kiosk, "salon": salon}, **extra}
    (folder / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("HAIRTINT_ROLLOUT_STAGE", None)
    processes.start(kiosk, [sys.executable, "-m", "hairtint_desktop.cli", "gui", "--source", "synthetic:320x240",
                            "--size", "640x400", "--config", str(folder / "settings.json")], cwd=REPO, env=env)


def _by_kiosk(result: list[dict]) -> dict[str, dict]:
    return {series["metric"].get("kiosk"): series["metric"] for series in result}


def test_two_kiosks_reach_the_central_server_through_an_agent_and_by_pull(tmp_path):
    prometheus = program("prometheus")
    ports = {kiosk: free_port() for kiosk in KIOSKS}
    central, agent = free_port(), free_port()
    pulled = ports["kiosk-b"]
    processes = Processes(tmp_path)
    deadline = time.monotonic() + HANG_GUARD_S
    try:
        processes.start("central", [
            prometheus, f"--config.file={write_config(central_config([pulled], central), tmp_path / 'central.yml')}",
            f"--storage.tsdb.path={tmp_path / 'central-data'}", f"--web.listen-address=127.0.0.1:{central}",
            "--web.enable-remote-write-receiver"])
        processes.start("agent", [
            prometheus, "--enable-feature=agent",
            f"--config.file={write_config(agent_config(list(ports.values()), central), tmp_path / 'agent.yml')}",
            f"--storage.agent.path={tmp_path / 'agent-data'}", f"--web.listen-address=127.0.0.1:{agent}"])
        for kiosk, (salon, extra, _) in KIOSKS.items():
            _start_app(processes, tmp_path, kiosk, salon, extra, ports[kiosk])

        def sent(promql: str, what: str) -> dict[str, dict]:
            """The series the agent wrote (instance: the kiosk's name), once both kiosks have one."""
            return wait_for(lambda: (got := _by_kiosk(query(central, promql))).keys() >= KIOSKS.keys() and got,
                            f"{what} of both kiosks", deadline, processes)

        frames = sent('hairtint_frames_total{job="hairtint", instance=~"kiosk-.+"} > 0', "frames")
        fps = sent('hairtint_fps{instance=~"kiosk-.+"} > 0', "fps")
        models = sent('hairtint_model_info{instance=~"kiosk-.+"} == 1', "the model in use")
        rollout = sent('hairtint_rollout_info{instance=~"kiosk-.+"} == 1', "the rollout assignment")
        rules = sent("kiosk:hairtint_frames:rate1m > 0", "the recording rules' frame rate")
        for kiosk, (salon, _, assignment) in KIOSKS.items():
            for labels in (frames[kiosk], fps[kiosk], models[kiosk], rollout[kiosk], rules[kiosk]):
                assert labels["salon"] == salon
            assert frames[kiosk]["instance"] == kiosk  # agent.yml: the kiosk's name, not 127.0.0.1:9464
            assert models[kiosk]["model"] == "hairnet" and models[kiosk]["model_stage"] == "stable"
            assert models[kiosk]["version"]
            assert rollout[kiosk]["assignment"] == assignment
        # pull: the central server scrapes kiosk-b itself; its own up series says it answers
        pull = wait_for(lambda: query(central, f'hairtint_frames_total{{instance="127.0.0.1:{pulled}"}} > 0'),
                        "frames pulled from kiosk-b", deadline, processes)
        assert [s["metric"]["kiosk"] for s in pull] == ["kiosk-b"]
        assert [s["value"][1] for s in query(central, f'up{{instance="127.0.0.1:{pulled}"}}')] == ["1"]
        # agent.yml keeps the agent's own series, identical on every kiosk, and the _created ones at home
        kiosk_a = f"127.0.0.1:{ports['kiosk-a']}"
        assert query(central, f'up{{instance="{kiosk_a}"}}') == []
        assert query(central, '{__name__=~"hairtint_.+_created"}') == []
    finally:
        processes.stop()
