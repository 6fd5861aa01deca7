"""What the command line and the app share, in one Qt-free object: the settings and what follows from
them -- which model runs (explicit, else an experimental model whose rollout includes this
installation and that was not rolled back, else the default stable one; see ``core.catalog.rollout``), the palette, the starting look, how a source spec opens,
snapshot names. (What a kiosk's idle reset forgets is ``core.tryon.state``'s.)

Both ``hairtint recolor``/``bench`` and the window are built from a :class:`Session`, so the same
settings give the same model everywhere. The registry is read once per session."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.catalog.config import Settings, read_settings, save_settings, settings_path
from core.catalog.fleet_policy import load_policy
from core.catalog.palette import (
    default_index,
    default_palette,
    load_palette,
    merge_palettes,
    resolve_color,
    resolve_tips,
)
from core.catalog.registry import Registry
from core.catalog.rollout import Assignment, assign, effective_stage
from core.catalog.rollout_state import read_rollback, state_path
from core.errors import HairTintError, ModelError
from core.frames import DEFAULT_INTENSITY, DEFAULT_SHINE, Look, RunningMode, Shade
from core.io.naming import snapshot_path
from core.io.source_spec import SourceSpec, camera_spec, parse_spec

if TYPE_CHECKING:  # core.pipeline.pipeline (OpenCV) is imported when a pipeline is built, not with the session
    from core.io.sources import Source
    from core.pipeline.pipeline import PipelineFactory

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class SettingsChange:
    """What differs between two Settings, as the app acts on it."""

    palette: bool = False
    overlay: bool = False
    model: bool = False  # model, rollout or beard: the pipeline must be rebuilt
    camera: bool = False  # camera index or resolution
    resolution: bool = False

    @classmethod
    def between(cls, old: Settings, new: Settings) -> SettingsChange:
        return cls(
            palette=old.palette_file != new.palette_file,
            overlay=old.overlay != new.overlay,
            model=(old.model, old.rollout_stage, old.colour_beard) != (new.model, new.rollout_stage, new.colour_beard),
            camera=(old.camera_index, old.resolution) != (new.camera_index, new.resolution),
            resolution=old.resolution != new.resolution,
        )


class Session:
    """The settings (``settings``; replaced with :meth:`update`), the palette they give, and the
    factories the live view needs. ``palette``: the shades the palette file adds to (default: the
    built-in ones). ``registry`` is for tests; by default it is read once, when a model is first chosen."""

    def __init__(self, settings: Settings | None = None, *, settings_path: str | os.PathLike | None = None,
                 registry=None, palette: list[Shade] | None = None, warnings: list[str] | tuple[str, ...] = (),
                 kiosk: bool = False, trust_unverified: bool = False):
        self.settings = settings or Settings()
        self.kiosk = kiosk  # a kiosk runs registered (checksummed) models only
        # a model named by path runs only when its checksum is known (Registry.with_checksum), unless this is set
        self.trust_unverified = trust_unverified
        self.settings_path = settings_path
        self.warnings = list(warnings)
        self._registry = registry
        self._base_palette = palette
        self.palette_warning: str | None = None
        self.palette: list[Shade] = self._load_palette()

    @classmethod
    def load(cls, settings_path: str | os.PathLike | None = None, **kw) -> Session:
        """Read the settings file (problems become ``warnings``, never an exception)."""
        settings, warnings = read_settings(settings_path)
        for message in warnings:
            log.warning("%s", message)
        return cls(settings, settings_path=settings_path, warnings=warnings, **kw)

    # ---- settings ---------------------------------------------------------------------------------
    def update(self, new: Settings) -> SettingsChange:
        """Take ``new`` settings; the palette is re-read when its file changed."""
        change = SettingsChange.between(self.settings, new)
        self.settings = new
        if change.palette:
            self.palette = self._load_palette()
        return change

    def save(self) -> Path:
        return save_settings(self.settings, self.settings_path)

    @property
    def settings_file(self) -> Path:
        return settings_path(self.settings_path)

    # ---- the model ----------------------------------------------------------------------------------
    @property
    def registry(self):
        if self._registry is None:
            from core.catalog.registry_file import registry_path  # at the call: tests move registry_path

            self._registry = Registry.load(registry_path())
        return self._registry

    @property
    def state_file(self) -> Path:
        """The rollout state file (a rollback, when there was one), beside the settings file."""
        return state_path(self.settings_path)

    def assignment(self, model: str | None = None, settings: Settings | None = None, environ=None, held=None,
                   policy=None):
        """What this installation runs and why (a ``core.catalog.rollout.Assignment``): ``model`` (an id,
        ``id@version`` or a file) when given, else what the settings, the fleet policy (``policy``, else the
        file read now), the rollout stage and a recorded rollback (or ``held``, one not written) select."""
        s = settings or self.settings
        policy = load_policy(s.fleet_policy, environ).policy if policy is None else policy
        stage = effective_stage(s.rollout_stage, environ, policy)
        if stage.warning:
            log.warning("%s", stage.warning)
        chosen = assign(self.registry, install_id=s.install_id or "", stage=stage, requested=model or s.model,
                        held=held or read_rollback(self.state_file), policy=policy)
        if self.kiosk and not chosen.entry.registered:
            raise ModelError(f"kiosk mode runs registered models only (their files are checked against a "
                             f"checksum); {chosen.entry.file} is named by path and unverified: register it with "
                             "`hairtint models add`, or name a registered model")
        if not chosen.entry.registered:
            try:
                chosen = replace(chosen, entry=self.registry.with_checksum(chosen.entry))
            except ModelError:
                if not self.trust_unverified:
                    raise
                log.warning("running %s unverified (--trust-unverified): no checksum to check it against",
                            chosen.entry.file)
        return chosen

    def fallback_assignment(self, entry, reason: str, chosen=None, environ=None):
        """What this installation runs when the model chosen (``chosen``, an Assignment, or None when
        none could be chosen) cannot run and the stable ``entry`` runs instead, ``reason`` saying why."""
        if chosen is not None:
            return replace(chosen, entry=entry, fallback=reason)
        s = self.settings
        return Assignment(effective_stage(s.rollout_stage, environ), s.install_id or "", entry, reason,
                          fallback=reason)

    def model_entry(self, model: str | None = None, settings: Settings | None = None):
        """The registry entry to run (see :meth:`assignment`)."""
        return self.assignment(model, settings).entry

    def stable_entry(self):
        """The registry's default stable model."""
        return self.registry.resolve(None)

    def stable_entries(self):
        """The stable models to try, in order, when the chosen one cannot run: the default's versions
        newest first, then the other stable models."""
        return self.registry.fallbacks()

    def build_pipeline(self, mode: RunningMode = RunningMode.VIDEO, model: str | None = None,
                       settings: Settings | None = None, fallback: bool = False):
        """A pipeline in ``mode`` for ``model``, else for what the settings and the rollout choose; a model
        that cannot run raises why (the command line), or with ``fallback`` (the app) the stable default
        runs instead and the reason is logged."""
        from core.pipeline.engine import (  # lazy: OpenCV, loaded with the first pipeline
            build_or_fall_back,
            build_pipeline,
        )

        s = settings or self.settings

        def build(entry):
            return build_pipeline(self.pipeline_options(entry, mode, s))

        if model is not None or not fallback:
            return build(self.model_entry(model, s))
        return build_or_fall_back(lambda: self.model_entry(None, s), self.stable_entries, build)[0]

    def pipeline_options(self, entry, mode: RunningMode, settings: Settings | None = None):
        """The ``core.pipeline.engine.PipelineOptions`` of ``entry`` in ``mode`` with these settings."""
        from core.pipeline.engine import PipelineOptions  # lazy: OpenCV, loaded with the first pipeline

        return PipelineOptions(entry=entry, running_mode=mode, colour_beard=(settings or self.settings).colour_beard,
                               locate_faces=self.kiosk)  # the kiosk frames the picture on the face

    def pipeline_factory(self) -> PipelineFactory:
        """``factory(mode) -> Pipeline`` for the model the settings select now (called on the thread
        that will use the pipeline; later setting changes need a new factory)."""
        settings = self.settings
        return lambda mode: self.build_pipeline(mode, settings=settings)

    # ---- the palette and the look ---------------------------------------------------------------------
    def _load_palette(self) -> list[Shade]:
        palette = list(self._base_palette) if self._base_palette is not None else default_palette()
        self.palette_warning = None
        if self.settings.palette_file:
            try:
                return merge_palettes(palette, load_palette(self.settings.palette_file))
            except HairTintError as exc:
                self.palette_warning = f"{exc} — using the built-in palette."
        return palette

    def default_index(self) -> int:
        return default_index(self.palette)

    def default_shade(self) -> Shade:
        return self.palette[self.default_index()] if self.palette else Shade("Sunlit Amber", (200, 120, 42))

    def fresh_look(self) -> Look:
        """The starting look: the default shade (with its own tips), default intensity and shine. Where
        a kiosk reset returns to."""
        shade = self.default_shade()
        return Look(shade=shade, intensity=DEFAULT_INTENSITY, shine=DEFAULT_SHINE, tips=shade.tips)

    def look(self, color: str | None = None, intensity: int = DEFAULT_INTENSITY, shine: int | None = None,
             tips: str | None = None) -> Look:
        """A look from names as the command line takes them: ``color`` a shade name or #rrggbb (None:
        the default shade); a two-tone look brings its own tips unless ``tips`` names others ("none")."""
        shade = self.default_shade() if color is None else resolve_color(color, self.palette)
        return Look(shade=shade, intensity=intensity, shine=DEFAULT_SHINE if shine is None else shine,
                    tips=shade.tips if tips is None else resolve_tips(tips, self.palette))

    def with_palette_file(self, path: str | None) -> Session:
        """This session with the shades of another palette file added (``recolor --palette``); a file
        that cannot be used raises PaletteError."""
        if not path:
            return self
        return Session(self.settings.with_(palette_file=None), settings_path=self.settings_path,
                       registry=self._registry, warnings=self.warnings, kiosk=self.kiosk,
                       trust_unverified=self.trust_unverified,
                       palette=merge_palettes(self.palette, load_palette(Path(path))))

    # ---- sources ------------------------------------------------------------------------------------
    def start_spec(self, spec: str | None = None) -> SourceSpec:
        """``spec`` parsed, or the configured camera."""
        return parse_spec(spec) if spec else camera_spec(self.settings.camera_index)

    def opener(self) -> Callable[[str], Source]:
        """``opener(spec) -> Source``: cameras at the configured resolution, videos looping (a try-on
        clip should not stop on its last frame)."""
        width, height = self.settings.resolution

        def open_(spec: str) -> Source:
            from core.io.sources import open_source  # lazy: OpenCV, loaded with the first source

            parsed = parse_spec(spec)
            if parsed.is_camera:
                return open_source(parsed, width=width, height=height)
            return open_source(parsed, loop=True)

        return open_

    @staticmethod
    def cameras() -> list[int]:
        """The indexes of the cameras connected now (the device list)."""
        from core.io.sources import list_cameras  # lazy: OpenCV, loaded with the first source

        return list_cameras()

    # ---- snapshots ----------------------------------------------------------------------------------
    def snapshot_folder(self) -> Path | None:
        folder = self.settings.snapshot_dir
        return Path(folder) if folder and Path(folder).is_dir() else None

    def snapshot_path(self, look: Look, when: datetime | None = None, origin: str | None = None) -> Path | None:
        """Where a snapshot of ``look`` (of ``origin``: the photo's stem, ``camera0``, ``demo``) goes now
        (None: no usable snapshot folder is set)."""
        folder = self.snapshot_folder()
        return None if folder is None else snapshot_path(folder, look, when or datetime.now(), origin)


__all__ = ["Session", "SettingsChange"]
