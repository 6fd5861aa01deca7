"""The subcommands behind ``hairtint``: each parses nothing and decides nothing of its own; it calls
``core`` (or ``training``), shows progress and prints what came out."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from tqdm import tqdm

from core.errors import HairTintError
from core.io.outputs import check_output_file, check_output_folder, figures_json, staged_folder, write_text
from hairtint_desktop.terminal import say


def _session(args, palette_file: str | None = None):
    """The Session the command runs in: the settings file (``--config``, else the user's), plus a
    palette file given on the command line."""
    from core.session import Session

    return Session.load(getattr(args, "config", None), trust_unverified=getattr(args, "trust_unverified", False)
                        ).with_palette_file(palette_file)


def gui(args) -> int:
    from hairtint_desktop.app import run_gui

    return run_gui(source=getattr(args, "source", None), kiosk=getattr(args, "kiosk", False),
                   screenshot=getattr(args, "screenshot", None), settings_path=getattr(args, "config", None),
                   size=getattr(args, "size", None), trust_unverified=getattr(args, "trust_unverified", False))


def recolor(args) -> int:
    from core.tools import batch

    session = _session(args, args.palette)
    look = session.look(args.color, args.intensity, args.shine, args.tips)
    jobs, problems = batch.plan([Path(p) for p in args.inputs], Path(args.out), look)
    for problem in problems:
        print(f"hairtint: {problem}", file=sys.stderr)
    if not jobs:
        print("hairtint: no photos to recolour", file=sys.stderr)
        return 1
    pipeline = session.build_pipeline(still=True, model=args.model)
    done = failed = 0
    try:
        with tqdm(total=len(jobs), desc="recolour", unit="photo") as bar:
            for outcome in batch.run(jobs, pipeline, look):
                if outcome.ok:
                    done += 1
                    bar.write(f"{outcome.job.source} -> {outcome.job.target}")
                    if outcome.advice:
                        bar.write(f"  note: {outcome.advice}")
                else:
                    failed += 1
                    bar.write(f"hairtint: skipped {outcome.job.source}: {outcome.error}", file=sys.stderr)
                bar.update()
    except BaseException:  # a stop signal, a closed pipe, Ctrl+C: say how far it got (cli.main says why)
        # counted on disk: a stop between a result's rename and its line still leaves that result whole
        # (plan() chose names no file had, so a target that exists now was written by this run)
        written = sum(1 for job in jobs if job.target.exists())
        say(f"{written} recoloured, {failed} failed, {len(jobs) - written - failed} not done: stopped")
        raise
    finally:
        pipeline.close()
    print(f"{done} recoloured, {failed} failed", file=sys.stderr)
    return 1 if failed or problems else 0


def evaluate(args) -> int:
    from core.tools import evaluate as ev
    from core.tools.edge_metrics import TEST_SHADE
    from core.tools.hairline_metrics import look_names
    from core.tools.texture_metrics import look_names as texture_looks
    from core.tools.hard_cases import load_hard_cases, slice_summary
    from core.engine import build_refiner, open_segmenter, with_head_crop
    from core.stages.mirror import MirroredSegmenter
    from core.stages.recolor import Recolorer

    if args.far is not None and args.report:
        raise HairTintError("--report shows photos as they are; leave it out with --far")
    if args.far is not None and args.true_masks_at:
        raise HairTintError("--true-masks-at measures the edge on photos as they are; leave it out with --far")
    _check_outputs(args)
    samples, models = _eval_inputs(args)
    cases = load_hard_cases(Path(args.hard_cases)) if args.hard_cases else None
    edges = ev.EdgeJudge(build_refiner(still=True), Recolorer()) if args.far is None else None
    results, segmenters = {}, {}
    try:
        for key, entry in models:
            segmenters[key] = open_segmenter(entry, video=False)
            results[key] = ev.evaluate_model(segmenters[key], key, samples, edges=edges, far=args.far)
            if args.far is not None:  # the same model behind the pipeline's head crop
                cropped = f"{key} + head crop"
                segmenters[cropped] = with_head_crop(open_segmenter(entry, video=False), still=True)
                results[cropped] = ev.evaluate_model(segmenters[cropped], cropped, samples, far=args.far)
            if args.mirror:  # the same model as the still pipeline runs it on a photo
                mirrored = f"{key} + mirror"
                segmenters[mirrored] = MirroredSegmenter(open_segmenter(entry, video=False))
                results[mirrored] = ev.evaluate_model(segmenters[mirrored], mirrored, samples, edges=edges, far=args.far)
        if args.true_masks_at:
            key = f"true masks at {args.true_masks_at}x{args.true_masks_at}"
            results[key] = ev.evaluate_true_masks(samples, args.true_masks_at, edges)
        table = {key: {**scores.summary(), "sets": scores.by_set()} for key, scores in results.items()}
        if cases is not None:
            for key, scores in results.items():
                table[key]["hard_cases"] = slice_summary(scores, cases)
        width = max(34, *(len(key) for key in table))
        # the hairline figures of each look (cu: Copper Red at 70, bl: the edge test shade at 100)
        hairline = [(f"{figure}_{key}", f"{figure}·{short}", spec) for key, short in (("copper", "cu"), ("blue", "bl"))
                    for figure, spec in (("seam", ".1%"), ("follow", ".2f"), ("clean", ".1%"))]
        hairline.append(("light_follow", "light", ".2f"))
        # dark hair lifted (pt: Platinum Blonde at 80, am: Sunlit Amber at 70): relative strand contrast kept
        # (median, 10th percentile), its correlation, and Delta E to the swatch at intensity 100
        hairline += [(f"{figure}_{key}", f"{head}·{short}", spec) for key, short in (("platinum", "pt"), ("amber", "am"))
                     for figure, head, spec in (("spread", "sprd", ".2f"), ("spread", "p10", ".2f"),
                                                ("corr", "corr", ".2f"), ("swatch", "ΔE", ".1f"))]
        hairline = [(f"{name}_p10" if head.startswith("p10") else name, head, spec) for name, head, spec in hairline]
        print(f"{'model':<{width}} {'set':<18} {'n':>4} {'mean IoU':>8} {'median':>7} {'fail<0.5':>8} {'FP area':>7} "
              f"{'bound.F':>7} {'bleed':>6} {'cover':>6}" + "".join(f" {head:>{max(6, len(head))}}" for _, head, _ in hairline)
              + f" {'ms/photo':>8}")
        for key, row in table.items():
            for set_name, s in [*row["sets"].items(), ("all", row)]:
                print(f"{key:<{width}} {set_name:<18} {s['n']:>4} {s['mean_iou']:>8.3f} {s['median_iou']:>7.3f} "
                      f"{s['failure_rate']:>8.1%} {_figure(s['fp_area'], '.1%'):>7} {_figure(s['boundary_f'], '.3f'):>7} "
                      f"{_figure(s['bleed'], '.1%'):>6} "
                      f"{_figure(s['coverage'], '.3f'):>6}"
                      + "".join(f" {_figure(s[name], spec):>{max(6, len(head))}}" for name, head, spec in hairline)
                      + f" {_figure(s['ms_per_image'], '.1f'):>8}")
        if cases is not None:
            _print_hard_cases(table, width)
        if args.json:
            write_text(args.json, figures_json({"models": table, "edge_look": TEST_SHADE.hex,
                                                "hairline_looks": look_names(), "texture_looks": texture_looks()}))
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


def _figure(value: float, spec: str) -> str:
    """A figure for the table; '-' where it was not measured (edge figures with --far, a true mask's time)."""
    return "-" if value != value else format(value, spec)


def evaluate_video(args) -> int:
    from core.tools import video_eval as ve
    from core.engine import build_pipeline

    from core.session import Session

    _check_outputs(args)
    samples, models = _eval_inputs(args)
    look = Session().fresh_look()
    table = {}
    for key, entry in models:
        # per frame: the live pipeline without its memory (no mirror image, which the live view cannot afford)
        live, per_frame = build_pipeline(entry=entry), build_pipeline(entry=entry, still=True, mirror=False)
        try:
            scores = ve.evaluate_video(live, per_frame, key, samples, look, frames=args.frames)
        finally:
            live.close()
            per_frame.close()
        table[key] = {**scores.summary(), "sets": scores.by_set()}
    width = max(40, *(len(key) for key in table))
    print(f"{'model':<{width}} {'set':<22} {'n':>4} {'flicker live':>13} {'per-frame':>10} {'ratio':>7} "
          f"{'IoU live':>9} {'per-frame':>10}")
    for key, row in table.items():
        for set_name, s in [*row["sets"].items(), ("all", row)]:
            print(f"{key:<{width}} {set_name:<22} {s['n']:>4} {s['live_flicker']:>13.5f} {s['per_frame_flicker']:>10.5f} "
                  f"{s['flicker_ratio']:>6.1f}x {s['live_iou']:>9.4f} {s['per_frame_iou']:>10.4f}")
    if args.json:
        write_text(args.json, figures_json({"frames": args.frames, "models": table}))
    return 0


def _print_hard_cases(table: dict, width: int) -> None:
    """The hard-cases slice of each model, by kind (``core.tools.hard_cases``)."""
    print()
    print(f"{'model':<{width}} {'hard cases':<18} {'n':>4} {'mean IoU':>8} {'fail<0.5':>8} {'FP area':>8}")
    for key, row in table.items():
        if not row["hard_cases"]:
            print(f"{key:<{width}} {'(none of the listed photos evaluated)'}")
        for kind, s in row["hard_cases"].items():
            print(f"{key:<{width}} {kind:<18} {s['n']:>4} {s['mean_iou']:>8.3f} {s['failure_rate']:>8.1%} "
                  f"{_figure(s['fp_area'], '.1%'):>8}")


def _check_outputs(args) -> None:
    """``--json FILE`` and ``--report DIR`` checked before any work starts (OutputError: exit 2)."""
    if getattr(args, "json", None) not in (None, "-"):
        check_output_file(args.json, "JSON file")
    if getattr(args, "report", None) is not None:
        check_output_folder(args.report, "report folder")


def _eval_inputs(args):
    """The labelled photos (``--data``, ``--split``, ``--limit``) and ``[(name, registry entry)]`` for
    each ``--model`` (default: the stable model), as ``eval`` and ``eval-video`` take them."""
    from core.tools import evaluate as ev
    from core.session import Session

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
             for ref, name, e in zip(refs, names, entries)]
    if len(set(names)) < len(names):
        raise HairTintError("the same model is named twice in --model")
    return samples, list(zip(names, entries))


def bench(args) -> int:
    from core.tools.bench import check_settings, run_bench

    frames = getattr(args, "soak", None) or args.frames
    every = (max(1, frames // 20) if getattr(args, "every", None) is None else args.every) if getattr(args, "soak", None) else None
    check_settings(frames, args.size, every)
    _check_outputs(args)
    session = _session(args)
    pipeline = session.build_pipeline(model=args.model)
    try:
        report = run_bench(pipeline, args.source, frames, args.size, session.fresh_look(), soak_every=every)
    finally:
        pipeline.close()
    _print_report(report, bench_table(report), args.json)
    return 0


def _print_report(report: dict, table: str, json_to: str | None) -> None:
    """The table on stdout; with ``--json -`` the JSON instead, with ``--json FILE`` the JSON written too."""
    if json_to == "-":
        print(figures_json(report))
        return
    if json_to is not None:
        write_text(json_to, figures_json(report))
    print(table)
    if json_to is not None:
        print(f"JSON written to {json_to}")


def bench_table(report: dict) -> str:
    """``hairtint bench``'s report as a table a person reads."""
    m = report.get("machine", {})
    lines = [f"model    {report['model']}",
             f"frames   {report['frames']} at {report['size'][0]}x{report['size'][1]}",
             f"speed    {report['fps']:.1f} frames/s",
             f"machine  {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('system', '')}",
             f"memory   {report['peak_rss_mb']:.0f} MB peak",
             "",
             f"{'stage':<10} {'p50 ms':>8} {'p95 ms':>8}"]
    for name, times in report["stages"].items():
        lines.append(f"{name:<10} {times['p50']:>8.1f} {times['p95']:>8.1f}")
    total = report["latency_ms"]
    lines.append(f"{'total':<10} {total['p50']:>8.1f} {total['p95']:>8.1f}   (p99 {total['p99']:.1f})")
    if "soak" in report:
        lines += ["", soak_table(report["soak"])]
    return "\n".join(lines)


def soak_table(soak: dict, rows: int = 11, columns: dict[str, list] | None = None) -> str:
    """Resident memory over a soak (``bench --soak``, ``hairtint soak``): about ``rows`` of its samples,
    then the growth. ``columns``: more figures, one per sample, shown after the memory."""
    samples = soak["samples"]
    step = max(1, (len(samples) - 1) // (rows - 1))
    picked = list(range(0, len(samples), step))
    if picked[-1] != len(samples) - 1:
        picked.append(len(samples) - 1)
    columns = columns or {}
    widths = {name: max(8, len(name)) for name in columns}
    lines = [f"{'frame':>9} {'seconds':>8} {'RSS MB':>8} {'change':>8}" + "".join(f" {n:>{widths[n]}}" for n in columns)]
    for i in picked:
        f, s, mb = samples[i]
        lines.append(f"{f:>9} {s:>8.1f} {mb:>8.1f} {mb - soak['start_mb']:>+8.1f}"
                     + "".join(f" {values[i]:>{widths[n]}}" for n, values in columns.items()))
    unit = soak.get("unit", "frames")
    every = f"{soak['every']:g} s" if unit == "s" else f"{soak['every']} {unit}"
    lines.append(f"growth   {soak['growth_mb']:+.1f} MB over the run ({soak['start_mb']:.1f} -> {soak['end_mb']:.1f} MB, "
                 f"after warm-up), {soak['growth_second_half_mb']:+.1f} MB over its second half; "
                 f"sampled every {every}")
    return "\n".join(lines)


def soak(args) -> int:
    from hairtint_desktop.soak import check_settings, run_soak

    check_settings(args.minutes, args.frames, args.every)
    _check_outputs(args)
    report = run_soak(minutes=args.minutes, frames=args.frames, every_s=args.every, source=args.source,
                      settings_path=args.config, size=args.size)
    _print_report(report, app_soak_table(report), args.json)
    return 0 if report["ok"] else 1


def app_soak_table(report: dict) -> str:
    """``hairtint soak``'s report as a table a person reads."""
    m = report.get("machine", {})
    window = report.get("window") or ["?", "?"]
    minutes = report["seconds"] / 60
    lines = [f"model     {report['model']}",
             f"source    {report['source']}, window {window[0]}x{window[1]}, overlay "
             f"{'on' if report.get('overlay') else 'off'}",
             f"time      {minutes:.1f} min after {report['warmup_frames']} warm-up frames (ended: {report['stopped']})",
             f"frames    {report['frames_shown']:,} shown ({report['shown_fps']:.1f} frames/s), "
             f"{report['not_shown']:,} of the clip's {report['clip_frames']:,} not shown",
             f"problems  {report['problems']} ({report['errors_logged']} errors logged)",
             f"machine   {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('system', '')}",
             f"memory    {report['peak_rss_mb']:.0f} MB peak"]
    lines += [f"          {message}" for message in report["problem_messages"]]
    if "soak" in report:
        counts = report["soak"]["counts"]
        lines += ["", soak_table(report["soak"], columns={"not shown": counts["not_shown"],
                                                          "problems": counts["problems"]})]
    return "\n".join(lines)


def train(args) -> int:
    try:
        from training.cli import run_training
    except ImportError as exc:
        raise HairTintError(f"training needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc
    return run_training(args)


def models(args) -> int:
    if args.models_command == "quantize":
        try:
            from training.quantize import run_quantize
        except ImportError as exc:
            raise HairTintError(f"quantising needs the 'train' extra (pip install -e '.[train]'): {exc}") from exc
        return run_quantize(args)
    if args.models_command == "add":
        from core.catalog.registry import add_model

        entry = add_model(Path(args.run_dir), stage=args.stage, version=args.version)
        print(f"registered {entry.id}@{entry.version} ({entry.stage}) -> {entry.file}")
        if entry.stage == "experimental":
            print("it reaches an installation only through the rollout stage (`hairtint rollout`), or as --model "
                  f"{entry.id}")
        return 0
    from core.session import Session

    registry = Session().registry
    if args.models_command == "list":
        chosen = registry.resolve(None)
        for e in registry.entries:
            default = " (default)" if e == chosen else ""
            iou, problem = mean_iou_shown(e.details)
            print(f"{e.id}@{e.version}  {e.stage}{default}  {e.file.name}  input {e.input_size}  {iou}")
            if problem:
                print(f"hairtint: {e.id}@{e.version} in {registry.path}: {problem}", file=sys.stderr)
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


def mean_iou_shown(details: dict) -> tuple[str, str | None]:
    """A registry entry's ``metrics.mean_iou`` figures as ``models list`` shows them (``set 0.838, ...``),
    and what was left out and why (None when nothing was): the figures are the registry's to record,
    so a damaged table costs the line its figures, never the listing."""
    metrics = details.get("metrics", {})
    table = metrics.get("mean_iou", {}) if isinstance(metrics, dict) else None
    if not isinstance(table, dict):
        return "", "its metrics.mean_iou is not a table of set names and figures, so no IoU is shown"
    shown, left_out = [], []
    for name, value in table.items():
        if _finite(value):
            shown.append(f"{name} {float(value):.3f}")
        else:
            left_out.append(f"{name} ({json.dumps(value)[:40]})")
    problem = f"metrics.mean_iou has figures that are not numbers, left out: {', '.join(left_out)}" if left_out else None
    return ", ".join(shown), problem


def _finite(value) -> bool:
    """Whether a JSON value is a finite number (not a bool, not an integer too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def self_test(args) -> int:
    from core.tools.selftest import installed_version, report, run_self_test

    checks = run_self_test()
    print(report(checks, installed_version()))
    return 1 if any(c.failed for c in checks) else 0
