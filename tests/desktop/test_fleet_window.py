"""The fleet parts of the window: the Diagnostics view, the automatic rollback on a running camera, the
overlay's rollout line, the metrics served while the app runs, and the fleet policy followed with no camera."""

from __future__ import annotations

import json
import os
import urllib.request
import uuid

import numpy as np
import pytest

from core.catalog.config import FleetSettings, MetricsSettings, Settings
from core.catalog.fleet_policy import ENV_POLICY
from core.catalog.registry import Registry
from core.catalog.rollout import rollout_bucket
from core.catalog.rollout_state import read_rollback
from core.tryon.session import Session
from hairtint_desktop.app import serve_metrics
from tests.fakes import Camera, Opener, PipelineFactory, metric_figures
from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental


@pytest.mark.slow
def test_the_diagnostics_view_shows_the_figures(qtbot, make_window):
    window = make_window()
    window.start()
    window.actions_.diagnostics.trigger()  # View > Diagnostics (F3)
    dialog = window.diagnostics_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: window.last_info is not None, timeout=5000)
    qtbot.waitUntil(lambda: "hairtint_frames_total" in dialog.text.toPlainText()
                    and dialog.text.toPlainText().split("hairtint_frames_total")[1].split()[0] != "0",
                    timeout=5000)
    text = dialog.text.toPlainText()
    for part in ("rollout    disabled, stable", "hairtint_latency_ms", "hairtint_model_info", "hairtint_uptime_seconds",
                 "hairtint_rollout_info"):
        assert part in text
    dialog.reject()
    assert window.diagnostics_dialog is None


class FailingExperimental(PipelineFactory):
    """Pipelines for the experimental model give invalid (NaN) masks on every fifth frame."""

    def __init__(self):
        super().__init__()
        self.monitor = None

    def __call__(self, mode):
        pipeline = super().__call__(mode)
        if self.monitor.assignment.name == "experimental":
            segment, calls = pipeline.segmenter.segment, [0]

            def sometimes_nan(frame):
                calls[0] += 1
                mask = segment(frame)
                return np.full_like(mask, np.nan) if calls[0] % 5 == 0 else mask

            pipeline.segmenter.segment = sometimes_nan
        return pipeline


@pytest.mark.slow
def test_a_failing_experimental_model_is_rolled_back_while_the_camera_runs(qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("HAIRTINT_ROLLOUT_STAGE", "ten_percent")
    inside = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000))
                  if rollout_bucket(i, EXPERIMENTAL_ID) < 10)
    session = Session(Settings(install_id=inside), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(registry_with_experimental(tmp_path / "registry")))
    factory = FailingExperimental()
    window = make_window(session=session, pipeline_factory=factory)
    factory.monitor = window.fleet
    window.worker.set_pipeline_factory(window.fleet.factory())
    assert window.fleet.assignment.entry.id == EXPERIMENTAL_ID
    window.set_overlay_visible(True)
    window.start("camera:0")
    qtbot.waitUntil(lambda: window.fleet.rollback is not None, timeout=15000)
    qtbot.waitUntil(lambda: "rolled back" in window.overlay.text(), timeout=5000)
    assert window.fleet.assignment.entry.id == STABLE_ID
    record = read_rollback(session.state_file)
    assert record.model == f"{EXPERIMENTAL_ID}@0.9.0" and "error rate" in record.reason
    assert window.worker.is_running()  # no restart: the same source goes on, with the stable model
    qtbot.waitUntil(lambda: len(factory.made) >= 2 and factory.made[-1].segmenter.calls > 0, timeout=5000)
    assert window._test_opener.opened == ["camera:0"]  # the camera was not reopened


@pytest.mark.slow
def test_metrics_are_served_while_the_app_runs(qtbot, make_window):
    window = make_window(settings=Settings(install_id="00000000-0000-4000-8000-000000000001",
                                           metrics=MetricsSettings(port=0),
                                           fleet=FleetSettings(kiosk="kiosk-7", salon="north")))
    server = serve_metrics(window)
    place = (("kiosk", "kiosk-7"), ("salon", "north"))  # on every series served
    try:
        window.start()
        qtbot.waitUntil(lambda: window.last_info is not None, timeout=5000)
        qtbot.waitUntil(lambda: metric_figures(window.fleet.telemetry.text())[("hairtint_frames_total", place)] > 0,
                        timeout=5000)
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url, timeout=5) as response:
            got = metric_figures(response.read().decode())
    finally:
        server.close()
    assert got[("hairtint_frames_total", place)] > 0
    rollout = [dict(labels) for (name, labels), value in got.items() if name == "hairtint_rollout_info" and value == 1]
    assert len(rollout) == 1 and rollout[0]["rollout_stage"] == "disabled" and rollout[0]["assignment"] == "stable"
    assert ("hairtint_latency_ms", (place[0], ("quantile", "p95"), place[1], ("stage", "total"))) in got


def test_metrics_stay_off_by_default(make_window):
    assert serve_metrics(make_window()) is None


def test_a_fallback_is_reported_as_what_runs_and_its_reason_stays_until_dismissed(qtbot, make_window, tmp_path):
    session = Session(Settings(model="no-such-model", install_id="00000000-0000-4000-8000-000000000001"),
                      settings_path=tmp_path / "settings.json",
                      registry=Registry.load(registry_with_experimental(tmp_path / "registry")))
    window = make_window(session=session)
    window.set_overlay_visible(True)
    window.start("camera:0")
    qtbot.waitUntil(lambda: window.banner.isVisible() and window.banner.kind == "notice", timeout=5000)
    assert "no model 'no-such-model'" in window.banner.label.text()
    ready = f"Model {STABLE_ID} 1.0.0 (fallback)"
    qtbot.waitUntil(lambda: window.model_status.text() == ready, timeout=5000)
    qtbot.waitUntil(lambda: "fallback" in window.overlay.text(), timeout=5000)
    frames = window.last_info.done_t
    qtbot.waitUntil(lambda: window.last_info.done_t > frames, timeout=5000)  # more frames, and "ready" was said
    rollout = [dict(labels) for (name, labels), value in metric_figures(window.fleet.telemetry.text()).items()
               if name == "hairtint_rollout_info" and value == 1]
    assert [r["assignment"] for r in rollout] == ["fallback"]
    window.state.reset()  # a kiosk's next customer: the note is for staff, it stays
    assert window.banner.isVisible() and "no-such-model" in window.banner.label.text()
    window.banner.close_button.click()
    assert not window.banner.isVisible()


@pytest.mark.slow
def test_a_kiosk_with_no_camera_still_follows_the_fleet_policy(qtbot, make_window, tmp_path, monkeypatch):
    policy = tmp_path / "fleet.json"
    policy.write_text(json.dumps({"kiosk": "paris-3-front", "salon": "paris-3"}))
    monkeypatch.setenv(ENV_POLICY, str(policy))
    camera = Camera()
    camera.available = False  # unplugged before the start: no frame ever comes
    window = make_window(opener=Opener(camera))
    window.start()
    assert window.fleet.telemetry.place == {"kiosk": "paris-3-front", "salon": "paris-3"}
    assert window.policy_timer.isActive() and window.policy_timer.interval() <= 5000
    policy.write_text(json.dumps({"kiosk": "paris-3-back", "salon": "paris-3"}))
    os.utime(policy, ns=(10**18, 10**18))  # a new time, whatever the file system's resolution
    qtbot.waitUntil(lambda: window.fleet.telemetry.place.get("kiosk") == "paris-3-back", timeout=15000)
    assert window.last_info is None  # followed on the timer: no frame was processed
