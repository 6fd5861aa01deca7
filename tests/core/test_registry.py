import json
import shutil

import pytest

from core.catalog.registry import REPO_ROOT, Registry, file_sha256, rollout_bucket
from core.errors import ModelError
from core.stages.segment import inspect_tflite


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
    with pytest.raises(ModelError, match=r"known: .*hairnet"):
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


def test_choose_gives_experimental_only_inside_the_rollout(tmp_path):
    path, model = _copy_registry(tmp_path)
    data = json.loads(path.read_text())
    experimental = dict(data["models"][0], id="hairnet-exp", stage="experimental")
    data["models"].append(experimental)
    path.write_text(json.dumps(data))
    registry = Registry.load(path)
    inside = next(i for i in map(str, range(1000)) if rollout_bucket(i, "hairnet-exp") < 10)
    outside = next(i for i in map(str, range(1000)) if rollout_bucket(i, "hairnet-exp") >= 50)
    assert registry.choose(None, "ten_percent", inside).id == "hairnet-exp"
    assert registry.choose(None, "fifty_percent", outside).id == registry.default
    assert registry.choose(None, "disabled", inside).id == registry.default
    assert registry.choose("hairnet-exp", "disabled", outside).id == "hairnet-exp"
    assert file_sha256(model) == registry.get("hairnet").sha256


def _trained_run(tmp_path, name="ours", runs="runs", **changes):
    """A `hairtint train --out` folder: the shipped model file standing in for a trained one, and its card."""
    shipped = Registry.load().resolve(None)
    run = tmp_path / runs / name
    run.mkdir(parents=True)
    shutil.copy(shipped.file, run / f"{name}.tflite")
    card = {"id": name, "version": "0.1.0", "stage": "experimental", "file": f"{name}.tflite",
            "sha256": file_sha256(run / f"{name}.tflite"), "backend": "mediapipe", "input_size": [192, 192],
            "training": {"data": [{"set": "salon_photos", "split": "train.txt", "photos": 40}]}, **changes}
    (run / "model_card.json").write_text(json.dumps(card))
    return run


def test_a_trained_run_is_added_to_the_registry_as_experimental(tmp_path):
    from core.catalog.registry import add_model

    registry_path, _ = _copy_registry(tmp_path)
    entry = add_model(_trained_run(tmp_path), registry_path)
    assert (entry.id, entry.version, entry.stage) == ("ours", "0.1.0", "experimental")
    assert entry.file == (tmp_path / "core" / "models" / "ours-0.1.0.tflite").resolve()
    entry.verify()
    registry = Registry.load(registry_path)
    assert registry.resolve("ours@0.1.0").stage == "experimental"
    assert registry.resolve(None).id == "hairnet"  # the default stable model is unchanged
    assert registry.choose(None, "full", "any-install").id == "ours"  # the rollout gate reaches it
    assert registry.choose(None, "disabled", "any-install").id == "hairnet"


def test_adding_can_set_stage_and_version(tmp_path):
    from core.catalog.registry import add_model

    registry_path, _ = _copy_registry(tmp_path)
    entry = add_model(_trained_run(tmp_path), registry_path, stage="stable", version="2.0.0")
    assert (entry.version, entry.stage) == ("2.0.0", "stable")
    assert Registry.load(registry_path).get("ours").version == "2.0.0"


@pytest.mark.parametrize("problem", ["duplicate", "checksum", "no card", "no metadata"])
def test_a_bad_run_is_refused_and_leaves_the_registry_as_it_was(tmp_path, problem):
    from core.catalog.registry import add_model

    registry_path, _ = _copy_registry(tmp_path)
    run = _trained_run(tmp_path)
    if problem == "duplicate":
        add_model(run, registry_path)
    before = registry_path.read_bytes()
    if problem == "checksum":
        with open(run / "ours.tflite", "ab") as handle:
            handle.write(b"\0")
    elif problem == "no card":
        (run / "model_card.json").unlink()
    elif problem == "no metadata":
        (run / "ours.tflite").write_bytes(b"TFL3" + b"\0" * 64)
        card = json.loads((run / "model_card.json").read_text())
        card["sha256"] = file_sha256(run / "ours.tflite")
        (run / "model_card.json").write_text(json.dumps(card))
    with pytest.raises(ModelError):
        add_model(run, registry_path)
    assert registry_path.read_bytes() == before
    if problem != "duplicate":
        assert not (tmp_path / "core" / "models" / "ours-0.1.0.tflite").exists()


def test_checking_a_run_writes_nothing_and_registering_rechecks_the_registry(tmp_path):
    """``models add`` checks (and measures) before it writes: the check leaves the registry and
    core/models alone, and an id and version taken in the meantime is still refused when writing."""
    from core.catalog.registry import add_model, check_new_model, register

    registry_path, _ = _copy_registry(tmp_path)
    before = registry_path.read_bytes()
    new = check_new_model(_trained_run(tmp_path), registry_path, version="0.3.0")
    assert new.name == "ours@0.3.0" and new.target == tmp_path / "core" / "models" / "ours-0.3.0.tflite"
    assert registry_path.read_bytes() == before and not new.target.exists()
    new.model().verify()  # the run's own file, checked against its card, to be measured
    add_model(_trained_run(tmp_path, name="ours", runs="other"), registry_path, version="0.3.0")
    taken = registry_path.read_bytes()
    with pytest.raises(ModelError, match=r"ours@0\.3\.0 is already registered.*never replaced"):
        register(new)
    assert registry_path.read_bytes() == taken


def test_a_card_with_a_bad_input_size_is_refused(tmp_path):
    from core.catalog.registry import add_model

    registry_path, _ = _copy_registry(tmp_path)
    with pytest.raises(ModelError, match="input_size"):
        add_model(_trained_run(tmp_path, input_size=[192, "192"]), registry_path)
