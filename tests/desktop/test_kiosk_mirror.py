"""The kiosk as a mirror, on the real window offscreen: the picture covers its view (no bands) framed on
the face the pipeline finds, the head of a person 1 m from a 1080p camera takes at least 40 % of the
screen's height at the three screen sizes, the sliders jump to where the track is pressed, and pressing
and holding the picture shows the original until released. The desktop keeps its letterboxed picture."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from core.frames import RunningMode
from core.pipeline.framing import Framer, View
from core.pipeline.pipeline import PassThroughSmoother, Pipeline
from core.stages.face_box import FaceLocator
from core.stages.recolor import Recolorer
from tests.fakes import FakeSegmenter, Identity

SCREENS = [(1280, 800), (1920, 1080), (1080, 1920)]


class StillFace:
    """A face finder that always finds one face, at ``box`` (x, y, width, height)."""

    def __init__(self, box=(140.0, 70.0, 40.0, 46.0)):
        self.box = box

    def faces(self, pixels):
        return [self.box]

    def close(self):
        pass


class LocatingFactory:
    """Pipelines like the fake ones, which also give each result the face :class:`StillFace` finds."""

    def __call__(self, mode: RunningMode) -> Pipeline:
        return Pipeline(FakeSegmenter(), PassThroughSmoother(), Identity(), Recolorer(),
                        locator=FaceLocator(StillFace(), every=3))


class FramingFactory:
    """Pipelines like the kiosk's: they find :class:`StillFace` and, once the window says where it shows
    the picture, cut each frame to the framed part and work it at the view's size."""

    def __call__(self, mode: RunningMode) -> Pipeline:
        return Pipeline(FakeSegmenter(), PassThroughSmoother(), Identity(), Recolorer(),
                        locator=FaceLocator(StillFace(), every=3), framer=Framer(), framed_pixels=200_000)


def laid_out(window, size):
    window.resize(*size)
    window.centralWidget().layout().activate()
    window.arrange(*size)
    window.centralWidget().layout().activate()
    assert (window.width(), window.height()) == size
    return window


class Ticks:
    """A clock for the view's framing: a thirtieth of a second further on each time it is read."""

    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 1 / 30
        return self.t


def test_the_kiosk_picture_covers_its_view_framed_on_the_face_the_pipeline_finds(qtbot, make_window):
    window = laid_out(make_window(kiosk=True, pipeline_factory=LocatingFactory()), (1280, 800))
    with qtbot.waitSignal(window.frame_displayed, timeout=10000):
        window.start("camera:0")
    view = window.view
    assert view.image_rect() == view.rect()  # covers: no bands
    x0, y0, x1, y1 = view.crop
    assert (x1 - x0) / (y1 - y0) == pytest.approx(view.width() / view.height(), rel=1e-6)
    face_x, face_y = 140 + 20, 70 + 23  # StillFace's centre in the 320 x 240 camera frame
    assert x0 < face_x < x1 and y0 < face_y < y1 and y1 - y0 < 240  # zoomed in on the face
    picture = view.grab().toImage()
    for x, y in ((2, 2), (view.width() // 2, 2), (2, view.height() - 3), (view.width() // 2, view.height() - 3)):
        assert picture.pixelColor(x, y) != QColor("#121214"), f"background showing at {x},{y}"
    window.state.reset()  # the next customer: framed afresh
    assert view.crop is None


def test_the_kiosk_pipeline_frames_the_camera_frame_for_the_view_and_the_view_paints_it_as_it_comes(qtbot, make_window):
    window = laid_out(make_window(kiosk=True, pipeline_factory=FramingFactory()), (1280, 800))
    view = window.view
    told = []
    view.view_changed.connect(told.append)
    laid_out(window, (1200, 800))  # the view's size changes: the pipeline is told
    assert told and told[-1] == View(view.width(), view.height(), told[-1].head_share)
    with qtbot.waitSignal(window.frame_displayed, timeout=10000):
        window.start("camera:0")
    qtbot.waitUntil(lambda: window.last_result is not None and window.last_result.crop is not None, timeout=10000)
    result = window.last_result
    x0, y0, x1, y1 = result.crop  # in the 320 x 240 camera frame, round StillFace's centre (160, 93)
    assert x0 < 160 < x1 and y0 < 93 < y1 and y1 - y0 < 240
    height, width = result.frame.pixels.shape[:2]
    assert width / height == pytest.approx(view.width() / view.height(), rel=0.01)  # cut to the view's shape
    assert height > (y1 - y0) * 1.5  # worked larger than the camera gave it: about the view's size
    qtbot.waitUntil(lambda: view.crop == window.last_result.crop, timeout=10000)
    assert view.image_rect() == view.rect()
    source = view.source_rect()
    assert source.width() == pytest.approx(view.shown.shape[1], abs=2) and source.height() == pytest.approx(view.shown.shape[0], abs=2)


def test_the_desktop_keeps_its_letterboxed_picture(qtbot, make_window):
    window = laid_out(make_window(), (1180, 760))
    frame = np.full((240, 320, 3), 120, np.uint8)
    window.view.set_frame(frame, frame, face_box=(100.0, 50.0, 160.0, 120.0))
    assert window.view.framer is None and window.view.crop is None
    shown = window.view.image_rect()
    assert shown.width() / shown.height() == pytest.approx(320 / 240, rel=0.01)
    assert shown.height() < window.view.height() or shown.width() < window.view.width()


@pytest.mark.slow  # the face detector (MediaPipe) on drawn frames, and the window at three sizes
@pytest.mark.parametrize("screen", SCREENS)
def test_a_person_1_m_away_takes_40_percent_of_the_screens_height(qtbot, make_window, screen):
    import cv2

    from core.demo.synthetic import HEAD_AT_1M, portrait_boxes, render_portrait
    from core.frames import Frame

    window = laid_out(make_window(kiosk=True), screen)
    view = window.view
    view.clock = Ticks()
    shown = (1280, 720)  # what the live pipeline works at and shows for a 1080p camera
    locator = FaceLocator()  # as the kiosk's pipeline has it
    shares = []
    try:
        for i in range(60):  # two seconds of the swaying demo person, found as the live pipeline finds her
            t = i / 30
            pixels = cv2.resize(render_portrait(1920, 1080, t, 6, head=HEAD_AT_1M)[0], shown,
                                interpolation=cv2.INTER_AREA)
            face = locator.locate(Frame(pixels, round(t * 1000), i, "demo"))
            view.set_frame(pixels, pixels, face_box=face)
            _, y0, _, y1 = view.crop
            assert view.image_rect() == view.rect()
            head = portrait_boxes(1920, 1080, t, 6, head=HEAD_AT_1M)[1]  # the drawn head, crown to chin
            on_screen = (head[3] - head[1]) * shown[1] / 1080 * view.height() / (y1 - y0)
            shares.append(on_screen / window.height())
    finally:
        locator.close()
    assert min(shares) >= 0.40, f"the head takes {min(shares):.0%} of the {screen[0]}x{screen[1]} screen's height"


def groove_point(slider, fraction: float) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, slider)
    handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider)
    span = groove.width() - handle.width()
    return QPoint(round(groove.x() + handle.width() / 2 + fraction * span), slider.height() // 2)


@pytest.mark.parametrize("kiosk", [True, False])
def test_a_press_on_a_sliders_track_sets_the_value_under_the_finger(qtbot, make_window, kiosk):
    window = laid_out(make_window(kiosk=kiosk), (1280, 800) if kiosk else (1180, 760))
    slider = window.controls.slider
    assert slider.value() == 70
    QTest.mouseClick(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, groove_point(slider, 0.15))
    assert abs(slider.value() - 15) <= 2  # not one page step (10) towards it
    assert window.state.look.intensity == slider.value()
    shine = window.controls.look_controls.shine_slider
    QTest.mouseClick(shine, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, groove_point(shine, 0.9))
    assert abs(shine.value() - 90) <= 2 and window.state.look.shine == shine.value()
    before = slider.value()  # a press on the handle itself leaves the value alone (a drag starts there)
    QTest.mouseClick(slider, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     groove_point(slider, before / 100))
    assert abs(slider.value() - before) <= 1


@pytest.mark.parametrize("kiosk", [True, False])
def test_press_and_hold_on_the_picture_shows_the_original_until_released(qtbot, make_window, kiosk):
    window = laid_out(make_window(kiosk=kiosk), (1280, 800))
    view = window.view
    before, after = np.full((240, 320, 3), (200, 40, 40), np.uint8), np.full((240, 320, 3), (40, 40, 200), np.uint8)
    view.set_frame(before, after)
    middle = view.rect().center()

    def colour() -> tuple[int, int, int]:
        c = view.grab().toImage().pixelColor(middle.x(), middle.y() - 60)
        return c.red(), c.green(), c.blue()

    assert colour() == (40, 40, 200)
    QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    assert view.showing_before and colour() == (200, 40, 40)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    assert not view.showing_before and colour() == (40, 40, 200)


def test_the_before_after_divider_still_drags_in_split_mode(qtbot, make_window):
    window = laid_out(make_window(kiosk=True), (1280, 800))
    view = window.view
    frame = np.full((240, 320, 3), 90, np.uint8)
    view.set_frame(frame, frame)
    window.controls.split_button.click()
    assert view.mode == "split"
    target = view.image_rect()
    QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(target.x() + target.width() // 4, target.center().y()))
    assert window.state.divider == pytest.approx(0.25, abs=0.01) and not view.showing_before
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton)


def test_the_kiosk_compare_tiles_are_covered_by_the_framing_too(qtbot, make_window):
    window = laid_out(make_window(kiosk=True), (1280, 800))
    view = window.view
    frame = np.full((240, 320, 3), 150, np.uint8)
    view.set_frame(frame, frame, tiles=[(f"shade {i}", frame) for i in range(4)], face_box=(140.0, 70.0, 180.0, 116.0))
    window.controls.compare_button.click()
    assert view.mode == "compare"
    picture = view.grab().toImage()
    for rect in view.tile_rects():  # each tile's corners show the picture, not the background
        for corner in (rect.topLeft(), rect.topRight(), rect.bottomRight()):
            assert picture.pixelColor(corner) == QColor(150, 150, 150), f"background at {corner}"
