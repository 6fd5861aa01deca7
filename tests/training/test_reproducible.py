"""Every registered model says whether its command reproduces its SHA-256, and what it says holds; an
export of the same weights is the same bytes every time."""

import hashlib
import io
import json
import re
import shlex
import struct
import zipfile

import pytest
import torch

from core.catalog.registry import REPO_ROOT
from hairtint_desktop.cli import main
from training.export import dos_stamp, export, pin_zip_times
from training.model import build

PINNED = "1980-01-01 00:00:00"


def _zip_stamp(model: bytes) -> str:
    """When the model's metadata zip (its labels file) says it was written."""
    end = model.rfind(b"PK\x05\x06")
    _, size, offset = struct.unpack_from("<HII", model, end + 10)
    with zipfile.ZipFile(io.BytesIO(model[end - size - offset:])) as archive:
        return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*archive.infolist()[0].date_time)


def _registered() -> list[dict]:
    return json.loads((REPO_ROOT / "model_registry.json").read_text())["models"]


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_every_registered_model_says_whether_its_command_reproduces_its_checksum():
    for raw in _registered():
        note, stamp = raw.get("reproducible", ""), _zip_stamp((REPO_ROOT / raw["file"]).read_bytes())
        if stamp == PINNED:
            assert note.startswith("Yes"), raw["id"]
        else:  # written before the times were pinned: it says so, with the time the file carries
            assert not note.startswith("Yes") and f"stamped {stamp}" in note, (raw["id"], raw["version"])


def test_a_model_written_before_the_times_were_pinned_differs_from_todays_only_in_its_zip_time():
    checked = 0
    for raw in _registered():
        said = re.search(r"writes sha256 ([0-9a-f]{64})", raw.get("reproducible", ""))
        if not said:
            continue
        content = (REPO_ROOT / raw["file"]).read_bytes()
        assert _sha(content) == raw["sha256"]
        pinned = pin_zip_times(content)
        assert _sha(pinned) == said[1]  # what the command writes today
        when = [int(part) for part in re.findall(r"\d+", _zip_stamp(content))]
        assert pin_zip_times(pinned, dos_stamp(*when)) == content  # and stamped back: the registered file
        assert f"dos_stamp({', '.join(map(str, when))})" in raw["quantization"]["command"]
        checked += 1
    assert checked >= 1  # hairnet-int8 1.0.0


def test_the_same_weights_exported_twice_are_the_same_bytes(tmp_path):
    torch.manual_seed(0)
    net = build("hairnet").eval()
    first = export(net, 32, tmp_path / "one" / "m.tflite")
    second = export(net, 32, tmp_path / "two" / "m.tflite")  # seconds later: a clock-stamped zip would differ
    assert first == second
    content = (tmp_path / "one" / "m.tflite").read_bytes()
    assert content == (tmp_path / "two" / "m.tflite").read_bytes() and _sha(content) == first
    assert _zip_stamp(content) == PINNED


def _rerun(command: str, out, shared_dir) -> bytes:
    """A registered ``hairtint models quantize`` command run again, writing to ``out``; its model file."""
    args = shlex.split(command.split(", then")[0])[1:]
    args[args.index("--out") + 1] = str(out)
    args = [str(shared_dir / "datasets") if a == "../shared/datasets" else a for a in args]
    assert main(args) == 0
    (model,) = out.glob("*.tflite")
    return model.read_bytes()


@pytest.mark.slow
def test_registered_quantize_commands_reproduce_their_checksums(tmp_path, shared_dir, monkeypatch, capsys):
    monkeypatch.chdir(REPO_ROOT)  # the commands name runs/... from the top of the tree
    models = {(m["id"], m["version"]): m for m in _registered()}
    int8 = models[("hairnet-int8", "1.0.0")]
    content = _rerun(int8["quantization"]["command"], tmp_path / "int8", shared_dir)
    assert _sha(content) == re.search(r"writes sha256 ([0-9a-f]{64})", int8["reproducible"])[1]
    assert _sha(pin_zip_times(content, dos_stamp(2026, 11, 27, 9, 19, 42))) == int8["sha256"]
    e0 = models[("hairnet-e0", "1.0.0")]
    if (REPO_ROOT / "runs" / "e0a224" / "hairnet.tflite").exists():  # the run is not in the repository
        assert _sha(_rerun(e0["quantization"]["command"], tmp_path / "e0", shared_dir)) == e0["sha256"]
