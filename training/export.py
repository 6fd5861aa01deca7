"""Export a trained HairNet to a .tflite that MediaPipe's ImageSegmenter can run: NHWC float input
normalised with mean 127.5 / std 127.5, two confidence channels out (background, hair), and the
segmenter metadata without which the Tasks API crashes."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import torch

from training.model import HairNet, SegmenterExport

log = logging.getLogger(__name__)

NORM_MEAN = 127.5
NORM_STD = 127.5
LABELS = ("background", "hair")


def convert(net: HairNet, size: int) -> bytes:
    """PyTorch -> TFLite flatbuffer (no metadata yet) through litert-torch."""
    import litert_torch

    module = SegmenterExport(net.eval()).eval()
    sample = (torch.zeros(1, size, size, 3),)
    return bytes(litert_torch.convert(module, sample).model_content())


def add_metadata(model: bytes, name: str) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import image_segmenter, metadata_writer

    labels = metadata_writer.Labels()
    for label in LABELS:
        labels.add([label])
    writer = image_segmenter.MetadataWriter.create(
        bytearray(model), [NORM_MEAN], [NORM_STD], labels=labels, activation=image_segmenter.Activation.NONE
    )
    with_metadata, _ = writer.populate()
    log.info("metadata written for %s", name)
    return bytes(with_metadata)


def export(net: HairNet, size: int, path: Path) -> str:
    """Write the model with metadata to ``path``; returns its sha256."""
    content = add_metadata(convert(net, size), Path(path).stem)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()
