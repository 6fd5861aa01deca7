"""Every model fault ends in a clear ModelError or in the stable model running, never in a traceback
or a crashed process: wrong-shape registries, entries without a checksum, tampered, bit-flipped and
missing files, unknown ids, a model named by path in kiosk mode."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from core.catalog import model_probe
from core.catalog.config import Settings
from core.catalog.registry import Registry, file_sha256
from core.errors import ModelError
from core.fleet import FleetMonitor
from core.live_parts import Status, model_label
from core.session import Session

SHIPPED = Registry.load().resolve(None)
# four bytes inverted at CRASHES_AT make MediaPipe 0.10 segfault while loading this file (hairnet 2.1.0)
CRASHING = Registry.load().get("hairnet@2.1.0").file
CRASHES_AT = 1072


def _registry(folder: Path, exp_file: str = "exp.tflite") -> Path:
    """A stable ``hairnet`` and an experimental ``hairnet-exp``, each with its own copy of the file."""
    for name in ("model.tflite", exp_file):
        shutil.copy(SHIPPED.file, folder / name)
    entry = {"sha256": file_sha256(folder / "model.tflite"), "backend": "mediapipe",
             "input_size": list(SHIPPED.input_size)}
    data = {"default": "hairnet", "models": [
        {"id": "hairnet", "version": "1.0.0", "stage": "stable", "file": "model.tflite", **entry},
        {"id": "hairnet-exp", "version": "0.9.0", "stage": "experimental", "file": exp_file, **entry}]}
    path = folder / "model_registry.json"
    path.write_text(json.dumps(data))
    return path


def _flipped(target: Path, at: int = CRASHES_AT) -> Path:
    data = bytearray(CRASHING.read_bytes())
    for i in range(at, at + 4):
        data[i] ^= 0xFF
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("content, says", [
    (b"[]", "expected a JSON object"),
    (b'{"models": "hairnet"}', '"models" must be a list'),
    (b'{"models": [1]}', r"models\[0\] must be an object"),
    (b'{"models": [{"id": "a", "version": "1", "file": "a.tflite", "sha256": null}]}', "'sha256' is missing"),
    (b'{"models": [{"id": "a", "version": "1", "file": "a.tflite", "sha256": "abc"}]}', "64 hex digits"),
    (b'{"models": [{"id": "a", "version": "1", "file": "a.tflite", "sha256": "' + b"0" * 64 + b'", '
     b'"input_size": "big"}]}', "'input_size'"),
    (b'{"models": [{"version": "1"}]}', "'id' is missing"),
    ('{"models": []}'.encode("utf-16"), "not UTF-8"),
    (b'{"models": [], "x": "\xe9"}', "not UTF-8"),
    (b"[" * 50_000 + b"]" * 50_000, "nested"),
    (b"{" + b" " * (2 << 20) + b"}", "more than the"),
    (b'{"models": [', "not valid JSON"),
])
def test_a_registry_of_the_wrong_shape_is_one_model_error(tmp_path, content, says):
    path = tmp_path / "model_registry.json"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=says) as caught:
        Registry.load(path)
    assert str(path) in str(caught.value)


def test_a_registry_that_is_a_fifo_does_not_hang(tmp_path):
    path = tmp_path / "model_registry.json"
    os.mkfifo(path)
    with pytest.raises(ModelError, match="not a regular file"):
        Registry.load(path)


def test_an_entry_made_without_a_checksum_is_refused_when_loaded(tmp_path):
    registry = Registry.load(_registry(tmp_path))
    entry = registry.get("hairnet")
    from dataclasses import replace

    with pytest.raises(ModelError, match="no sha256"):
        replace(entry, sha256=None).verify()


def test_a_model_named_by_path_is_checked_before_mediapipe_sees_it(tmp_path):
    (tmp_path / "folder.tflite").mkdir()
    with pytest.raises(ModelError, match="not a regular file"):
        Registry.load().resolve(str(tmp_path / "folder.tflite"))
    with pytest.raises(ModelError, match="is missing"):
        Registry.load().resolve(str(tmp_path / "gone.tflite"))
    garbage = tmp_path / "garbage.tflite"
    for content in (b"", b"1234TFL3" + b"\xff" * 64, os.urandom(4096)):
        garbage.write_bytes(content)
        with pytest.raises(ModelError):
            Registry.load().resolve(str(garbage))
    shutil.copy(SHIPPED.file, tmp_path / "mine.tflite")
    entry = Registry.load().resolve(str(tmp_path / "mine.tflite"))
    assert not entry.verified and entry.version == "unverified"


def test_a_bit_flipped_model_is_caught_by_the_probe_not_the_process(tmp_path):
    damaged = _flipped(tmp_path / "flipped.tflite")
    with pytest.raises(ModelError, match="crashed"):
        model_probe.probe(damaged, file_sha256(damaged))
    assert model_probe.probed(file_sha256(damaged))
    with pytest.raises(ModelError, match="crashed"):  # the verdict is kept: no second child
        model_probe.probe(damaged, file_sha256(damaged))


@pytest.mark.parametrize("fault", ["tampered", "bit-flipped", "missing", "unknown id", "path in kiosk mode"])
def test_a_model_that_cannot_run_falls_back_to_the_stable_one(tmp_path, fault, caplog):
    path = _registry(tmp_path)
    exp = tmp_path / "exp.tflite"
    model, kiosk = "hairnet-exp", False
    if fault == "tampered":
        exp.write_bytes(exp.read_bytes() + b"\0")
    elif fault == "bit-flipped":
        _flipped(exp)
        data = json.loads(path.read_text())
        data["models"][1]["sha256"] = file_sha256(exp)  # registered as it is: only the probe can tell
        path.write_text(json.dumps(data))
    elif fault == "missing":
        exp.unlink()
    elif fault == "unknown id":
        model = "no-such-model"
    else:
        model, kiosk = str(tmp_path / "model.tflite"), True
    session = Session(Settings(model=model, install_id="00000000-0000-4000-8000-000000000000"),
                      settings_path=tmp_path / "settings.json", registry=Registry.load(path), kiosk=kiosk)
    pipeline = session.build_pipeline(still=True, fallback=True)
    assert model_label(pipeline) == "hairnet 1.0.0"
    assert "running the stable model hairnet 1.0.0 instead" in caplog.text


def test_the_app_is_told_why_the_stable_model_runs(tmp_path):
    session = Session(Settings(model="no-such-model"), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(_registry(tmp_path)))
    told = []
    monitor = FleetMonitor(session, build=lambda entry, still: entry)
    monitor.attach(lambda factory: None, told.append)
    monitor.factory()(False)
    assert len(told) == 1 and isinstance(told[0], Status)
    assert "no model 'no-such-model'" in told[0].message and "hairnet 1.0.0 instead" in told[0].message


def test_when_the_stable_model_fails_too_the_message_says_both(tmp_path):
    path = _registry(tmp_path)
    (tmp_path / "model.tflite").unlink()
    session = Session(Settings(model="nope"), settings_path=tmp_path / "settings.json", registry=Registry.load(path))
    with pytest.raises(ModelError, match="no model 'nope'.*cannot run either"):
        session.build_pipeline(still=True, fallback=True)
    with pytest.raises(ModelError, match="no model 'nope'"):  # the command line: what was asked for, or why not
        Session(Settings(model="nope"), registry=Registry.load(path)).build_pipeline(still=True)
