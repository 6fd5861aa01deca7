"""Hair segmenters. Every backend returns a float32 hair probability in [0, 1] at the frame's size.

- ``MediaPipeSegmenter``: our own .tflite through MediaPipe Tasks' ImageSegmenter (VIDEO mode for
  streams, IMAGE mode for stills, confidence masks only).
- ``OpenCvDnnSegmenter``: a legacy 4-channel model (RGB + previous mask), such as Google's 2019 hair
  model, through OpenCV's DNN module, for side-by-side comparison.
"""

from core.io.model_file import ModelInfo, TfliteFacts, inspect_tflite
from core.stages.segment.mediapipe_backend import MediaPipeSegmenter
from core.stages.segment.opencv_backend import OpenCvDnnSegmenter

__all__ = ["MediaPipeSegmenter", "ModelInfo", "OpenCvDnnSegmenter", "TfliteFacts", "inspect_tflite"]
