"""The "Looks wrong" rule: the experimental model is rolled back for feedback when staff report it at
least three times as often as the stable model, over at least 50 customers each."""

from __future__ import annotations

import pytest

from core.fleet.feedback import FeedbackRule, Tally, feedback_figures, feedback_verdict

STABLE = Tally(customers=1000, reports=10)  # 1 %


def test_three_times_the_stable_rate_over_fifty_customers_is_a_rollback_for_feedback():
    verdict = feedback_verdict(Tally(customers=50, reports=2 + 1), Tally(customers=1000, reports=20))  # 6 % vs 2 %
    assert verdict is not None and verdict.startswith("feedback:")
    assert "3 of 50" in verdict and "20 of 1000" in verdict


def test_just_under_three_times_is_not():
    assert feedback_verdict(Tally(customers=100, reports=5), Tally(customers=1000, reports=17)) is None  # 5 % < 5.1 %
    assert feedback_verdict(Tally(customers=100, reports=6), Tally(customers=1000, reports=20)) is not None  # 6 % = 3 x 2 %


@pytest.mark.parametrize("experimental, stable", [
    (Tally(customers=49, reports=40), STABLE),  # too few customers on the experimental model
    (Tally(customers=500, reports=300), Tally(customers=49, reports=0)),  # the stable rate is not known yet
    (Tally(customers=0, reports=0), Tally()),  # nothing at all
])
def test_too_few_customers_is_no_verdict(experimental, stable):
    assert feedback_verdict(experimental, stable) is None


def test_a_stable_model_without_reports_counts_as_one_and_a_stray_tap_is_no_verdict():
    clean = Tally(customers=1000, reports=0)
    assert feedback_verdict(Tally(customers=50, reports=2), clean) is None  # fewer than 3 reports
    assert feedback_verdict(Tally(customers=3000, reports=3), Tally(customers=1000, reports=0)) is None  # 0.1 % vs 1/1000
    assert feedback_verdict(Tally(customers=50, reports=3), clean) is not None  # 6 % against "under 0.1 %"


def test_the_rule_takes_its_limits():
    rule = FeedbackRule(ratio=2.0, min_customers=10, min_reports=1)
    assert feedback_verdict(Tally(customers=10, reports=1), Tally(customers=10, reports=0), rule) is None  # 10 % vs 10 %
    assert feedback_verdict(Tally(customers=10, reports=2), Tally(customers=10, reports=0), rule) is not None
    assert feedback_verdict(Tally(customers=10, reports=2), Tally(customers=10, reports=0)) is None  # default: 50


def test_the_figures_name_both_tallies_and_the_limits():
    figures = feedback_figures(Tally(customers=60, reports=6), STABLE)
    assert figures["experimental_rate"] == 0.1 and figures["stable_rate"] == 0.01
    assert (figures["ratio"], figures["min_customers"], figures["experimental_reports"]) == (3.0, 50, 6)
    assert Tally().rate == 0.0
