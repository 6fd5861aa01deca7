"""``hairtint metrics`` reads the running app's figures, and says plainly when the app is not reachable
(no port set, or nothing answering there) with a non-zero status, never a table of zeros; ``--local``
prints this installation's own figures without the app."""

from __future__ import annotations

import json
import socket

import pytest

from core.fleet.telemetry import MetricsServer, Telemetry
from hairtint_desktop.cli import main
from tests.registries import registry_with_experimental


@pytest.fixture
def settings(tmp_path, monkeypatch):
    registry = registry_with_experimental(tmp_path / "registry")
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: registry)
    path = tmp_path / "settings.json"
    monkeypatch.setenv("HAIRTINT_CONFIG", str(path))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)

    def write(**values):
        path.write_text(json.dumps(values))
        return path

    return write


def test_without_a_port_it_says_the_app_is_not_reachable(settings, capsys):
    path = settings()
    assert main(["metrics"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("hairtint: the app is not reachable: metrics.port is not set in") and str(path) in err
    assert "hairtint metrics --local" in err


def test_with_nothing_listening_it_says_where_it_looked(settings, capsys):
    with socket.socket() as bound:  # bound but not listening: a connection is refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        settings(metrics={"port": port})
        assert main(["metrics", "--prometheus"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert f"the app is not reachable at http://127.0.0.1:{port}/metrics" in err
    assert "systemctl --user status hairtint-kiosk" in err


def test_the_running_apps_figures_from_its_port(settings, capsys):
    telemetry = Telemetry()
    telemetry.frame(True)
    telemetry.looks_wrong("hairnet", "2.2.0")
    server = MetricsServer(telemetry, port=0)
    try:
        settings(metrics={"port": server.port})
        assert main(["metrics"]) == 0
    finally:
        server.close()
    out = capsys.readouterr().out
    assert "hairtint_frames_total" in out and 'hairtint_feedback_total{model="hairnet",version="2.2.0"}' in out


def test_local_prints_this_installations_own_figures_without_the_app(settings, capsys):
    settings()
    assert main(["metrics", "--local"]) == 0
    out = capsys.readouterr().out
    assert "hairtint_rollout_info" in out and "hairtint_frames_total" in out
