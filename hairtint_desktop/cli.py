"""``hairtint``: the live app by default, and the headless subcommands (recolor, eval, eval-video, bench,
soak, train, models, rollout, metrics). Only the app itself and ``soak`` (the app, offscreen) import Qt, so the
other subcommands run on machines without a display."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys

from core.errors import HairTintError
from core.frames import DEFAULT_INTENSITY, DEFAULT_SHINE
from core.catalog.palette import DEFAULT_SHADE

SUBCOMMANDS = ("recolor", "eval", "eval-video", "bench", "soak", "train", "models", "rollout", "metrics", "gui")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, got {text!r}") from None
    if w < 16 or h < 16:
        raise argparse.ArgumentTypeError("size must be at least 16x16")
    return w, h


def _percent(name: str):
    """An argparse type for a whole number 0-100, with ``name`` in its messages."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number between 0 and 100, got {text!r}") from None
        if not 0 <= value <= 100:
            raise argparse.ArgumentTypeError(f"{name} must be between 0 and 100")
        return value

    parse.__name__ = name
    return parse


_intensity = _percent("intensity")


def _number(cast, low, high=None, kind: str = "a whole number"):
    """An argparse type for a number from ``low`` (to ``high``), refused with a message otherwise."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {value}")
        return value

    return parse


_positive = _number(int, 1)
TRUST_HELP = "run a model named by path although no checksum vouches for it (see README: Models named by path)"
_share = _number(float, 0.05, 1.0, "a number")
_input_size = _number(int, 16, 2048)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hairtint", description="Live hair-colour try-on.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more, MediaPipe's own messages included")
    parser.add_argument("--version", action="version", version=f"hairtint {version()}")
    parser.add_argument("--self-test", action="store_true", help="check the models, run frames through the "
                        "pipeline, look for a camera; print a report and exit 0 (all well) or 1")
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser("gui", help="open the app (the default when no subcommand is given)")
    gui.add_argument("--source", help="PATH (photo, folder, video) or camera:N; default: the configured camera")
    gui.add_argument("--kiosk", action="store_true", help="fullscreen, touch, locked settings")
    gui.add_argument("--screenshot", metavar="OUT.png", help="save a screenshot after the first frame, then exit")
    gui.add_argument("--config", metavar="FILE", help="settings file (default: the user's config folder)")
    gui.add_argument("--size", type=_size, metavar="WxH", help="window size in pixels (default: 1180x760, or full "
                     "screen with --kiosk); e.g. to take --screenshot of a layout")
    gui.add_argument("--trust-unverified", action="store_true", help=TRUST_HELP)

    recolor = sub.add_parser("recolor", help="recolour the hair in photos")
    recolor.add_argument("inputs", nargs="+", metavar="INPUT", help="photos or folders of photos")
    recolor.add_argument("-o", "--out", required=True, help="output folder (or a file name for a single photo)")
    recolor.add_argument("--color", help=f"shade name or #rrggbb (default: {DEFAULT_SHADE})")
    recolor.add_argument("--intensity", type=_intensity, default=DEFAULT_INTENSITY,
                         help=f"0-100 (default {DEFAULT_INTENSITY})")
    recolor.add_argument("--shine", type=_percent("shine"), default=DEFAULT_SHINE,
                         help=f"gloss on the brightest strands, 0-100 (default {DEFAULT_SHINE})")
    recolor.add_argument("--tips", metavar="SHADE", help="ombre: the colour of the tips, a shade name or #rrggbb; "
                         "'none' for one colour (default: the look's own tips, if it is a two-tone look)")
    recolor.add_argument("--model", help="registry id or model file (default: what the settings select); a file is "
                         "checked against a checksum: a registered model's, or FILE.sha256 beside it")
    recolor.add_argument("--trust-unverified", action="store_true", help=TRUST_HELP)
    recolor.add_argument("--palette", help="a user palette file adding shades")
    recolor.add_argument("--config", metavar="FILE", help="settings file (model, rollout, palette)")

    ev = sub.add_parser("eval", help="measure mask quality on labelled photos")
    ev.add_argument("--data", nargs="+", required=True, metavar="DIR", help="set folders (images/, masks/) or folders of sets")
    ev.add_argument("--split", help="file of stems to use, e.g. val.txt (looked up in each set if not a path)")
    ev.add_argument("--model", action="append", metavar="ID|PATH", help="repeat to compare; default: the stable model")
    ev.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    ev.add_argument("--report", metavar="DIR", help="write an HTML page of the worst cases")
    ev.add_argument("--limit", type=_positive, help="use only the first N photos of each set (quick checks)")
    _mask_orientation(ev)
    ev.add_argument("--far", type=_share, metavar="SHARE",
                    help="shrink each photo to SHARE (0-1] of a 640x480 frame's width, as a head far from the "
                         "camera, and also score each model behind the pipeline's head crop")
    ev.add_argument("--mirror", action="store_true",
                    help="also score each model as the still pipeline segments a photo: averaged with its mirror image")
    ev.add_argument("--true-masks-at", type=_input_size, metavar="N",
                    help="also score the pipeline fed each photo's true mask at an N x N input: the best edge "
                         "figures any model of that input size could reach")
    ev.add_argument("--hard-cases", metavar="FILE",
                    help="also score each model on the photos a CSV file lists (set, stem, kind, note), by kind: "
                         "IoU and the share of what it calls hair that is not (docs/models/hard-cases.csv)")

    video = sub.add_parser("eval-video", help="measure mask flicker and tracking on clips made from labelled photos")
    video.add_argument("--data", nargs="+", required=True, metavar="DIR", help="set folders (images/, masks/) or folders of sets")
    video.add_argument("--split", help="file of stems to use, e.g. val.txt (looked up in each set if not a path)")
    video.add_argument("--model", action="append", metavar="ID|PATH", help="repeat to compare; default: the stable model")
    video.add_argument("--limit", type=_positive, help="use only the first N photos of each set")
    _mask_orientation(video)
    video.add_argument("--frames", type=_positive, default=30, help="frames per clip (default 30, at 30 fps)")
    video.add_argument("--json", metavar="FILE", help="write the figures as JSON")

    bench = sub.add_parser("bench", help="time the whole pipeline headless")
    bench.add_argument("--source", default="synthetic", help="FILE (photo or video) or synthetic")
    bench.add_argument("--frames", type=_positive, default=300)
    bench.add_argument("--size", type=_size, default=(640, 480), help="WxH (default 640x480)")
    bench.add_argument("--model", help="registry id or model file (default: what the settings select)")
    bench.add_argument("--trust-unverified", action="store_true", help=TRUST_HELP)
    bench.add_argument("--config", metavar="FILE", help="settings file (model, rollout)")
    bench.add_argument("--json", nargs="?", const="-", metavar="FILE",
                       help="print the report as JSON instead of a table (to FILE when given)")
    bench.add_argument("--soak", type=_positive, metavar="N", help="run N frames and report resident memory over "
                       "time (sampled every --every frames) and its growth")
    bench.add_argument("--every", type=_positive, metavar="K", help="with --soak: sample memory every K frames "
                       "(default: N/20)")

    soak = sub.add_parser("soak", help="run the app itself (window, worker, overlay) headless on the demo clip "
                          "for a while and report its memory, frames and problems over time")
    soak.add_argument("--minutes", type=_number(float, 0.001, kind="a number"), help="how long to run after the "
                      "warm-up frames")
    soak.add_argument("--frames", type=_positive, help="stop after this many frames shown (with --minutes: "
                      "whichever comes first)")
    soak.add_argument("--every", type=_number(float, 0.1, kind="a number"), metavar="SECONDS",
                      help="sample memory every this many seconds (default: the run's length / 20)")
    soak.add_argument("--source", default="synthetic", help="what to show (default: the demo clip, synthetic; "
                      "synthetic:WxH for another size)")
    soak.add_argument("--config", metavar="FILE", help="settings file (default: the user's); it is not written "
                      "during the soak")
    soak.add_argument("--size", type=_size, metavar="WxH", help="window size in pixels (default 1180x760)")
    soak.add_argument("--json", nargs="?", const="-", metavar="FILE",
                      help="print the report as JSON instead of a table (to FILE when given, at the end)")

    train = sub.add_parser("train", help="train a hair model and export it for MediaPipe (needs the 'train' extra)")
    train.add_argument("--data", nargs="+", required=True, metavar="DIR|PACK",
                       help="sets with train.txt / val.txt, folders of sets, or .npz packs made with --pack-to")
    train.add_argument("--out", metavar="DIR", help="where checkpoints, curves and the .tflite go")
    train.add_argument("--arch", default="hairnet", help="hairnet (1.0.0's), hairnet2, hairnet-hq, or hairnet-e0 "
                       "(an ImageNet-pretrained EfficientNet-Lite0 encoder)")
    train.add_argument("--epochs", type=int, help="default 50 (what hairnet 1.0.0 got); with --resume, a new length for the run")
    train.add_argument("--minutes", type=float, help="train for this long instead (the schedule follows the clock)")
    train.add_argument("--size", type=int, default=192, help="square training and model input size")
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=3e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="auto", help="auto, cpu or cuda")
    train.add_argument("--resume", action="store_true", help="carry on from OUT/checkpoint.pt")
    train.add_argument("--max-steps", type=int, help="stop after this many steps (smoke runs)")
    train.add_argument("--name", default="hairnet", help="model id: the exported .tflite's name and the registry id")
    train.add_argument("--version", default="0.1.0", help="version written into the model card (default 0.1.0)")
    train.add_argument("--no-export", action="store_true", help="skip the TFLite export")
    train.add_argument("--export-size", type=int, metavar="N",
                       help="export for an N x N input (default: --size; the net is fully convolutional)")
    train.add_argument("--val-every", type=int, default=10, help="validate every N epochs (and at the end)")
    train.add_argument("--quiet", action="store_true", help="no progress bars (log lines per epoch only)")
    train.add_argument("--pack-to", metavar="FILE.npz", help="only pack --data's photos into one file to train from elsewhere")
    train.add_argument("--pack-longest", type=int, default=384, help="longest photo side in the pack (default 384)")
    train.add_argument("--pack-quality", type=int, default=90, help="JPEG quality of the packed photos (default 90)")
    train.add_argument("--pack-splits", nargs="+", default=["train", "val"], choices=["train", "val"],
                       help="which splits to pack (default both)")
    train.add_argument("--pack-teacher", metavar="MODEL", nargs="+",
                       help="also store this model's hair probability for each packed photo, to --distill from "
                            "(several: their mean)")
    train.add_argument("--pack-teacher-mirror", action="store_true",
                       help="the teacher's answer for a photo is its mean over the photo and its mirror image")
    train.add_argument("--distill", type=float, default=0.0, metavar="W",
                       help="weight of a loss towards the pack's teacher probabilities (0: none)")
    train.add_argument("--edge-weight", type=float, default=4.0,
                       help="extra loss weight on the band round the true hair boundary (default 4)")
    train.add_argument("--hard-negatives", type=int, default=1, metavar="K",
                       help="see each hard-negative photo (where the pack's teacher calls non-hair hair) K times an "
                            "epoch, and follow the teacher only where it agrees with the truth (default 1: off)")
    train.add_argument("--augment", choices=("full", "geometry"), default="full",
                       help="full: geometry and camera faults; geometry: zoom, rotation and crops only")

    models = sub.add_parser("models", help="list, verify, add or quantize models")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    models_sub.add_parser("list")
    models_sub.add_parser("verify")
    add = models_sub.add_parser("add", help="register a trained model: RUN_DIR holds model_card.json and its .tflite")
    add.add_argument("run_dir", metavar="RUN_DIR", help="a `hairtint train --out` folder")
    add.add_argument("--stage", choices=("experimental", "stable"), help="default: the card's (experimental)")
    add.add_argument("--version", help="default: the card's")
    quant = models_sub.add_parser("quantize", help="make an int8 copy of a model, calibrated on training photos, "
                                  "for `models add` (needs the 'train' extra)")
    quant.add_argument("model", metavar="MODEL", help="registry id, id@version or .tflite")
    quant.add_argument("--data", nargs="+", required=True, metavar="DIR", help="sets with train.txt, or folders of sets")
    quant.add_argument("--out", required=True, metavar="DIR", help="where the .tflite and its model card go")
    quant.add_argument("--name", help="model id of the copy (default: the model's own)")
    quant.add_argument("--version", default="0.1.0", help="version written into the model card (default 0.1.0)")
    _fleet_parsers(sub)
    return parser


def _mask_orientation(parser) -> None:
    from core.io.datasets import MASK_ORIENTATIONS

    parser.add_argument("--mask-orientation", choices=MASK_ORIENTATIONS,
                        help="how the masks of photos turned by their EXIF tag were drawn, where a mask's shape "
                             "cannot tell: upright (on the photo as shown) or stored (on the file's pixels)")


def _fleet_parsers(sub) -> None:
    from core.catalog.config import ROLLOUT_STAGES

    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", metavar="FILE", help="settings file (default: the user's); the rollout state "
                        "file is beside it")
    rollout = sub.add_parser("rollout", help="this installation's rollout stage, model and rollback")
    rollout_sub = rollout.add_subparsers(dest="rollout_command", required=True)
    status = rollout_sub.add_parser("status", parents=[config], help="stage, installation id, bucket, the model "
                                    "it runs and why, and any rollback")
    status.add_argument("--json", action="store_true", help="print it as JSON")
    stage = rollout_sub.add_parser("set", parents=[config], help="write the rollout stage to the settings file")
    stage.add_argument("stage", choices=tuple(ROLLOUT_STAGES), metavar="STAGE", help=", ".join(ROLLOUT_STAGES))
    rollout_sub.add_parser("reset", parents=[config], help="clear a rollback: the stage decides the model again")
    back = rollout_sub.add_parser("rollback", parents=[config], help="hold this installation on the stable model "
                                  "(as an automatic rollback does) until `hairtint rollout reset`")
    back.add_argument("--reason", default="rolled back by hand", help="recorded with the rollback")

    metrics = sub.add_parser("metrics", parents=[config], help="print the metrics: the running app's when it "
                             "serves them (metrics.port), else this installation's")
    metrics.add_argument("--url", help="read them from this address, e.g. http://127.0.0.1:9464/metrics")
    metrics.add_argument("--prometheus", action="store_true", help="print the Prometheus text itself")


def version() -> str:
    try:
        from importlib.metadata import version as installed

        return installed("hairtint")
    except Exception:  # run from a source tree that was never installed
        return "unknown"


GLOBAL_FLAGS = ("-v", "--verbose")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "--probe-model":  # the child that first loads a model (a bundle)
        from core.stages.segment.model_probe import child_main

        return child_main(argv[1])
    first = next((i for i, a in enumerate(argv) if a not in GLOBAL_FLAGS), len(argv))  # after -v
    if first == len(argv) or (argv[first] not in SUBCOMMANDS and argv[first] not in ("-h", "--help", "--version", "--self-test")):
        argv.insert(first, "gui")
    args = build_parser().parse_args(argv)
    if not args.verbose:
        from hairtint_desktop.quiet import quiet_python_warnings

        quiet_python_warnings()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from hairtint_desktop import commands, fleet_commands

    handler = {"gui": commands.gui, "recolor": commands.recolor, "eval": commands.evaluate,
               "eval-video": commands.evaluate_video, "bench": commands.bench, "soak": commands.soak,
               "train": commands.train, "models": commands.models, "rollout": fleet_commands.rollout,
               "metrics": fleet_commands.metrics}.get(args.command or "gui")
    if getattr(args, "self_test", False):
        handler = commands.self_test
    from hairtint_desktop import terminal

    # the window's event loop takes its own stop signals (app.on_stop_signals): the app and its soak
    windowed = handler in (commands.gui, commands.soak)
    try:
        with contextlib.nullcontext() if windowed else terminal.stop_on_signals():
            code = handler(args)
            terminal.flush_stdout()
        return code
    except HairTintError as exc:
        terminal.say(f"hairtint: {exc}")
        return 2
    except terminal.Terminated as stop:
        terminal.mute(sys.stdout)  # a line a stalled reader never took is dropped: the stop comes first
        terminal.say(f"hairtint: {stop}; finished results are kept, nothing half-written is left")
        return stop.exit_code
    except BrokenPipeError:
        terminal.mute(sys.stdout)
        terminal.say("hairtint: stopped: the output was closed (broken pipe); finished results are kept")
        return terminal.PIPE_CLOSED
    except KeyboardInterrupt:
        terminal.say("hairtint: stopped")
        return 130


def print_json(data: dict) -> None:
    print(json.dumps(data, indent=2))


def run() -> int:
    """The ``hairtint`` command: :func:`main`, with MediaPipe's native log lines kept off the terminal
    unless ``-v`` is given, and the standard streams made safe for a closed pipe, an ASCII terminal and
    closed descriptors (:func:`hairtint_desktop.terminal.prepare_standard_streams`)."""
    from hairtint_desktop.terminal import prepare_standard_streams

    prepare_standard_streams()
    if not any(a in GLOBAL_FLAGS for a in sys.argv[1:]):
        from hairtint_desktop.quiet import quiet_native_logs

        quiet_native_logs()
    try:
        return main()
    except BrokenPipeError:  # argparse's --help / --version to a closed pipe
        from hairtint_desktop.terminal import PIPE_CLOSED, mute

        mute(sys.stdout)
        return PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(run())
