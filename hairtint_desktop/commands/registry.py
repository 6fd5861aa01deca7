"""Where each ``hairtint`` subcommand is registered, once, beside its code: ``@command(name, help, *options)``
over the function that runs it. ``name`` is one word, or two for a subcommand of a :func:`group`
(``"models add"``); each option is an :func:`option` (argparse's ``add_argument`` arguments) or a function
that adds options to the parser itself (where their choices are worked out only when the parser is
made). :func:`add_to` turns :data:`COMMANDS` into argparse subparsers, in the order of registration."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    settings: dict

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.settings)


def option(*flags: str, **settings) -> Option:
    """One option or positional argument, as ``parser.add_argument(*flags, **settings)`` takes it."""
    return Option(flags, settings)


@dataclass(frozen=True)
class Command:
    """``run`` is None for a group (``models``, ``rollout``), whose subcommands are registered under
    ``name + " " + sub``; ``dest`` names the argument that holds the chosen subcommand. ``windowed``:
    the command runs the window's event loop, which takes its own stop signals."""

    name: str
    help: str | None
    options: tuple = ()
    run: Run | None = None
    dest: str | None = None
    windowed: bool = False
    parser_settings: dict = field(default_factory=dict)


COMMANDS: dict[str, Command] = {}


def _register(entry: Command) -> None:
    if entry.name in COMMANDS:
        raise ValueError(f"hairtint {entry.name} is registered twice")
    parent = entry.name.rpartition(" ")[0]
    if parent and (parent not in COMMANDS or COMMANDS[parent].run is not None):
        raise ValueError(f"hairtint {entry.name}: register the group {parent!r} first")
    COMMANDS[entry.name] = entry


def command(name: str, help: str | None, *options, windowed: bool = False, **parser_settings) -> Callable[[Run], Run]:
    """Register the decorated function as ``hairtint NAME``, with ``help`` (None: none listed) and its options."""

    def register(run: Run) -> Run:
        _register(Command(name, help, options, run, windowed=windowed, parser_settings=parser_settings))
        return run

    return register


def group(name: str, help: str, dest: str) -> None:
    """Register ``hairtint NAME``, whose own subcommands (one required) are registered as ``"NAME SUB"``."""
    _register(Command(name, help, dest=dest))


def add_to(subparsers, common: tuple[Option, ...] = ()) -> None:
    """Add every registered command to ``subparsers`` (the top level's), groups with their own; ``common``:
    options every command takes too, anywhere on its line (``-v``), that leave what the top level read
    as it is when not given."""
    levels = {"": subparsers}
    for entry in COMMANDS.values():
        parent, _, word = entry.name.rpartition(" ")
        settings = dict(entry.parser_settings)
        if entry.help is not None:
            settings["help"] = entry.help
        parser = levels[parent].add_parser(word, **settings)
        for shared in common:
            parser.add_argument(*shared.flags, **{**shared.settings, "default": argparse.SUPPRESS})
        for each in entry.options:
            if isinstance(each, Option):
                each.add_to(parser)
            else:
                each(parser)
        if entry.run is None:
            levels[entry.name] = parser.add_subparsers(dest=entry.dest, required=True)
        else:
            parser.set_defaults(chosen=entry)


def top_level() -> tuple[str, ...]:
    """The names ``hairtint`` takes first (``gui``, ``recolor``, ``models``, ...)."""
    return tuple(name for name in COMMANDS if " " not in name)
