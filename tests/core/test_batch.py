from pathlib import Path

from core.frames import Look, Shade
from core.tools.batch import plan

LOOK = Look(Shade("Sunlit Amber", (200, 120, 42)), intensity=55)


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folder_results_carry_shade_and_intensity(tmp_path):
    touch(tmp_path / "in" / "b.jpg")
    touch(tmp_path / "in" / "a.png")
    touch(tmp_path / "in" / "notes.txt")
    jobs, problems = plan([tmp_path / "in"], tmp_path / "out", LOOK)
    assert problems == []
    assert [j.target.name for j in jobs] == ["a_sunlit-amber_55.png", "b_sunlit-amber_55.jpg"]


def test_single_photo_may_name_the_output_file(tmp_path):
    photo = touch(tmp_path / "me.jpg")
    jobs, _ = plan([photo], tmp_path / "result.jpg", LOOK)
    assert [j.target for j in jobs] == [tmp_path / "result.jpg"]


def test_taken_names_get_a_number_and_inputs_are_never_targets(tmp_path):
    photo = touch(tmp_path / "me.jpg")
    touch(tmp_path / "out" / "me_sunlit-amber_55.jpg")
    jobs, _ = plan([photo], tmp_path / "out", LOOK)
    assert jobs[0].target.name == "me_sunlit-amber_55-2.jpg"
    jobs, _ = plan([photo], photo, LOOK)
    assert jobs[0].target != photo and jobs[0].target.name == "me-2.jpg"


def test_same_stem_in_two_folders_does_not_collide(tmp_path):
    a, b = touch(tmp_path / "x" / "p.jpg"), touch(tmp_path / "y" / "p.jpg")
    jobs, _ = plan([a, b], tmp_path / "out", LOOK)
    assert len({j.target for j in jobs}) == 2


def test_missing_inputs_and_empty_folders_are_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    jobs, problems = plan([tmp_path / "nope.jpg", tmp_path / "empty"], tmp_path / "out", LOOK)
    assert jobs == [] and len(problems) == 2
    assert "nope.jpg" in problems[0] and "no photos" in problems[1]


def test_result_stem_names_tips_and_shine_only_when_they_differ_from_the_look():
    from core.catalog.palette import default_palette, resolve_color
    from core.io.naming import result_stem

    palette = default_palette()
    balayage, blue = resolve_color("Honey Balayage", palette), resolve_color("Ocean Blue", palette)
    assert result_stem("me", LOOK) == "me_sunlit-amber_55"  # as before shine and tips existed
    assert result_stem("me", Look(balayage, tips=balayage.tips)) == "me_honey-balayage_70"
    assert result_stem("me", Look(balayage, tips=None)) == "me_honey-balayage_tips-none_70"
    assert result_stem("me", Look(balayage, tips=blue, shine=0)) == "me_honey-balayage_tips-ocean-blue_70_shine0"
