"""The settings file is read without hanging, growing memory or crashing, and written only on an
explicit save (never to record the install id), keeping unknown keys and links."""

from __future__ import annotations

import json
import os

import pytest

from core.catalog.config import MAX_SETTINGS_BYTES, Settings, read_settings, save_settings

INSTALL_ID = "00000000-0000-4000-8000-000000000001"


def _refused(path, says: str) -> None:
    settings, warnings = read_settings(path)
    assert settings.with_(install_id="") == Settings()
    assert len(warnings) == 1 and str(path) in warnings[0] and says in warnings[0]


def test_a_fifo_does_not_hang(tmp_path):
    path = tmp_path / "settings.json"
    os.mkfifo(path)
    _refused(path, "not a regular file")


def test_a_link_to_dev_zero_does_not_grow_memory(tmp_path):
    path = tmp_path / "settings.json"
    path.symlink_to("/dev/zero")
    _refused(path, "not a regular file")
    assert path.is_symlink()


def test_a_file_too_large_is_refused(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"{" + b" " * MAX_SETTINGS_BYTES + b"}")
    _refused(path, "more than the")


@pytest.mark.parametrize("content, says", [
    (json.dumps({"overlay": True}).encode("utf-16"), "UTF-16"),
    (b'{"snapshot_dir": "/home/caf\xe9"}', "not UTF-8"),
    (b'{"kiosk": ' * 5000 + b"1" + b"}" * 5000, "nested"),
    (b'{"overlay": tru', "not valid JSON"),
])
def test_an_unreadable_file_gives_one_message_and_is_left_alone(tmp_path, content, says):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    _refused(path, says)
    assert path.read_bytes() == content


def test_a_utf8_bom_is_read(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"overlay": True, "install_id": INSTALL_ID}).encode())
    assert read_settings(path) == (Settings(overlay=True, install_id=INSTALL_ID), [])


def test_a_bad_value_names_its_key_and_the_file_is_not_rewritten(tmp_path):
    path = tmp_path / "settings.json"
    text = json.dumps({"install_id": INSTALL_ID, "kiosk": {"pin": [1]}, "rollout_percent": 33, "future": 1})
    path.write_text(text)
    settings, warnings = read_settings(path)
    assert settings.kiosk.pin is None and any("kiosk.pin" in w and str(path) in w for w in warnings)
    assert any("rollout_percent" in w for w in warnings)
    assert path.read_text() == text


def test_a_file_without_an_install_id_is_not_written_until_a_save_records_it_keeping_the_rest(tmp_path):
    path = tmp_path / "settings.json"
    text = json.dumps({"rollout_percent": 33, "future": {"a": 1}, "kiosk": {"pin": "1234", "x": 2}})
    path.write_text(text)
    before = os.stat(path)
    settings, _ = read_settings(path)
    after = os.stat(path)
    assert path.read_text() == text and (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json"]
    assert read_settings(path)[0].install_id == settings.install_id  # the same at the next start
    save_settings(settings, path)
    data = json.loads(path.read_text())
    assert data["install_id"] == settings.install_id
    assert data["rollout_percent"] == 33 and data["future"] == {"a": 1} and data["kiosk"]["x"] == 2


def test_an_explicit_save_keeps_unknown_keys(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"install_id": INSTALL_ID, "future": [1, 2], "rollout_percent": 33,
                                "kiosk": {"pin": "1", "later": True}}))
    settings, _ = read_settings(path)
    save_settings(settings.with_(overlay=True), path)
    data = json.loads(path.read_text())
    assert data["future"] == [1, 2] and data["rollout_percent"] == 33 and data["kiosk"]["later"] is True
    assert data["overlay"] is True and data["kiosk"]["pin"] == "1"


def test_a_symlinked_settings_file_stays_a_link(tmp_path):
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "hairtint.json"
    target.write_text(json.dumps({"install_id": INSTALL_ID}))
    link = tmp_path / "settings.json"
    link.symlink_to(target)
    settings, _ = read_settings(link)
    save_settings(settings.with_(camera_index=2), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["camera_index"] == 2
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["hairtint.json", "hairtint.json.bak"]


def test_reading_a_complete_file_never_writes_it(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"install_id": INSTALL_ID}))
    before = os.stat(path)
    read_settings(path)
    after = os.stat(path)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
