"""The Qt binding must not leak references to None/True on this interpreter: PySide6 6.12.0's wheels,
built against CPython 3.12 headers, do on 3.11 and abort a live view within seconds (ADR 0003)."""

import sys

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def test_void_calls_and_emits_keep_none_and_true_alive():
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        probe.setObjectName("probe")
        probe.ping.emit()
    assert abs(none_before - sys.getrefcount(None)) < 50
    assert abs(true_before - sys.getrefcount(True)) < 50
