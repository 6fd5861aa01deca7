"""``hairtint gui``: the app itself (the default when no subcommand is given)."""

from __future__ import annotations

from hairtint_desktop.commands.registry import command, option
from hairtint_desktop.commands.shared import TRUST, size


@command("gui", "open the app (the default when no subcommand is given)",
         option("--source", help="PATH (photo, folder, video) or camera:N; default: the configured camera"),
         option("--kiosk", action="store_true", help="fullscreen, touch, locked settings"),
         option("--screenshot", metavar="OUT.png", help="save a screenshot after the first frame, then exit"),
         option("--config", metavar="FILE", help="settings file (default: the user's config folder)"),
         option("--size", type=size, metavar="WxH", help="window size in pixels (default: 1180x760, or full "
                "screen with --kiosk); e.g. to take --screenshot of a layout"),
         TRUST,
         windowed=True)
def gui(args) -> int:
    from hairtint_desktop.app import run_gui  # lazy: the window, Qt and OpenCV, off `hairtint --help`

    return run_gui(source=getattr(args, "source", None), kiosk=getattr(args, "kiosk", False),
                   screenshot=getattr(args, "screenshot", None), settings_path=getattr(args, "config", None),
                   size=getattr(args, "size", None), trust_unverified=getattr(args, "trust_unverified", False))
