"""Staged rollout of experimental models: which stage applies, which bucket an installation is in, and
which model it therefore runs, with the reason in words.

The stage comes from the settings file (``rollout_stage``) unless ``HAIRTINT_ROLLOUT_STAGE`` is set for
the process. Each installation falls in a fixed bucket 0..99 per model: the sha256 of the model id and
the install id (consistent hashing), so the same installation gets the same answer after every restart,
and a bucket under 10 is also under 50 -- a stage that grows only ever adds installations. An
installation that was rolled back (see :mod:`core.catalog.rollout_state`) stays on the stable model, whatever
the stage, until a person resets it. No Qt here; the registry is used through its public methods."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.catalog.config import ROLLOUT_STAGES
from core.catalog.model_entry import ModelEntry
from core.catalog.rollout_state import RollbackRecord

ENV_STAGE = "HAIRTINT_ROLLOUT_STAGE"


def stage_percent(stage: str) -> int:
    """The share of installations (0..100) a stage lets experimental models reach."""
    try:
        return ROLLOUT_STAGES[stage]
    except KeyError:
        raise ValueError(f"{stage!r} is not a rollout stage ({', '.join(ROLLOUT_STAGES)})") from None


def rollout_bucket(install_id: str, model_id: str) -> int:
    """0..99, fixed for an (installation, model) pair."""
    digest = hashlib.sha256(f"{model_id}:{install_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_rollout(install_id: str, model_id: str, stage: str) -> bool:
    return rollout_bucket(install_id, model_id) < stage_percent(stage)


@dataclass(frozen=True)
class Stage:
    """The stage in force and where it came from ("settings" or "environment"); ``warning``: an
    environment value that is not a stage (ignored)."""

    name: str
    source: str = "settings"
    warning: str | None = None


def effective_stage(settings_stage: str, environ: Mapping[str, str] | None = None) -> Stage:
    """``HAIRTINT_ROLLOUT_STAGE`` when it is set to a stage, else the settings' stage."""
    value = (os.environ if environ is None else environ).get(ENV_STAGE, "").strip()
    if not value:
        return Stage(settings_stage)
    if value in ROLLOUT_STAGES:
        return Stage(value, "environment")
    return Stage(settings_stage, warning=f"{ENV_STAGE}={value!r} is not a rollout stage "
                                         f"({', '.join(ROLLOUT_STAGES)}); using the settings' {settings_stage}")


@dataclass(frozen=True)
class Assignment:
    """What this installation runs and why. ``entry``: the model; ``candidate``: the experimental model
    the rollout is about (None: the registry has none); ``bucket``: this installation's bucket for it;
    ``held``: the rollback that keeps it on the stable model; ``fallback``: why the model chosen could
    not run, when a stable one runs in its place (``entry`` is then the one running)."""

    stage: Stage
    install_id: str
    entry: ModelEntry
    why: str
    candidate: ModelEntry | None = None
    bucket: int | None = None
    held: RollbackRecord | None = None
    requested: bool = False
    fallback: str | None = None

    @property
    def experimental(self) -> bool:
        return self.entry.stage == "experimental"

    @property
    def name(self) -> str:
        """"fallback" (the model chosen could not run), "experimental", "stable", "held" (rolled back) or
        "requested" (a model named in the settings)."""
        if self.fallback is not None:
            return "fallback"
        if self.requested:
            return "requested"
        if self.held is not None:
            return "held"
        return "experimental" if self.experimental else "stable"

    def to_json(self) -> dict:
        return {"stage": self.stage.name, "stage_from": self.stage.source, "install_id": self.install_id,
                "model": self.entry.id, "version": self.entry.version, "model_stage": self.entry.stage,
                "assignment": self.name, "why": self.why, "bucket": self.bucket,
                "candidate": None if self.candidate is None else f"{self.candidate.id}@{self.candidate.version}",
                "rollback": None if self.held is None else self.held.to_json(), "fallback": self.fallback}


def assign(registry, *, install_id: str, stage: Stage, requested: str | None = None,
           held: RollbackRecord | None = None) -> Assignment:
    """The model this installation runs: the one asked for; else, unless rolled back, the first
    experimental model whose rollout includes this installation; else the default stable model."""
    if requested:
        entry = registry.resolve(requested)
        return Assignment(stage, install_id, entry, f"the settings name the model {requested!r}", requested=True)
    candidate = next((e for e in registry.entries if e.stage == "experimental"), None)
    stable = registry.get(registry.default)
    if candidate is None:
        return Assignment(stage, install_id, stable, "the registry has no experimental model", held=held)
    bucket = rollout_bucket(install_id, candidate.id)
    percent = stage_percent(stage.name)
    if held is not None:
        why = f"rolled back at {held.time} ({held.reason}); stays on the stable model until `hairtint rollout reset`"
        return Assignment(stage, install_id, stable, why, candidate, bucket, held)
    for entry in (e for e in registry.entries if e.stage == "experimental"):
        if in_rollout(install_id, entry.id, stage.name):
            bucket = rollout_bucket(install_id, entry.id)
            return Assignment(stage, install_id, entry, f"bucket {bucket} of {entry.id} is under {percent} "
                              f"({stage.name})", entry, bucket)
    return Assignment(stage, install_id, stable, f"bucket {bucket} of {candidate.id} is not under {percent} "
                      f"({stage.name})", candidate, bucket)


@dataclass(frozen=True)
class RolloutStatus:
    """``hairtint rollout status``: this installation's assignment, and the settings and rollout state
    files it was read from."""

    assignment: Assignment
    settings_file: Path
    state_file: Path

    def to_json(self) -> dict:
        return {**self.assignment.to_json(), "settings_file": str(self.settings_file), "state_file": str(self.state_file)}

    def table(self) -> str:
        a = self.assignment
        where = "HAIRTINT_ROLLOUT_STAGE" if a.stage.source == "environment" else f"the settings file {self.settings_file}"
        lines = [f"stage         {a.stage.name} (from {where})",
                 f"installation  {a.install_id}",
                 f"bucket        {'–' if a.bucket is None else a.bucket}"
                 + ("" if a.candidate is None else f" for {a.candidate.id}@{a.candidate.version}"),
                 f"model         {a.entry.id}@{a.entry.version} ({a.entry.stage})",
                 f"assignment    {a.name}",
                 f"why           {a.why}"]
        if a.held is not None:
            figures = ", ".join(f"{k} {v}" for k, v in a.held.figures.items())
            lines += [f"rollback      {a.held.by} at {a.held.time} from {a.held.model}: {a.held.reason}",
                      f"figures       {figures or '–'}",
                      f"state file    {self.state_file}"]
        else:
            lines.append("rollback      none")
        if a.stage.warning:
            lines.append(f"warning       {a.stage.warning}")
        return "\n".join(lines)


__all__ = ["ENV_STAGE", "Assignment", "RolloutStatus", "Stage", "assign", "effective_stage", "in_rollout",
           "rollout_bucket", "stage_percent"]
