"""What HairTint does on the machine, proven (issue 10, part 6): ``recolor`` and ``bench`` run in a
child process with an audit hook (``sys.addaudithook``) that records every socket, every process
started and every file opened for writing, made, renamed or removed; HOME, the XDG folders and TMPDIR
point into an empty folder that is compared before and after."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]

HOOK = r"""
import json, os, sys
seen = {"sockets": [], "processes": [], "writes": []}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def hook(event, args):
    if event.startswith("socket."):
        seen["sockets"].append([event, repr(args)[:200]])
    elif event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.fork"):
        seen["processes"].append([event, repr(args)[:200]])
    elif event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing and not isinstance(path, int):
            seen["writes"].append(os.fsdecode(path))
    elif event in ("os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "os.symlink", "os.link",
                   "os.truncate", "shutil.rmtree"):
        seen["writes"].extend(os.fsdecode(a) for a in args if isinstance(a, (str, bytes, os.PathLike)))

sys.addaudithook(hook)
from hairtint_desktop.cli import main
"""
SCRIPT = HOOK + r"""
codes = [main(["recolor", sys.argv[1], "-o", sys.argv[2], "--color", "Sunlit Amber"]),
         main(["bench", "--frames", "3", "--size", "96x72", "--json"])]
print("@@" + json.dumps({"codes": codes, **seen}))
"""
SOAK_SCRIPT = HOOK + r"""
codes = [main(["soak", "--frames", "30", "--every", "1", "--json"])]
print("@@" + json.dumps({"codes": codes, **seen}))
"""


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def _isolated_home(home: Path) -> dict:
    """The environment of a first start: HOME, the XDG folders and TMPDIR in an empty ``home``."""
    (home / "tmp").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "MPLCONFIGDIR", "HAIRTINT_CONFIG"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local" / "share"), XDG_STATE_HOME=str(home / ".local" / "state"),
               TMPDIR=str(home / "tmp"), PYTHONPATH=str(ROOT))
    return env


@pytest.mark.slow
def test_recolor_and_bench_open_no_socket_and_write_only_the_output(tmp_path):
    home, out = tmp_path / "home", tmp_path / "out"
    env = _isolated_home(home)
    photo = tmp_path / "in" / "me.png"
    photo.parent.mkdir()
    photo.write_bytes((FIXTURES / "portrait_640x480.png").read_bytes())
    before = _tree(home)
    photo_bytes = photo.read_bytes()

    done = subprocess.run([sys.executable, "-c", SCRIPT, str(photo), str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=None)

    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.split("@@", 1)[1])
    assert seen["codes"] == [0, 0]
    assert seen["sockets"] == []
    # no ldconfig/gcc probing for audio, no fc-list for fonts; only the model's first load in a child
    assert [p for p in seen["processes"] if "core.stages.segment.model_probe" not in str(p)] == []
    stray = [w for w in seen["writes"] if not w.startswith(str(out))]  # the explicit output only
    assert stray == []
    assert _tree(home) == before  # no settings file, not even the folder: a first start writes nothing
    assert [p.name for p in out.iterdir()] == ["me_sunlit-amber_70.png"]
    assert photo.read_bytes() == photo_bytes


@pytest.mark.slow
def test_the_installation_keeps_its_id_and_bucket_across_starts_and_only_a_save_writes_it(tmp_path):
    """Two fresh processes (two starts of a new installation) agree on the install id and the rollout
    bucket and write nothing; `hairtint rollout set` (an explicit save) records that same id."""
    home = tmp_path / "home"
    env = _isolated_home(home)
    before = _tree(home)

    def hairtint(*args) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=None)
        assert done.returncode == 0, done.stderr[-2000:]
        return done

    starts = [json.loads(hairtint("rollout", "status", "--json").stdout) for _ in range(2)]
    assert starts[0]["install_id"] == starts[1]["install_id"] and starts[0]["bucket"] == starts[1]["bucket"]
    assert _tree(home) == before
    hairtint("rollout", "set", "ten_percent")
    settings = home / ".config" / "hairtint" / "settings.json"
    assert json.loads(settings.read_text())["install_id"] == starts[0]["install_id"]
    after = json.loads(hairtint("rollout", "status", "--json").stdout)
    assert (after["install_id"], after["bucket"], after["stage"]) == (starts[0]["install_id"], starts[0]["bucket"],
                                                                      "ten_percent")


@pytest.mark.slow
def test_the_apps_first_start_writes_only_the_screenshot_it_was_asked_for(tmp_path):
    """The window opens on the demo, shows a frame, saves the screenshot and quits: no settings file."""
    home, out = tmp_path / "home", tmp_path / "out"
    out.mkdir()
    env = {**_isolated_home(home), "QT_QPA_PLATFORM": "offscreen"}
    before = _tree(home)
    done = subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", "gui", "--source", "synthetic",
                           "--screenshot", str(out / "shot.png")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=None)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [p.name for p in out.iterdir()] == ["shot.png"]
    assert _tree(home) == before


@pytest.mark.slow
def test_the_app_soak_opens_no_socket_and_writes_nothing(tmp_path):
    """The real window (offscreen), its worker and the overlay on the demo clip, with a settings file that
    already has its install id: nothing is written anywhere (the report goes to stdout)."""
    home = tmp_path / "home"
    env = _isolated_home(home)
    env.pop("QT_QPA_PLATFORM", None)  # the soak picks the offscreen platform itself
    settings = home / ".config" / "hairtint" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"install_id": "00000000-0000-4000-8000-000000000001"}))
    before, settings_bytes = _tree(home), settings.read_bytes()

    done = subprocess.run([sys.executable, "-c", SOAK_SCRIPT], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=None)

    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.split("@@", 1)[1])
    report = json.loads(done.stdout.split("@@", 1)[0])
    assert seen["codes"] == [0] and report["frames_shown"] == 30 and report["overlay"] is True
    assert seen["sockets"] == []
    assert [p for p in seen["processes"] if "core.stages.segment.model_probe" not in str(p)] == []
    assert seen["writes"] == []
    assert _tree(home) == before and settings.read_bytes() == settings_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
