"""Staff's "Looks wrong" reports as a rollback rule. A valid mask that looks wrong is no error, so the
health watch (:mod:`core.fleet.rollback`) cannot see it; staff can. Each report is counted per model
(``hairtint_feedback_total``) beside the customers served (``hairtint_customers_total``), and the rule
compares the two models' rates: the experimental model is rolled back, with the reason "feedback", when
its rate is at least ``ratio`` times the stable model's, once each has served ``min_customers``
customers and the experimental one has at least ``min_reports`` reports (one stray tap is not a verdict).
A stable model with no report at all is read as one report over its customers, so the rule never
divides by zero nor fires on a single report. Pure: no clock, no files, no Qt."""

from __future__ import annotations

from dataclasses import dataclass

REASON = "feedback"


@dataclass(frozen=True)
class FeedbackRule:
    ratio: float = 3.0
    min_customers: int = 50
    min_reports: int = 3


@dataclass(frozen=True)
class Tally:
    """Customers served and "Looks wrong" reports while one model ran."""

    customers: int = 0
    reports: int = 0

    @property
    def rate(self) -> float:
        """Reports per customer (0.0 with no customer)."""
        return self.reports / self.customers if self.customers else 0.0


def feedback_verdict(experimental: Tally, stable: Tally, rule: FeedbackRule = FeedbackRule()) -> str | None:
    """Why the experimental model should be rolled back for its feedback, in words that begin with
    ``"feedback:"``; None while the rule does not apply (too few customers or reports) or it is fine."""
    if min(experimental.customers, stable.customers) < rule.min_customers or experimental.reports < rule.min_reports:
        return None
    # experimental.rate >= ratio * stable's rate, multiplied out: whole counts, no rounding at the limit
    if experimental.reports * stable.customers < rule.ratio * max(stable.reports, 1) * experimental.customers:
        return None
    return (f"{REASON}: staff said the picture looks wrong for {experimental.reports} of {experimental.customers} "
            f"customers ({experimental.rate:.1%}) on the experimental model, against {stable.reports} of "
            f"{stable.customers} ({stable.rate:.1%}) on the stable model: at least {rule.ratio:g} times as often")


def feedback_figures(experimental: Tally, stable: Tally, rule: FeedbackRule = FeedbackRule()) -> dict:
    """The numbers a rollback record keeps for a feedback verdict."""
    return {"experimental_customers": experimental.customers, "experimental_reports": experimental.reports,
            "stable_customers": stable.customers, "stable_reports": stable.reports,
            "experimental_rate": round(experimental.rate, 4), "stable_rate": round(stable.rate, 4),
            "ratio": rule.ratio, "min_customers": rule.min_customers, "min_reports": rule.min_reports}


__all__ = ["REASON", "FeedbackRule", "Tally", "feedback_figures", "feedback_verdict"]
