"""The type check: mypy over core and the app, configured in pyproject.toml's [tool.mypy]."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_core_and_the_app_type_check():
    mypy = Path(sys.executable).with_name("mypy")
    done = subprocess.run([str(mypy), "--config-file", str(REPO / "pyproject.toml"), "core", "hairtint_desktop"],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert done.returncode == 0, done.stdout
