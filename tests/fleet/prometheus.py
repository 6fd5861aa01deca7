"""Debian's Prometheus for the fleet tests: where its programs are (or why a test skips), the shipped
configuration in packaging/prometheus/ made to run on free ports of 127.0.0.1, and its HTTP API."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging" / "prometheus"
RULES = sorted((PACKAGING / "rules").glob("*.yml"))
POLL_S = 0.5  # how often the central server is asked for a series while a test waits for it
NOT_INSTALLED = ("Debian's prometheus package is not installed (no {program} on PATH) and could not be: "
                 ".ci/run installs it as root with apt-get install prometheus; here run that by hand")


def program(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; the test skips, saying why, where it is not installed."""
    path = shutil.which(name) or next((p for p in (f"/usr/bin/{name}",) if os.access(p, os.X_OK)), None)
    if path is None:
        pytest.skip(NOT_INSTALLED.format(program=name))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def agent_config(kiosk_ports: list[int], central_port: int) -> dict:
    """packaging/prometheus/agent.yml, scraping the given ports every second and writing to the central
    server on ``central_port``."""
    config = yaml.safe_load((PACKAGING / "agent.yml").read_text(encoding="utf-8"))
    config["global"]["scrape_interval"] = "1s"
    (job,) = config["scrape_configs"]
    job["static_configs"] = [{"targets": [f"127.0.0.1:{port}" for port in kiosk_ports]}]
    (remote,) = config["remote_write"]
    remote["url"] = f"http://127.0.0.1:{central_port}/api/v1/write"
    remote["queue_config"]["batch_send_deadline"] = "1s"
    return config


def central_config(pulled_ports: list[int], port: int) -> dict:
    """packaging/prometheus/central.yml on ``port``, its rules where they are, pulling from the given
    kiosk ports, scraping and evaluating every second."""
    config = yaml.safe_load((PACKAGING / "central.yml").read_text(encoding="utf-8"))
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(PACKAGING / pattern) for pattern in config["rule_files"]]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    jobs["prometheus"]["static_configs"] = [{"targets": [f"127.0.0.1:{port}"]}]
    jobs["hairtint"]["static_configs"] = [{"targets": [f"127.0.0.1:{p}" for p in pulled_ports]}]
    return config


def write_config(config: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


class Processes:
    """Programs started for one test, each logging to a file; :meth:`stop` ends them all."""

    def __init__(self, folder: Path):
        self.folder, self.started = folder, []

    def start(self, name: str, argv: list[str], **kwargs) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kwargs)
        log.close()
        self.started.append((name, process))
        return process

    def logs(self) -> str:
        """The end of each program's log, and whether it is still running (for a failure's message)."""
        parts = []
        for name, process in self.started:
            text = (self.folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")
            state = "running" if process.poll() is None else f"exited {process.returncode}"
            parts.append(f"--- {name} ({state}):\n{text[-1500:]}")
        return "\n".join(parts)

    def wait_for_an_end(self, seconds: float) -> str | None:
        """Wait up to ``seconds`` for a started program to end; the name of one that has, else None."""
        for name, process in self.started:
            if process.poll() is not None:
                return name
        if self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.started[0][1].wait(timeout=seconds)  # the first: the server the test asks
        return next((name for name, process in self.started if process.poll() is not None), None)

    def stop(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                process.terminate()
        for _, process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def query(port: int, promql: str) -> list[dict]:
    """The result of an instant query on the Prometheus at 127.0.0.1:``port`` ([] while it cannot answer)."""
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            answer = json.load(response)
    except OSError:
        return []
    return answer["data"]["result"] if answer.get("status") == "success" else []


def wait_for(condition: Callable[[], object], what: str, deadline: float, processes: Processes):
    """Poll ``condition`` until it gives something true, which is returned. The series live in another
    process's HTTP API, which has no way to tell us they arrived, so it is asked again every ``POLL_S``;
    between asks the test waits on the programs it started, and fails at once, with their logs, when one
    of them ends. ``deadline`` (a monotonic time) only stops a test that would otherwise hang."""
    while True:
        got = condition()
        if got:
            return got
        ended = processes.wait_for_an_end(POLL_S)
        if ended is not None:
            pytest.fail(f"{ended} ended while waiting for {what}\n{processes.logs()}")
        if time.monotonic() > deadline:
            pytest.fail(f"the central Prometheus never had {what}\n{processes.logs()}")
