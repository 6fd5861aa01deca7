"""A legacy 4-channel model (RGB in [0, 1] + previous hair mask) run through OpenCV's DNN module:
how Google's 2019 MediaPipe hair model is compared with ours. The whole frame is stretched to the
model's square input."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.errors import ModelError
from core.frames import Frame
from core.io.model_file import ModelInfo, inspect_tflite


class OpenCvDnnSegmenter:
    def __init__(self, path: Path, info: ModelInfo | None = None, use_previous_mask: bool = True):
        path = Path(path)
        facts = inspect_tflite(path)
        if facts.channels != 4:
            raise ModelError(f"{path.name}: the OpenCV backend runs 4-channel (RGB + previous mask) models, this one takes {facts.channels}")
        try:
            self._net: cv2.dnn.Net | None = cv2.dnn.readNet(str(path))
        except cv2.error as exc:
            raise ModelError(f"OpenCV could not load {path.name}: {exc}") from exc
        self.info = info or ModelInfo(id=path.stem, version="unregistered", path=str(path))
        self.input_size = facts.input_size
        self.use_previous_mask = use_previous_mask
        self._previous: np.ndarray | None = None

    def segment(self, frame: Frame) -> np.ndarray:
        width, height = self.input_size
        rgb = cv2.resize(frame.pixels, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        previous = self._previous if self._previous is not None else np.zeros((height, width), np.float32)
        blob = np.concatenate([rgb, previous[..., None]], axis=2).transpose(2, 0, 1)[None]
        if self._net is None:
            raise RuntimeError("the segmenter is closed")
        self._net.setInput(np.ascontiguousarray(blob))
        logits = self._net.forward()[0]
        if logits.shape[0] != 2:  # NHWC output
            logits = logits.transpose(2, 0, 1)
        hair = 1.0 / (1.0 + np.exp(logits[0] - logits[1]))  # softmax over [background, hair]
        if self.use_previous_mask:
            self._previous = hair.astype(np.float32)
        fw, fh = frame.size
        return cv2.resize(hair.astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)

    def reset(self) -> None:
        self._previous = None

    def close(self) -> None:
        self._net = None
