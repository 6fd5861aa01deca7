"""Shared test set-up: Qt offscreen (no display here), and the path to ../shared."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# importing cv2 points Qt at cv2's own plugins; the app drops it too
os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


# The CI-only tier: folders whose tests take a minute or more. Each folder's tests carry its mark and
# run only where CI is set (.ci/run) or with its flag: folder -> (mark, flag, what it is).
CI_ONLY = {
    "training": ("training", "--run-training", "the training smoke test"),
    "packaging": ("bundle", "--run-bundle", "the bundle build and its self-test"),
}


def pytest_addoption(parser):
    for folder, (_, flag, what) in CI_ONLY.items():
        parser.addoption(flag, action="store_true", help=f"run {what} (tests/{folder}) even where CI is not set")


def pytest_collection_modifyitems(config, items):
    """The fast tier: tests/training and tests/packaging carry the ``training`` and ``bundle`` marks and
    are skipped unless CI is set or their flag (--run-training, --run-bundle) is given; CI (.ci/run)
    runs everything."""
    for folder, (mark, flag, what) in CI_ONLY.items():
        run = bool(os.environ.get("CI")) or config.getoption(flag)
        skip = pytest.mark.skip(reason=f"{what} runs where CI is set (or with {flag})")
        for item in items:
            if Path(str(item.fspath)).is_relative_to(REPO / "tests" / folder):
                item.add_marker(getattr(pytest.mark, mark))
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
