"""``hairtint bench`` (the pipeline alone, headless) and ``hairtint soak`` (the app itself, offscreen):
speed, latency and memory over a run, as a table or JSON."""

from __future__ import annotations

from hairtint_desktop.commands.registry import command, option
from hairtint_desktop.commands.shared import TRUST, check_outputs, number, positive, print_report, session, size


@command("bench", "time the whole pipeline headless",
         option("--source", default="synthetic", help="FILE (photo or video) or synthetic"),
         option("--frames", type=positive, default=300),
         option("--size", type=size, default=(640, 480), help="WxH (default 640x480)"),
         option("--model", help="registry id or model file (default: what the settings select)"),
         TRUST,
         option("--config", metavar="FILE", help="settings file (model, rollout)"),
         option("--json", nargs="?", const="-", metavar="FILE",
                help="print the report as JSON instead of a table (to FILE when given)"),
         option("--soak", type=positive, metavar="N", help="run N frames and report resident memory over "
                "time (sampled every --every frames) and its growth"),
         option("--every", type=positive, metavar="K", help="with --soak: sample memory every K frames "
                "(default: N/20)"))
def bench(args) -> int:
    from core.tools.bench import check_settings, run_bench

    frames = getattr(args, "soak", None) or args.frames
    every = (max(1, frames // 20) if getattr(args, "every", None) is None else args.every) if getattr(args, "soak", None) else None
    check_settings(frames, args.size, every)
    check_outputs(args)
    run_session = session(args)
    pipeline = run_session.build_pipeline(model=args.model)
    try:
        report = run_bench(pipeline, args.source, frames, args.size, run_session.fresh_look(), soak_every=every)
    finally:
        pipeline.close()
    print_report(report, bench_table(report), args.json)
    return 0


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


@command("soak", "run the app itself (window, worker, overlay) headless on the demo clip "
         "for a while and report its memory, frames and problems over time",
         option("--minutes", type=number(float, 0.001, kind="a number"), help="how long to run after the "
                "warm-up frames"),
         option("--frames", type=positive, help="stop after this many frames shown (with --minutes: "
                "whichever comes first)"),
         option("--every", type=number(float, 0.1, kind="a number"), metavar="SECONDS",
                help="sample memory every this many seconds (default: the run's length / 20)"),
         option("--source", default="synthetic", help="what to show (default: the demo clip, synthetic; "
                "synthetic:WxH for another size)"),
         option("--config", metavar="FILE", help="settings file (default: the user's); it is not written "
                "during the soak"),
         option("--size", type=size, metavar="WxH", help="window size in pixels (default 1180x760)"),
         option("--json", nargs="?", const="-", metavar="FILE",
                help="print the report as JSON instead of a table (to FILE when given, at the end)"),
         windowed=True)
def soak(args) -> int:
    from hairtint_desktop.soak import check_settings, run_soak

    check_settings(args.minutes, args.frames, args.every)
    check_outputs(args)
    report = run_soak(minutes=args.minutes, frames=args.frames, every_s=args.every, source=args.source,
                      settings_path=args.config, size=args.size)
    print_report(report, app_soak_table(report), args.json)
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
