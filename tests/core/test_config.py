"""core.catalog.config: settings in the user's config folder; a corrupt file never crashes the app."""

import json
import uuid

import pytest

from core.catalog import install_id
from core.catalog.config import (
    KioskSettings,
    MetricsSettings,
    Settings,
    config_dir,
    load_settings,
    read_settings,
    save_settings,
    settings_path,
)
from core.catalog.install_id import machine_install_id

# `systemd-id128 machine-id --app-specific=4eeec022809047a0b29c3270d299895f -u` (systemd 252) on machines
# whose /etc/machine-id holds these ids: the install id is systemd's app-specific id for HairTint
SYSTEMD_APP_SPECIFIC = {"0123456789abcdef0123456789abcdef": "dc63ddb5-551e-4618-996a-904d9edeadf7",
                        "2f1a3c5e7b9d4f60a1b2c3d4e5f60718": "eb445c64-8cb5-4eb8-9fb7-1af82911ffdd"}
MACHINE = next(iter(SYSTEMD_APP_SPECIFIC))


def machine_id_files(monkeypatch, folder, etc=None, dbus=None):
    """Point the machine id lookup at ``folder``'s own files (None: that file is missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = (folder / "etc-machine-id", folder / "dbus-machine-id")
    for file, text in zip(files, (etc, dbus), strict=True):
        file.unlink(missing_ok=True)
        if text is not None:
            file.write_text(text)
    monkeypatch.setattr(install_id, "MACHINE_ID_FILES", tuple(map(str, files)))


def test_a_first_start_writes_nothing_and_the_install_id_is_the_same_at_every_start(tmp_path, monkeypatch):
    machine_id_files(monkeypatch, tmp_path / "machine", etc=MACHINE + "\n")
    path = tmp_path / "config" / "settings.json"
    first, warnings = read_settings(path)
    assert warnings == []
    assert first.with_(install_id="") == Settings()
    assert first.install_id == SYSTEMD_APP_SPECIFIC[MACHINE] and uuid.UUID(first.install_id).version == 4
    assert not (tmp_path / "config").exists()  # nothing written, not even the folder
    assert load_settings(path).install_id == first.install_id  # the next start
    assert not (tmp_path / "config").exists()


@pytest.mark.parametrize("machine", SYSTEMD_APP_SPECIFIC)
@pytest.mark.parametrize("where", ["etc", "dbus"])
def test_the_install_id_is_systemds_app_specific_id_of_the_machine_id(tmp_path, monkeypatch, machine, where):
    machine_id_files(monkeypatch, tmp_path, **{where: machine.upper() if where == "dbus" else f"{machine}\n"})
    assert machine_install_id() == SYSTEMD_APP_SPECIFIC[machine]
    assert machine not in read_settings(tmp_path / "settings.json")[0].install_id.replace("-", "")  # not shown


def test_an_explicit_save_records_the_install_id_which_then_stays(tmp_path, monkeypatch):
    machine_id_files(monkeypatch, tmp_path / "machine", etc=MACHINE)
    path = tmp_path / "settings.json"
    settings, _ = read_settings(path)
    save_settings(settings.with_(overlay=True), path)
    assert json.loads(path.read_text())["install_id"] == SYSTEMD_APP_SPECIFIC[MACHINE]
    other = list(SYSTEMD_APP_SPECIFIC)[1]
    machine_id_files(monkeypatch, tmp_path / "machine", etc=other)  # e.g. the system re-installed
    assert machine_install_id() == SYSTEMD_APP_SPECIFIC[other]
    assert read_settings(path)[0].install_id == SYSTEMD_APP_SPECIFIC[MACHINE]  # the saved one wins


@pytest.mark.parametrize("etc", [None, "", "uninitialized\n", "0" * 32, "not hex at all, but 32 chars long", "\xff" * 40])
def test_without_a_usable_machine_id_the_host_name_stands_in(tmp_path, monkeypatch, etc):
    machine_id_files(monkeypatch, tmp_path, etc=etc)
    monkeypatch.setattr(install_id.platform, "node", lambda: "kiosk-7")
    first = machine_install_id()
    assert uuid.UUID(first).version == 4 and machine_install_id() == first
    assert read_settings(tmp_path / "settings.json")[0].install_id == first
    monkeypatch.setattr(install_id.platform, "node", lambda: "kiosk-8")
    assert machine_install_id() != first
    assert not (tmp_path / "settings.json").exists()


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "deep" / "settings.json"
    settings = Settings(camera_index=2, resolution=(1280, 720), palette_file="/p.json", overlay=True,
                        model="hairnet@1.0.0", kiosk=KioskSettings(pin="4321", idle_reset_s=30),
                        snapshot_dir="/snaps", rollout_stage="fifty_percent", colour_beard=True,
                        install_id=str(uuid.uuid4()), metrics=MetricsSettings(port=9464, address="0.0.0.0"))
    save_settings(settings, path)
    assert load_settings(path) == settings
    assert json.loads(path.read_text())["kiosk"]["pin"] == "4321"


def test_corrupt_file_gives_defaults_a_message_and_is_left_alone(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text('{"camera_index": 1, "overlay": tru')
    settings, warnings = read_settings(path)
    assert settings.camera_index == 0 and settings.overlay is False
    assert len(warnings) == 1 and "not valid JSON" in warnings[0] and str(path) in warnings[0]
    assert path.read_text() == '{"camera_index": 1, "overlay": tru'  # not overwritten: the person may fix it
    with caplog.at_level("WARNING"):
        assert load_settings(path).camera_index == 0
    assert "not valid JSON" in caplog.text


@pytest.mark.parametrize("content", ["[1, 2]", '"text"', "null", ""])
def test_json_that_is_not_an_object_gives_defaults(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    settings, warnings = read_settings(path)
    assert settings.with_(install_id="") == Settings() and warnings


def test_unknown_keys_ignored_bad_values_replaced_one_by_one(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "camera_index": 3, "future_feature": {"x": 1}, "overlay": "yes", "rollout_percent": 25,
        "resolution": [800, 600], "kiosk": {"pin": 1234, "idle_reset_s": -1, "other": True},
        "install_id": "not-a-uuid",
    }))
    settings, warnings = read_settings(path)
    assert settings.camera_index == 3 and settings.resolution == (800, 600)
    assert settings.overlay is False and settings.rollout_stage == "disabled"
    assert settings.kiosk == KioskSettings(pin="1234", idle_reset_s=90.0)
    joined = "\n".join(warnings)
    for key in ("overlay", "rollout_percent", "kiosk.idle_reset_s", "install_id"):
        assert key in joined
    assert "future_feature" not in joined
    assert settings.install_id == machine_install_id()  # the machine's stands in for the unusable one
    assert json.loads(path.read_text())["install_id"] == "not-a-uuid"  # left for a person to see, not rewritten


@pytest.mark.parametrize("percent, stage", [(0, "disabled"), (10, "ten_percent"), (50, "fifty_percent"),
                                            (100, "full")])
def test_a_file_from_before_stages_keeps_its_rollout(tmp_path, percent, stage):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"rollout_percent": percent, "install_id": str(uuid.uuid4())}))
    settings, warnings = read_settings(path)
    assert settings.rollout_stage == stage and warnings == []
    save_settings(settings, path)
    data = json.loads(path.read_text())
    assert data["rollout_stage"] == stage and "rollout_percent" not in data


def test_the_stage_wins_over_an_old_percent_and_bad_stages_are_named(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"rollout_percent": 100, "rollout_stage": "ten_percent"}))
    assert read_settings(path)[0].rollout_stage == "ten_percent"
    path.write_text(json.dumps({"rollout_stage": "half", "metrics": {"port": 70000, "address": ""}}))
    settings, warnings = read_settings(path)
    assert settings.rollout_stage == "disabled" and settings.metrics == MetricsSettings()
    joined = "\n".join(warnings)
    assert "ten_percent, fifty_percent" in joined and "metrics.port" in joined and "metrics.address" in joined


def test_metrics_are_off_and_local_by_default():
    assert Settings().metrics.port is None and Settings().metrics.address == "127.0.0.1"


def test_config_location_follows_xdg_and_the_override(tmp_path, monkeypatch):
    monkeypatch.delenv("HAIRTINT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "hairtint"
    assert settings_path() == tmp_path / "xdg" / "hairtint" / "settings.json"
    monkeypatch.setenv("HAIRTINT_CONFIG", str(tmp_path / "elsewhere.json"))
    assert settings_path() == tmp_path / "elsewhere.json"
    (tmp_path / "dir").mkdir()
    monkeypatch.setenv("HAIRTINT_CONFIG", str(tmp_path / "dir"))
    assert settings_path() == tmp_path / "dir" / "settings.json"
    save_settings(Settings(camera_index=5))
    assert load_settings().camera_index == 5
