"""Assembles the pipeline from the registry and settings: the one place that knows which segmenter,
smoother, refiner and recolourer go together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from core.catalog.registry import ModelEntry, Registry, file_sha256
from core.errors import ModelError
from core.frames import RunningMode
from core.pipeline.framing import Framer
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.face_box import FaceLocator
from core.stages.face_guard import FaceGuard
from core.stages.head_crop import CroppingSegmenter, FaceFinder, HeadCropper
from core.stages.matte import MatteSettings
from core.stages.mirror import MirroredSegmenter
from core.stages.recolor import Recolorer
from core.stages.refine import Refiner
from core.stages.segment import MediaPipeSegmenter, OpenCvDnnSegmenter
from core.stages.segment.model_probe import probe
from core.stages.smooth import SmoothedRefiner, TemporalSmoother

log = logging.getLogger(__name__)
# Live frames are worked and shown at most at 1280 x 720: the model sees 256 px whatever the camera gives,
# a kiosk's view is rarely wider, and a 1080p camera's full size cost 21 fps on the 2-core machines.
# Photos are always worked at their own size.
LIVE_PIXELS = 1280 * 720
# The kiosk's framed crop is worked at its view's size, at most this many pixels: the head then fills
# much of what is worked, and hair costs more than background (the matte's band, the recolour). At this
# size the head of a person 1 m from a 1080p camera gets 2.1-3.4x the pixels across that the whole frame
# shrunk to LIVE_PIXELS gave it (1920x1080, 1280x800 and 1080x1920 screens); segment to recolour took
# 24-34 ms a frame (median, two shared cores) against 16 ms for the whole frame (20 ms for a close
# portrait); at LIVE_PIXELS itself it took 62-68 ms.
FRAMED_PIXELS = 400_000


@dataclass(frozen=True)
class PipelineOptions:
    """What a pipeline is built with, as MediaPipe Tasks' options records are: the ``model`` (a registry
    id, ``id@version`` or a model file path; None: the default stable model) or its already resolved
    ``entry`` (then ``model`` is not looked at), looked up in ``registry`` (None: the installed one); the
    ``running_mode`` (IMAGE: no temporal smoothing; VIDEO: the raw mask and the refined one are both
    smoothed over time); ``mirror``: average each frame's mask with its mirror image's
    (``core.stages.mirror``; None: in IMAGE mode only); ``colour_beard``: see ``FaceGuard``;
    ``locate_faces``: a VIDEO pipeline gives each result the largest face's box (the kiosk's framing)."""

    model: str | None = None
    running_mode: RunningMode = RunningMode.VIDEO
    mirror: bool | None = None
    colour_beard: bool = False
    locate_faces: bool = False
    entry: ModelEntry | None = None
    registry: Registry | None = None


def open_segmenter(entry: ModelEntry, mode: RunningMode):
    """Verify the model file against the registry (a model named by path: its structure only), load it
    once in a child process (a damaged file can crash MediaPipe), then load it here with its backend."""
    entry.verify()
    if entry.backend == "mediapipe":
        probe(entry.file, entry.sha256 if entry.sha256 is not None else file_sha256(entry.file))  # verified or not
    if entry.backend == "opencv-dnn":
        return OpenCvDnnSegmenter(entry.file, entry.info, use_previous_mask=mode is RunningMode.VIDEO)
    return MediaPipeSegmenter(entry.file, entry.info, mode=mode)


def with_head_crop(segmenter, mode: RunningMode):
    """``segmenter`` run on a square round a head far from the camera (``core.stages.head_crop``)."""
    return CroppingSegmenter(segmenter, HeadCropper(FaceFinder(), mode=mode, every=30))


def build_pipeline(options: PipelineOptions = PipelineOptions()) -> Pipeline:
    """A ready pipeline, as ``options`` say."""
    entry = options.entry or (options.registry or Registry.load()).resolve(options.model)
    mode = options.running_mode
    segmenter = open_segmenter(entry, mode)
    if options.mirror if options.mirror is not None else mode is RunningMode.IMAGE:
        segmenter = MirroredSegmenter(segmenter)
    if entry.backend == "mediapipe":  # the legacy model feeds itself its last mask: it keeps the whole frame
        segmenter = with_head_crop(segmenter, mode)
    refiner = build_refiner(mode, options.colour_beard)
    if mode is RunningMode.IMAGE:
        return Pipeline(segmenter, PassThroughSmoother(), refiner, Recolorer())
    # Video: the raw mask is smoothed before refinement and the final mask after it (see smooth.py).
    # The kiosk: the largest face's box, and the picture framed on it once the window says where it shows it.
    return Pipeline(segmenter, TemporalSmoother(), SmoothedRefiner(refiner), Recolorer(), max_pixels=LIVE_PIXELS,
                    locator=FaceLocator() if options.locate_faces else None,
                    framer=Framer() if options.locate_faces else None, framed_pixels=FRAMED_PIXELS)


def build_refiner(mode: RunningMode = RunningMode.VIDEO, colour_beard: bool = False) -> Refiner:
    """The refine stage every pipeline uses, with its face guard (IMAGE: every frame a separate photo)."""
    return Refiner(face_guard=FaceGuard(mode=mode, colour_beard=colour_beard), matte=MatteSettings())


Built = TypeVar("Built")  # what build_or_fall_back's build makes (a Pipeline, or a test's stand-in)


def build_or_fall_back(choose: Callable[[], ModelEntry], stable: Callable[[], list[ModelEntry]],
                       build: Callable[[ModelEntry], Built]) -> tuple[Built, ModelEntry, str | None]:
    """``(pipeline, entry, note)``: the pipeline for the model ``choose()`` gives; when that model cannot
    be chosen or loaded (unknown, missing, tampered, damaged, refused in kiosk mode), the one for the
    first of the stable models ``stable()`` gives that runs (the newest intact version of the default
    first), with ``note`` saying why. When none of them runs, a ModelError says why for the first."""
    chosen = None
    try:
        chosen = choose()
        return build(chosen), chosen, None
    except ModelError as exc:
        problem = exc
    failed = []
    for fallback in stable():
        if chosen is not None and (fallback.id, fallback.version) == (chosen.id, chosen.version):
            continue  # the one that just failed
        try:
            pipeline = build(fallback)
        except ModelError as exc:
            log.warning("the stable model %s %s cannot run either: %s", fallback.id, fallback.version, exc)
            failed.append((fallback, exc))
            continue
        skipped = "".join(f"; {e.id} {e.version} cannot run either ({why})" for e, why in failed)
        note = f"{problem}{skipped} — running the stable model {fallback.id} {fallback.version} instead"
        log.warning("%s", note)
        return pipeline, fallback, note
    if not failed:
        raise problem
    first, why = failed[0]
    raise ModelError(f"{problem}; the stable model {first.id} {first.version} cannot run either: {why}"
                     + (f" (nor {len(failed) - 1} other stable models)" if len(failed) > 1 else "")) from why
