"""The subcommands behind ``hairtint``: each parses nothing and decides nothing of its own; it calls
``core`` (or ``training``), shows progress and prints what came out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tqdm import tqdm

from core.errors import HairTintError


def _look(color: str, intensity: int, palette_file: str | None = None):
    from core.frames import Look
    from core.palette import default_palette, load_palette, merge_palettes, resolve_color

    palette = default_palette()
    if palette_file:
        palette = merge_palettes(palette, load_palette(Path(palette_file)))
    return Look(shade=resolve_color(color, palette), intensity=intensity)


def gui(args) -> int:
    from hairtint_desktop.app import run_gui

    return run_gui(source=getattr(args, "source", None), kiosk=getattr(args, "kiosk", False),
                   screenshot=getattr(args, "screenshot", None), settings_path=getattr(args, "config", None))


def recolor(args) -> int:
    from core import batch
    from core.engine import build_pipeline

    look = _look(args.color, args.intensity, args.palette)
    jobs, problems = batch.plan([Path(p) for p in args.inputs], Path(args.out), look)
    for problem in problems:
        print(f"hairtint: {problem}", file=sys.stderr)
    if not jobs:
        print("hairtint: no photos to recolour", file=sys.stderr)
        return 1
    pipeline = build_pipeline(args.model, still=True)
    failed = 0
    with tqdm(total=len(jobs), desc="recolour", unit="photo") as bar:
        for outcome in batch.run(jobs, pipeline, look):
            if outcome.ok:
                bar.write(f"{outcome.job.source} -> {outcome.job.target}")
            else:
                failed += 1
                bar.write(f"hairtint: skipped {outcome.job.source}: {outcome.error}", file=sys.stderr)
            bar.update()
    pipeline.close()
    print(f"{len(jobs) - failed} recoloured, {failed} failed", file=sys.stderr)
    return 1 if failed or problems else 0


def evaluate(args) -> int:
    from core import evaluate as ev
    from core.engine import open_segmenter
    from core.registry import Registry

    registry = Registry.load()
    samples = ev.collect_samples([Path(d) for d in args.data], args.split)
    if args.limit:
        samples = ev.first_per_set(samples, args.limit)
    entries = [registry.resolve(ref) for ref in (args.model or [None])]
    results, segmenters = {}, {}
    for entry in entries:
        key = entry.id if entry.registered else f"{entry.id} (file)"
        segmenters[key] = open_segmenter(entry, video=False)
        results[key] = ev.evaluate_model(segmenters[key], key, samples)
    table = {key: {**scores.summary(), "sets": scores.by_set()} for key, scores in results.items()}
    print(f"{'model':<40} {'set':<22} {'n':>5} {'mean IoU':>9} {'median':>8} {'fail<0.5':>9} {'ms/photo':>9}")
    for key, row in table.items():
        for set_name, s in [*row["sets"].items(), ("all", row)]:
            print(f"{key:<40} {set_name:<22} {s['n']:>5} {s['mean_iou']:>9.3f} {s['median_iou']:>8.3f} "
                  f"{s['failure_rate']:>9.1%} {s['ms_per_image']:>9.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"models": table}, indent=2))
    if args.report:
        page = ev.write_report(Path(args.report), results, segmenters)
        print(f"report: {page}")
    for segmenter in segmenters.values():
        segmenter.close()
    return 0


def evaluate_video(args) -> int:
    from core import evaluate as ev
    from core import video_eval as ve
    from core.engine import build_pipeline
    from core.registry import Registry

    registry = Registry.load()
    samples = ev.collect_samples([Path(d) for d in args.data], args.split)
    if args.limit:
        samples = ev.first_per_set(samples, args.limit)
    entries = [registry.resolve(ref) for ref in (args.model or [None])]
    look = _default_look()
    table = {}
    for entry in entries:
        key = entry.id if entry.registered else f"{entry.id} (file)"
        live, per_frame = build_pipeline(entry=entry), build_pipeline(entry=entry, still=True)
        try:
            scores = ve.evaluate_video(live, per_frame, key, samples, look, frames=args.frames)
        finally:
            live.close()
            per_frame.close()
        table[key] = {**scores.summary(), "sets": scores.by_set()}
    print(f"{'model':<40} {'set':<22} {'n':>4} {'flicker live':>13} {'per-frame':>10} {'ratio':>7} "
          f"{'IoU live':>9} {'per-frame':>10}")
    for key, row in table.items():
        for set_name, s in [*row["sets"].items(), ("all", row)]:
            print(f"{key:<40} {set_name:<22} {s['n']:>4} {s['live_flicker']:>13.5f} {s['per_frame_flicker']:>10.5f} "
                  f"{s['flicker_ratio']:>6.1f}x {s['live_iou']:>9.4f} {s['per_frame_iou']:>10.4f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"frames": args.frames, "models": table}, indent=2))
    return 0


def _default_look():
    from core.frames import Look
    from core.palette import default_index, default_palette

    shades = default_palette()
    return Look(shade=shades[default_index(shades)], intensity=70)


def bench(args) -> int:
    from core.bench import run_bench
    from core.engine import build_pipeline
    from core.frames import Look
    from core.palette import default_index, default_palette

    pipeline = build_pipeline(args.model)
    shades = default_palette()
    look = Look(shade=shades[default_index(shades)], intensity=70)
    report = run_bench(pipeline, args.source, args.frames, args.size, look)
    pipeline.close()
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


def train(args) -> int:
    try:
        from training.cli import run_training
    except ImportError as exc:
        raise HairTintError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc
    return run_training(args)


def models(args) -> int:
    from core.registry import Registry

    registry = Registry.load()
    if args.models_command == "list":
        for e in registry.entries:
            default = " (default)" if e.id == registry.default else ""
            metrics = e.details.get("metrics", {}).get("mean_iou", {})
            iou = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items())
            print(f"{e.id}@{e.version}  {e.stage}{default}  {e.file.name}  input {e.input_size}  {iou}")
        return 0
    bad = 0
    for e in registry.entries:
        try:
            e.verify()
            print(f"ok       {e.id}@{e.version}  {e.file.name}  sha256 {e.sha256[:16]}…")
        except HairTintError as exc:
            bad += 1
            print(f"FAILED   {e.id}@{e.version}: {exc}", file=sys.stderr)
    return 1 if bad else 0
