"""``hairtint bench`` (the pipeline alone, headless) and ``hairtint soak`` (the app itself, offscreen):
speed, latency and memory over a run, as a table or JSON."""

from __future__ import annotations

from hairtint_desktop.commands.registry import command, option
from hairtint_desktop.commands.shared import TRUST, check_outputs, number, positive, print_report, session, size


@command("bench", "time the whole pipeline headless",
         option("--source", default="synthetic", help="FILE (photo or video) or synthetic"),
         option("--frames", type=positive, default=300),
         option("--size", type=size, help="WxH (default: the size synthetic:WxH names, else 640x480)"),
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
    from core.tools.bench import bench_size, check_settings, run_bench  # lazy: OpenCV, off `hairtint --help`

    frames = getattr(args, "soak", None) or args.frames
    every = (max(1, frames // 20) if getattr(args, "every", None) is None else args.every) if getattr(args, "soak", None) else None
    frame_size = bench_size(args.source, args.size)
    check_settings(frames, frame_size, every)
    check_outputs(args)
    run_session = session(args)
    pipeline = run_session.build_pipeline(model=args.model)
    try:
        report = run_bench(pipeline, args.source, frames, frame_size, run_session.fresh_look(), soak_every=every)
    finally:
        pipeline.close()
    print_report(report, args.json)
    return 0


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
    from hairtint_desktop.soak import check_settings, run_soak  # lazy: the window, Qt and OpenCV, off `hairtint --help`

    check_settings(args.minutes, args.frames, args.every)
    check_outputs(args)
    report = run_soak(minutes=args.minutes, frames=args.frames, every_s=args.every, source=args.source,
                      settings_path=args.config, size=args.size)
    print_report(report, args.json)
    return 0 if report.ok else 1
