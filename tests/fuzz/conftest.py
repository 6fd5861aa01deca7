import pytest

from tests.fuzz.tiers import TIER, examples_run


@pytest.fixture(autouse=True)
def _config_in_tmp(tmp_path_factory, monkeypatch):
    """Never touch the real ~/.config."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("HAIRTINT_CONFIG", str(home / "settings.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.delenv("HAIRTINT_ROLLOUT_STAGE", raising=False)


def pytest_terminal_summary(terminalreporter, config):
    if not examples_run:
        return
    seed = config.getoption("--hypothesis-seed", None)
    where = "a fixed seed per test" if TIER == "quick" else f"seed {seed if seed is not None else 'random'}"
    terminalreporter.write_line(f"fuzz ({TIER} tier, {where}): {sum(examples_run.values()):,} examples in "
                                f"{len(examples_run)} tests: " + ", ".join(f"{k.removeprefix('test_')} {v}"
                                                                            for k, v in sorted(examples_run.items())))
