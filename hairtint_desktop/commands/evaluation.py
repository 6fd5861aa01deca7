"""``hairtint eval`` and ``hairtint eval-video``: mask quality on labelled photos, and mask flicker and
tracking on clips made from them; tables on stdout, the figures as JSON on request."""

from __future__ import annotations

from pathlib import Path

from core.errors import HairTintError
from core.frames import RunningMode
from core.io.outputs import figures_json, staged_folder, write_text
from core.tools.eval_report import EvalReport, ModelFigures
from core.tools.hard_cases import load_hard_cases, slice_summary
from hairtint_desktop.commands.registry import command, option
from hairtint_desktop.commands.shared import (
    DATA_HELP,
    MODELS_COMPARED,
    SPLIT,
    check_outputs,
    mask_orientation,
    number,
    positive,
)


@command("eval", "measure mask quality on labelled photos",
         option("--data", nargs="+", required=True, metavar="DIR", help=DATA_HELP),
         SPLIT,
         MODELS_COMPARED,
         option("--json", metavar="FILE", help="write the figures as JSON"),
         option("--report", metavar="DIR", help="write an HTML page of the worst cases"),
         option("--limit", type=positive, help="use only the first N photos of each set (quick checks)"),
         mask_orientation,
         option("--far", type=number(float, 0.05, 1.0, "a number"), metavar="SHARE",
                help="shrink each photo to SHARE (0-1] of a 640x480 frame's width, as a head far from the "
                     "camera, and also score each model behind the pipeline's head crop"),
         option("--mirror", action="store_true",
                help="also score each model as the still pipeline segments a photo: averaged with its mirror image"),
         option("--true-masks-at", type=number(int, 16, 2048), metavar="N",
                help="also score the pipeline fed each photo's true mask at an N x N input: the best edge "
                     "figures any model of that input size could reach"),
         option("--hard-cases", metavar="FILE",
                help="also score each model on the photos a CSV file lists (set, stem, kind, note), by kind: "
                     "IoU and the share of what it calls hair that is not (docs/models/hard-cases.csv)"))
def evaluate(args) -> int:  # noqa: C901  the options, read in turn
    from core.pipeline.engine import (  # lazy: OpenCV and MediaPipe, off `hairtint --help`
        build_refiner,
        open_segmenter,
        with_head_crop,
    )
    from core.stages.mirror import MirroredSegmenter  # lazy: OpenCV, off `hairtint --help`
    from core.stages.recolor import Recolorer  # lazy: OpenCV, off `hairtint --help`
    from core.tools import evaluate as ev  # lazy: OpenCV, off `hairtint --help`
    from core.tools.edge_metrics import TEST_SHADE  # lazy: OpenCV, off `hairtint --help`
    from core.tools.hairline_metrics import look_names  # lazy: OpenCV, off `hairtint --help`
    from core.tools.texture_metrics import look_names as texture_looks  # lazy: OpenCV, off `hairtint --help`

    if args.far is not None and args.report:
        raise HairTintError("--report shows photos as they are; leave it out with --far")
    if args.far is not None and args.true_masks_at:
        raise HairTintError("--true-masks-at measures the edge on photos as they are; leave it out with --far")
    check_outputs(args)
    samples, models = _eval_inputs(args)
    cases = load_hard_cases(Path(args.hard_cases)) if args.hard_cases else None
    edges = ev.EdgeJudge(build_refiner(RunningMode.IMAGE), Recolorer()) if args.far is None else None
    results, segmenters = {}, {}
    try:
        for key, entry in models:
            segmenters[key] = open_segmenter(entry, RunningMode.IMAGE)
            results[key] = ev.evaluate_model(segmenters[key], key, samples, edges=edges, far=args.far)
            if args.far is not None:  # the same model behind the pipeline's head crop
                cropped = f"{key} + head crop"
                segmenters[cropped] = with_head_crop(open_segmenter(entry, RunningMode.IMAGE), RunningMode.IMAGE)
                results[cropped] = ev.evaluate_model(segmenters[cropped], cropped, samples, far=args.far)
            if args.mirror:  # the same model as the still pipeline runs it on a photo
                mirrored = f"{key} + mirror"
                segmenters[mirrored] = MirroredSegmenter(open_segmenter(entry, RunningMode.IMAGE))
                results[mirrored] = ev.evaluate_model(segmenters[mirrored], mirrored, samples, edges=edges, far=args.far)
        if args.true_masks_at and edges is not None:  # edges: there is no --far with --true-masks-at
            key = f"true masks at {args.true_masks_at}x{args.true_masks_at}"
            results[key] = ev.evaluate_true_masks(samples, args.true_masks_at, edges)
        report = EvalReport(
            {key: ModelFigures(scores.summary(), scores.by_set(), None if cases is None else slice_summary(scores, cases))
             for key, scores in results.items()},
            edge_look=TEST_SHADE.hex, hairline_looks=look_names(), texture_looks=texture_looks())
        print(report.table())
        if args.json:
            write_text(args.json, figures_json(report.to_json()))
        if args.report:
            with staged_folder(args.report) as work:
                ev.write_report(work, {k: v for k, v in results.items() if k in segmenters}, segmenters, edges=edges)
            print(f"report: {Path(args.report) / 'index.html'}")
    finally:
        for segmenter in segmenters.values():
            segmenter.close()
        if edges is not None:
            edges.close()
    return 0


@command("eval-video", "measure mask flicker and tracking on clips made from labelled photos",
         option("--data", nargs="+", required=True, metavar="DIR", help=DATA_HELP),
         SPLIT,
         MODELS_COMPARED,
         option("--limit", type=positive, help="use only the first N photos of each set"),
         mask_orientation,
         option("--frames", type=positive, default=30, help="frames per clip (default 30, at 30 fps)"),
         option("--json", metavar="FILE", help="write the figures as JSON"))
def evaluate_video(args) -> int:
    from core.pipeline.engine import (  # lazy: OpenCV and MediaPipe, off `hairtint --help`
        PipelineOptions,
        build_pipeline,
    )
    from core.tools import video_eval as ve  # lazy: OpenCV, off `hairtint --help`
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    check_outputs(args)
    samples, models = _eval_inputs(args)
    look = Session().fresh_look()
    scores = []
    for key, entry in models:
        # per frame: the live pipeline without its memory (no mirror image, which the live view cannot afford)
        live = build_pipeline(PipelineOptions(entry=entry))
        per_frame = build_pipeline(PipelineOptions(entry=entry, running_mode=RunningMode.IMAGE, mirror=False))
        try:
            scores.append(ve.evaluate_video(live, per_frame, key, samples, look, frames=args.frames))
        finally:
            live.close()
            per_frame.close()
    report = ve.VideoReport.of(args.frames, scores)
    print(report.table())
    if args.json:
        write_text(args.json, figures_json(report.to_json()))
    return 0


def _eval_inputs(args):
    """The labelled photos (``--data``, ``--split``, ``--limit``) and ``[(name, registry entry)]`` for
    each ``--model`` (default: the stable model), as ``eval`` and ``eval-video`` take them."""
    from core.tools import evaluate as ev  # lazy: OpenCV, off `hairtint --help`
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    registry = Session().registry
    samples = ev.collect_samples([Path(d) for d in args.data], args.split, getattr(args, "mask_orientation", None))
    if args.limit:
        samples = ev.first_per_set(samples, args.limit)
    ev.check_masks(samples)  # a mask stored some way it cannot be read stops the run before it starts
    refs = args.model or [None]
    entries = [registry.resolve(ref) for ref in refs]
    names = [f"{e.id}@{e.version}" if e.registered else f"{e.id} (file)" for e in entries]
    # two files of the same name (runs/a/hairnet.tflite, runs/b/hairnet.tflite) are told apart by path
    names = [f"{ref} (file)" if names.count(name) > 1 and not e.registered else name
             for ref, name, e in zip(refs, names, entries, strict=True)]
    if len(set(names)) < len(names):
        raise HairTintError("the same model is named twice in --model")
    return samples, list(zip(names, entries, strict=True))
