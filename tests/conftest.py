"""Shared test set-up: Qt offscreen (no display here), and the path to ../shared."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# importing cv2 points Qt at cv2's own plugins; the app drops it too
os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--run-training", action="store_true",
                     help="run the training smoke test (tests/training, minutes) even where CI is not set")


def pytest_collection_modifyitems(config, items):
    """The fast tier: tests/training carries the ``training`` mark and is skipped unless CI is set or
    --run-training is given; CI (.ci/run) runs everything."""
    run = bool(os.environ.get("CI")) or config.getoption("--run-training")
    skip = pytest.mark.skip(reason="the training smoke test runs where CI is set (or with --run-training)")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(REPO / "tests" / "training"):
            item.add_marker(pytest.mark.training)
            if not run:
                item.add_marker(skip)


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
