"""``hairtint --self-test`` (issue 10, part 7)."""

import json
import shutil

import pytest

from core.catalog.registry import DEFAULT_REGISTRY, Registry
from core.tools.selftest import Check, SelfTestReport, check_camera, run_self_test
from hairtint_desktop.cli import main


def _no_camera() -> Check:
    return check_camera(list_cameras=lambda: [])


@pytest.mark.slow
def test_self_test_passes_on_the_shipped_models_and_reports_no_camera_as_info(capsys, monkeypatch):
    monkeypatch.setattr("core.tools.selftest.check_camera", _no_camera)
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "camera" in out and "none found" in out
    assert out.count("\n") < 25  # one screen
    for entry in Registry.load().entries:
        assert f"{entry.id}@{entry.version}" in out


def _registry_copy(tmp_path, tamper: bool) -> Registry:
    data = json.loads(DEFAULT_REGISTRY.read_text())
    for raw in data["models"]:
        source = DEFAULT_REGISTRY.parent / raw["file"]
        (tmp_path / raw["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp_path / raw["file"])
    (tmp_path / "model_registry.json").write_text(json.dumps(data))
    registry = Registry.load(tmp_path / "model_registry.json")
    if tamper:
        target = registry.resolve(None).file
        content = bytearray(target.read_bytes())
        content[len(content) // 2] ^= 0x01  # one flipped bit
        target.write_bytes(bytes(content))
    return registry


def test_a_tampered_model_fails_the_self_test(tmp_path):
    result = run_self_test(_registry_copy(tmp_path, tamper=True), camera=_no_camera)
    checks = result.checks
    failed = [c for c in checks if c.failed]
    assert failed and any(c.name.startswith("model ") for c in failed)
    assert any(c.name == "pipeline" for c in failed)  # the default model is not loaded once it fails its check
    assert result.failed and "FAILED:" in result.table()


def test_camera_present_and_broken():
    class Camera:
        def __init__(self, frame):
            self.frame = frame

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def read(self):
            return self.frame

    class Frame:
        size = (1280, 720)

    ok = check_camera(list_cameras=lambda: [0, 2], open_camera=lambda i: Camera(Frame()))
    assert ok.status == "ok" and "1280x720" in ok.detail
    broken = check_camera(list_cameras=lambda: [1], open_camera=lambda i: Camera(None))
    assert broken.failed and "camera 1" in broken.detail


@pytest.mark.slow
def test_a_camera_driver_crash_is_reported_not_raised(tmp_path):
    def explode() -> Check:
        raise RuntimeError("driver gone")

    checks = run_self_test(_registry_copy(tmp_path, tamper=False), camera=explode).checks
    assert checks[-1].failed and "driver gone" in checks[-1].detail


def test_a_pipeline_that_cannot_be_built_is_a_failed_line_not_a_traceback(tmp_path, monkeypatch):
    # what a bundle missing one of MediaPipe's face graphs gives: FileNotFoundError from the solution
    def missing(*args, **kwargs):
        raise FileNotFoundError("The path does not exist: mediapipe/modules/face_landmark/face_landmark_front_cpu.binarypb")

    monkeypatch.setattr("core.pipeline.engine.build_pipeline", missing)
    result = run_self_test(_registry_copy(tmp_path, tamper=False), camera=_no_camera)
    pipeline = next(c for c in result.checks if c.name == "pipeline")
    assert pipeline.failed and "FileNotFoundError" in pipeline.detail and "face_landmark" in pipeline.detail
    assert "FAILED: 1 of" in result.table()


@pytest.mark.parametrize("status, code", [("ok", 0), ("FAILED", 1)])
def test_the_command_prints_the_report_and_exits_1_on_a_failure(capsys, monkeypatch, status, code):
    report = SelfTestReport((Check("info", "camera", "none found"), Check(status, "palette", "17 built-in shades")),
                            "0.1.0", "3.11.7", "4.11.0", "Linux x86_64")
    monkeypatch.setattr("core.tools.selftest.run_self_test", lambda: report)
    assert main(["--self-test"]) == code
    assert capsys.readouterr().out == report.table() + "\n"


def test_self_test_reads_the_registry_where_registry_path_finds_it(tmp_path, monkeypatch):
    """An installed wheel has no registry at the top of site-packages: the self-test reads the one
    core.catalog.registry_file names (the packaged copy there), as the app does."""
    registry = tmp_path / "model_registry.json"
    registry.write_text(json.dumps({"schema": 1, "default": "hairnet", "models": []}))
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: registry)
    result = run_self_test(camera=_no_camera)
    assert any(c.failed and c.detail == "the registry lists no models" for c in result.checks), result.table()
