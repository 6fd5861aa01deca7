"""The teacher a pack is made with: one model, several averaged, each on the photo and its mirror image."""

import cv2
import numpy as np
import pytest

from hairtint_desktop.cli import main
from tests.conftest import FIXTURES
from tests.labelled_sets import labelled_set
from training.data import load_photos
from training.pack import pack, teacher_model

PORTRAIT = FIXTURES / "portrait_640x480.png"


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return np.ascontiguousarray(cv2.cvtColor(cv2.imread(str(PORTRAIT)), cv2.COLOR_BGR2RGB))


def test_several_teachers_give_the_mean_of_their_answers(photo):
    one, other = teacher_model(["hairnet@2.1.0"])(photo), teacher_model(["hairnet@2.2.0"])(photo)
    both = teacher_model(["hairnet@2.1.0", "hairnet@2.2.0"])(photo)
    assert both.shape == photo.shape[:2] and both.dtype == np.float32
    assert float(np.abs(one - other).max()) > 0.1  # two models that differ somewhere, so the mean is a real test
    np.testing.assert_allclose(both, (one + other) / 2, atol=1e-5)


def test_a_mirrored_teacher_averages_the_photo_and_its_mirror_image(photo):
    plain = teacher_model(["hairnet@2.2.0"])
    mirrored = teacher_model(["hairnet@2.2.0"], mirror=True)(photo)
    expected = (plain(photo) + plain(np.ascontiguousarray(photo[:, ::-1]))[:, ::-1]) / 2
    assert float(np.abs(mirrored - plain(photo)).max()) > 0.05
    np.testing.assert_allclose(mirrored, expected, atol=1e-5)


def test_a_pack_made_with_an_averaged_mirrored_teacher_carries_it(tmp_path):
    data = labelled_set(tmp_path / "tiny", 4, splits={"train.txt": [0, 1, 2, 3]})
    packed = tmp_path / "taught.npz"
    assert main(["train", "--data", str(data), "--pack-to", str(packed), "--pack-splits", "train",
                 "--pack-teacher", "hairnet@2.1.0", "hairnet@2.2.0", "--pack-teacher-mirror"]) == 0
    assert load_photos([packed], "train", 64, progress=False).masks.shape[1] == 2


@pytest.mark.parametrize("flags", [["--pack-teacher-mirror"], ["--out", "x", "--pack-teacher", "hairnet"]])
def test_teacher_flags_without_what_they_go_with_are_a_clear_error(tmp_path, capsys, flags):
    data = labelled_set(tmp_path / "tiny", 2, splits={"train.txt": [0, 1]})
    assert main(["train", "--data", str(data), *flags]) == 2
    err = capsys.readouterr().err
    assert "--pack-teacher goes with --pack-to" in err and "Traceback" not in err


def test_the_teacher_sees_each_photo_at_its_full_size_and_the_pack_keeps_its_answer_at_the_packed_size(tmp_path):
    data = labelled_set(tmp_path / "tiny", 2, size=(160, 120), splits={"train.txt": [0, 1]})
    seen = []

    def teacher(rgb: np.ndarray) -> np.ndarray:  # "hair" = the left half of the photo
        seen.append(rgb.shape)
        prob = np.zeros(rgb.shape[:2], np.float32)
        prob[:, : rgb.shape[1] // 2] = 1.0
        return prob

    packed = tmp_path / "taught.npz"
    pack([data], packed, longest=80, quality=95, splits=("train",), progress=False, teacher=teacher)
    assert seen == [(120, 160, 3)] * 2
    taught = load_photos([packed], "train", 64, progress=False).masks[:, 1].float()
    assert float(taught[:, :, 4:28].min()) > 240 and float(taught[:, :, 36:60].max()) < 15
