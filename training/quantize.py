"""``hairtint models quantize``: a segmenter .tflite made int8 after training, for MediaPipe.

Weights and activations become int8 (ai-edge-quantizer's static recipe), the activations' ranges taken
from training photos run through the float model. Two things then keep MediaPipe 0.10.21 able to load
it: the weights, which the quantizer stores after the flatbuffer by offset, go back inline; and the
model keeps float input and output (a QUANTIZE op in front, a DEQUANTIZE op behind), since the image
segmenter feeds float32 or uint8 tensors only. The segmenter metadata is written again. hairnet 2.1.0's
segment stage takes about two thirds of its float time this way (4.8 against 7.4 ms a 640x480 frame),
its masks within 0.002 IoU (docs/models/experiments.md)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import logging
import random
import sys
import warnings
from pathlib import Path

import cv2
import numpy as np

from core.errors import DataError
from core.io.datasets import expand_sets, list_samples, load_rgb
from core.io.outputs import replace_atomically, write_text
from core.io.small_files import FileProblem, read_json
from training.export import NORM_MEAN, NORM_STD, add_metadata
from training.quiet import converter_chatter, quiet_libraries

log = logging.getLogger(__name__)

PHOTOS_PER_SET = 40  # training photos per set that set the activations' ranges
MAX_CARD_BYTES = 1 << 20  # a model card is a few KB


def calibration_inputs(data: list[Path], side: int, per_set: int = PHOTOS_PER_SET, seed: int = 0) -> dict[str, list]:
    """``per_set`` training photos of each set (a seeded draw), as the model's normalised input: set name
    -> list of 1 x side x side x 3 float32 arrays."""
    inputs: dict[str, list] = {}
    for folder in expand_sets([Path(d) for d in data]):
        samples = list_samples(folder, "train")
        random.Random(seed).shuffle(samples)
        for sample in samples[:per_set]:
            rgb = cv2.resize(load_rgb(sample.image_path), (side, side), interpolation=cv2.INTER_AREA)
            inputs.setdefault(folder.name, []).append(((rgb.astype(np.float32) - NORM_MEAN) / NORM_STD)[None])
    if not inputs:
        raise DataError(f"no training photos (train.txt) in {', '.join(map(str, data))} to calibrate with")
    return inputs


def quantize(model: bytes, inputs: list[np.ndarray], name: str) -> bytes:
    """The int8 model, with float input and output and segmenter metadata, of a float segmenter."""
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_quantizer import quantizer, recipe

    signature, details = next(iter(Interpreter(model_content=model).get_signature_list().items()))
    (input_name,) = details["inputs"]
    job = quantizer.Quantizer(bytearray(model), recipe.static_wi8_ai8())
    # the calibrator's and the transformations' progress bars held back (shown only if they fail); the
    # calibrator keeps every tensor, and its interpreter warns so
    with converter_chatter(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ranges = job.calibrate({signature: [{input_name: x} for x in inputs]})
        int8 = bytes(job.quantize(ranges, enable_progress_bar=False, enable_progress_report=False).quantized_model)
    return add_metadata(with_float_io(int8), name)


def with_float_io(model: bytes) -> bytes:
    """``model`` (an int8 .tflite) with its weights inline and float32 input and output."""
    import flatbuffers  # the converter's own libraries: the train extra, loaded by this command only
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromPackedBuf(model, 0)
    for buffer in tree.buffers:
        if buffer.offset and buffer.offset > 1:  # stored after the flatbuffer: bring it inline
            buffer.data = np.frombuffer(model[buffer.offset : buffer.offset + buffer.size], np.uint8).copy()
            buffer.offset = buffer.size = 0
    _FloatEnds(schema, tree).add()
    builder = flatbuffers.Builder(len(model) + 4096)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


class _FloatEnds:
    """Float32 twins of an int8 graph's inputs and outputs, a QUANTIZE op in front, a DEQUANTIZE behind."""

    def __init__(self, schema, tree):
        self.schema, self.tree, self.graph = schema, tree, tree.subgraphs[0]

    def add(self) -> None:
        ops = self.schema.BuiltinOperator
        inputs = [self._twin(index, b"input") for index in self.graph.inputs]
        outputs = [self._twin(index, b"output") for index in self.graph.outputs]
        front = [self._op(ops.QUANTIZE, twin, index) for twin, index in zip(inputs, self.graph.inputs, strict=True)]
        back = [self._op(ops.DEQUANTIZE, index, twin) for twin, index in zip(outputs, self.graph.outputs, strict=True)]
        self.graph.inputs, self.graph.outputs = inputs, outputs
        self.graph.operators = front + list(self.graph.operators) + back
        for signature in self.tree.signatureDefs or []:
            for mapped, indices in ((signature.inputs, inputs), (signature.outputs, outputs)):
                for tensor_map, index in zip(mapped or [], indices, strict=False):  # a signature may name fewer
                    tensor_map.tensorIndex = index

    def _opcode(self, code: int) -> int:
        for i, known in enumerate(self.tree.operatorCodes):
            if known.builtinCode == code:
                return i
        added = self.schema.OperatorCodeT()
        added.builtinCode, added.deprecatedBuiltinCode, added.version = code, min(code, 127), 1
        self.tree.operatorCodes.append(added)
        return len(self.tree.operatorCodes) - 1

    def _twin(self, index: int, name: bytes) -> int:
        twin = copy.deepcopy(self.graph.tensors[index])
        twin.type, twin.quantization, twin.name = self.schema.TensorType.FLOAT32, None, name
        self.tree.buffers.append(self.schema.BufferT())
        twin.buffer = len(self.tree.buffers) - 1
        self.graph.tensors.append(twin)
        return len(self.graph.tensors) - 1

    def _op(self, code: int, source: int, target: int):
        step = self.schema.OperatorT()
        step.opcodeIndex, step.inputs, step.outputs = self._opcode(code), [source], [target]
        return step


def source_card(source) -> dict:
    """What the int8 copy's card inherits: a registered model's entry; for a model named by path, the
    model card ``hairtint train`` wrote beside it when that card names this very file (its checksum), so
    the copy keeps the training data, command and licence note; otherwise the file's name alone."""
    from core.catalog.registry import file_sha256

    if source.registered:
        return {**source.details, "id": source.id, "version": source.version, "sha256": source.sha256}
    sha, card_path = file_sha256(source.file), source.file.parent / "model_card.json"
    try:
        card = read_json(card_path, MAX_CARD_BYTES)
    except FileProblem as exc:
        if not exc.missing:
            log.warning("%s cannot be read (%s): the copy's card will not carry its training record", card_path, exc)
        card = None
    if isinstance(card, dict) and card.get("file") == source.file.name and card.get("sha256") == sha and card.get("id"):
        return {**card, "version": str(card.get("version") or "0.1.0")}
    return {"id": source.id, "version": "unregistered", "sha256": sha, "description": ""}


def run_quantize(args) -> int:
    """Write ``--out``/<id>.tflite and a model card that ``hairtint models add`` registers."""
    from core.catalog.registry import Registry
    from core.io.model_file import inspect_tflite

    quiet_libraries()
    source = Registry.load().resolve(args.model)
    source.verify()
    facts = inspect_tflite(source.file)
    if source.backend != "mediapipe" or not facts.has_metadata:
        raise DataError(f"{source.file.name} is not a segmenter .tflite with metadata: nothing to quantise")
    origin = source_card(source)
    side, name = facts.input_size[0], args.name or origin["id"]
    print(f"reading calibration photos ({PHOTOS_PER_SET} a set, {side}x{side}) …", file=sys.stderr)
    by_set = calibration_inputs([Path(d) for d in args.data], side)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.tflite"
    print(f"calibrating and quantising on {sum(map(len, by_set.values()))} photos …", file=sys.stderr)
    content = quantize(source.file.read_bytes(), [x for xs in by_set.values() for x in xs], name)
    replace_atomically(path, lambda handle: handle.write(content), binary=True)
    sha = hashlib.sha256(content).hexdigest()
    card = {key: value for key, value in origin.items() if key not in ("metrics", "file", "sha256", "stage")}
    card.update({
        "id": name, "version": args.version, "stage": "experimental", "file": path.name, "sha256": sha,
        "backend": "mediapipe", "input_size": list(facts.input_size),
        "description": f"{origin['id']} {origin['version']}'s weights quantised to int8 (float input and output). "
                       + str(origin.get("description", "")),
        "quantization": {
            "from": f"{origin['id']}@{origin['version']}", "from_sha256": origin["sha256"],
            "command": f"hairtint models quantize {args.model} --data {' '.join(args.data)} --out {args.out}"
                       + (f" --name {args.name}" if args.name else "") + f" --version {args.version}",
            "recipe": "ai-edge-quantizer static_wi8_ai8; float input and output",
            "calibration": {name: len(xs) for name, xs in by_set.items()},
            "date": dt.date.today().isoformat(),
        },
        "metrics": {},
    })
    write_text(out / "model_card.json", json.dumps(card, indent=2))
    print(f"model: {path}\nsha256: {sha}\ncard: {out / 'model_card.json'}\nregister it with: hairtint models add {out}")
    return 0
