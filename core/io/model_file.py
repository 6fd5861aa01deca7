"""What a model file is: who it is (``ModelInfo``, shown in overlays and reports) and its tensors, read
from the .tflite flatbuffer without running it (MediaPipe's Tasks API crashes the whole process on a model
without metadata, so this is checked first). Below both the catalog, which checks the files it lists, and
the segmenters, which load them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import ModelError
from core.io.small_files import FileProblem, read_bytes
from core.quiet_import import import_mediapipe

#: The largest model file read (the shipped ones are about 5 MB).
MAX_MODEL_BYTES = 256 << 20


@dataclass(frozen=True)
class ModelInfo:
    """Who a segmenter is, for overlays, reports and benchmarks."""

    id: str
    version: str
    stage: str = "stable"
    path: str = ""


@dataclass(frozen=True)
class TfliteFacts:
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    has_metadata: bool

    @property
    def channels(self) -> int:
        return self.input_shape[-1] if len(self.input_shape) == 4 else 0

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of an NHWC input."""
        return self.input_shape[2], self.input_shape[1]


def inspect_tflite(path: Path) -> TfliteFacts:
    import_mediapipe()  # without matplotlib's and sounddevice's side effects
    from mediapipe.tasks.metadata import schema_py_generated as schema  # MediaPipe: after import_mediapipe()
    from mediapipe.tasks.python.metadata.metadata import get_metadata_buffer  # MediaPipe: after import_mediapipe()

    path = Path(path)
    try:
        content = bytearray(read_bytes(path, MAX_MODEL_BYTES))
    except FileProblem as exc:
        raise ModelError(f"cannot read model file {path}: {exc}") from None
    if len(content) < 8 or content[4:8] != b"TFL3":
        raise ModelError(f"{path.name} is not a TFLite model file")
    try:
        model = schema.Model.GetRootAsModel(content, 0)
        graph = model.Subgraphs(0)
        tensor_in = graph.Tensors(graph.Inputs(0))
        tensor_out = graph.Tensors(graph.Outputs(0))
        facts = TfliteFacts(
            input_shape=tuple(int(v) for v in tensor_in.ShapeAsNumpy()),
            output_shape=tuple(int(v) for v in tensor_out.ShapeAsNumpy()),
            has_metadata=get_metadata_buffer(content) is not None,
        )
        if len(facts.input_shape) != 4 or not all(0 < v < 1 << 16 for v in facts.input_shape[1:]):
            raise ValueError(f"input shape {facts.input_shape} is not one image")
    except Exception as exc:  # a damaged flatbuffer raises anything from IndexError to struct.error
        raise ModelError(f"{path.name} is damaged: its TFLite structure cannot be read ({exc})") from exc
    return facts
