"""``hairtint models add``: a taken id and version is refused; a model below the registered default's
validation IoU is refused unless --force, and nothing is written when it is; the printed --model spec
runs the model just registered."""

import json
import shutil

import pytest

from core.catalog.registry import Registry, file_sha256
from hairtint_desktop.cli import main
from tests.labelled_sets import labelled_set


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A registry whose stable default ``hairnet@2.2.0`` is the shipped default's file, with a registered
    IoU on a small labelled set ``tiny`` (its val.txt); the command reads this registry."""
    shipped = Registry.load().resolve(None)
    (tmp_path / "core" / "models").mkdir(parents=True)
    model = tmp_path / "core" / "models" / "hairnet-2.2.0.tflite"
    shutil.copy(shipped.file, model)
    path = tmp_path / "model_registry.json"

    def registered(iou: float) -> None:
        path.write_text(json.dumps({"schema": 1, "default": "hairnet", "models": [
            {"id": "hairnet", "version": "2.2.0", "stage": "stable", "file": "core/models/hairnet-2.2.0.tflite",
             "sha256": file_sha256(model), "backend": "mediapipe", "input_size": list(shipped.input_size),
             "metrics": {"split": "val.txt of each set", "mean_iou": {"tiny": iou, "other_set": 0.5}}}]}))

    registered(0.0)
    sets = tmp_path / "sets"
    labelled_set(sets / "tiny", 6)
    monkeypatch.setattr("core.catalog.registry_file.registry_path", lambda *a: path)
    return tmp_path, path, sets, registered


def _run(tmp_path, name="ours", version="0.1.0"):
    """A `hairtint train --out` folder: the shipped default's file standing in for a trained model, and its card."""
    run = tmp_path / "runs" / f"{name}-{version}"
    run.mkdir(parents=True)
    shutil.copy(Registry.load().resolve(None).file, run / f"{name}.tflite")
    card = {"id": name, "version": version, "stage": "experimental", "file": f"{name}.tflite",
            "sha256": file_sha256(run / f"{name}.tflite"), "backend": "mediapipe", "input_size": [256, 256],
            "metrics": {"validation_iou_in_training": {"tiny": 0.5}}}
    (run / "model_card.json").write_text(json.dumps(card))
    return run


def _snapshot(tmp_path):
    return (tmp_path / "model_registry.json").read_bytes(), sorted(p.name for p in (tmp_path / "core" / "models").iterdir())


@pytest.mark.slow
def test_a_model_below_the_defaults_validation_iou_is_refused_and_nothing_is_written(setup, capsys):
    tmp_path, _, sets, registered = setup
    registered(1.0)  # no model reaches a perfect registered IoU
    before = _snapshot(tmp_path)
    assert main(["models", "add", str(_run(tmp_path)), "--data", str(sets)]) == 2
    out, err = capsys.readouterr()
    assert "ours@0.1.0 was not registered" in err and "below the default hairnet@2.2.0's 1.0000" in err
    assert "--force" in err and "Traceback" not in err
    assert "validation IoU (val.txt of tiny: 6 photos" in out  # the sets compared: only those with registered figures
    assert _snapshot(tmp_path) == before  # registry untouched, no copied .tflite left behind


def test_force_registers_it_without_the_comparison(setup, capsys):
    tmp_path, path, sets, registered = setup
    registered(1.0)
    assert main(["models", "add", str(_run(tmp_path)), "--data", str(sets), "--force"]) == 0
    assert "not compared with the default model (--force)" in capsys.readouterr().err
    assert Registry.load(path).get("ours@0.1.0").file == (tmp_path / "core" / "models" / "ours-0.1.0.tflite").resolve()


def test_a_model_not_below_the_default_is_registered_with_the_iou_it_was_measured_at(setup, capsys):
    tmp_path, path, sets, _ = setup
    assert main(["models", "add", str(_run(tmp_path)), "--data", str(sets)]) == 0
    metrics = Registry.load(path).get("ours@0.1.0").details["metrics"]
    assert set(metrics["mean_iou"]) == {"tiny"} and 0.3 < metrics["mean_iou"]["tiny"] <= 1.0
    assert metrics["split"] == "val.txt of each set" and metrics["eval_command"].endswith("--model ours@0.1.0")
    assert metrics["validation_iou_in_training"] == {"tiny": 0.5}  # the card's own figures kept beside it


@pytest.mark.slow
def test_the_measured_iou_is_what_hairtint_eval_gives(setup, capsys):
    tmp_path, path, sets, _ = setup
    assert main(["models", "add", str(_run(tmp_path)), "--data", str(sets)]) == 0
    measured = Registry.load(path).get("ours@0.1.0").details["metrics"]["mean_iou"]["tiny"]
    capsys.readouterr()
    assert main(["eval", "--data", str(sets), "--split", "val.txt", "--model", "ours@0.1.0",
                 "--json", str(tmp_path / "eval.json")]) == 0
    figures = json.loads((tmp_path / "eval.json").read_text())["models"]["ours@0.1.0"]["sets"]["tiny"]
    assert round(figures["mean_iou"], 4) == measured


@pytest.mark.parametrize(("name", "expected"), [("hairnet", "hairnet@0.1.0"), ("ours", "ours")])
def test_the_printed_model_spec_runs_the_new_model(setup, capsys, name, expected):
    """A new version of the default's id is not what ``--model hairnet`` runs (that is its newest stable
    version, 2.2.0), so the line names the version; a new id needs none."""
    tmp_path, path, sets, _ = setup
    assert main(["models", "add", str(_run(tmp_path, name)), "--data", str(sets)]) == 0
    out = capsys.readouterr().out
    spec = next(line for line in out.splitlines() if line.startswith("run it with --model ")).split()[4].rstrip(";")
    assert spec == expected
    registry = Registry.load(path)
    assert registry.resolve(spec) == registry.get(f"{name}@0.1.0")
    assert registry.resolve(spec).version != "2.2.0"
    assert registry.resolve(None).version == "2.2.0"  # and the default is still the shipped one


def test_a_taken_id_and_version_is_refused_even_with_force(setup, capsys):
    tmp_path, path, sets, _ = setup
    assert main(["models", "add", str(_run(tmp_path, "hairnet", "2.2.0")), "--data", str(sets), "--force"]) == 2
    err = capsys.readouterr().err
    assert "hairnet@2.2.0 is already registered" in err and "never replaced" in err and "--version" in err
    assert [m["version"] for m in json.loads(path.read_text())["models"]] == ["2.2.0"]
    assert file_sha256(tmp_path / "core" / "models" / "hairnet-2.2.0.tflite") == Registry.load(path).get("hairnet").sha256


def test_without_photos_of_the_defaults_sets_it_is_refused_unless_forced(setup, capsys):
    tmp_path, path, _, _ = setup
    other = labelled_set(tmp_path / "elsewhere" / "salon", 3)
    before = _snapshot(tmp_path)
    assert main(["models", "add", str(_run(tmp_path)), "--data", str(other)]) == 2
    err = capsys.readouterr().err
    assert "cannot be compared with the default" in err and "tiny" in err and "--force" in err
    assert main(["models", "add", str(_run(tmp_path, version="0.2.0")), "--data", str(tmp_path / "nowhere")]) == 2
    assert "no folder" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before
    assert main(["models", "add", str(tmp_path / "runs" / "ours-0.1.0"), "--data", str(other), "--force"]) == 0
    assert Registry.load(path).get("ours@0.1.0").stage == "experimental"
