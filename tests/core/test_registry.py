import json
import shutil

import pytest

from core.errors import ModelError
from core.registry import REPO_ROOT, Registry, file_sha256, in_rollout, rollout_bucket
from core.segment import inspect_tflite


def test_shipped_registry_verifies_and_has_a_stable_default():
    registry = Registry.load()
    default = registry.resolve(None)
    assert default.stage == "stable"
    default.verify()
    facts = inspect_tflite(default.file)
    assert facts.has_metadata and facts.channels == 3
    assert list(facts.input_size) == list(default.input_size)


def _copy_registry(tmp_path):
    registry = Registry.load()
    entry = registry.resolve(None)
    shutil.copy(entry.file, tmp_path / entry.file.name)
    data = json.loads((REPO_ROOT / "model_registry.json").read_text())
    for raw in data["models"]:
        raw["file"] = entry.file.name if raw["id"] == entry.id else raw["file"]
    data["models"] = [m for m in data["models"] if m["id"] == entry.id]
    path = tmp_path / "model_registry.json"
    path.write_text(json.dumps(data))
    return path, tmp_path / entry.file.name


def test_tampered_model_file_is_refused_with_a_clear_message(tmp_path):
    path, model = _copy_registry(tmp_path)
    Registry.load(path).resolve(None).verify()
    content = bytearray(model.read_bytes())
    content[len(content) // 2] ^= 0xFF
    model.write_bytes(bytes(content))
    with pytest.raises(ModelError, match="does not match its checksum"):
        Registry.load(path).resolve(None).verify()


def test_missing_model_file_is_named(tmp_path):
    path, model = _copy_registry(tmp_path)
    model.unlink()
    with pytest.raises(ModelError, match="is missing"):
        Registry.load(path).resolve(None).verify()


def test_broken_registry_json_is_reported(tmp_path):
    path = tmp_path / "model_registry.json"
    path.write_text("{ not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        Registry.load(path)


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ModelError, match="known: .*hairnet"):
        Registry.load().resolve("no-such-model")


def test_model_by_path_is_unregistered(tmp_path):
    entry = Registry.load().resolve(None)
    copy = tmp_path / "mine.tflite"
    shutil.copy(entry.file, copy)
    by_path = Registry.load().resolve(str(copy))
    assert not by_path.registered and by_path.backend == "mediapipe" and by_path.id == "mine"


def test_not_a_tflite_file_is_refused(tmp_path):
    bogus = tmp_path / "bogus.tflite"
    bogus.write_bytes(b"hello, not a model at all")
    with pytest.raises(ModelError, match="not a TFLite model"):
        Registry.load().resolve(str(bogus))


def test_rollout_buckets_are_stable_and_nested():
    installs = [f"install-{i}" for i in range(2000)]
    assert [rollout_bucket(i, "exp") for i in installs[:50]] == [rollout_bucket(i, "exp") for i in installs[:50]]
    for lower, higher in ((0, 10), (10, 50), (50, 100)):
        assert all(in_rollout(i, "exp", higher) for i in installs if in_rollout(i, "exp", lower))
    share = sum(in_rollout(i, "exp", 10) for i in installs) / len(installs)
    assert 0.07 < share < 0.13
    assert not any(in_rollout(i, "exp", 0) for i in installs)
    assert all(in_rollout(i, "exp", 100) for i in installs)
    with pytest.raises(ValueError):
        in_rollout("x", "exp", 30)


def test_choose_gives_experimental_only_inside_the_rollout(tmp_path):
    path, model = _copy_registry(tmp_path)
    data = json.loads(path.read_text())
    experimental = dict(data["models"][0], id="hairnet-exp", stage="experimental")
    data["models"].append(experimental)
    path.write_text(json.dumps(data))
    registry = Registry.load(path)
    inside = next(i for i in map(str, range(1000)) if rollout_bucket(i, "hairnet-exp") < 10)
    outside = next(i for i in map(str, range(1000)) if rollout_bucket(i, "hairnet-exp") >= 50)
    assert registry.choose(None, 10, inside).id == "hairnet-exp"
    assert registry.choose(None, 50, outside).id == registry.default
    assert registry.choose(None, 0, inside).id == registry.default
    assert registry.choose("hairnet-exp", 0, outside).id == "hairnet-exp"
    assert file_sha256(model) == registry.get("hairnet").sha256
