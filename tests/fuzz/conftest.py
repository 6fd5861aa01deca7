import pytest
from hypothesis import HealthCheck, settings

# Small, fixed budgets so the whole fuzz suite stays within a couple of minutes in CI; no example
# database (nothing written into the checkout), no deadline (the machines are shared and noisy).
settings.register_profile("fuzz", deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def _config_in_tmp(tmp_path_factory, monkeypatch):
    """Never touch the real ~/.config."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("HAIRTINT_CONFIG", str(home / "settings.json"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
