"""Staged rollout of experimental models: which stage applies, which bucket an installation is in, and
which model it therefore runs, with the reason in words.

The stage comes from the fleet policy file (:mod:`core.catalog.fleet_policy`) when it sets one, else
``HAIRTINT_ROLLOUT_STAGE`` (or the plan's ``ROLLOUT_STAGE``) when set for the process, else the settings
file (``rollout_stage``), else the default, ``disabled``; any case is accepted. Each installation falls in a fixed bucket 0..99 per model: the sha256 of the model id and
the install id (consistent hashing), so the same installation gets the same answer after every restart,
and a bucket under 10 is also under 50 -- a stage that grows only ever adds installations. An
installation that was rolled back (see :mod:`core.catalog.rollout_state`) stays on the stable model, whatever
the stage, until a person resets it or the fleet policy clears it. The fleet policy may also limit which
experimental models the rollout runs. No Qt here; the registry is used through its public methods."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.catalog.config import ROLLOUT_STAGES, rollout_stage
from core.catalog.fleet_policy import FleetPolicy
from core.catalog.model_entry import ModelEntry
from core.catalog.rollout_state import RollbackRecord

ENV_STAGE = "HAIRTINT_ROLLOUT_STAGE"
ENV_STAGE_ALIAS = "ROLLOUT_STAGE"  # the plan's spelling


def stage_percent(stage: str) -> int:
    """The share of installations (0..100) a stage lets experimental models reach."""
    return ROLLOUT_STAGES[rollout_stage(stage)]


def rollout_bucket(install_id: str, model_id: str) -> int:
    """0..99, fixed for an (installation, model) pair."""
    digest = hashlib.sha256(f"{model_id}:{install_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def in_rollout(install_id: str, model_id: str, stage: str) -> bool:
    return rollout_bucket(install_id, model_id) < stage_percent(stage)


@dataclass(frozen=True)
class Stage:
    """The stage in force and where it came from: ``source`` "fleet" (the fleet policy file ``origin``),
    "environment" (the variable ``origin``), "settings" or "default"; ``warning``: a value that is not a
    stage (ignored), or one that a source above overrides."""

    name: str
    source: str = "settings"
    warning: str | None = None
    origin: str = ""


def effective_stage(settings_stage: str, environ: Mapping[str, str] | None = None,
                    policy: FleetPolicy | None = None) -> Stage:
    """The fleet policy's stage, else ``HAIRTINT_ROLLOUT_STAGE`` (or ``ROLLOUT_STAGE``), else the
    settings' stage. Any case is accepted."""
    environ = os.environ if environ is None else environ
    warnings, from_env = [], None
    for name in (ENV_STAGE, ENV_STAGE_ALIAS):
        value = environ.get(name, "").strip()
        if not value:
            continue
        try:
            stage = rollout_stage(value)
        except ValueError:
            warnings.append(f"{name}={value!r} is not a rollout stage ({', '.join(ROLLOUT_STAGES)}); ignored")
            continue
        if from_env is None:
            from_env = Stage(stage, "environment", origin=name)
        elif stage != from_env.name:
            warnings.append(f"{name}={value} is ignored: {from_env.origin}={from_env.name} comes first")
    chosen = from_env or Stage(settings_stage)
    if policy is not None and policy.stage is not None:
        if from_env is not None and from_env.name != policy.stage:
            warnings.append(f"{from_env.origin}={from_env.name} is ignored: the fleet policy sets {policy.stage}")
        chosen = Stage(policy.stage, "fleet", origin=str(policy.path))
    return replace(chosen, warning="; ".join(warnings) or None)


@dataclass(frozen=True)
class Assignment:
    """What this installation runs and why. ``entry``: the model; ``candidate``: the experimental model
    the rollout is about (None: the registry has none); ``bucket``: this installation's bucket for it;
    ``held``: the rollback that keeps it on the stable model; ``fallback``: why the model chosen could
    not run, when a stable one runs in its place (``entry`` is then the one running); ``cleared``: a
    recorded rollback that the fleet policy clears (it holds nothing; the app deletes it)."""

    stage: Stage
    install_id: str
    entry: ModelEntry
    why: str
    candidate: ModelEntry | None = None
    bucket: int | None = None
    held: RollbackRecord | None = None
    requested: bool = False
    fallback: str | None = None
    cleared: RollbackRecord | None = None

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
        return {"stage": self.stage.name, "stage_from": self.stage.source, "stage_origin": self.stage.origin,
                "install_id": self.install_id,
                "model": self.entry.id, "version": self.entry.version, "model_stage": self.entry.stage,
                "assignment": self.name, "why": self.why, "bucket": self.bucket,
                "candidate": None if self.candidate is None else f"{self.candidate.id}@{self.candidate.version}",
                "rollback": None if self.held is None else self.held.to_json(), "fallback": self.fallback,
                "cleared_rollback": None if self.cleared is None else self.cleared.to_json()}


def assign(registry, *, install_id: str, stage: Stage, requested: str | None = None,
           held: RollbackRecord | None = None, policy: FleetPolicy | None = None) -> Assignment:
    """The model this installation runs: the one asked for; else, unless rolled back, the first
    experimental model the fleet policy allows whose rollout includes this installation; else the
    default stable model. A rollback the fleet policy clears (``clear_rollbacks_at``) holds nothing: it
    is given back as ``cleared``, for the caller to delete."""
    if requested:
        entry = registry.resolve(requested)
        return Assignment(stage, install_id, entry, f"the settings name the model {requested!r}", requested=True)
    cleared = None
    if held is not None and policy is not None and policy.clears(held.time):
        held, cleared = None, held
    experimental = [e for e in registry.entries if e.stage == "experimental"]
    allowed = [e for e in experimental if policy is None or policy.allows(e.id, e.version)]
    stable = registry.get(registry.default)
    if not experimental:
        return Assignment(stage, install_id, stable, "the registry has no experimental model", held=held,
                          cleared=cleared)
    if not allowed:
        names = ", ".join(f"{e.id}@{e.version}" for e in experimental)
        return Assignment(stage, install_id, stable, f"the fleet policy {policy and policy.path} allows none of "
                          f"the experimental models ({names})", held=held, cleared=cleared)
    candidate = allowed[0]
    bucket = rollout_bucket(install_id, candidate.id)
    percent = stage_percent(stage.name)
    if held is not None:
        why = f"rolled back at {held.time} ({held.reason}); stays on the stable model until `hairtint rollout reset`"
        return Assignment(stage, install_id, stable, why, candidate, bucket, held)
    for entry in allowed:
        if in_rollout(install_id, entry.id, stage.name):
            bucket = rollout_bucket(install_id, entry.id)
            return Assignment(stage, install_id, entry, f"bucket {bucket} of {entry.id} is under {percent} "
                              f"({stage.name})", entry, bucket, cleared=cleared)
    return Assignment(stage, install_id, stable, f"bucket {bucket} of {candidate.id} is not under {percent} "
                      f"({stage.name})", candidate, bucket, cleared=cleared)


@dataclass(frozen=True)
class RolloutStatus:
    """``hairtint rollout status``: this installation's assignment, and the settings and rollout state
    files it was read from. With ``policy`` (the fleet policy read), also where each fleet value came
    from: the policy file (``policy_from``: its path's source; ``policy_problem``: why it cannot be
    used), the ``kiosk``/``salon`` labels of the settings (``settings_place``: name -> value set there;
    ``host``: the host name, the kiosk label's default),
    whose environment was read (``environment``), and the last latency judgement (``latency``)."""

    assignment: Assignment
    settings_file: Path
    state_file: Path
    policy: FleetPolicy | None = None
    policy_from: str = "default"
    policy_problem: str | None = None
    settings_place: Mapping[str, str] = field(default_factory=dict)
    environment: str = ""
    latency: Mapping | None = None

    def sources(self) -> dict:
        """Each fleet value and where it came from ("fleet", "settings", "default"...)."""
        p, a = self.policy or FleetPolicy(), self.assignment
        settings_file = str(self.settings_file) if a.stage.source == "settings" else ""
        out: dict[str, dict] = {"stage": {"value": a.stage.name, "from": a.stage.source,
                                          "origin": a.stage.origin or settings_file}}
        for name in ("kiosk", "salon"):
            value = getattr(p, name)
            out[name] = ({"value": value, "from": "fleet", "origin": str(p.path)} if value else
                         {"value": self.settings_place[name], "from": "settings", "origin": str(self.settings_file)}
                         if self.settings_place.get(name) else
                         {"value": self.settings_place.get("host") if name == "kiosk" else None, "from": "default",
                          "origin": "this machine's host name" if name == "kiosk" else ""})
        for name, value in (("allowed_models", None if p.allowed_models is None else list(p.allowed_models)),
                            ("clear_rollbacks_at", p.to_json()["clear_rollbacks_at"])):
            out[name] = {"value": value, "from": "default" if value is None else "fleet",
                         "origin": "" if value is None else str(p.path)}
        return out

    def to_json(self) -> dict:
        data = {**self.assignment.to_json(), "settings_file": str(self.settings_file), "state_file": str(self.state_file)}
        if self.policy is not None:
            data.update(policy={**self.policy.to_json(), "path_from": self.policy_from, "problem": self.policy_problem},
                        sources=self.sources(), environment=self.environment, latency=self.latency)
        return data

    def table(self) -> str:
        a = self.assignment
        where = {"environment": a.stage.origin or ENV_STAGE, "fleet": f"the fleet policy {a.stage.origin}",
                 "default": "the default"}.get(a.stage.source, f"the settings file {self.settings_file}")
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
        elif a.cleared is not None:
            lines.append(f"rollback      none: the fleet policy clears the one recorded at {a.cleared.time} "
                         f"({a.cleared.model}); the app deletes it")
        else:
            lines.append("rollback      none")
        if self.policy is not None:
            lines += self._fleet_lines()
        if a.stage.warning:
            lines.append(f"warning       {a.stage.warning}")
        return "\n".join(lines)

    def _fleet_lines(self) -> list[str]:
        p = self.policy or FleetPolicy()
        if self.latency:
            lines = [f"latency       {self.latency.get('decision', '?')} at {self.latency.get('time', '?')}: "
                     + ", ".join(f"{k} {v}" for k, v in self.latency.items() if k not in ("decision", "time"))]
        else:
            lines = []
        found = ("cannot be used, so the running app keeps the last good policy it read and this shows the "
                 f"values without it: {self.policy_problem}") if self.policy_problem else \
            "read" if p.found else "not there: it sets nothing"
        path_from = {"default": "the default path", "settings": f"from the settings file {self.settings_file}"}
        lines.append(f"fleet policy  {p.path} ({path_from.get(self.policy_from, 'from ' + self.policy_from)}): {found}")
        for name, fact in self.sources().items():
            if name == "stage":
                continue
            value = fact["value"]
            shown = "–" if value is None else ", ".join(value) if isinstance(value, list) else value
            if name == "allowed_models" and value is None:
                shown = "any experimental model"
            origin = {"fleet": "the fleet policy", "settings": "the settings file"}.get(fact["from"], "the default")
            origin += f", {fact['origin']}" if fact["from"] == "default" and fact["origin"] else ""
            label = {"allowed_models": "models", "clear_rollbacks_at": "clear before"}.get(name, name)
            lines.append(f"{label:<13} {shown} (from {origin})")
        if self.environment:
            lines.append(f"environment   {self.environment}")
        return lines


__all__ = ["ENV_STAGE", "ENV_STAGE_ALIAS", "Assignment", "RolloutStatus", "Stage", "assign", "effective_stage", "in_rollout",
           "rollout_bucket", "stage_percent"]
