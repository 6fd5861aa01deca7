"""The subcommands behind ``hairtint``, one module per kind of work. Each command is registered once,
beside its code, with ``@command`` (:mod:`.registry`): its name, help and options; importing this package
registers them all, in the order ``hairtint --help`` lists them. A command parses nothing and decides
nothing of its own: it calls ``core`` (or ``training``), shows progress and prints what came out."""

from hairtint_desktop.commands import evaluation, fleet, gui, models, photos, timing  # noqa: F401  (the order of --help)
from hairtint_desktop.commands.registry import COMMANDS, Command, add_to, top_level

__all__ = ["COMMANDS", "Command", "add_to", "top_level"]
