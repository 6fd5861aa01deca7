"""Export a trained HairNet to a .tflite that MediaPipe's ImageSegmenter can run: NHWC float input
normalised with mean 127.5 / std 127.5, two confidence channels out (background, hair), and the
segmenter metadata without which the Tasks API crashes."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import torch

from training.model import HairNet, SegmenterExport
from training.quiet import converter_chatter

NORM_MEAN = 127.5
NORM_STD = 127.5
LABELS = ("background", "hair")


def convert(net: HairNet, size: int) -> bytes:
    """PyTorch -> TFLite flatbuffer (no metadata yet) through litert-torch, its chatter held back
    (``training.quiet``: shown only if the conversion fails)."""
    with converter_chatter():
        import litert_torch

        module = SegmenterExport(net.eval()).eval()
        sample = (torch.zeros(1, size, size, 3),)
        return bytes(litert_torch.convert(module, sample).model_content())


def add_metadata(model: bytes, name: str) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import image_segmenter, metadata_writer

    labels = metadata_writer.Labels()
    for label in LABELS:
        labels.add([label])
    with converter_chatter():
        writer = image_segmenter.MetadataWriter.create(
            bytearray(model), [NORM_MEAN], [NORM_STD], labels=labels, activation=image_segmenter.Activation.NONE
        )
        with_metadata, _ = writer.populate()
    return pin_zip_times(bytes(with_metadata))


ZIP_EPOCH = (0, (0 << 9) | (1 << 5) | 1)  # DOS time and date of 1980-01-01 00:00, the earliest a zip can hold


def dos_stamp(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> tuple[int, int]:
    """A zip entry's (time, date) fields for a moment (two-second steps, as zip keeps them)."""
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def pin_zip_times(model: bytes, stamp: tuple[int, int] = ZIP_EPOCH) -> bytes:
    """The metadata writer appends the labels file as a zip stamped with the current time, so the same
    model written twice had two checksums. Every entry's time is set to ``stamp`` (ZIP_EPOCH unless
    told: local header and central directory), so the same weights and command give the same file and
    the registry's SHA-256 can be reproduced. Another ``stamp`` (:func:`dos_stamp`) shows that a model
    written before the times were pinned differs from today's only in its zip's time."""
    data = bytearray(model)
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 + struct.unpack_from("<H", data, end + 20)[0] != len(data):
        return model  # no zip at the end (four such bytes inside the weights are not one)
    entries, size, offset = struct.unpack_from("<HII", data, end + 10)
    shift = end - size - offset  # where the zip starts, should anything come before it
    at = end - size
    for _ in range(entries):
        if data[at:at + 4] != b"PK\x01\x02":
            raise ValueError("the model's metadata zip has a damaged central directory")
        struct.pack_into("<HH", data, at + 12, *stamp)
        name, extra, comment = struct.unpack_from("<HHH", data, at + 28)
        local = struct.unpack_from("<I", data, at + 42)[0] + shift
        if data[local:local + 4] != b"PK\x03\x04":
            raise ValueError("the model's metadata zip has a damaged local header")
        struct.pack_into("<HH", data, local + 10, *stamp)
        at += 46 + name + extra + comment
    return bytes(data)


def export(net: HairNet, size: int, path: Path) -> str:
    """Write the model with metadata to ``path``; returns its sha256."""
    content = add_metadata(convert(net, size), Path(path).stem)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()
