"""The folders offered for the look cards, found in a tree of the test's own: the removable drives under
media/<user>, run/media/<user> and mnt, ~/Pictures, and the folder set now; which exist and can be
written; and the "HairTint looks" folder made inside one."""

from __future__ import annotations

import os

import pytest

from core.io.folders import LOOKS_FOLDER, MAX_MOUNTS, candidate_folders, is_writable, looks_folder
from core.io.outputs import OutputError


@pytest.fixture
def tree(tmp_path):
    for folder in ("media/salon/KINGSTON", "media/salon/.hidden", "media/other/THEIRS", "run/media/salon/SD-CARD",
                   "mnt/backup", "home/salon/Pictures"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "mnt" / "notes.txt").write_text("a file, not a folder")
    return tmp_path


def listed(tree, current=None, **kw):
    kw.setdefault("writable", lambda p: p.name != "SD-CARD")  # as a locked SD card answers
    kw.setdefault("user", "salon")
    return [(f.path.relative_to(tree).as_posix() if f.path.is_relative_to(tree) else str(f.path), f.kind, f.state)
            for f in candidate_folders(current, root=tree, home=tree / "home" / "salon", **kw)]


def test_the_removable_drives_of_the_user_then_pictures_then_the_folder_set_now(tree):
    assert listed(tree, "/srv/looks") == [
        ("media/salon/KINGSTON", "removable", "writable"),
        ("run/media/salon/SD-CARD", "removable", "read-only"),
        ("mnt/backup", "removable", "writable"),
        ("home/salon/Pictures", "pictures", "writable"),
        ("/srv/looks", "current", "not there"),  # unplugged, or gone: shown, not usable
    ]


def test_the_folder_set_now_is_listed_once_and_pictures_even_when_missing(tree):
    (tree / "home" / "salon" / "Pictures").rmdir()
    folders = candidate_folders(str(tree / "mnt" / "backup"), root=tree, home=tree / "home" / "salon", user="salon")
    assert [f.kind for f in folders] == ["removable", "removable", "removable", "pictures"]
    pictures = folders[-1]
    assert not pictures.exists and not pictures.usable and pictures.state == "not there"
    assert all(f.usable for f in folders[:3])  # the real check: these are the test's own folders


def test_no_user_name_leaves_only_mnt_and_the_list_is_kept_short(tree):
    assert [row[0] for row in listed(tree, user="")] == ["mnt/backup", "home/salon/Pictures"]
    for i in range(MAX_MOUNTS + 3):
        (tree / "mnt" / f"disk{i:02d}").mkdir()
    assert sum(kind == "removable" for _, kind, _ in listed(tree)) == MAX_MOUNTS


def test_what_is_writable(tmp_path):
    assert is_writable(tmp_path)
    assert not is_writable(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    assert not is_writable(tmp_path / "file")
    if os.geteuid() != 0:  # root may write anywhere but on a read-only drive
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert not is_writable(locked)


def test_the_looks_folder_is_made_inside_once(tmp_path):
    made = looks_folder(tmp_path)
    assert made == tmp_path / LOOKS_FOLDER and made.is_dir()
    assert looks_folder(tmp_path) == made  # already there: the same
    assert looks_folder(made) == made  # picked the looks folder itself: not one inside it
    assert not (made / LOOKS_FOLDER).exists()


def test_a_looks_folder_that_cannot_be_made_says_why(tmp_path):
    (tmp_path / "stick").mkdir()
    (tmp_path / "stick" / LOOKS_FOLDER).write_text("a file in the way")
    with pytest.raises(OutputError, match="a file has that name"):
        looks_folder(tmp_path / "stick")
    with pytest.raises(OutputError, match="cannot make the folder"):
        looks_folder(tmp_path / "missing")
