"""The fuzz suite's two tiers. The quick tier runs in every test run (``make test``) with a fixed seed
(each test its own, from its name), so it finds the same examples every time. The long tier
(``make fuzz``: ``HAIRTINT_FUZZ=long``) runs many more examples from a random seed that the run prints,
so that each run explores new inputs and a failure can be run again with ``make fuzz FUZZ_SEED=N``.

Each test names its budget in both tiers: ``@fuzz(quick=100, long=1500)`` above ``@given``."""

from __future__ import annotations

import functools
import os

from hypothesis import HealthCheck, settings

TIER = "long" if os.environ.get("HAIRTINT_FUZZ") == "long" else "quick"
LONG_SCALE = float(os.environ.get("HAIRTINT_FUZZ_SCALE", "1"))  # more or fewer examples in the long tier
_COMMON = dict(deadline=None, database=None,  # shared, noisy machines; nothing written into the checkout
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                      HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile("fuzz-quick", derandomize=True, **_COMMON)
settings.register_profile("fuzz-long", derandomize=False, print_blob=True, **_COMMON)

examples_run = {}  # test name -> examples run, for the run's summary (conftest.py)


def fuzz(quick: int, long: int):
    """The settings of a fuzz test in this tier, with its examples counted."""

    def decorate(test):
        inner = test.hypothesis.inner_test
        name = test.__name__

        @functools.wraps(inner)
        def counted(*args, **kwargs):
            examples_run[name] = examples_run.get(name, 0) + 1
            return inner(*args, **kwargs)

        test.hypothesis.inner_test = counted
        budget = quick if TIER == "quick" else max(1, round(long * LONG_SCALE))
        return settings(settings.get_profile(f"fuzz-{TIER}"), max_examples=budget)(test)

    return decorate
