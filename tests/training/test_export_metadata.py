"""The model file's metadata zip carries no clock: the same model written at two times is the same file."""

import io
import zipfile

from training.export import ZIP_EPOCH, pin_zip_times


def _model_with_labels(when: tuple) -> bytes:
    """Some flatbuffer-like bytes with a labels zip appended the way the metadata writer appends it."""
    buffer = io.BytesIO(b"\x1c\x00\x00\x00TFL3" + bytes(range(256)) * 4)
    buffer.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(zipfile.ZipInfo("labels.txt", date_time=when), "background\nhair")
        archive.writestr(zipfile.ZipInfo("more.txt", date_time=when), "x" * 100)
    return buffer.getvalue()


def test_two_writes_at_different_times_give_the_same_bytes_and_a_readable_zip():
    morning, night = _model_with_labels((2026, 11, 27, 9, 0, 0)), _model_with_labels((2031, 5, 4, 23, 59, 58))
    assert morning != night
    pinned = pin_zip_times(morning)
    assert pinned == pin_zip_times(night)
    assert len(pinned) == len(morning) and pinned[:1000] == morning[:1000]  # the model itself is untouched
    with zipfile.ZipFile(io.BytesIO(pinned)) as archive:
        assert archive.testzip() is None
        assert archive.read("labels.txt") == b"background\nhair"
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert ZIP_EPOCH == (0, 33)


def test_a_model_without_a_zip_is_left_as_it_is():
    plain = b"\x1c\x00\x00\x00TFL3" + bytes(500)
    assert pin_zip_times(plain) == plain
    # the end-of-zip signature by chance among the weights, with no zip behind it
    lookalike = plain + b"PK\x05\x06" + bytes(range(40))
    assert pin_zip_times(lookalike) == lookalike
