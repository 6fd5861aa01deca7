"""Shared test set-up: Qt offscreen (no display here), and the path to ../shared."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# importing cv2 points Qt at cv2's own plugins; the app drops it too
os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def shared_path() -> Path:
    return Path(os.environ.get("HAIRTINT_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (datasets, the 2019 model). Missing in CI is a failure, not a skip."""
    path = shared_path()
    if not (path / "datasets").is_dir():
        message = f"../shared is expected at {path} but is missing"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
