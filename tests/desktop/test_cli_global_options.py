"""``-v`` is taken anywhere on the line, and an app option where it means nothing is one clear error
(issue 25): ``hairtint --kiosk -v`` opens the kiosk verbosely; ``hairtint --self-test --kiosk`` is refused."""

import pytest

from hairtint_desktop import cli


@pytest.fixture
def started(monkeypatch):
    """What the app was opened with and whether the run was quiet (no window, no process exit)."""
    seen: dict = {"quiet": False}
    monkeypatch.setattr("hairtint_desktop.app.run_gui", lambda **kw: seen.update(kw) or 0)
    monkeypatch.setattr("hairtint_desktop.terminal.end_process", lambda code: None)
    monkeypatch.setattr(cli, "quiet_python_warnings", lambda: seen.update(quiet=True))
    monkeypatch.setattr("core.tools.selftest.run_self_test", lambda: pytest.fail("the self-test ran"))
    return seen


@pytest.mark.parametrize("argv", [["--kiosk", "-v"], ["-v", "--kiosk"], ["--kiosk", "--verbose"],
                                  ["gui", "--kiosk", "-v"], ["--source", "demo", "-v", "--kiosk"]])
def test_verbose_is_taken_anywhere_by_the_app(started, argv):
    assert cli.main(argv) == 0
    assert started["kiosk"] is True and started["quiet"] is False


def test_without_verbose_the_app_is_quiet(started):
    assert cli.main(["--kiosk"]) == 0
    assert started["kiosk"] is True and started["quiet"] is True


@pytest.mark.parametrize("argv", [["models", "list", "-v"], ["-v", "models", "list"], ["models", "-v", "list"]])
def test_verbose_is_taken_anywhere_by_a_subcommand(started, capsys, argv):
    assert cli.main(argv) == 0
    assert started["quiet"] is False and "hairnet" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--self-test", "--kiosk"], ["--kiosk", "--self-test"], ["-v", "--self-test",
                                  "--source", "demo"], ["--kiosk", "models", "list"], ["--source=x", "bench"],
                                  ["--size", "640x480", "recolor", "a.png"], ["--self-test", "--screenshot=a.png"]])
def test_an_app_option_where_it_means_nothing_is_one_clear_error(started, capsys, argv):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hairtint: --") and "means nothing with" in err
    assert "Traceback" not in err and "kiosk" not in started


def test_an_option_value_that_is_a_command_name_is_a_value(started):
    assert cli.main(["--source", "models", "--kiosk"]) == 0  # a folder named "models"
    assert started["source"] == "models" and started["kiosk"] is True
