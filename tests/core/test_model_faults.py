"""Every model fault ends in a clear ModelError or in the stable model running, never in a traceback
or a crashed process: wrong-shape registries, entries without a checksum, tampered, bit-flipped and
missing files, unknown ids, a model named by path in kiosk mode."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from core.catalog.config import Settings
from core.catalog.registry import Registry, file_sha256
from core.catalog.rollout import ENV_STAGE, rollout_bucket
from core.catalog.rollout_state import read_rollback
from core.errors import ModelError
from core.fleet.monitor import FleetMonitor
from core.frames import RunningMode
from core.live.events import Notice, model_label
from core.stages.segment import model_probe
from core.tryon.session import Session

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
    pipeline = session.build_pipeline(RunningMode.IMAGE, fallback=True)
    assert model_label(pipeline) == "hairnet 1.0.0"
    assert "running the stable model hairnet 1.0.0 instead" in caplog.text


def _verified(entry, mode):
    """A stand-in build: the registry's checks (the checksum), no MediaPipe."""
    entry.verify()
    return entry


def _figures(monitor) -> dict:
    return {(name, tuple(sorted(labels.items()))): value for name, labels, value in monitor.telemetry.rows()}


INSIDE = next(i for i in (f"00000000-0000-4000-8000-{n:012d}" for n in range(1000))
              if rollout_bucket(i, "hairnet-exp") < 10)


def test_a_damaged_experimental_model_is_reported_as_the_stable_fallback_and_rolled_back(tmp_path):
    path = _registry(tmp_path)
    (tmp_path / "exp.tflite").write_bytes((tmp_path / "exp.tflite").read_bytes() + b"\0")  # damaged
    session = Session(Settings(install_id=INSIDE), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(path))
    told = []
    monitor = FleetMonitor(session, build=_verified, environ={ENV_STAGE: "ten_percent"})
    monitor.attach(lambda factory: None, told.append)
    make = monitor.factory()
    assert monitor.assignment.entry.id == "hairnet-exp"  # what the rollout chose
    assert make(RunningMode.VIDEO).pipeline.id == "hairnet"  # what runs
    a = monitor.assignment
    assert (a.entry.id, a.entry.version, a.name) == ("hairnet", "1.0.0", "fallback")
    got = _figures(monitor)
    models = [dict(labels) for (name, labels), value in got.items() if name == "hairtint_model_info" and value == 1]
    assert models == [{"model": "hairnet", "version": "1.0.0", "model_stage": "stable"}]
    rollout = [dict(labels) for (name, labels), value in got.items() if name == "hairtint_rollout_info"]
    assert [r["assignment"] for r in rollout] == ["fallback"] and rollout[0]["candidate"] == "hairnet-exp@0.9.0"
    assert got[("hairtint_rollbacks_total", ())] == 1 and got[("hairtint_rollback_active", ())] == 1
    record = read_rollback(session.state_file)  # docs/ROLLBACK.md: the rollout's choice misbehaved
    assert record.model == "hairnet-exp@0.9.0" and "could not be loaded" in record.reason
    assert "does not match its checksum" in record.reason and record == monitor.rollback
    assert [type(e) for e in told] == [Notice]
    assert "running the stable model hairnet 1.0.0 instead" in told[0].message and "rollback" in told[0].message
    assert "rolled back" in monitor.overlay_line() and monitor.status_line() == "Model hairnet 1.0.0 (fallback)"
    make(RunningMode.IMAGE)  # the still pipeline: the same fallback, not a second rollback or notice
    assert len(told) == 1 and _figures(monitor)[("hairtint_rollbacks_total", ())] == 1


def test_the_app_is_told_why_the_stable_model_runs_and_a_named_model_is_not_rolled_back(tmp_path):
    session = Session(Settings(model="no-such-model"), settings_path=tmp_path / "settings.json",
                      registry=Registry.load(_registry(tmp_path)))
    told = []
    monitor = FleetMonitor(session, build=lambda entry, mode: entry)
    monitor.attach(lambda factory: None, told.append)
    monitor.factory()(RunningMode.VIDEO)
    assert len(told) == 1 and isinstance(told[0], Notice) and "rollback" not in told[0].message
    assert "no model 'no-such-model'" in told[0].message and "hairnet 1.0.0 instead" in told[0].message
    assert monitor.assignment.name == "fallback" and monitor.rollback is None
    assert not session.state_file.exists()
    got = _figures(monitor)
    assert got[("hairtint_rollbacks_total", ())] == 0
    assert got[("hairtint_rollout_info", (("assignment", "fallback"), ("candidate", ""), ("rollout_stage", "disabled")))] == 1
    assert "fallback (hairnet 1.0.0): no model 'no-such-model'" in monitor.overlay_line()


def _stable_versions(folder: Path, versions=("1.0.0", "2.0.0", "2.1.0")) -> Path:
    """A registry of stable ``hairnet`` versions (each its own copy of the shipped file) and an int8 one."""
    models = []
    for model_id, version in (*(("hairnet", v) for v in versions), ("hairnet-int8", "1.0.0")):
        name = f"{model_id}-{version}.tflite"
        shutil.copy(SHIPPED.file, folder / name)
        models.append({"id": model_id, "version": version, "stage": "stable", "file": name,
                       "sha256": file_sha256(folder / name), "backend": "mediapipe"})
    path = folder / "model_registry.json"
    path.write_text(json.dumps({"default": "hairnet", "models": models}))
    return path


def test_the_fallbacks_are_the_default_models_versions_newest_first_then_the_others(tmp_path):
    order = [(e.id, e.version) for e in Registry.load(_stable_versions(tmp_path)).fallbacks()]
    assert order == [("hairnet", "2.1.0"), ("hairnet", "2.0.0"), ("hairnet", "1.0.0"), ("hairnet-int8", "1.0.0")]


def test_a_damaged_default_model_falls_back_to_the_newest_intact_stable_version(tmp_path):
    registry = Registry.load(_stable_versions(tmp_path))
    for version in ("2.1.0", "2.0.0"):
        target = tmp_path / f"hairnet-{version}.tflite"
        target.write_bytes(target.read_bytes()[:-1] + b"\1")
    session = Session(Settings(), settings_path=tmp_path / "settings.json", registry=registry)
    with pytest.raises(ModelError, match="does not match its checksum"):  # the command line says why
        session.build_pipeline(RunningMode.IMAGE)
    told = []
    monitor = FleetMonitor(session)  # the app: the real build
    monitor.attach(lambda factory: None, told.append)
    pipeline = monitor.factory()(RunningMode.IMAGE)
    try:
        assert model_label(pipeline) == "hairnet 1.0.0"
    finally:
        pipeline.close()
    assert monitor.assignment.name == "fallback" and monitor.rollback is None  # the stable default is not rolled back
    assert "hairnet-2.1.0.tflite does not match" in told[0].message and "2.0.0 cannot run either" in told[0].message


def test_when_the_stable_model_fails_too_the_message_says_both(tmp_path):
    path = _registry(tmp_path)
    (tmp_path / "model.tflite").unlink()
    session = Session(Settings(model="nope"), settings_path=tmp_path / "settings.json", registry=Registry.load(path))
    with pytest.raises(ModelError, match=r"no model 'nope'.*cannot run either"):
        session.build_pipeline(RunningMode.IMAGE, fallback=True)
    with pytest.raises(ModelError, match="no model 'nope'"):  # the command line: what was asked for, or why not
        Session(Settings(model="nope"), registry=Registry.load(path)).build_pipeline(RunningMode.IMAGE)


def test_a_model_named_by_path_runs_only_against_a_checksum(tmp_path, caplog):
    copy = tmp_path / "copy.tflite"  # the same bytes as a registered model: the registry vouches for it
    shutil.copy(SHIPPED.file, copy)
    damaged = _flipped(tmp_path / "mine.tflite")
    session = Session(Settings(), settings_path=tmp_path / "settings.json", registry=Registry.load())
    entry = session.model_entry(str(copy))
    assert entry.verified and entry.sha256 == SHIPPED.sha256 and entry.version == f"sha256:{SHIPPED.sha256[:8]}"
    with pytest.raises(ModelError, match=r"cannot be verified.*mine.tflite.sha256.*--trust-unverified"):
        session.model_entry(str(damaged))
    sidecar = tmp_path / "mine.tflite.sha256"
    sidecar.write_text(f"{file_sha256(damaged)}  mine.tflite\n")  # as `sha256sum` writes it
    assert session.model_entry(str(damaged)).sha256 == file_sha256(damaged)
    sidecar.write_text(f"{file_sha256(copy)}  mine.tflite\n")  # the file changed after its checksum was taken
    with pytest.raises(ModelError, match=r"does not match its checksum in mine.tflite.sha256"):
        session.build_pipeline(RunningMode.IMAGE, model=str(damaged))
    sidecar.write_text("not a checksum\n")
    with pytest.raises(ModelError, match="does not start with 64 hex digits"):
        session.model_entry(str(damaged))
    sidecar.unlink()
    sidecar.mkdir()
    with pytest.raises(ModelError, match=r"mine.tflite.sha256 cannot be used: it is not a regular file"):
        session.model_entry(str(damaged))
    trusting = Session(Settings(), registry=Registry.load(), trust_unverified=True)
    entry = trusting.model_entry(str(damaged))
    assert not entry.verified and entry.version == "unverified" and "running" in caplog.text
