"""The bundle a technician installs (issue 10): packaging/hairtint.spec built with PyInstaller into a
temporary folder, then run as a kiosk would run it: from another folder, with a bare environment and
nothing of the source tree on its path. Its self-test must pass with the models it carries, and its
install.sh must install a copy that runs on its own.

CI-only (``bundle`` mark, tests/conftest.py): the build takes about half a minute."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.catalog.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "hairtint.spec"
BESIDE = ("install.sh", "hairtint-kiosk.service", "hairtint.desktop")


def _registry() -> dict:
    return json.loads((ROOT / "model_registry.json").read_text(encoding="utf-8"))


def _default_model():
    """The registry entry the pipeline runs with when nothing is chosen."""
    return Registry.load(ROOT / "model_registry.json").resolve(None)


def _bare_env(home: Path) -> dict[str, str]:
    """What a kiosk user's session has: no PYTHONPATH, no virtual environment, no CI variables."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    try:
        import PyInstaller  # noqa: F401  -- in the `test` extra
    except ImportError:
        message = "PyInstaller is missing: pip install -e '.[test]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("bundle")
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(base / "config"))  # nothing written under ~/.cache
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(base / "dist"), "--workpath", str(base / "work"), str(SPEC)]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=base, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    print(f"bundle built in {time.perf_counter() - start:.0f} s")
    yield base / "dist" / "hairtint"
    shutil.rmtree(base, ignore_errors=True)  # about 450 MB, with the build folder as much again


def _self_test(program: Path, cwd: Path) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(program), "--self-test"], cwd=cwd, env=_bare_env(cwd), capture_output=True,
                          text=True, timeout=300)


def test_the_bundle_holds_the_models_the_registry_the_palette_and_the_installer(bundle):
    assert os.access(bundle / "hairtint", os.X_OK)
    for name in BESIDE:
        assert (bundle / name).read_bytes() == (ROOT / "packaging" / name).read_bytes(), name
    assert os.access(bundle / "install.sh", os.X_OK)
    inside = bundle / "_internal"
    assert json.loads((inside / "model_registry.json").read_text(encoding="utf-8")) == _registry()
    for entry in _registry()["models"]:
        shipped = inside / entry["file"]
        assert hashlib.sha256(shipped.read_bytes()).hexdigest() == entry["sha256"], entry["file"]
    assert (inside / "core" / "palettes" / "default.json").is_file()
    # MediaPipe's face detector and face mesh graphs; none of the training stack
    for graph in ("face_detection/face_detection_full_range_cpu.binarypb",
                  "face_landmark/face_landmark_front_cpu.binarypb"):
        assert (inside / "mediapipe" / "modules" / graph).is_file(), graph
    for absent in ("torch", "training", "matplotlib", "jax", "sounddevice"):
        assert not (inside / absent).exists(), absent


def test_the_bundles_self_test_runs_frames_through_the_pipeline_with_the_shipped_models(bundle, tmp_path):
    done = _self_test(bundle / "hairtint", tmp_path / "elsewhere")
    report = done.stdout
    assert done.returncode == 0, report + done.stderr
    for entry in _registry()["models"]:
        line = next(line for line in report.splitlines() if f" model {entry['id']}@{entry['version']} " in line)
        assert line.startswith("ok ") and "matches" in line, line
    pipeline = next(line for line in report.splitlines() if line.split()[1:2] == ["pipeline"])
    default = _default_model()
    assert pipeline.startswith("ok ") and "30 demo frames" in pipeline and "hair IoU" in pipeline, pipeline
    assert f"with {default.id}@{default.version}:" in pipeline
    assert "ok      palette" in report and "PASSED" in report


def test_install_sh_installs_a_copy_that_runs_on_its_own(bundle, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(["/bin/sh", str(bundle / "install.sh"), "--kiosk", "--no-start"], cwd=tmp_path,
                          env=_bare_env(home), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout  # install.sh ran the bundle's self-test first
    app = home / ".local" / "share" / "hairtint"
    assert f"Exec={app}/hairtint\n" in (home / ".local" / "share" / "applications" / "hairtint.desktop").read_text()
    unit = (home / ".config" / "systemd" / "user" / "hairtint-kiosk.service").read_text()
    assert f"ExecStart={app}/hairtint --kiosk\n" in unit

    # The installed copy reads its own files: with its default model damaged, its self-test fails.
    model = app / "_internal" / _default_model().file.relative_to(ROOT)
    content = bytearray(model.read_bytes())
    content[len(content) // 2] ^= 0x01
    model.write_bytes(bytes(content))
    damaged = _self_test(app / "hairtint", tmp_path / "kiosk")
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    assert "does not match its checksum" in damaged.stdout and "FAILED" in damaged.stdout
    shutil.rmtree(app)
