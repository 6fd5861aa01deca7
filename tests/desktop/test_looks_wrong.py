"""The "Looks wrong" report: a kiosk's button behind nothing, the desktop app's menu action; each report
counted for the model in use, acknowledged on screen, and nothing of the customer kept unless
``feedback.keep_snapshot`` is set; each idle reset counts a customer."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import Qt

from core.catalog.config import FeedbackSettings, KioskSettings, Settings
from core.io.images import load_image
from hairtint_desktop.feedback_action import NOTHING, THANKS
from tests.desktop.conftest import INSTALL_ID
from tests.fakes import metric_figures


def kiosk_settings(**feedback) -> Settings:
    return Settings(install_id=INSTALL_ID, kiosk=KioskSettings(pin="2468", idle_reset_s=90.0),
                    feedback=FeedbackSettings(**feedback))


def files_under(*roots) -> set:
    return {p for root in roots for p in root.rglob("*") if p.is_file()}


def counted(window, metric: str = "hairtint_feedback_total") -> float:
    entry = window.fleet.assignment.entry
    return metric_figures(window.fleet.telemetry.text())[(metric, (("model", entry.id), ("version", entry.version)))]


def showing(qtbot, window, photo_path):
    window.open_source(str(photo_path))
    qtbot.waitUntil(lambda: window.last_result is not None, timeout=5000)
    return window


def test_the_kiosk_button_counts_a_report_behind_nothing_and_keeps_nothing(qtbot, make_window, photo_path, tmp_path):
    import os
    from pathlib import Path

    home = Path(os.environ["HAIRTINT_CONFIG"]).parent
    before = files_under(tmp_path, home)
    window = showing(qtbot, make_window(kiosk=True, settings=kiosk_settings()), photo_path)
    button = window.looks_wrong.button
    assert button.isVisible() and button.text() == "Looks wrong" and counted(window) == 0
    with qtbot.waitSignal(window.looks_wrong.reported, timeout=3000) as got:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert got.args == [THANKS] and counted(window) == 1
    assert window.kiosk.pin_prompt is None and window.settings_dialog is None  # no PIN asked
    note = window.looks_wrong.note
    assert note.isVisible() and note.text() == THANKS
    window.looks_wrong.ack_ms = 20
    window.looks_wrong.report()
    assert counted(window) == 2
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=3000)  # the acknowledgement goes by itself
    new = files_under(tmp_path, home) - before  # nothing of the customer on disk: the counts only
    assert {p.name for p in new} == {"feedback_tally.json", "feedback_tally.json.bak"}
    entry = window.fleet.assignment.entry
    assert json.loads((tmp_path / "feedback_tally.json").read_text()) == {
        f"{entry.id}@{entry.version}": {"stage": "stable", "customers": 0, "reports": 2}}


def test_the_desktop_app_has_a_menu_action_instead(qtbot, make_window, photo_path):
    window = showing(qtbot, make_window(), photo_path)
    assert not window.looks_wrong.button.isVisibleTo(window)
    from PySide6.QtWidgets import QMenu

    view = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View")
    assert window.looks_wrong.action in view.actions()
    window.looks_wrong.action.trigger()
    assert counted(window) == 1


def test_without_a_picture_nothing_is_counted(qtbot, make_window):
    window = make_window(kiosk=True, settings=kiosk_settings())
    assert window.looks_wrong.report() is False
    assert window.looks_wrong.note.text() == NOTHING
    text = window.fleet.telemetry.text()
    assert not any(name == "hairtint_feedback_total" and value for (name, _), value in metric_figures(text).items())


def test_with_keep_snapshot_one_folder_holds_the_frame_and_its_mask(qtbot, make_window, photo_path, tmp_path):
    window = showing(qtbot, make_window(kiosk=True, settings=kiosk_settings(keep_snapshot=True)), photo_path)
    with qtbot.waitSignal(window.looks_wrong.reported, timeout=3000) as got:
        window.looks_wrong.button.click()
    assert got.args == [f"{THANKS} (picture kept)"] and counted(window) == 1
    window.looks_wrong.report()
    folders = sorted((tmp_path / "feedback").iterdir())  # beside the settings file
    assert len(folders) == 2 and not any(p.name.startswith(".") for p in folders)  # one per report, nothing partial
    kept = folders[0]
    assert sorted(p.name for p in kept.iterdir()) == ["frame.png", "mask.png", "report.json"]
    result = window.last_result
    assert np.array_equal(load_image(kept / "frame.png"), result.frame.pixels)
    mask = load_image(kept / "mask.png")[..., 0]
    assert np.abs(mask.astype(int) - np.round(result.mask * 255).astype(int)).max() <= 1
    report = json.loads((kept / "report.json").read_text(encoding="utf-8"))
    entry = window.fleet.assignment.entry
    assert (report["model"], report["version"], report["assignment"]) == (entry.id, entry.version, "stable")
    assert INSTALL_ID not in json.dumps(report)


def test_a_snapshot_that_cannot_be_kept_is_said_and_still_counted(qtbot, make_window, photo_path, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder would go")
    window = showing(qtbot, make_window(kiosk=True, settings=kiosk_settings(keep_snapshot=True, folder=str(blocked))),
                     photo_path)
    assert window.looks_wrong.report() is True
    assert counted(window) == 1 and window.banner.kind == "warning"
    assert "picture was not kept" in window.banner.label.text() and str(blocked) in window.banner.label.text()
    assert window.looks_wrong.note.text() == THANKS
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no half-written folder


def test_each_idle_reset_counts_a_customer_for_the_model_in_use(qtbot, make_window, photo_path):
    window = showing(qtbot, make_window(kiosk=True, settings=kiosk_settings()), photo_path)
    assert counted(window, "hairtint_customers_total") == 0
    window.looks_wrong.report()
    window.kiosk._on_idle()  # the idle timer's timeout
    window.kiosk._on_idle()
    assert counted(window, "hairtint_customers_total") == 2
    assert not window.looks_wrong.note.isVisible()  # the last customer's acknowledgement goes with them


def test_reports_on_an_experimental_model_roll_it_back_on_this_kiosk(qtbot, make_window, photo_path, tmp_path):
    import uuid

    from core.catalog.registry import Registry
    from core.catalog.rollout import rollout_bucket
    from core.catalog.rollout_state import read_rollback
    from core.tryon.session import Session
    from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

    inside = next(i for i in (str(uuid.UUID(int=n, version=4)) for n in range(1000))
                  if rollout_bucket(i, EXPERIMENTAL_ID) < 10)
    (tmp_path / "feedback_tally.json").write_text(json.dumps(  # this kiosk on the stable model before: 1 %
        {f"{STABLE_ID}@1.0.0": {"stage": "stable", "customers": 1000, "reports": 10}}))
    session = Session(Settings(install_id=inside, rollout_stage="ten_percent", kiosk=KioskSettings(pin="2468")),
                      settings_path=tmp_path / "settings.json",
                      registry=Registry.load(registry_with_experimental(tmp_path / "registry")))
    window = showing(qtbot, make_window(kiosk=True, session=session), photo_path)
    assert window.fleet.assignment.name == "experimental"
    for _ in range(3):
        assert window.looks_wrong.report()
    for _ in range(49):
        window.kiosk._on_idle()  # customers
    assert window.fleet.assignment.name == "experimental"  # 3 in 49 customers: too few to judge
    window.kiosk._on_idle()  # the 50th
    assert window.fleet.assignment.name == "held" and window.fleet.assignment.entry.id == STABLE_ID
    record = read_rollback(session.state_file)
    assert record.reason.startswith("feedback:") and "3 of 50 customers" in record.reason
    window.shutdown()
    counts = json.loads((tmp_path / "feedback_tally.json").read_text())
    assert counts[f"{EXPERIMENTAL_ID}@0.9.0"] == {"stage": "experimental", "customers": 50, "reports": 3}
