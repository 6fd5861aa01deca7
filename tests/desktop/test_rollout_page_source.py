"""The kiosk's read-only Rollout page says where the stage in force was set: the fleet policy file, the
environment variable (either spelling), the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalog.fleet_policy import FleetPolicy
from core.catalog.rollout import effective_stage
from hairtint_desktop.widgets.staff.setting_pages import RolloutPage


@pytest.mark.parametrize("environ, policy, said", [
    ({}, FleetPolicy(path=Path("/etc/hairtint/fleet.json"), found=True, stage="full"),
     "the fleet policy /etc/hairtint/fleet.json"),
    ({"ROLLOUT_STAGE": "FULL"}, None, "the environment (ROLLOUT_STAGE)"),
    ({"HAIRTINT_ROLLOUT_STAGE": "full"}, None, "the environment (HAIRTINT_ROLLOUT_STAGE)"),
    ({}, None, "the settings file /c/settings.json"),
])
def test_the_rollout_page_names_where_the_stage_was_set(qtbot, environ, policy, said):
    stage = effective_stage("disabled", environ, policy)
    page = RolloutPage(stage, None, Path("/c/settings.json"))
    qtbot.addWidget(page)
    assert page.values["Set in"].text() == said
    assert page.values["Stage"].text().startswith("full" if environ or policy else "disabled")
