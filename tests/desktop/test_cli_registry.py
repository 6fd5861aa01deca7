"""Each ``hairtint`` command is registered once, beside its code (hairtint_desktop.commands.registry)."""

from __future__ import annotations

import pytest

from hairtint_desktop.cli import SUBCOMMANDS, build_parser
from hairtint_desktop.commands import COMMANDS
from hairtint_desktop.commands.registry import command


def test_every_registered_command_is_on_the_command_line_with_its_function():
    parser = build_parser()
    for name, entry in COMMANDS.items():
        if entry.run is None:  # a group: its subcommands are below it
            continue
        args = parser.parse_args([*name.split(" "), *_required(name)])
        assert args.chosen is entry and entry.run.__module__.startswith("hairtint_desktop.commands.")
    assert set(SUBCOMMANDS) == {"gui", "recolor", "eval", "eval-video", "bench", "soak", "train", "models",
                                "rollout", "metrics"}


def test_a_name_registered_twice_or_under_no_group_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        command("bench", "again")(lambda args: 0)
    with pytest.raises(ValueError, match="register the group"):
        command("nothing here", "a subcommand of no group")(lambda args: 0)
    assert "nothing here" not in COMMANDS


def _required(name: str) -> list[str]:
    """The least each command needs to parse."""
    return {"recolor": ["photo.jpg", "-o", "out"], "eval": ["--data", "set"], "eval-video": ["--data", "set"],
            "train": ["--data", "set"], "models add": ["run"], "models quantize": ["m", "--data", "d", "--out", "o"],
            "rollout set": ["disabled"]}.get(name, [])
