"""Writers of the settings file: one that cannot be read is never replaced (issue 23, item 1), and each
writer changes only its own keys on the file as it is when it writes, under a lock (item 2)."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from core.catalog.config import MAX_SETTINGS_BYTES, Settings, changed_keys, read_settings, save_settings
from core.errors import ConfigError
from core.io.small_files import update_json

INSTALL_ID = "00000000-0000-4000-8000-000000000001"
KEPT = {"install_id": INSTALL_ID, "kiosk": {"pin": "4711"}, "snapshot_dir": "/srv/snaps"}


def _kept_text() -> str:
    return json.dumps(KEPT, indent=2)


@pytest.mark.parametrize("content, says", [
    (_kept_text()[:-2] + ",\n}", "line 7"),  # a trailing comma after the last key
    (_kept_text().encode("utf-16"), "UTF-16"),
    (b"[1, 2]", "it holds [1, 2], not an object"),
    (b"null", "it holds null, not an object"),
    (b"{" + b" " * MAX_SETTINGS_BYTES + b"}", "more than the"),
], ids=["trailing-comma", "utf-16", "a-list", "null", "over-the-cap"])
def test_a_save_over_a_file_it_cannot_read_is_refused_and_the_file_kept(tmp_path, content, says):
    path = tmp_path / "settings.json"
    content = content.encode() if isinstance(content, str) else content
    path.write_bytes(content)
    settings, _ = read_settings(path)  # the defaults stand in for what could not be read
    with pytest.raises(ConfigError) as refused:
        save_settings(settings.with_(rollout_stage="ten_percent"), path, keys=["rollout_stage"])
    message = str(refused.value)
    assert str(path) in message and says in message and "left as it is" in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.symlink_to("/dev/zero"), os.mkdir],
                         ids=["fifo", "link-to-dev-zero", "folder"])
def test_a_save_over_something_that_is_not_a_regular_file_is_refused(tmp_path, make):
    path = tmp_path / "settings.json"
    make(path)  # the save stats it first: a FIFO is never opened, /dev/zero never read
    with pytest.raises(ConfigError, match="not a regular file"):
        save_settings(Settings(overlay=True), path, keys=["overlay"])
    assert not path.is_file()


def test_a_refused_save_points_at_the_last_good_copy(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(KEPT))
    save_settings(Settings(overlay=True), path, keys=["overlay"])
    path.write_text('{"overlay": true,}')
    with pytest.raises(ConfigError, match=r"settings\.json\.bak"):
        save_settings(Settings(), path, keys=["overlay"])
    assert json.loads((tmp_path / "settings.json.bak").read_text()) == KEPT


def test_a_save_changes_only_its_keys_and_keeps_the_old_file_as_bak(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({**KEPT, "camera_index": 2, "future": [1]}))
    save_settings(Settings(overlay=True, camera_index=0), path, keys=["overlay"])
    data = json.loads(path.read_text())
    assert data == {**KEPT, "camera_index": 2, "future": [1], "overlay": True}
    assert json.loads((tmp_path / "settings.json.bak").read_text()) == {**KEPT, "camera_index": 2, "future": [1]}


def test_the_shell_and_the_app_do_not_undo_each_other(tmp_path):
    """``rollout set full`` from a shell, then the running app toggles the overlay: the stage stays."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(KEPT))
    app_loaded, _ = read_settings(path)
    shell, _ = read_settings(path)
    save_settings(shell.with_(rollout_stage="full"), path, keys=["rollout_stage"])
    toggled = app_loaded.with_(overlay=True)
    save_settings(toggled, path, keys=changed_keys(app_loaded, toggled))
    assert read_settings(path)[0] == app_loaded.with_(overlay=True, rollout_stage="full")
    assert json.loads(path.read_text())["kiosk"] == {"pin": "4711"}


def test_two_windows_on_one_file_keep_each_others_keys(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(KEPT))
    first, _ = read_settings(path)
    second, _ = read_settings(path)
    a = first.with_(camera_index=3, kiosk=first.kiosk.__class__(pin="4711", idle_reset_s=30.0))
    b = second.with_(overlay=True, snapshot_dir="/srv/other")
    assert changed_keys(first, a) == ["camera_index", "kiosk.idle_reset_s"]
    save_settings(a, path, keys=changed_keys(first, a))
    save_settings(b, path, keys=changed_keys(second, b))
    got = read_settings(path)[0]
    assert (got.camera_index, got.kiosk.idle_reset_s, got.kiosk.pin) == (3, 30.0, "4711")
    assert (got.overlay, got.snapshot_dir, got.install_id) == (True, "/srv/other", INSTALL_ID)


def test_a_stage_written_over_a_bad_one_is_written(tmp_path):
    """A key the writer names is written even when it equals the default that stood in for a bad value."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({**KEPT, "rollout_stage": "most"}))
    settings, _ = read_settings(path)
    save_settings(settings.with_(rollout_stage="disabled"), path, keys=["rollout_stage"])
    assert json.loads(path.read_text())["rollout_stage"] == "disabled"


def _count(path: str, key: str, times: int, start) -> None:
    start.wait()
    for _ in range(times):
        update_json(path, lambda old: {**(old or {}), key: (old or {}).get(key, 0) + 1,
                                       "both": (old or {}).get("both", 0) + 1}, 4096)


@pytest.mark.slow
def test_writers_in_two_processes_take_turns(tmp_path):
    """Each process counts up its own key and a shared one, re-reading the file every time: with the
    read-modify-write under the lock no count is lost."""
    path = str(tmp_path / "settings.json")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_count, args=(path, key, 150, start)) for key in ("a", "b")]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0]
    assert json.loads(Path(path).read_text()) == {"a": 150, "b": 150, "both": 300}
