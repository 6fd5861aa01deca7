"""``rollout_state.json`` read with the settings file's guards (issue 23, item 3): whatever is there, the
reader answers without raising, hanging or growing memory, and anything that is not a rollback as written
here counts as one (docs/ROLLBACK.md). A file that cannot be read is never replaced by a writer."""

from __future__ import annotations

import json
import os

import pytest

from core.catalog.rollout_state import MAX_STATE_BYTES, RollbackRecord, clear_rollback, read_rollback, write_rollback
from core.errors import ConfigError

RECORD = RollbackRecord(time="2026-12-01T10:00:00", model="hairnet-hq@0.9.0", reason="error rate 10.0%",
                        figures={"error_rate": 0.1, "frames": 50}, by="automatic")


@pytest.mark.parametrize("content, says", [
    (b'{"rollback": {"figures": [1, 2]}}', "figures of the wrong type"),
    (b'{"rollback": {"reason": 7, "figures": {"p95": [1]}}}', "reason, figures of the wrong type"),
    (b"[1, 2]", "not an object"),
    (b'{"rollback": "yes"}', '"yes", not an object'),
    (b'{"rollback": [1]}', "not an object"),
    (b'"rollback"', "not an object"),
    (b"null", "it holds null, not an object"),
    (b'{"rollback": {"time": ', "not valid JSON (line 1"),
    (json.dumps({"rollback": RECORD.to_json()}).encode("utf-16"), "UTF-16"),
    (b"{" + b" " * MAX_STATE_BYTES + b"}", "more than the"),
])
def test_a_damaged_state_file_counts_as_a_rollback_that_says_why(tmp_path, content, says):
    path = tmp_path / "rollout_state.json"
    path.write_bytes(content)
    held = read_rollback(path)
    assert isinstance(held, RollbackRecord) and says in held.reason
    assert isinstance(held.figures, dict) and all(isinstance(v, str) for v in (held.time, held.model, held.by))
    assert path.read_bytes() == content


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: p.symlink_to("/dev/zero"), os.mkdir],
                         ids=["fifo", "link-to-dev-zero", "folder"])
def test_what_is_not_a_regular_file_counts_as_a_rollback_without_being_opened(tmp_path, make):
    path = tmp_path / "rollout_state.json"
    make(path)  # a FIFO is never opened (it would block), /dev/zero never read
    held = read_rollback(path)
    assert held is not None and "not a regular file" in held.reason and str(path) in held.reason


@pytest.mark.parametrize("content", [b"{}", b'{"rollback": null}'])
def test_a_file_without_a_rollback_means_none(tmp_path, content):
    path = tmp_path / "rollout_state.json"
    path.write_bytes(content)
    assert read_rollback(path) is None
    assert read_rollback(tmp_path / "missing.json") is None


def test_a_written_rollback_reads_back_and_the_old_one_is_kept_as_bak(tmp_path):
    path = tmp_path / "rollout_state.json"
    write_rollback(path, RECORD)
    assert read_rollback(path) == RECORD
    later = RollbackRecord(time="2026-12-02T09:00:00", model="hairnet-hq@0.9.1", reason="by hand", by="manual")
    write_rollback(path, later)
    assert read_rollback(path) == later
    assert read_rollback(tmp_path / "rollout_state.json.bak") == RECORD


@pytest.mark.parametrize("content", [b"[1, 2]", b"null", b'{"rollback": 1,}'])
def test_a_rollback_is_not_written_over_a_file_that_cannot_be_read(tmp_path, content):
    path = tmp_path / "rollout_state.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="left as it is"):
        write_rollback(path, RECORD)
    assert path.read_bytes() == content
    assert clear_rollback(path) and not path.exists()  # `rollout reset` removes it, whatever it holds
    assert not clear_rollback(path)
