"""``hairtint``: the live app by default, and the headless subcommands (recolor, eval, eval-video, bench,
soak, train, models, rollout, metrics). Only the app itself and ``soak`` (the app, offscreen) import Qt, so the
other subcommands run on machines without a display."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from importlib.metadata import version as installed

from core.errors import HairTintError
from hairtint_desktop import terminal
from hairtint_desktop.commands import Command, add_to, top_level
from hairtint_desktop.commands.registry import COMMANDS, Option, Run, option
from hairtint_desktop.quiet import quiet_native_logs, quiet_python_warnings
from hairtint_desktop.terminal import PIPE_CLOSED, mute, prepare_standard_streams

SUBCOMMANDS = top_level()
VERBOSE = option("-v", "--verbose", action="store_true", help="log more, MediaPipe's own messages included")


def build_parser() -> argparse.ArgumentParser:
    """``hairtint``'s own options, and every registered command (:mod:`hairtint_desktop.commands`)."""
    parser = argparse.ArgumentParser(prog="hairtint", description="Live hair-colour try-on.")
    VERBOSE.add_to(parser)
    parser.add_argument("--version", action="version", version=f"hairtint {version()}")
    parser.add_argument("--self-test", action="store_true", help="check the models, run frames through the "
                        "pipeline, look for a camera; print a report and exit 0 (all well) or 1")
    add_to(parser.add_subparsers(dest="command"), common=(VERBOSE,))  # -v anywhere: `hairtint --kiosk -v`
    _list_app_options(parser)
    return parser


def _list_app_options(parser: argparse.ArgumentParser) -> None:
    """The app's options (``hairtint gui``'s, the command ``hairtint [options]`` runs) shown in ``hairtint
    --help`` beside the subcommands. Listed only: main() puts ``gui`` before them, so its parser reads them."""
    app = parser.add_argument_group("the app's options (hairtint [options] is hairtint gui [options])")
    for each in COMMANDS["gui"].options:
        if isinstance(each, Option):
            app.add_argument(*each.flags, **{**each.settings, "default": argparse.SUPPRESS})


def self_test(args: argparse.Namespace) -> int:
    """``hairtint --self-test``."""
    from core.tools.selftest import run_self_test  # lazy: numpy and the stages, off `hairtint --help`

    result = run_self_test()
    print(result.table())
    return 1 if result.failed else 0


def version() -> str:
    try:
        return installed("hairtint")
    except Exception:  # noqa: BLE001  run from a source tree that was never installed
        return "unknown"


GLOBAL_FLAGS = VERBOSE.flags


def misplaced_app_option(argv: list[str]) -> str | None:
    """Why ``argv`` gives one of the app's options (``--kiosk``, ``--source`` ...) where it means nothing:
    before ``--self-test`` or a subcommand (``hairtint --kiosk recolor``), or after ``--self-test``. None
    when it does not. An option's value is skipped, so ``--source models`` names a folder."""
    app = [each for each in COMMANDS["gui"].options if isinstance(each, Option) and each.flags[0].startswith("-")]
    takes_value = {flag for each in app if each.settings.get("action") not in ("store_true", "store_false")
                   for flag in each.flags}
    flags = {flag for each in app for flag in each.flags}
    given, i = None, 0
    while i < len(argv):
        word = argv[i]
        name = word.split("=", 1)[0]
        if name in flags:
            given = given or name
            i += 2 if name in takes_value and "=" not in word else 1
            continue
        if word == "--self-test" or (word in SUBCOMMANDS and word != "gui"):
            rest = [a.split("=", 1)[0] for a in argv[i + 1:]] if word == "--self-test" else []
            given = given or next((a for a in rest if a in flags), None)
            return None if given is None else (f"{given} is an option of the app (hairtint [options]); "
                                               f"it means nothing with {word}")
        if word in ("gui", "--"):
            return None
        i += 1
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "--probe-model":  # the child that first loads a model (a bundle)
        from core.stages.segment.model_probe import child_main  # lazy: MediaPipe and OpenCV, in the probe's child only

        return child_main(argv[1])
    misplaced = misplaced_app_option(argv)
    if misplaced is not None:
        terminal.say(f"hairtint: {misplaced}")
        return 2
    first = next((i for i, a in enumerate(argv) if a not in GLOBAL_FLAGS), len(argv))  # after -v
    if first == len(argv) or (argv[first] not in SUBCOMMANDS and argv[first] not in ("-h", "--help", "--version", "--self-test")):
        argv.insert(first, "gui")
    args = build_parser().parse_args(argv)
    if not args.verbose:
        quiet_python_warnings()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("core.fleet.monitor").setLevel(logging.INFO)  # the model loaded and its assignment, rollbacks:
    # what a kiosk's journal needs from every start, --verbose or not (a few lines, no customer data)
    handler: Run
    if args.self_test:
        handler, windowed = self_test, False
    else:  # the window's event loop takes its own stop signals (app.on_stop_signals): the app and its soak
        chosen: Command = args.chosen
        assert chosen.run is not None, "a group is never chosen: its subcommand is"
        handler, windowed = chosen.run, chosen.windowed
    try:
        with contextlib.nullcontext() if windowed else terminal.stop_on_signals():
            code = handler(args)
            terminal.flush_stdout()
        if windowed:  # the window has closed and its worker has stopped: the process ends here
            terminal.end_process(code)
        return code
    except HairTintError as exc:
        terminal.say(f"hairtint: {exc}")
        return 2
    except terminal.Terminated as stop:
        terminal.mute(sys.stdout)  # a line a stalled reader never took is dropped: the stop comes first
        terminal.say(f"hairtint: {stop}; finished results are kept, nothing half-written is left")
        return stop.exit_code
    except KeyboardInterrupt:
        terminal.say("hairtint: stopped")
        return 130


def run() -> int:
    """The ``hairtint`` command: :func:`main`, with MediaPipe's native log lines kept off the terminal
    unless ``-v`` is given, and the standard streams made safe for a closed pipe, an ASCII terminal and
    closed descriptors (:func:`hairtint_desktop.terminal.prepare_standard_streams`).

    A reader of stdout that went away (``hairtint rollout status | head -2``) ends the command quietly, as
    SIGPIPE ends other Unix tools: no message, exit 141; a command's own clean-up (a half-written file
    removed) has run on the way out."""
    prepare_standard_streams()
    if not any(a in GLOBAL_FLAGS for a in sys.argv[1:]):
        quiet_native_logs()
    try:
        return main()
    except BrokenPipeError:  # the one place a closed pipe is handled (argparse's --help / --version too)
        mute(sys.stdout)
        return PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(run())
