"""PySide6 6.12.0 dropped a reference to True on every emit() and to None on every void call under
CPython 3.11, aborting the interpreter (bool_dealloc / none_dealloc) once the counts ran out. The lock
pins 6.11.3; these tests fail if an upgrade brings the leak back."""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(str)


def test_emit_keeps_the_reference_count_of_true():
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(1000):
        emitter.fired.emit("x")
    assert abs(before - sys.getrefcount(True)) < 10


def test_void_calls_keep_the_reference_count_of_none(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("x")
    assert abs(before - sys.getrefcount(None)) < 10
