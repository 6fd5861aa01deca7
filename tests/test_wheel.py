"""``hairtint --self-test`` from an installed wheel (issue 25): the wheel built from this working tree with
``pip wheel --no-deps``, installed into a new virtual environment, and its ``hairtint`` run from a folder
outside the source tree with a bare environment. The new environment reaches the dependencies (MediaPipe,
OpenCV, ...) through a ``.pth`` line naming this interpreter's site-packages; ``hairtint``'s own code,
registry, models and palette come from the wheel alone, which the test checks first.

Marked slow: the copy, the build, the install and the self-test take a few seconds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _working_tree(target: Path) -> Path:
    """The files git would see in this checkout (tracked and new, not ignored), copied to ``target``, so
    that the build writes its ``build/`` and ``*.egg-info`` there and not into the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted in the working tree is still listed as tracked
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _run(command: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtual environment with the wheel installed; its ``bin`` folder."""
    base = tmp_path_factory.mktemp("wheel")
    source = _working_tree(base / "source")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
          "--wheel-dir", base / "dist", source])
    wheel = next((base / "dist").glob("hairtint-*.whl"))
    venv = base / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    own = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    dependencies = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (own / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n", encoding="utf-8")
    _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel])
    return venv / "bin"


def _bare_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH, no virtual environment on PATH: what a technician's shell has."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}


def test_the_wheel_carries_hairtint_and_the_checkout_is_not_on_the_path(installed, tmp_path):
    done = _run([installed / "python", "-c", "import core, hairtint_desktop; print(core.__file__); "
                 "print(hairtint_desktop.__file__)"], cwd=tmp_path, env=_bare_env(tmp_path))
    for line in done.stdout.split():
        assert Path(line).is_relative_to(installed.parent), line
        assert not Path(line).is_relative_to(ROOT)


def test_self_test_passes_from_an_installed_wheel(installed, tmp_path):
    done = subprocess.run([installed / "hairtint", "--self-test"], cwd=tmp_path, env=_bare_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASSED" in done.stdout
    registry = json.loads((ROOT / "model_registry.json").read_text(encoding="utf-8"))
    for entry in registry["models"]:  # every model the checkout registers, verified from the wheel's copy
        assert f"ok      model {entry['id']}@{entry['version']}" in done.stdout, done.stdout
    assert "palette" in done.stdout and "pipeline" in done.stdout
    assert not os.listdir(tmp_path), "the self-test writes nothing where it is run"
