"""``hairtint recolor``: recolour the hair in photos, each written beside the others or to one file."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from core.catalog.palette import DEFAULT_SHADE
from core.frames import DEFAULT_INTENSITY, DEFAULT_SHINE, RunningMode
from hairtint_desktop.commands.registry import command, option
from hairtint_desktop.commands.shared import TRUST, percent, session
from hairtint_desktop.terminal import say


@command("recolor", "recolour the hair in photos",
         option("inputs", nargs="+", metavar="INPUT", help="photos or folders of photos"),
         option("-o", "--out", required=True, help="output folder (or a file name for a single photo)"),
         option("--color", help=f"shade name or #rrggbb (default: {DEFAULT_SHADE})"),
         option("--intensity", type=percent("intensity"), default=DEFAULT_INTENSITY,
                help=f"0-100 (default {DEFAULT_INTENSITY})"),
         option("--shine", type=percent("shine"), default=DEFAULT_SHINE,
                help=f"gloss on the brightest strands, 0-100 (default {DEFAULT_SHINE})"),
         option("--tips", metavar="SHADE", help="ombre: the colour of the tips, a shade name or #rrggbb; "
                "'none' for one colour (default: the look's own tips, if it is a two-tone look)"),
         option("--model", help="registry id or model file (default: what the settings select); a file is "
                "checked against a checksum: a registered model's, or FILE.sha256 beside it"),
         TRUST,
         option("--palette", help="a user palette file adding shades"),
         option("--config", metavar="FILE", help="settings file (model, rollout, palette)"))
def recolor(args) -> int:
    from core.tools import batch  # lazy: OpenCV, off `hairtint --help`

    run_session = session(args, args.palette)
    look = run_session.look(args.color, args.intensity, args.shine, args.tips)
    jobs, problems = batch.plan([Path(p) for p in args.inputs], Path(args.out), look)
    for problem in problems:
        print(f"hairtint: {problem}", file=sys.stderr)
    if not jobs:
        print("hairtint: no photos to recolour", file=sys.stderr)
        return 1
    pipeline = run_session.build_pipeline(RunningMode.IMAGE, model=args.model)
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
