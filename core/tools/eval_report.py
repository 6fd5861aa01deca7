"""The report of ``hairtint eval`` (:class:`EvalReport`): each model's figures over all its photos, by
set and, with ``--hard-cases``, by kind of hard case; ``table()`` is the text the command prints,
``to_json()`` the JSON ``--json`` writes (docs/CLI.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Figures = Mapping[str, float]  # ``core.tools.evaluate.ModelScores.summary``: figure name -> value (NaN: not measured)


def _hairline_columns() -> list[tuple[str, str, str]]:
    """(figure, heading, format) of the hairline and texture columns."""
    # the hairline figures of each look (cu: Copper Red at 70, bl: the edge test shade at 100)
    columns = [(f"{figure}_{key}", f"{figure}·{short}", spec) for key, short in (("copper", "cu"), ("blue", "bl"))
               for figure, spec in (("seam", ".1%"), ("follow", ".2f"), ("clean", ".1%"))]
    columns.append(("light_follow", "light", ".2f"))
    # dark hair lifted (pt: Platinum Blonde at 80, am: Sunlit Amber at 70): relative strand contrast kept
    # (median, 10th percentile), its correlation, and Delta E to the swatch at intensity 100
    columns += [(f"{figure}_{key}", f"{head}·{short}", spec) for key, short in (("platinum", "pt"), ("amber", "am"))
                for figure, head, spec in (("spread", "sprd", ".2f"), ("spread", "p10", ".2f"),
                                           ("corr", "corr", ".2f"), ("swatch", "ΔE", ".1f"))]
    return [(f"{name}_p10" if head.startswith("p10") else name, head, spec) for name, head, spec in columns]


HAIRLINE_COLUMNS = _hairline_columns()


def figure(value: float, spec: str) -> str:
    """A figure for the table; '-' where it was not measured (edge figures with --far, a true mask's time)."""
    return "-" if value != value else format(value, spec)


@dataclass(frozen=True)
class ModelFigures:
    """One model's figures: over all its photos, by set, and by kind of hard case (None: not asked for)."""

    overall: Figures
    sets: Mapping[str, Figures]
    hard_cases: Mapping[str, Figures] | None = None

    def to_json(self) -> dict:
        out = {**self.overall, "sets": {name: dict(row) for name, row in self.sets.items()}}
        if self.hard_cases is not None:
            out["hard_cases"] = {kind: dict(row) for kind, row in self.hard_cases.items()}
        return out


@dataclass(frozen=True)
class EvalReport:
    """``models``: each model's figures, by the name the table shows; ``edge_look``, ``hairline_looks``
    and ``texture_looks``: the looks the edge, hairline and texture figures were measured with."""

    models: Mapping[str, ModelFigures]
    edge_look: str
    hairline_looks: Mapping[str, str]
    texture_looks: Mapping[str, str]

    def to_json(self) -> dict:
        return {"models": {key: row.to_json() for key, row in self.models.items()}, "edge_look": self.edge_look,
                "hairline_looks": dict(self.hairline_looks), "texture_looks": dict(self.texture_looks)}

    def table(self) -> str:
        width = max(34, *(len(key) for key in self.models))
        lines = [f"{'model':<{width}} {'set':<18} {'n':>4} {'mean IoU':>8} {'median':>7} {'fail<0.5':>8} {'FP area':>7} "
                 f"{'bound.F':>7} {'bleed':>6} {'cover':>6}"
                 + "".join(f" {head:>{max(6, len(head))}}" for _, head, _ in HAIRLINE_COLUMNS) + f" {'ms/photo':>8}"]
        for key, row in self.models.items():
            for set_name, s in [*row.sets.items(), ("all", row.overall)]:
                lines.append(f"{key:<{width}} {set_name:<18} {s['n']:>4} {s['mean_iou']:>8.3f} {s['median_iou']:>7.3f} "
                             f"{s['failure_rate']:>8.1%} {figure(s['fp_area'], '.1%'):>7} "
                             f"{figure(s['boundary_f'], '.3f'):>7} {figure(s['bleed'], '.1%'):>6} "
                             f"{figure(s['coverage'], '.3f'):>6}"
                             + "".join(f" {figure(s[name], spec):>{max(6, len(head))}}"
                                       for name, head, spec in HAIRLINE_COLUMNS)
                             + f" {figure(s['ms_per_image'], '.1f'):>8}")
        if any(row.hard_cases is not None for row in self.models.values()):
            lines += ["", self._hard_cases_table(width)]
        return "\n".join(lines)

    def _hard_cases_table(self, width: int) -> str:
        """The hard-cases slice of each model, by kind (``core.tools.hard_cases``)."""
        lines = [f"{'model':<{width}} {'hard cases':<18} {'n':>4} {'mean IoU':>8} {'fail<0.5':>8} {'FP area':>8}"]
        for key, row in self.models.items():
            if not row.hard_cases:
                lines.append(f"{key:<{width}} {'(none of the listed photos evaluated)'}")
            for kind, s in (row.hard_cases or {}).items():
                lines.append(f"{key:<{width}} {kind:<18} {s['n']:>4} {s['mean_iou']:>8.3f} {s['failure_rate']:>8.1%} "
                             f"{figure(s['fp_area'], '.1%'):>8}")
        return "\n".join(lines)


__all__ = ["HAIRLINE_COLUMNS", "EvalReport", "Figures", "ModelFigures", "figure"]
