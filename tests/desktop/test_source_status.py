"""The status bar follows what happened to the source (issue 25): opening, then showing it, or that it
could not be opened and a camera is looked for -- never "Opening camera 0…" beside a start panel that
says the camera failed."""

from tests.desktop.test_main_window import wait_frame
from tests.fakes import Camera, Opener


def _said(window) -> str:
    """What the status bar shows now: a passing message, else the source's line."""
    return window.statusBar().currentMessage() or window.source_status.text()


def test_a_camera_that_fails_says_so_in_the_status_bar_and_a_found_one_is_shown(qtbot, make_window):
    opener = Opener(camera=None)
    window = make_window(opener=opener)
    window.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.start_panel, timeout=3000)
    assert window.start_panel.title.text() == "No camera found"
    assert _said(window) == "No camera found (camera 0) — looking for a camera…"
    opener.camera = Camera()
    wait_frame(qtbot, window, timeout=5000)
    qtbot.waitUntil(lambda: window.source_status.text() == "Showing camera 0", timeout=3000)


def test_a_photo_is_opening_then_showing_and_a_missing_one_could_not_be_opened(qtbot, make_window, photo_path,
                                                                             tmp_path):
    window = make_window()
    window.open_source(str(photo_path))
    assert window.source_status.text() == f"Opening {photo_path.name}…"
    wait_frame(qtbot, window)
    qtbot.waitUntil(lambda: window.source_status.text() == f"Showing {photo_path.name}", timeout=3000)
    window.open_source(str(tmp_path / "gone.png"))
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.start_panel, timeout=3000)
    assert _said(window) == "Could not open gone.png"
    window.play_demo()
    wait_frame(qtbot, window)
    qtbot.waitUntil(lambda: window.source_status.text() == "Showing the demo clip", timeout=3000)
