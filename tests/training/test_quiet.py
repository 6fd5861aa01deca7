"""Training, export and quantising print their own progress only: the libraries' warnings (torchao,
Triton, PyTorch's pytree) and the converter's progress lines are held back, and shown when a step fails."""

import os
import re
import subprocess
import sys

import pytest

from tests.labelled_sets import labelled_set
from training.quiet import converter_chatter

NOISE = re.compile(r"torchao|triton|pytree|LeafSpec|FutureWarning|DeprecationWarning|UserWarning|\[START\]|\[ DONE\]"
                   r"|Running Calibration|Applying Transformations|^[IWEF]\d{4} ", re.IGNORECASE)
OURS = re.compile(r"^(INFO training\.|exporting |model: |sha256: |card: |register it with: |reading calibration photos"
                  r"|calibrating and quantising )")


def _hairtint(*args: str) -> list[str]:
    """The lines a fresh ``hairtint`` process prints (stdout and stderr), as a user sees them."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONWARNINGS", "LITERT_TORCH_SHOW_PROGRESS")}
    done = subprocess.run([sys.executable, "-m", "hairtint_desktop.cli", *args], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    return (done.stdout + done.stderr).splitlines()


@pytest.mark.slow
def test_training_export_and_quantising_print_only_their_own_lines(tmp_path):
    data = labelled_set(tmp_path / "tiny", 12, splits={"train.txt": list(range(8)), "val.txt": list(range(8, 12))})
    lines = _hairtint("train", "--data", str(data), "--out", str(tmp_path / "run"), "--size", "64", "--batch-size",
                      "4", "--epochs", "1", "--name", "ours", "--quiet")
    lines += _hairtint("models", "quantize", str(tmp_path / "run" / "ours.tflite"), "--data", str(data), "--out",
                       str(tmp_path / "q"), "--version", "0.2.0")
    assert [line for line in lines if NOISE.search(line)] == []
    assert [line for line in lines if not OURS.match(line)] == []
    assert sum(line.startswith("model: ") for line in lines) == 2  # both steps finished and said so


def test_what_the_converter_says_is_dropped_when_it_works(capfd):
    with converter_chatter():
        print("(00:00) [START] LiteRT-Torch Convert")
        os.write(1, b"native progress\n")
        os.write(2, b"W0000 00:00:00.0 1 converter.cc:1] native warning\n")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    print("after")  # the streams are ours again
    assert capfd.readouterr().out == "after\n"


def test_what_the_converter_says_is_shown_when_it_fails(capfd):
    with pytest.raises(RuntimeError, match="no such op"), converter_chatter():
        print("python side: lowering conv2d")
        os.write(2, b"error: failed to legalize operation\n")
        raise RuntimeError("no such op")
    err = capfd.readouterr().err
    assert "the converter said" in err and "failed to legalize operation" in err and "lowering conv2d" in err
