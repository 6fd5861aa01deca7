"""Assembles the pipeline from the registry and settings: the one place that knows which segmenter,
smoother, refiner and recolourer go together."""

from __future__ import annotations

from core.stages.face_guard import FaceGuard
from core.stages.head_crop import CroppingSegmenter, FaceFinder, HeadCropper
from core.pipeline import PassThroughSmoother, Pipeline
from core.stages.recolor import Recolorer
from core.stages.refine import Refiner
from core.catalog.registry import ModelEntry, Registry
from core.stages.segment import MediaPipeSegmenter, OpenCvDnnSegmenter
from core.stages.smooth import SmoothedRefiner, TemporalSmoother


def open_segmenter(entry: ModelEntry, video: bool):
    """Verify the model file against the registry, then load it with its backend."""
    entry.verify()
    if entry.backend == "opencv-dnn":
        return OpenCvDnnSegmenter(entry.file, entry.info, use_previous_mask=video)
    return MediaPipeSegmenter(entry.file, entry.info, video=video)


def with_head_crop(segmenter, still: bool):
    """``segmenter`` run on a square round a head far from the camera (``core.stages.head_crop``)."""
    return CroppingSegmenter(segmenter, HeadCropper(FaceFinder(), still=still, every=30))


def build_pipeline(model: str | None = None, *, still: bool = False, registry: Registry | None = None,
                   entry: ModelEntry | None = None, colour_beard: bool = False) -> Pipeline:
    """A ready pipeline. ``model`` is a registry id, ``id@version`` or a model file path (None: the
    default stable model); ``still`` selects IMAGE mode and no temporal smoothing; otherwise the raw
    mask and the refined one are both smoothed over time. ``colour_beard``: see ``FaceGuard``."""
    if entry is None:
        entry = (registry or Registry.load()).resolve(model)
    segmenter = open_segmenter(entry, video=not still)
    if entry.backend == "mediapipe":  # the legacy model feeds itself its last mask: it keeps the whole frame
        segmenter = with_head_crop(segmenter, still)
    if still:
        return Pipeline(segmenter, PassThroughSmoother(), build_refiner(True, colour_beard), Recolorer())
    # Video: the raw mask is smoothed before refinement and the final mask after it (see smooth.py).
    return Pipeline(segmenter, TemporalSmoother(), SmoothedRefiner(build_refiner(False, colour_beard)), Recolorer())


def build_refiner(still: bool = False, colour_beard: bool = False) -> Refiner:
    """The refine stage every pipeline uses, with its face guard (``still``: every frame a separate
    photo)."""
    return Refiner(face_guard=FaceGuard(still=still, colour_beard=colour_beard))
