"""Session: one place for what the command line and the app take from the settings."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from core.catalog.config import Settings
from core.errors import PaletteError
from core.frames import DEFAULT_INTENSITY, DEFAULT_SHINE
from core.tryon.session import Session, SettingsChange

ID = "00000000-0000-4000-8000-000000000001"


def test_model_choice_follows_the_settings_unless_told_otherwise(tmp_path):
    from core.catalog.registry import Registry
    from tests.registries import EXPERIMENTAL_ID, STABLE_ID, registry_with_experimental

    registry = Registry.load(registry_with_experimental(tmp_path))
    session = Session(Settings(model=None, rollout_stage="full", install_id=ID), registry=registry,
                      settings_path=tmp_path / "settings.json")
    assert session.model_entry().id == EXPERIMENTAL_ID
    assert session.model_entry(STABLE_ID).id == STABLE_ID
    session.update(session.settings.with_(model=STABLE_ID))
    assert session.model_entry().id == STABLE_ID


def test_the_registry_is_read_once_and_rollout_reaches_the_real_registry():
    session = Session(Settings(install_id=ID))
    assert session.registry is session.registry
    assert session.model_entry().stage == "stable"  # rollout 0: the default stable model


def test_fresh_look_is_the_default_shade_intensity_and_shine():
    look = Session().fresh_look()
    assert (look.shade.name, look.intensity, look.shine, look.tips) == ("Sunlit Amber", DEFAULT_INTENSITY,
                                                                        DEFAULT_SHINE, None)


def test_cli_looks_take_names_hex_and_tips():
    session = Session()
    assert session.look().shade.name == "Sunlit Amber"
    assert session.look("#102030", 40).shade.rgb == (16, 32, 48)
    with pytest.raises(PaletteError):
        session.look("Mauve Thunder")


def test_palette_file_adds_shades_and_a_bad_one_gives_a_message(tmp_path):
    good = tmp_path / "p.json"
    good.write_text(json.dumps({"shades": [{"name": "Salon Teal", "hex": "#1f8a8a"}]}))
    session = Session(Settings(palette_file=str(good)))
    assert session.palette[-1].name == "Salon Teal" and session.palette_warning is None
    change = session.update(session.settings.with_(palette_file=str(tmp_path / "missing.json")))
    assert change.palette and session.palette[-1].name != "Salon Teal" and "missing.json" in session.palette_warning
    with pytest.raises(PaletteError):
        Session().with_palette_file(str(tmp_path / "missing.json"))
    assert Session().with_palette_file(str(good)).look("Salon Teal").shade.rgb == (31, 138, 138)


def test_settings_change_names_what_differs():
    old = Settings()
    assert SettingsChange.between(old, old) == SettingsChange()
    change = SettingsChange.between(old, old.with_(rollout_stage="ten_percent", resolution=(1280, 720)))
    assert change.model and change.camera and change.resolution and not change.palette


def test_start_spec_and_snapshot_path(tmp_path):
    session = Session(Settings(camera_index=3))
    assert session.start_spec().text == "camera:3" and session.start_spec("synthetic").kind == "demo"
    assert session.snapshot_path(session.fresh_look()) is None  # no folder set
    session.update(session.settings.with_(snapshot_dir=str(tmp_path)))
    when = datetime(2026, 1, 2, 3, 4, 5)
    first = session.snapshot_path(session.fresh_look(), when)
    assert first.name == "hairtint_sunlit-amber_70_20260102-030405.jpg"
    first.write_bytes(b"x")
    assert session.snapshot_path(session.fresh_look(), when).name == "hairtint_sunlit-amber_70_20260102-030405-2.jpg"


def test_opener_opens_the_demo_clip():
    source = Session().opener()("synthetic:64x48")
    assert source.read().size == (64, 48)
    source.close()


def test_the_registry_is_found_in_a_source_tree_or_as_package_data(tmp_path):
    from core.catalog.registry_file import registry_path

    assert registry_path().name == "model_registry.json" and registry_path().is_file()  # this checkout
    packaged = registry_path(source_tree=tmp_path)  # no registry beside the package: the packaged copy
    assert packaged.parent.name == "core" and packaged.name == "model_registry.json"


@pytest.mark.slow
def test_the_build_ships_the_registry_with_paths_relative_to_core(tmp_path):
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path)], cwd=REPO,
                   check=True, capture_output=True)
    shipped = tmp_path / "core" / "model_registry.json"
    from core.catalog.registry import Registry

    registry = Registry.load(shipped)
    entry = registry.resolve(None)
    assert entry.file == (tmp_path / "core" / "models" / entry.file.name).resolve()
    assert entry.file.is_file()  # the build copied the model beside it
    entry.verify()
    assert json.loads(shipped.read_text())["default"] == registry.default
