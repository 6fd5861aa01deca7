"""What several commands share: the argument types (each refuses a bad value with a message, exit 2),
the options more than one command takes, the session a command runs in, and how a report is printed."""

from __future__ import annotations

import argparse

from core.io.outputs import check_output_file, check_output_folder, figures_json, write_text
from hairtint_desktop.commands.registry import option

TRUST_HELP = "run a model named by path although no checksum vouches for it (see docs/LIMITS.md: Models named by path)"
TRUST = option("--trust-unverified", action="store_true", help=TRUST_HELP)
DATA_HELP = "set folders (images/, masks/) or folders of sets"
SPLIT = option("--split", help="file of stems to use, e.g. val.txt (looked up in each set if not a path)")
MODELS_COMPARED = option("--model", action="append", metavar="ID|PATH",
                         help="repeat to compare; default: the stable model")


def size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, got {text!r}") from None
    if w < 16 or h < 16:
        raise argparse.ArgumentTypeError("size must be at least 16x16")
    return w, h



def percent(name: str):
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


def number(cast, low, high=None, kind: str = "a whole number"):
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


positive = number(int, 1)


def mask_orientation(parser) -> None:
    """``--mask-orientation``, its choices read from core.io.datasets when the parser is made."""
    from core.io.datasets import MASK_ORIENTATIONS  # lazy: OpenCV, off `hairtint --help`

    parser.add_argument("--mask-orientation", choices=MASK_ORIENTATIONS,
                        help="how the masks of photos turned by their EXIF tag were drawn, where a mask's shape "
                             "cannot tell: upright (on the photo as shown) or stored (on the file's pixels)")


def session(args, palette_file: str | None = None):
    """The Session the command runs in: the settings file (``--config``, else the user's), plus a
    palette file given on the command line."""
    from core.tryon.session import Session  # lazy: Pillow (through the session's specs), off `hairtint --help`

    return Session.load(getattr(args, "config", None), trust_unverified=getattr(args, "trust_unverified", False)
                        ).with_palette_file(palette_file)


def check_outputs(args) -> None:
    """``--json FILE`` and ``--report DIR`` checked before any work starts (OutputError: exit 2)."""
    if getattr(args, "json", None) not in (None, "-"):
        check_output_file(args.json, "JSON file")
    if getattr(args, "report", None) is not None:
        check_output_folder(args.report, "report folder")


def print_report(report, json_to: str | None) -> None:
    """A report's ``table()`` on stdout; with ``--json -`` its ``to_json()`` instead, with ``--json FILE``
    the JSON written too."""
    if json_to == "-":
        print(figures_json(report.to_json()))
        return
    if json_to is not None:
        write_text(json_to, figures_json(report.to_json()))
    print(report.table())
    if json_to is not None:
        print(f"JSON written to {json_to}")
