"""The quality gate of ``hairtint models add``: a new model must not be worse than the registered
default on the validation split the default's figures came from.

The new model is measured now, with ``hairtint eval``'s own code (:mod:`core.tools.evaluate`: each photo
whole, in still-image mode, the model's own mask cut at 0.5) on each set's ``val.txt``, and its mean IoU
per set is compared with the default's registered ``metrics.mean_iou`` (measured the same way: the
default measured so gives its registered figures again, 0.853 / 0.9015 / 0.7428 for hairnet 2.2.0). The
model card's own ``validation_iou_in_training`` is not used: the training loop measures on the photo
stretched to the model's square, on whatever validation photos the run had, so it is not the same
figure. The sets' mean decides; each set's figures are shown beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.catalog.model_entry import ModelEntry
from core.errors import DataError
from core.frames import RunningMode
from core.io.datasets import expand_sets

SPLIT = "val.txt"
DIGITS = 4  # the registry records IoU to four places; both sides are compared at that precision


class GateError(DataError):
    """The gate could not be run (no registered figures, no validation photos of those sets)."""


@dataclass(frozen=True)
class Verdict:
    """The new model's mean IoU per set against the default's registered one, on ``photos`` photos."""

    model: str
    default: str
    new: dict[str, float]
    registered: dict[str, float]
    photos: int

    @property
    def new_mean(self) -> float:
        return round(sum(self.new.values()) / len(self.new), DIGITS)

    @property
    def default_mean(self) -> float:
        return round(sum(self.registered[name] for name in self.new) / len(self.new), DIGITS)

    @property
    def passed(self) -> bool:
        return self.new_mean >= self.default_mean

    def lines(self) -> list[str]:
        """The comparison, a line for the whole and one for each set."""
        sets = ", ".join(self.new)
        head = (f"validation IoU ({SPLIT} of {sets}: {self.photos} photos, measured now with `hairtint eval`'s code): "
                f"{self.model} {self.new_mean:.4f}, the default {self.default} {self.default_mean:.4f} (registered)")
        return [head] + [f"  {name:<20} {self.new[name]:.4f}  against {self.registered[name]:.4f}" for name in self.new]


def registered_iou(default: ModelEntry) -> dict[str, float]:
    """The default's registered mean IoU per set; GateError when it has none."""
    metrics = default.details.get("metrics") if isinstance(default.details, dict) else None
    figures = metrics.get("mean_iou") if isinstance(metrics, dict) else None
    if not isinstance(figures, dict) or not figures or not all(isinstance(v, (int, float)) for v in figures.values()):
        raise GateError(f"the default model {default.id}@{default.version} has no registered validation IoU "
                        "(metrics.mean_iou) to compare with")
    return {str(name): float(value) for name, value in figures.items()}


def judge(model: ModelEntry, default: ModelEntry, data: list[Path]) -> Verdict:
    """Measure ``model`` on ``val.txt`` of the sets in ``data`` that the default has registered figures
    for, and compare. GateError when none of those sets is there."""
    from core.pipeline.engine import open_segmenter  # lazy: MediaPipe
    from core.tools import evaluate as ev  # lazy: OpenCV

    registered = registered_iou(default)
    folders = [folder for folder in _sets(data) if folder.name in registered]
    if not folders:
        raise GateError(f"no validation photos of {', '.join(registered)} (the sets the default's figures are "
                        f"from) in {', '.join(map(str, data))}; point --data at them")
    samples = ev.collect_samples(folders, SPLIT)
    ev.check_masks(samples)
    segmenter = open_segmenter(model, RunningMode.IMAGE)
    try:
        scores = ev.evaluate_model(segmenter, model.id, samples, progress=False)
    finally:
        segmenter.close()
    new = {name: round(figures["mean_iou"], DIGITS) for name, figures in scores.by_set().items()}
    return Verdict(f"{model.id}@{model.version}", f"{default.id}@{default.version}", new,
                   {name: registered[name] for name in new}, len(samples))


def _sets(data: list[Path]) -> list[Path]:
    missing = [str(folder) for folder in data if not Path(folder).is_dir()]
    if missing:
        raise GateError(f"no folder {', '.join(missing)} to measure the model on")
    return expand_sets([Path(folder) for folder in data])


__all__ = ["SPLIT", "GateError", "Verdict", "judge", "registered_iou"]
