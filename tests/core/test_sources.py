import time
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from core.errors import ImageReadError, SourceError
from core.frames import Frame, RunningMode
from core.io.sources import (
    CameraSource,
    FolderSource,
    ImageSource,
    Source,
    SyntheticSource,
    VideoSource,
    list_cameras,
    open_source,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def solid(colour, size=(24, 16)) -> np.ndarray:
    width, height = size
    return np.full((height, width, 3), colour, np.uint8)


def write_video(path: Path, colours, fps=25.0, size=(32, 24)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for colour in colours:
        writer.write(cv2.cvtColor(solid(colour, size), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def near(pixel, colour, tolerance=12) -> bool:
    return all(abs(int(p) - c) <= tolerance for p, c in zip(pixel, colour, strict=True))


def strictly_rising(values) -> bool:
    return all(b > a for a, b in pairwise(values))


def test_image_source_gives_one_rgb_frame(tmp_path):
    path = tmp_path / "red.png"
    Image.fromarray(solid(RED)).save(path)

    with ImageSource(path) as source:
        frame = source.read()
        assert source.read() is None
    assert isinstance(frame, Frame)
    assert tuple(frame.pixels[0, 0]) == RED
    assert frame.index == 0 and frame.source_id == source.source_id
    assert source.is_live is False
    assert isinstance(source, Source)


def test_image_source_raises_for_a_broken_photo(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_text("not a photo")
    with pytest.raises(ImageReadError, match=r"broken.jpg"):
        ImageSource(path)


def test_folder_source_reads_images_in_order_and_skips_broken_ones(tmp_path):
    Image.fromarray(solid(RED)).save(tmp_path / "a.png")
    Image.fromarray(solid(GREEN)).save(tmp_path / "b.jpg", quality=95)
    (tmp_path / "b2_broken.jpg").write_text("not a photo")
    Image.fromarray(solid(BLUE, (10, 30))).save(tmp_path / "c.bmp")
    (tmp_path / "notes.txt").write_text("ignored: not a picture suffix")

    source = FolderSource(tmp_path)
    frames = list(source)

    assert len(frames) == 3
    assert [tuple(f.pixels[0, 0]) for f in (frames[0], frames[2])] == [RED, BLUE]
    assert near(frames[1].pixels[0, 0], GREEN)
    assert frames[2].pixels.shape == (30, 10, 3)
    assert [f.index for f in frames] == [0, 1, 2]
    assert strictly_rising([f.timestamp_ms for f in frames])
    assert source.skipped == [tmp_path / "b2_broken.jpg"]
    # unrelated photos: each starts the pipeline afresh
    assert len({f.source_id for f in frames}) == 3
    assert all(f.source_id.startswith(source.source_id) for f in frames)
    assert source.read() is None


def test_folder_source_with_no_pictures_is_an_error(tmp_path):
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(SourceError, match=tmp_path.name):
        FolderSource(tmp_path)


def test_video_source_counts_frames_keeps_rgb_and_times_them(tmp_path):
    path = write_video(tmp_path / "clip.avi", [RED] * 3 + [BLUE] * 2, fps=25.0)

    with VideoSource(path) as source:
        frames = list(source)

    assert len(frames) == 5
    assert near(frames[0].pixels[5, 5], RED, 30) and near(frames[4].pixels[5, 5], BLUE, 30)
    assert frames[0].pixels.shape == (24, 32, 3)
    assert [f.timestamp_ms for f in frames] == [0, 40, 80, 120, 160]
    assert {f.source_id for f in frames} == {source.source_id}
    assert source.read() is None  # closed


def test_video_source_loops_with_rising_timestamps(tmp_path):
    path = write_video(tmp_path / "clip.avi", [RED, GREEN, BLUE], fps=10.0)

    with VideoSource(path, loop=True) as source:
        frames = [source.read() for _ in range(8)]

    assert all(f is not None for f in frames)
    assert strictly_rising([f.timestamp_ms for f in frames])
    assert [f.index for f in frames] == list(range(8))
    assert near(frames[3].pixels[5, 5], RED, 30)  # back to the first frame


def test_fixture_clip_plays():
    with VideoSource(FIXTURES / "synthetic_clip.avi") as source:
        frames = list(source)
    assert len(frames) == 30
    assert frames[0].size == (320, 240)
    assert strictly_rising([f.timestamp_ms for f in frames])


def test_video_source_errors(tmp_path):
    with pytest.raises(SourceError, match=r"gone.mp4"):
        VideoSource(tmp_path / "gone.mp4")
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video at all")
    with pytest.raises(SourceError, match=r"fake.mp4"):
        VideoSource(fake)


def test_missing_camera_raises_quickly():
    start = time.monotonic()
    with pytest.raises(SourceError, match="camera 9 is busy or not connected"):
        CameraSource(9)
    assert time.monotonic() - start < 5


class FakeCapture:
    """Stands in for cv2.VideoCapture: delivers ``good`` BGR frames, then fails."""

    def __init__(self, good=3, opened=True):
        self.good, self.opened, self.reads, self.released = good, opened, 0, False
        self.props = {}

    def isOpened(self):
        return self.opened

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def read(self):
        self.reads += 1
        if self.reads > self.good:
            return False, None
        bgr = np.zeros((12, 16, 3), np.uint8)
        bgr[..., 2] = 255  # red, in OpenCV's order
        return True, bgr

    def release(self):
        self.released = True


def test_camera_frames_are_rgb_with_rising_timestamps_then_failure_raises():
    capture = FakeCapture(good=3)
    clock_values = iter([10.0, 10.0, 9.5])  # a clock that stalls and even steps back
    camera = CameraSource(0, width=320, height=240, clock=lambda: next(clock_values), capture_factory=lambda i: capture)

    frames = [camera.read() for _ in range(3)]
    with pytest.raises(SourceError, match="camera 0 stopped delivering frames"):
        camera.read()

    assert camera.is_live is True
    assert all(tuple(f.pixels[0, 0]) == RED for f in frames)
    assert [f.timestamp_ms for f in frames] == [10000, 10001, 10002]
    assert [f.index for f in frames] == [0, 1, 2]
    assert capture.props[cv2.CAP_PROP_FRAME_WIDTH] == 320
    camera.close()
    assert capture.released
    with pytest.raises(SourceError):
        camera.read()


def test_camera_that_does_not_open_is_released_and_reported():
    capture = FakeCapture(opened=False)
    with pytest.raises(SourceError, match="camera 2 is busy or not connected"):
        CameraSource(2, capture_factory=lambda i: capture)
    assert capture.released


def test_list_cameras_probes_and_releases():
    made = {}

    def factory(index):
        made[index] = FakeCapture(opened=index in (1, 3))
        return made[index]

    assert list_cameras(4, capture_factory=factory) == [1, 3]
    assert sorted(made) == [0, 1, 2, 3, 4] and all(c.released for c in made.values())
    assert isinstance(list_cameras(), list)  # no camera on a build machine: quick, no exception


def test_synthetic_source_is_deterministic_and_knows_its_truth():
    one = list(SyntheticSource(64, 48, fps=20, frames=4, seed=3))
    source = SyntheticSource(64, 48, fps=20, frames=4, seed=3)
    two = list(source)

    assert len(one) == 4 and source.read() is None
    assert all(np.array_equal(a.pixels, b.pixels) for a, b in zip(one, two, strict=True))
    assert [f.timestamp_ms for f in two] == [0, 50, 100, 150]
    assert one[0].source_id != two[0].source_id
    truth = source.truth(2)
    assert truth.dtype == bool and truth.shape == (48, 64) and truth.any()
    assert np.array_equal(truth, SyntheticSource(64, 48, fps=20, seed=3).truth(2))
    assert not np.array_equal(one[0].pixels, one[3].pixels)  # the head moves


def test_synthetic_source_without_frame_limit_keeps_going():
    source = SyntheticSource(32, 24, frames=None)
    assert all(source.read() is not None for _ in range(40))


def test_source_ids_are_unique(tmp_path):
    path = tmp_path / "red.png"
    Image.fromarray(solid(RED)).save(path)
    ids = {ImageSource(path).source_id for _ in range(5)} | {SyntheticSource(32, 24).source_id for _ in range(5)}
    assert len(ids) == 10


def test_open_source_parses_specs(tmp_path):
    picture = tmp_path / "me.png"
    Image.fromarray(solid(RED)).save(picture)
    video = write_video(tmp_path / "clip.avi", [RED, RED])

    synthetic = open_source("synthetic")
    assert isinstance(synthetic, SyntheticSource) and (synthetic.width, synthetic.height) == (640, 480)
    sized = open_source("synthetic:64x48", frames=2, seed=1)
    assert (sized.width, sized.height, sized.frames, sized.seed) == (64, 48, 2, 1)
    assert isinstance(open_source(str(picture), loop=True), ImageSource)  # loop does not apply: ignored
    assert isinstance(open_source(str(tmp_path)), FolderSource)
    looping = open_source(str(video), loop=True)
    assert isinstance(looping, VideoSource) and looping.loop
    looping.close()


@pytest.mark.parametrize("spec, message", [
    ("camera:9", "camera 9 is busy or not connected"),
    ("camera:front", "not a camera"),
    ("synthetic:big", "not a synthetic size"),
    ("/no/such/place/holiday.jpg", "holiday.jpg does not exist"),
    ("", "does not exist"),
])
def test_open_source_errors(spec, message):
    with pytest.raises(SourceError, match=message):
        open_source(spec)


def test_spec_kinds_and_names(tmp_path):
    from core.io.source_spec import parse_spec

    (tmp_path / "clip.mp4").write_bytes(b"")
    assert parse_spec("camera:1").kind == parse_spec("Camera").kind == "camera"
    assert parse_spec("camera:1").camera_index == 1 and parse_spec("camera").camera_index == 0
    assert parse_spec("synthetic:320x240").kind == "demo" and parse_spec("synthetic:320x240").size == (320, 240)
    assert parse_spec(str(tmp_path)).kind == "folder" and parse_spec(str(tmp_path)).running_mode is RunningMode.IMAGE
    clip = parse_spec(str(tmp_path / "clip.mp4"))
    assert clip.kind == "video" and clip.live and not clip.is_camera
    assert parse_spec(str(tmp_path / "me.jpg")).kind == "image"
    assert parse_spec("camera:0").is_camera and parse_spec("camera:0").live and not parse_spec("synthetic").is_camera
    assert parse_spec("camera:2").describe() == "camera 2" and parse_spec("camera").describe() == "camera 0"
    assert parse_spec("synthetic").describe() == "the demo clip"
    assert parse_spec(str(tmp_path / "me.jpg")).describe() == "me.jpg"
    assert parse_spec("camera:x").problem and parse_spec("synthetic:big").problem


def test_the_video_dialog_offers_only_suffixes_that_open():
    from core.io.source_spec import VIDEO_FILTER, VIDEO_SUFFIXES, parse_spec

    offered = [s.lstrip("*") for s in VIDEO_FILTER.split("(")[1].rstrip(")").split()]
    assert offered == list(VIDEO_SUFFIXES)
    assert all(parse_spec(f"clip{suffix}").kind == "video" for suffix in offered)
