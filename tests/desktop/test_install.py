"""packaging/install.sh, run from a stand-in bundle into a temporary home."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _bundle(tmp_path, self_test_code: int) -> Path:
    bundle = tmp_path / "dist" / "hairtint"
    bundle.mkdir(parents=True)
    for name in ("install.sh", "hairtint-kiosk.service", "hairtint.desktop"):
        shutil.copy(ROOT / "packaging" / name, bundle / name)
    program = bundle / "hairtint"
    program.write_text(f"#!/bin/sh\necho self-test run \"$@\"\nexit {self_test_code}\n")
    program.chmod(0o755)
    return bundle


def _run(bundle, home, *args):
    env = {"PATH": os.environ["PATH"], "HOME": str(home)}
    return subprocess.run(["/bin/sh", str(bundle / "install.sh"), *args], env=env, capture_output=True, text=True)


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_install_puts_the_app_the_menu_entry_and_the_kiosk_unit_in_place(tmp_path):
    bundle, home = _bundle(tmp_path, 0), tmp_path / "home"
    done = _run(bundle, home, "--kiosk", "--no-start")
    assert done.returncode == 0, done.stderr
    assert "self-test run --self-test" in done.stdout
    app = home / ".local" / "share" / "hairtint"
    assert (app / "hairtint").exists()
    entry = (home / ".local" / "share" / "applications" / "hairtint.desktop").read_text()
    assert f"Exec={app}/hairtint\n" in entry
    unit = (home / ".config" / "systemd" / "user" / "hairtint-kiosk.service").read_text()
    assert f"ExecStart={app}/hairtint --kiosk\n" in unit and "Restart=always" in unit


@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_a_failing_self_test_installs_nothing(tmp_path):
    bundle, home = _bundle(tmp_path, 1), tmp_path / "home"
    done = _run(bundle, home, "--kiosk")
    assert done.returncode == 1 and "nothing was installed" in done.stderr
    assert not home.exists() or not any(home.rglob("*"))


def test_unknown_options_are_refused(tmp_path):
    done = _run(_bundle(tmp_path, 0), tmp_path / "home", "--kiosck")
    assert done.returncode == 2 and "unknown option --kiosck" in done.stderr
