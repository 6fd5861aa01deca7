"""At the default 1180x760 window, a folder of photos with the salon note showing (issue 25): every
control of the panel gets at least its minimum size, none overlaps another, none is cut off."""

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget

from core.io.images import save_image
from core.io.sources import FolderSource
from tests.desktop.test_main_window import wait_new_frame
from tests.fakes import portrait

NOTE = ("Platinum Blonde is 5 levels lighter than this hair (level 3): in the salon, more than 3 levels "
        "needs pre-lightening first")


def _shown(panel) -> list[QWidget]:
    return [w for w in panel.findChildren(QWidget) if w.isVisibleTo(panel) and w.width() > 0]


def _in_panel(panel, widget) -> QRect:
    return QRect(widget.mapTo(panel, QPoint(0, 0)), widget.size())


def _leaves(panel) -> list[QWidget]:
    shown = _shown(panel)
    return [w for w in shown if not any(o is not w and w.isAncestorOf(o) for o in shown)]


@pytest.mark.parametrize("size", [(1180, 760), (1280, 800), (1024, 700)])
def test_nothing_in_the_panel_is_squashed_clipped_or_overlapping(qtbot, make_window, tmp_path, size):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(3):
        save_image(photos / f"p{i}.png", portrait(160, 120, t=i))
    window = make_window(opener=lambda spec: FolderSource(spec))
    window.resize(*size)
    window.open_source(str(photos))
    wait_new_frame(qtbot, window, lambda r, i: r.frame.source_id.endswith("/p0.png"))
    panel = window.controls
    panel.salon_note.say(NOTE)
    qtbot.waitUntil(lambda: panel.salon_note.isVisible() and panel.folder_row.isVisible(), timeout=3000)
    panel.layout().activate()  # the layout's pending requests, now rather than on the next turn
    qtbot.waitUntil(lambda: panel.salon_note.height() >= panel.salon_note.minimumSizeHint().height(), timeout=3000)

    assert window.size().width() == size[0] and window.size().height() == size[1]
    whole = panel.rect()
    assert QRect(panel.mapTo(window, QPoint(0, 0)), panel.size()).bottom() <= window.centralWidget().geometry().bottom()
    for widget in _shown(panel):
        hint = widget.minimumSizeHint()
        name = f"{type(widget).__name__} {widget.objectName() or getattr(widget, 'text', lambda: '')()}"
        if hint.isValid():
            assert widget.width() >= hint.width() and widget.height() >= hint.height(), (name, widget.size(), hint)
        assert whole.contains(_in_panel(panel, widget)), (name, _in_panel(panel, widget), whole)
    leaves = _leaves(panel)
    for i, one in enumerate(leaves):
        for other in leaves[i + 1:]:
            assert not _in_panel(panel, one).intersects(_in_panel(panel, other)), (one, other)
