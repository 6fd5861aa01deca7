"""``hairtint models list``: each registered model on a line (:class:`ModelListing`), with the mean IoU
figures its registry entry records, and what was left out of them and why."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ListedModel:
    """One registry entry as listed. ``mean_iou``: (set, figure) of its ``metrics.mean_iou`` that are
    numbers; ``problem``: what was left out of them and why (None when nothing was)."""

    id: str
    version: str
    stage: str
    default: bool
    file: str
    input_size: tuple[int, int] | None
    mean_iou: tuple[tuple[str, float], ...]
    problem: str | None = None

    @classmethod
    def of(cls, entry, default: bool) -> ListedModel:
        """``entry``: a ``core.catalog.registry.ModelEntry``."""
        mean_iou, problem = mean_iou_figures(entry.details)
        return cls(entry.id, entry.version, entry.stage, default, entry.file.name, entry.input_size, mean_iou, problem)

    def line(self) -> str:
        figures = ", ".join(f"{name} {value:.3f}" for name, value in self.mean_iou)
        return (f"{self.id}@{self.version}  {self.stage}{' (default)' if self.default else ''}  {self.file}  "
                f"input {self.input_size}  {figures}")

    def to_json(self) -> dict:
        return {"id": self.id, "version": self.version, "stage": self.stage, "default": self.default,
                "file": self.file, "input_size": None if self.input_size is None else list(self.input_size),
                "mean_iou": dict(self.mean_iou), "problem": self.problem}


@dataclass(frozen=True)
class ModelListing:
    """Every entry of the registry file at ``registry``, in its order."""

    registry: Path
    models: tuple[ListedModel, ...]

    @classmethod
    def of(cls, registry) -> ModelListing:
        """``registry``: a ``core.catalog.registry.Registry``; its default entry is marked."""
        chosen = registry.resolve(None)
        return cls(registry.path, tuple(ListedModel.of(e, e == chosen) for e in registry.entries))

    def problem_line(self, model: ListedModel) -> str | None:
        """The line that says what was left out of ``model``'s figures (None: nothing was)."""
        if model.problem is None:
            return None
        return f"hairtint: {model.id}@{model.version} in {self.registry}: {model.problem}"

    def table(self) -> str:
        return "\n".join(model.line() for model in self.models)

    def to_json(self) -> dict:
        return {"registry": str(self.registry), "models": [model.to_json() for model in self.models]}


def mean_iou_figures(details: dict) -> tuple[tuple[tuple[str, float], ...], str | None]:
    """A registry entry's ``metrics.mean_iou`` figures that are numbers, and what was left out and why
    (None when nothing was): the figures are the registry's to record, so a damaged table costs the
    line its figures, never the listing."""
    metrics = details.get("metrics", {})
    table = metrics.get("mean_iou", {}) if isinstance(metrics, dict) else None
    if not isinstance(table, dict):
        return (), "its metrics.mean_iou is not a table of set names and figures, so no IoU is shown"
    shown, left_out = [], []
    for name, value in table.items():
        if _finite(value):
            shown.append((name, float(value)))
        else:
            left_out.append(f"{name} ({json.dumps(value)[:40]})")
    problem = f"metrics.mean_iou has figures that are not numbers, left out: {', '.join(left_out)}" if left_out else None
    return tuple(shown), problem


def _finite(value) -> bool:
    """Whether a JSON value is a finite number (not a bool, not an integer too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


__all__ = ["ListedModel", "ModelListing", "mean_iou_figures"]
