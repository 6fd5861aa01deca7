"""A missing system library or display is one line naming what to install or do, before Qt could abort
(issue 25): :func:`hairtint_desktop.qtenv.platform_problem` with the library lookup and the display's
answer injected, the app's start on it (exit 2, no window built), ``python -m hairtint_desktop.qtenv
--check`` (what ``make run`` runs first) and README's list of packages."""

from __future__ import annotations

import re
import subprocess

from hairtint_desktop import qtenv
from hairtint_desktop.cli import main
from tests.conftest import REPO

X_DESKTOP = {"DISPLAY": ":0"}
ANSWERS = lambda _display: True  # noqa: E731  an X server that answers


def _without(*packages: str):
    """A library lookup that finds everything but the libraries of ``packages``."""
    missing = {soname for table in (qtenv.QT_LIBRARIES, *qtenv.PLATFORM_LIBRARIES.values())
               for soname, package in table.items() if package in packages}
    assert len(missing) >= len(packages), "each package is one the check knows"
    return lambda soname: soname not in missing


def test_nothing_is_said_when_the_libraries_and_the_display_are_there():
    assert qtenv.platform_problem(X_DESKTOP, found=_without(), reachable=ANSWERS, platform="linux") is None


def test_missing_x_libraries_are_named_with_the_command_that_installs_them():
    found = _without("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")
    problem = qtenv.platform_problem(X_DESKTOP, found=found, reachable=ANSWERS, platform="linux")
    assert problem == ("HairTint needs the X libraries libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1: "
                       "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1")


def test_a_missing_qt_library_is_named_on_every_platform():
    problem = qtenv.platform_problem({"QT_QPA_PLATFORM": "offscreen"}, found=_without("libegl1"),
                                     reachable=ANSWERS, platform="linux")
    assert problem == "HairTint needs the system libraries libegl1: sudo apt-get install libegl1"


def test_offscreen_needs_neither_the_x_libraries_nor_a_display():
    found = _without("libxcb-icccm4", "libxcb-keysyms1")
    assert qtenv.platform_problem({"QT_QPA_PLATFORM": "offscreen"}, found=found, reachable=ANSWERS,
                                  platform="linux") is None


def test_no_display_says_so_and_how_to_do_without_one():
    problem = qtenv.platform_problem({}, found=_without(), reachable=ANSWERS, platform="linux")
    assert problem is not None and "needs a display" in problem and "DISPLAY is not set" in problem
    assert "--screenshot" in problem and "\n" not in problem


def test_an_x_display_that_does_not_answer_is_named():
    problem = qtenv.platform_problem({"DISPLAY": ":7"}, found=_without(), reachable=lambda d: d != ":7",
                                     platform="linux")
    assert problem is not None and "cannot reach the X display :7" in problem


def test_a_wayland_session_needs_no_x_display_and_falls_back_to_x():
    wayland = {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    assert qtenv.platform_problem(wayland, found=_without(), reachable=ANSWERS, platform="linux") is None
    both = {**wayland, "DISPLAY": ":0"}  # no Wayland libraries: Qt falls back to X, which works
    assert qtenv.platform_problem(both, found=_without("libwayland-cursor0"), reachable=ANSWERS,
                                  platform="linux") is None


def test_other_systems_are_not_checked():
    assert qtenv.platform_problem({}, found=lambda _s: False, reachable=ANSWERS, platform="win32") is None


def test_the_app_says_what_to_install_and_exits_2_before_building_a_window(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(qtenv, "library_found", _without("libxcb-icccm4"))
    monkeypatch.setattr(qtenv, "display_reachable", ANSWERS)
    monkeypatch.setattr("hairtint_desktop.app.build_window", _no_window)
    assert main(["--source", "synthetic"]) == 2
    err = capsys.readouterr().err
    assert err == "HairTint needs the X libraries libxcb-icccm4: sudo apt-get install libxcb-icccm4\n"


def _no_window(*_args, **_kwargs):
    raise AssertionError("the window is built only where Qt can show it")


def test_the_check_make_run_runs_exits_2_with_the_line_and_0_for_a_screenshot(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    assert qtenv.main(["--check", "--kiosk"]) == 2
    assert "needs a display" in capsys.readouterr().err
    assert qtenv.main(["--check", "--source", "synthetic", "--screenshot", "out.png"]) == 0  # renders offscreen


def test_make_run_checks_before_it_starts_the_app():
    done = subprocess.run(["make", "-n", "run", "ARGS=--kiosk"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    check = next(i for i, line in enumerate(lines) if "hairtint_desktop.qtenv --check --kiosk" in line)
    start = next(i for i, line in enumerate(lines) if line.endswith("bin/hairtint --kiosk"))
    assert check < start


def test_readme_lists_the_debian_packages_the_check_names():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"sudo apt-get install ([a-z0-9 .+-]+)", readme)
    assert command is not None, "README's set-up says which Debian packages the window needs"
    assert sorted(command.group(1).split()) == qtenv.DEBIAN_PACKAGES
