"""Fuzzing the files an installation keeps (issue 23, item 11): the settings file, the rollout state file
beside it and the model registry, through the commands that read them (``rollout status``, ``rollout
set``, ``models list``, ``models verify``). Whatever a file holds, or whatever sits at its name (a
folder, a FIFO, a link to /dev/zero), each command ends with exit 0, 1 or 2 and a message, never a
traceback or a hang; a file it only reads does not change; a file it cannot read is never overwritten."""

import json
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from core.catalog.install_id import machine_install_id
from core.catalog.rollout_state import STATE_FILE
from hairtint_desktop.cli import main
from tests.fuzz.tiers import fuzz
from tests.registries import registry_with_experimental

STAGES = ["disabled", "ten_percent", "half", "full", "most", "", None, 10, True]
SETTINGS = {"install_id": "00000000-0000-4000-8000-000000000007", "rollout_stage": "ten_percent",
            "snapshot_dir": "/tmp/snaps", "kiosk": {"enabled": True, "pin": "2468"}, "overlay": False,
            "camera_index": 0, "resolution": [640, 480], "model": None, "metrics": {"port": None}}
STATE = {"rollback": {"time": "2026-12-01T10:00:00", "model": "hairnet-exp@0.9.0", "reason": "error rate",
                      "figures": {"error_rate": 0.1}, "by": "automatic"}}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


def _walk(data, path: list):
    """The parent and key of ``path`` in nested dicts and lists (None when the path is gone)."""
    for step in path[:-1]:
        if (isinstance(data, dict) and step in data) or (isinstance(data, list) and isinstance(step, int) and step < len(data)):
            data = data[step]
        else:
            return None, None
    return (data, path[-1]) if isinstance(data, (dict, list)) else (None, None)


@st.composite
def mutated(draw, base: dict, paths: list[list]) -> object:
    """``base`` with a few of its values (at ``paths``) replaced or removed, and perhaps a key added."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(0, 4))):
        parent, key = _walk(data, draw(st.sampled_from(paths)))
        if parent is None or (isinstance(parent, list) and not (isinstance(key, int) and key < len(parent))):
            continue
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(key, None)
        else:
            parent[key] = draw(json_values | st.sampled_from(STAGES))
    if draw(st.booleans()) and isinstance(data, dict):
        data[draw(st.text(max_size=8))] = draw(json_values)
    return data


@st.composite
def files(draw, base: dict, paths: list[list]) -> bytes | str:
    """What may sit at a file's name: ``base`` changed a little, any JSON, bytes, JSON that is too deep,
    too large, badly encoded or broken by a character; or (a str) a folder, a FIFO or a link."""
    kind = draw(st.sampled_from(["mutated"] * 4 + ["any json", "bytes", "deep", "encoding", "broken", "huge",
                                                   "special"]))
    event(kind)
    if kind == "special":
        return draw(st.sampled_from(["folder", "fifo", "link to /dev/zero", "link to nowhere"]))
    if kind == "any json":
        return json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        depth = draw(st.integers(30, 50_000))
        return b'{"a":' * depth + b"1" + b"}" * draw(st.integers(0, depth))
    text = json.dumps(draw(mutated(base, paths)), indent=draw(st.sampled_from([None, 2])))
    if kind == "encoding":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-32", "utf-8-sig", "latin-1"])), "replace")
    if kind == "broken":
        at = draw(st.integers(0, len(text)))
        return (text[:at] + draw(st.sampled_from([",", "}", "{", '"', "\x00", "]", "\ufeff", " ,}"])) + text[at:]).encode()
    if kind == "huge":
        return b" " * (1 << 20) + text.encode()
    return text.encode()


def _place(path: Path, content: bytes | str | None) -> None:
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "folder":
        path.mkdir()
    elif content == "fifo":
        os.mkfifo(path)
    elif content == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to(path.parent / "nowhere")


def _snapshot(folder: Path) -> dict:
    """Every name in ``folder`` and what it holds (a regular file's bytes, else what kind it is)."""
    return {p.name: p.read_bytes() if p.is_file() and not p.is_symlink() else ("link" if p.is_symlink() else "other")
            for p in folder.iterdir()}


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, err
    if code == 2:
        assert err.strip().startswith("hairtint: "), err  # a sentence says why
    event(f"{argv[0]} {argv[1]}: exit {code}")
    return code, out, err


SETTINGS_PATHS = [[k] for k in SETTINGS] + [["kiosk", "pin"], ["kiosk", "enabled"], ["metrics", "port"], ["resolution", 0]]
STATE_PATHS = [["rollback"], *[["rollback", k] for k in STATE["rollback"]], ["rollback", "figures", "error_rate"]]


@pytest.mark.slow
@fuzz(quick=60, long=900)
@given(settings=files(SETTINGS, SETTINGS_PATHS), state=st.none() | files(STATE, STATE_PATHS))
def test_rollout_status_reads_any_settings_and_state_file(capsys, settings, state):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        _place(folder / "settings.json", settings)
        _place(folder / STATE_FILE, state)
        before = _snapshot(folder)
        code, out, _ = _run(["rollout", "status", "--config", str(folder / "settings.json")], capsys)
        assert _snapshot(folder) == before  # status only reads
        if code == 0:
            assert "assignment" in out and "model" in out


@pytest.mark.slow
@fuzz(quick=60, long=900)
@given(state=files(STATE, STATE_PATHS), stage=st.sampled_from(["disabled", "ten_percent", "full"]))
def test_a_damaged_state_file_never_stops_status_and_set(capsys, state, stage):
    """A rollout state file that cannot be read counts as a rollback; it never stops the commands."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Path(folder) / "settings.json"
        settings.write_text(json.dumps(SETTINGS))
        _place(Path(folder) / STATE_FILE, state)
        assert _run(["rollout", "status", "--config", str(settings)], capsys)[0] == 0
        assert _run(["rollout", "set", stage, "--config", str(settings)], capsys)[0] == 0
        assert json.loads(settings.read_text())["rollout_stage"] == stage


@pytest.mark.slow
@fuzz(quick=60, long=900)
@given(settings=files(SETTINGS, SETTINGS_PATHS), stage=st.sampled_from(["disabled", "full"]))
def test_rollout_set_changes_the_stage_and_nothing_else(capsys, settings, stage):
    """The writer owns ``rollout_stage`` only: every other setting a readable file holds (the kiosk PIN,
    ``snapshot_dir``, ``install_id`` and with it the rollout bucket) is kept as it was (a file without a
    usable install id gets the one in use, the machine's); a file that cannot be read is left as it is."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.json"
        _place(path, settings)
        before = _snapshot(Path(folder))
        _run(["rollout", "set", stage, "--config", str(path)], capsys)
        assert not [p for p in Path(folder).iterdir() if p.name.endswith(".tmp")]
        if _snapshot(Path(folder)).get("settings.json") == before.get("settings.json"):
            return  # left as it was
        old = _json_object(settings)
        assert old is not None or settings == "link to nowhere", "a file it cannot read was replaced"
        after = json.loads(path.read_text())
        assert after["rollout_stage"] == stage
        if old is not None:
            if not _usable_id(old.get("install_id")):  # the id in use all along is recorded (same bucket)
                assert after.pop("install_id") == machine_install_id()
                old.pop("install_id", None)
            assert {k: v for k, v in after.items() if k != "rollout_stage"} == \
                   {k: v for k, v in old.items() if k != "rollout_stage"}


def _usable_id(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return value is not None


def _json_object(content) -> dict | None:
    try:
        data = json.loads(content) if isinstance(content, bytes) else None
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


REGISTRY_KEYS = ["id", "version", "stage", "file", "sha256", "backend", "input_size", "metrics"]
REGISTRY_PATHS = ([["default"], ["schema"], ["models"], ["models", 0], ["models", 1]]
                  + [["models", i, k] for i in (0, 1) for k in REGISTRY_KEYS]
                  + [["models", 0, "metrics", "mean_iou"], ["models", 0, "metrics", "mean_iou", "celeba"],
                     ["models", 0, "input_size", 0]])


@st.composite
def registries(draw):
    base = json.loads(_base_registry().read_text())
    base["models"][0]["metrics"] = {"mean_iou": {"celeba": 0.84, "figaro": 0.88}}
    return draw(files(base, REGISTRY_PATHS))


_made = {}


def _base_registry() -> Path:
    """A registry of two entries (one model file, copied once for the whole run)."""
    if "path" not in _made:
        _made["path"] = registry_with_experimental(Path(tempfile.mkdtemp(prefix="hairtint-fuzz-")) / "registry")
    return _made["path"]


@pytest.mark.slow
@fuzz(quick=60, long=800)
@given(registry=registries(), command=st.sampled_from(["list", "verify"]))
def test_models_list_and_verify_read_any_registry(capsys, monkeypatch, registry, command):
    folder = _base_registry().parent
    path = folder / f"fuzzed-{os.getpid()}.json"
    try:
        _place(path, registry)
        monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: path)
        before = _snapshot(folder)
        _run(["models", command], capsys)
        assert _snapshot(folder) == before
    finally:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink(missing_ok=True)
