"""What the window does when the settings change, decided without widgets: which parts to rebuild and
whether the source must be reopened. The window carries the plan out."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.config import Settings
from core.io.source_spec import camera_spec, parse_spec
from core.tryon.session import SettingsChange


@dataclass(frozen=True)
class SettingsPlan:
    palette: bool = False  # reload the shade grid and tips picker
    overlay: bool = False  # show or hide the statistics overlay
    opener: bool = False  # cameras open at a new resolution
    model: bool = False  # hand the worker a new pipeline factory (it rebuilds on the same source)
    reopen: str | None = None  # open this source spec


def plan_settings(change: SettingsChange, new: Settings, current_spec: str | None, *,
                  reopen_camera: bool = False) -> SettingsPlan:
    """``current_spec``: the source open now (None: none). ``reopen_camera``: the person picked a camera
    in the camera chooser, so open it even if nothing changed."""
    on_camera = current_spec is not None and parse_spec(current_spec).is_camera
    reopen = None
    if reopen_camera or (change.camera and on_camera):
        reopen = camera_spec(new.camera_index).text
    return SettingsPlan(palette=change.palette, overlay=change.overlay, opener=change.resolution,
                        model=change.model, reopen=reopen)


__all__ = ["SettingsPlan", "plan_settings"]
