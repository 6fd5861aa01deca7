"""The metrics: one registry of the app's own, the figures from live events, and the /metrics server."""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from core.fleet.metrics_http import THREAD_PREFIX
from core.fleet.telemetry import MetricsServer, Telemetry, table
from core.frames import RunningMode
from core.live.events import FrameInfo, Processed, Recovered
from tests.fakes import Clock, metric_figures

STATS = {"fps": 29.5, "segment": {"p50": 8.0, "p95": 9.5, "p99": 11.0},
         "total": {"p50": 15.0, "p95": 18.0, "p99": 21.0}}


def processed(dropped: int) -> Processed:
    info = FrameInfo(capture_t=0.0, done_t=0.02, epoch=1, mode=RunningMode.VIDEO, source_id="camera:0", dropped=dropped,
                     stats=STATS, model="hairnet 1.0.0")
    return Processed(result=None, info=info)


def test_live_events_become_figures():
    clock = Clock(100.0)
    telemetry = Telemetry(clock=clock)
    for dropped in (0, 2, 5):
        telemetry.observe(processed(dropped))
    telemetry.observe(Recovered())
    telemetry.frame(True)
    telemetry.frame(False, "exception")
    clock.t += 42
    got = metric_figures(telemetry.text())
    assert got[("hairtint_fps", ())] == 29.5
    assert got[("hairtint_latency_ms", (("quantile", "p95"), ("stage", "total")))] == 18.0
    assert got[("hairtint_latency_ms", (("quantile", "p99"), ("stage", "segment")))] == 11.0
    assert got[("hairtint_dropped_frames_total", ())] == 5
    assert got[("hairtint_camera_reconnects_total", ())] == 1
    assert got[("hairtint_frames_total", ())] == 1
    assert got[("hairtint_errors_total", (("kind", "exception"),))] == 1
    assert got[("hairtint_uptime_seconds", ())] == 42
    assert "hairtint_fps" in table(telemetry.text())


def test_the_registry_is_its_own_not_the_global_one():
    Telemetry()
    assert not any(name.startswith("hairtint") for name in REGISTRY._names_to_collectors)


@pytest.mark.slow
def test_the_server_answers_with_valid_prometheus_text():
    telemetry = Telemetry()
    telemetry.observe(processed(0))
    server = MetricsServer(telemetry, port=0)
    try:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        with urllib.request.urlopen(server.url, timeout=5) as response:
            assert response.status == 200
            text = response.read().decode()
    finally:
        server.close()
    names = {family.name for family in text_string_to_metric_families(text)}
    for name in ("hairtint_frames", "hairtint_errors", "hairtint_error_rate", "hairtint_latency_ms", "hairtint_fps",
                 "hairtint_dropped_frames", "hairtint_model_info", "hairtint_rollout_info", "hairtint_rollbacks",
                 "hairtint_camera_reconnects", "hairtint_uptime_seconds"):
        assert name in names


def _get(server: MetricsServer, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(server.address, server.port, timeout=10)
    try:
        connection.request("GET", path)  # sent as written: no normalising of ".."
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)]


@pytest.mark.slow
def test_the_server_answers_metrics_only():
    server = MetricsServer(Telemetry(), port=0)
    try:
        status, body = _get(server, "/metrics")
        assert status == 200 and b"hairtint_frames_total" in body
        assert _get(server, "/metrics?name[]=hairtint_fps")[0] == 200
        for path in ("/", "/../../etc/passwd", "/metrics/../../etc/passwd", "/metricsx", "/favicon.ico"):
            status, body = _get(server, path)
            assert status == 404 and b"hairtint_" not in body, path
    finally:
        server.close()


@pytest.mark.slow
def test_idle_connections_cost_a_fixed_pool_of_threads_not_one_each():
    before = len(_server_threads())
    server = MetricsServer(Telemetry(), port=0, workers=2, queue_size=8)
    idle = []
    try:
        for _ in range(200):
            idle.append(socket.create_connection((server.address, server.port), timeout=10))
        assert server.wait_for_connections(200, timeout=10)
        assert len(_server_threads()) - before == 3  # two workers and the one that accepts
        assert server._server.refused > 0  # closed at once: neither a worker nor a place in the queue
    finally:
        for sock in idle:
            sock.close()
    try:
        assert server.wait_until_idle(timeout=30)  # the workers have seen each queued one hang up
        assert _get(server, "/metrics")[0] == 200  # the idle ones gone, it answers again
    finally:
        server.close()
    assert len(_server_threads()) == before


@pytest.mark.slow
def test_an_idle_connection_is_closed_after_the_timeout():
    server = MetricsServer(Telemetry(), port=0, workers=1, timeout_s=0.2)
    try:
        with socket.create_connection((server.address, server.port), timeout=10) as sock:
            sock.sendall(b"GET /metr")  # and never the rest
            assert sock.recv(1024) == b""  # the server hung up (a client timeout would raise instead)
        assert _get(server, "/metrics")[0] == 200
    finally:
        server.close()
