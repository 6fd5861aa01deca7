"""``hairtint models quantize``: the int8 copy of a float model loads in MediaPipe's image segmenter (float
input and output, metadata), finds the same hair as the float model, and comes with a model card that
``hairtint models add`` takes."""

import json
from pathlib import Path

import numpy as np
import pytest

from core.catalog.registry import Registry, add_model, file_sha256
from core.frames import Frame, RunningMode
from core.io.images import load_image
from core.stages.segment import MediaPipeSegmenter, inspect_tflite
from hairtint_desktop.cli import main
from tests.labelled_sets import labelled_set

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FLOAT_MODEL = "hairnet@2.1.0"  # the last float stable model


@pytest.fixture(scope="module")
def quantized(tmp_path_factory):
    root = tmp_path_factory.mktemp("quantize")
    data = labelled_set(root / "tiny", 10, splits={"train.txt": list(range(8)), "val.txt": [8, 9]})
    out = root / "run"
    assert main(["models", "quantize", FLOAT_MODEL, "--data", str(data), "--out", str(out), "--version", "9.0.0"]) == 0
    return out


def test_the_int8_model_keeps_float_input_and_output_and_its_metadata(quantized):
    model = quantized / "hairnet.tflite"
    facts = inspect_tflite(model)
    assert facts.has_metadata and facts.input_shape == (1, 208, 208, 3) and facts.output_shape == (1, 208, 208, 2)
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(model))
    assert interpreter.get_input_details()[0]["dtype"] == np.float32
    assert interpreter.get_output_details()[0]["dtype"] == np.float32
    types = {t["dtype"] for t in interpreter.get_tensor_details()}
    assert np.int8 in types  # the work inside is int8
    assert model.stat().st_size < 0.5 * Registry.load().get(FLOAT_MODEL).file.stat().st_size


def test_the_int8_model_finds_the_hair_the_float_model_finds(quantized):
    portrait = load_image(FIXTURES / "portrait_640x480.png")
    frame = Frame(portrait, 0, 0, "portrait")
    masks = []
    for path in (Registry.load().get(FLOAT_MODEL).file, quantized / "hairnet.tflite"):
        segmenter = MediaPipeSegmenter(path, mode=RunningMode.IMAGE)
        masks.append(segmenter.segment(frame))
        segmenter.close()
    float_mask, int8_mask = masks
    assert np.abs(float_mask - int8_mask).mean() < 0.02
    both, either = ((float_mask > 0.5) & (int8_mask > 0.5)).sum(), ((float_mask > 0.5) | (int8_mask > 0.5)).sum()
    assert both / either > 0.95


def test_the_card_says_where_it_came_from_and_registers(quantized, tmp_path):
    card = json.loads((quantized / "model_card.json").read_text())
    assert (card["id"], card["version"], card["stage"]) == ("hairnet", "9.0.0", "experimental")
    assert card["sha256"] == file_sha256(quantized / "hairnet.tflite")
    assert card["quantization"]["from"] == FLOAT_MODEL
    assert card["quantization"]["calibration"] == {"tiny": 8}
    assert card["training"]["data"]  # the float model's training data carry over
    registry_path = tmp_path / "model_registry.json"
    registry_path.write_text(json.dumps({"schema": 1, "default": "hairnet", "models": []}))
    entry = add_model(quantized, registry_path)
    assert (entry.id, entry.version, entry.stage) == ("hairnet", "9.0.0", "experimental")


def test_a_set_without_training_photos_is_a_clear_error(tmp_path, capsys):
    data = labelled_set(tmp_path / "valonly", 2)  # val.txt only
    assert main(["models", "quantize", FLOAT_MODEL, "--data", str(data), "--out", str(tmp_path / "x")]) == 2
    assert "train.txt" in capsys.readouterr().err
    assert not (tmp_path / "x" / "hairnet.tflite").exists()


def test_a_model_named_by_path_keeps_the_training_card_beside_it(tmp_path):
    """Quantising a `hairtint train` run's file (not yet registered) carries its card's training data,
    command and licence note over, and names it by the card's id and version."""
    run = tmp_path / "run"
    run.mkdir()
    float_file = Registry.load().get(FLOAT_MODEL).file
    (run / "hairnet.tflite").write_bytes(float_file.read_bytes())
    training = {"data": [{"set": "salon", "split": "train.txt", "photos": 8}], "command": "hairtint train --name ours",
                "licence_note": "our own photos"}
    (run / "model_card.json").write_text(json.dumps({
        "id": "ours", "version": "0.3.0", "stage": "experimental", "file": "hairnet.tflite",
        "sha256": file_sha256(float_file), "input_size": [208, 208], "training": training}))
    data = labelled_set(tmp_path / "tiny", 4, splits={"train.txt": [0, 1, 2], "val.txt": [3]})
    out = tmp_path / "q"
    assert main(["models", "quantize", str(run / "hairnet.tflite"), "--data", str(data), "--out", str(out)]) == 0
    card = json.loads((out / "model_card.json").read_text())
    assert (card["id"], card["quantization"]["from"]) == ("ours", "ours@0.3.0")
    assert card["quantization"]["from_sha256"] == file_sha256(float_file)
    assert card["training"] == training
    assert (out / "ours.tflite").exists()

    # a card that names another file (or another checksum) is not this file's: nothing is inherited
    (run / "model_card.json").write_text(json.dumps({"id": "ours", "version": "0.3.0", "file": "hairnet.tflite",
                                                    "sha256": "0" * 64, "training": training}))
    assert main(["models", "quantize", str(run / "hairnet.tflite"), "--data", str(data), "--out", str(out)]) == 0
    card = json.loads((out / "model_card.json").read_text())
    assert card["quantization"]["from"] == "hairnet@unregistered" and "training" not in card


def test_an_unreadable_card_beside_the_file_is_reported_and_not_inherited(tmp_path, caplog):
    run = tmp_path / "run"
    run.mkdir()
    (run / "hairnet.tflite").write_bytes(Registry.load().get(FLOAT_MODEL).file.read_bytes())
    (run / "model_card.json").write_text('{"id": "ours", "training": ')  # cut off mid-write
    data = labelled_set(tmp_path / "tiny", 3, splits={"train.txt": [0, 1], "val.txt": [2]})
    assert main(["models", "quantize", str(run / "hairnet.tflite"), "--data", str(data), "--out", str(tmp_path / "q")]) == 0
    assert "model_card.json cannot be read" in caplog.text and "not valid JSON" in caplog.text
    card = json.loads((tmp_path / "q" / "model_card.json").read_text())
    assert card["quantization"]["from"] == "hairnet@unregistered" and "training" not in card
