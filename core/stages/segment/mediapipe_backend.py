"""Our hair model through MediaPipe Tasks' ImageSegmenter."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from core.errors import ModelError
from core.frames import Frame, RunningMode
from core.io.model_file import ModelInfo, inspect_tflite
from core.quiet_import import import_mediapipe
from core.stages.resample import shrink_frame

log = logging.getLogger(__name__)


class MediaPipeSegmenter:
    """Runs a segmenter .tflite (with metadata, 3-channel input, [background, hair] output).

    ``mode`` is MediaPipe's running mode. VIDEO needs strictly increasing timestamps: a frame whose
    timestamp does not advance (a new source restarting at 0, a repeated still) is given the next
    free millisecond instead.

    A frame more than four times the model's input on its longer side is shrunk to that first, and the
    hair probability comes back at that size: the model sees 256 px whatever the camera gives, and
    MediaPipe would otherwise enlarge its output to a 1080p frame only for the next stages to shrink it
    again (the refine stage brings the edge to full resolution from the picture)."""

    HAIR_CHANNEL = 1

    def __init__(self, path: Path, info: ModelInfo | None = None, mode: RunningMode = RunningMode.VIDEO):
        import_mediapipe()  # without matplotlib's and sounddevice's side effects
        from mediapipe.tasks.python import BaseOptions, vision  # lazy: MediaPipe, after import_mediapipe()

        path = Path(path)
        facts = inspect_tflite(path)
        if not facts.has_metadata:
            raise ModelError(f"{path.name} has no segmenter metadata; MediaPipe cannot run it (re-export it with `hairtint train`)")
        if facts.channels != 3:
            raise ModelError(f"{path.name} takes {facts.channels}-channel input; MediaPipe's segmenter needs RGB (3)")
        self.info = info or ModelInfo(id=path.stem, version="unregistered", path=str(path))
        self.input_size = facts.input_size
        self.mode = mode
        # MediaPipe runs the model on one core. Two (its XNNPACK delegate's num_threads, same masks)
        # took the segment stage's median from 7.4 to 5.1 ms on the 2-core machines, but the total's
        # p99 from 24 to 80-118 ms in four runs of six: whenever another thread holds the second core,
        # the model waits for it. A kiosk's frame rate must not stall, so it stays on one.
        options = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_buffer=path.read_bytes()),
            running_mode=vision.RunningMode[mode.name],
            output_confidence_masks=True,
            output_category_mask=False,
        )
        try:
            self._segmenter = vision.ImageSegmenter.create_from_options(options)
        except Exception as exc:
            raise ModelError(f"MediaPipe could not load {path.name}: {exc}") from exc
        self._last_ts = -1

    def segment(self, frame: Frame) -> np.ndarray:
        import mediapipe as mp  # lazy: MediaPipe, loaded by __init__ (import_mediapipe)

        pixels = frame.pixels
        limit = 4 * max(self.input_size) if self.input_size else 0
        if limit and max(pixels.shape[:2]) > limit:
            height, width = pixels.shape[:2]
            scale = limit / max(height, width)
            pixels = shrink_frame(frame, (max(1, round(width * scale)), max(1, round(height * scale))))
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(pixels))
        if self.mode is RunningMode.VIDEO:
            ts = max(int(frame.timestamp_ms), self._last_ts + 1)
            self._last_ts = ts
            result = self._segmenter.segment_for_video(image, ts)
        else:
            result = self._segmenter.segment(image)
        hair = result.confidence_masks[self.HAIR_CHANNEL].numpy_view()
        return np.clip(hair, 0.0, 1.0, dtype=np.float32)  # a new array: the view dies with the result

    def reset(self) -> None:
        """Nothing to forget: the model is stateless (timestamps stay monotonic across sources)."""

    def close(self) -> None:
        if self._segmenter is not None:
            self._segmenter.close()
            self._segmenter = None
