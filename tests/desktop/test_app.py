"""run_gui end to end: the real model (build_pipeline) on the demo clip and on a photo, --screenshot."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from hairtint_desktop.app import run_gui
from tests.fakes import Gate, PipelineFactory, real_threads


def image_stats(path):
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return image, arr[:, : image.width() * 3].reshape(image.height(), image.width(), 3)


@pytest.mark.slow
@pytest.mark.parametrize("source", ["synthetic", "photo"])
def test_screenshot_with_the_real_pipeline(qtbot, tmp_path, source, photo_path, capsys):
    before = real_threads()
    out = tmp_path / f"{source}.png"
    spec = str(photo_path) if source == "photo" else "synthetic"
    code = run_gui(spec, kiosk=False, screenshot=str(out), settings_path=tmp_path / "settings.json")
    assert code == 0, capsys.readouterr().err
    image, pixels = image_stats(out)
    assert image.width() >= 1000 and image.height() >= 700
    picture = pixels[100:600, 50:800]  # the video area: a real picture, not the dark placeholder
    assert picture.std() > 20 and picture.mean() > 60
    assert real_threads() == before


def test_screenshot_shows_why_a_source_cannot_be_opened(qtbot, tmp_path, capsys):
    out = tmp_path / "panel.png"
    code = run_gui(str(tmp_path / "missing.jpg"), kiosk=False, screenshot=str(out),
                   settings_path=tmp_path / "settings.json", pipeline_factory=lambda mode: None)
    assert code == 0 and out.exists()  # the start panel, captured
    assert "missing.jpg" in capsys.readouterr().err
    image, pixels = image_stats(out)
    assert image.width() >= 1000 and pixels.std() > 5  # not a blank picture


@pytest.mark.slow
def test_screenshot_times_out_with_a_message(qtbot, tmp_path, capsys, monkeypatch):
    from core.demo.synthetic import render_portrait
    from core.io.sources import DEMO_SEED
    from hairtint_desktop.main_window import MainWindow

    render_portrait(640, 480, 0.0, DEMO_SEED)  # the demo clip's drawing (cached), so that its capture thread
    # is never inside the first, slow render when the window shuts down
    gate = Gate()  # the pipeline holds its first frame until the window shuts down
    shutdown = MainWindow.shutdown
    monkeypatch.setattr(MainWindow, "shutdown", lambda self: (gate.open(), shutdown(self))[1])
    out = tmp_path / "never.png"
    before = real_threads()
    code = run_gui("synthetic", kiosk=False, screenshot=str(out), settings_path=tmp_path / "settings.json",
                   pipeline_factory=PipelineFactory(gate=gate), timeout_s=0.5)
    assert code == 1 and not out.exists()
    assert "no processed frame within" in capsys.readouterr().err
    assert real_threads() == before


def _registry_of_versions(folder, damaged=()):
    """hairnet 2.1.0, 2.0.0 and 1.0.0 (copies of the shipped file) in a registry of their own; the
    versions in ``damaged`` with a changed byte."""
    import json

    from core.catalog.registry import Registry, file_sha256

    shipped = Registry.load().resolve(None)
    models = []
    for version in ("1.0.0", "2.0.0", "2.1.0"):
        path = folder / f"hairnet-{version}.tflite"
        path.write_bytes(shipped.file.read_bytes())
        models.append({"id": "hairnet", "version": version, "stage": "stable", "file": path.name,
                       "sha256": file_sha256(path), "backend": "mediapipe"})
        if version in damaged:
            path.write_bytes(path.read_bytes()[:-1] + bytes([path.read_bytes()[-1] ^ 1]))
    registry = folder / "model_registry.json"
    registry.write_text(json.dumps({"default": "hairnet", "models": models}))
    return registry


@pytest.mark.slow
def test_a_damaged_default_model_still_gives_a_screenshot(qtbot, tmp_path, photo_path, capsys, monkeypatch, caplog):
    from core.catalog import registry_file

    registry = _registry_of_versions(tmp_path, damaged=("2.1.0",))
    monkeypatch.setattr(registry_file, "registry_path", lambda: registry)
    out = tmp_path / "fallback.png"
    code = run_gui(str(photo_path), kiosk=False, screenshot=str(out), settings_path=tmp_path / "settings.json")
    assert code == 0 and out.exists(), capsys.readouterr().err
    _, pixels = image_stats(out)
    assert pixels[100:600, 50:800].std() > 20  # a picture, made by hairnet 2.0.0
    assert "running the stable model hairnet 2.0.0 instead" in caplog.text


def test_no_model_that_runs_ends_the_screenshot_at_once_with_why(qtbot, tmp_path, photo_path, capsys, monkeypatch):
    from core.catalog import registry_file

    registry = _registry_of_versions(tmp_path, damaged=("1.0.0", "2.0.0", "2.1.0"))
    monkeypatch.setattr(registry_file, "registry_path", lambda: registry)
    out = tmp_path / "none.png"
    code = run_gui(str(photo_path), kiosk=False, screenshot=str(out), settings_path=tmp_path / "settings.json",
                   timeout_s=600)  # never reached: the live view's end is the signal
    err = capsys.readouterr().err
    assert code == 1 and out.exists() and "cannot run either" in err and "screenshot saved" in err
