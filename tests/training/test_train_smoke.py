"""A few training steps on generated portraits, then the real export path: litert-torch -> TFLite with
segmenter metadata -> MediaPipe's ImageSegmenter, whose output must match PyTorch's."""

import json

import numpy as np
import pytest
import torch

from core.catalog.registry import Registry, add_model
from core.demo.synthetic import render_portrait
from core.frames import Frame, RunningMode
from core.pipeline.engine import open_segmenter
from core.stages.segment import MediaPipeSegmenter, inspect_tflite
from hairtint_desktop.cli import main
from tests.labelled_sets import labelled_set
from training.model import HairNet, SegmenterExport, count_parameters


def make_set(root, count=12):
    """Twelve portraits: the first eight in train.txt, the rest in val.txt."""
    return labelled_set(root, count, splits={"train.txt": list(range(8)), "val.txt": list(range(8, count))})


def test_hairnet_shapes_and_size():
    net = HairNet().eval()
    assert 0.5e6 < count_parameters(net) < 2e6
    with torch.no_grad():
        assert net(torch.zeros(2, 3, 96, 128)).shape == (2, 1, 96, 128)
        out = SegmenterExport(net)(torch.zeros(1, 64, 64, 3))
    assert out.shape == (1, 64, 64, 2)
    assert torch.allclose(out.sum(dim=-1), torch.ones(1, 64, 64))


@pytest.mark.slow
def test_train_resume_and_export_runs_in_mediapipe(tmp_path):
    data = make_set(tmp_path / "tiny")
    out = tmp_path / "run"
    args = ["train", "--data", str(data), "--out", str(out), "--size", "64", "--batch-size", "4", "--name", "ours"]
    assert main([*args, "--epochs", "2", "--no-export"]) == 0
    history = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    assert "val" in history[-1] and 0.0 <= history[-1]["val"]["tiny"] <= 1.0
    assert (out / "training_curve.png").stat().st_size > 1000

    # a resumed run can be lengthened; resuming a finished run trains nothing more, then exports
    assert main([*args, "--resume", "--epochs", "3", "--no-export"]) == 0
    assert [h["epoch"] for h in json.loads((out / "history.json").read_text())] == [1, 2, 3]
    assert main([*args, "--resume"]) == 0
    assert len(json.loads((out / "history.json").read_text())) == 3
    model = out / "ours.tflite"
    facts = inspect_tflite(model)
    assert facts.has_metadata and facts.input_shape == (1, 64, 64, 3) and facts.output_shape == (1, 64, 64, 2)
    card = json.loads((out / "model_card.json").read_text())
    assert card["input_size"] == [64, 64] and len(card["sha256"]) == 64
    assert card["training"]["data"] == [{"set": "tiny", "split": "train.txt", "photos": 8}]

    # the card goes into a registry as it is, and the registry can then load and run the model
    registry_path = tmp_path / "model_registry.json"
    registry_path.write_text(json.dumps({"schema": 1, "default": "ours", "models": []}))
    entry = add_model(out, registry_path, stage="stable")
    assert (entry.id, entry.version, entry.stage) == ("ours", "0.1.0", "stable")
    assert Registry.load(registry_path).resolve(None) == entry
    open_segmenter(entry, RunningMode.IMAGE).close()

    # MediaPipe's output equals PyTorch's on the same picture
    from training.train import load_trained

    net, _ = load_trained(out / "checkpoint.pt")
    rgb, _ = render_portrait(64, 64, t=0.0, seed=3)
    with torch.no_grad():
        expected = SegmenterExport(net)(torch.from_numpy(rgb.astype(np.float32) / 127.5 - 1.0)[None])[0, ..., 1].numpy()
    segmenter = MediaPipeSegmenter(model, mode=RunningMode.IMAGE)
    got = segmenter.segment(Frame(rgb, 0, 0, "test"))
    segmenter.close()
    assert got.shape == (64, 64)
    assert np.abs(got - expected).max() < 0.02

    # the fully convolutional net exported again for another input size, and the card says so
    assert main([*args, "--resume", "--export-size", "48", "--name", "small"]) == 0
    assert inspect_tflite(out / "small.tflite").input_shape == (1, 48, 48, 3)
    card = json.loads((out / "model_card.json").read_text())
    assert card["input_size"] == [48, 48] and card["training"]["size"] == 64
    assert card["training"]["command"].endswith("--name small --export-size 48")


@pytest.mark.slow
def test_a_run_can_be_given_minutes_instead_of_epochs_and_trains_from_a_pack(tmp_path):
    from training.pack import pack
    from training.train import load_trained

    data = make_set(tmp_path / "tiny")
    pack([data], tmp_path / "tiny.npz", progress=False)
    out = tmp_path / "timed"
    args = ["train", "--data", str(tmp_path / "tiny.npz"), "--out", str(out), "--size", "64", "--batch-size", "4",
            "--arch", "hairnet2", "--minutes", "0.05", "--no-export", "--quiet", "--name", "ours"]
    assert main(args) == 0
    _net, state = load_trained(out / "checkpoint.pt")
    assert state["config"]["arch"] == "hairnet2" and state["config"]["minutes"] == 0.05
    assert state["seconds"] >= 3.0 and state["epochs_done"] >= 1
    history = json.loads((out / "history.json").read_text())
    assert "val" in history[-1]  # the run ended on the clock (the schedule itself: test_augment)
    # a finished timed run resumed trains nothing more
    assert main(["train", "--data", str(tmp_path / "tiny.npz"), "--out", str(out), "--resume", "--no-export",
                 "--quiet", "--name", "ours"]) == 0
    assert len(json.loads((out / "history.json").read_text())) == len(history)
    # given a length in epochs, it goes on by epochs instead: one more, then it stops
    done = state["epochs_done"]
    assert main(["train", "--data", str(tmp_path / "tiny.npz"), "--out", str(out), "--resume", "--epochs",
                 str(done + 1), "--no-export", "--quiet", "--name", "ours"]) == 0
    _, state = load_trained(out / "checkpoint.pt")
    assert state["epochs_done"] == done + 1 and state["config"]["minutes"] is None


def test_an_unknown_architecture_is_a_clear_error(tmp_path, capsys):
    data = make_set(tmp_path / "tiny")
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "x"), "--arch", "huge", "--name", "ours"]) == 2
    assert "unknown --arch" in capsys.readouterr().err


def test_distilling_needs_a_pack_with_a_teacher(tmp_path, capsys):
    data = make_set(tmp_path / "tiny")
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "x"), "--distill", "0.5", "--quiet",
                 "--no-export", "--size", "64", "--batch-size", "4", "--name", "ours"]) == 2
    assert "--pack-teacher" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "says"), [(None, "--name ID is needed"), ("ours@2", "a model id is"),
                                            ("../up", "a model id is")])
def test_training_needs_a_plain_model_name_and_writes_nothing_without_one(tmp_path, capsys, name, says):
    """No run falls back to the shipped id: the model's id is chosen before anything is trained."""
    data = make_set(tmp_path / "tiny")
    out = tmp_path / "run"
    args = ["train", "--data", str(data), "--out", str(out), "--epochs", "1", "--size", "64", "--batch-size", "4"]
    assert main([*args, *(["--name", name] if name else [])]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not out.exists()
