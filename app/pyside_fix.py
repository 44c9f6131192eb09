"""Work around a reference-count bug of PySide6 6.12.0 that would crash the app.

``SignalInstance.emit()`` returns ``True`` without taking a reference to it, so every ``emit()`` made from
Python drops one reference to the ``True`` singleton. On CPython 3.11 (bools become immortal only in 3.12)
the count reaches zero after enough emits (the supervisor emits several per second) and the interpreter
aborts with "Fatal Python error: bool_dealloc", at the latest at exit. Measured here: 100 emits → the
refcount of True falls by exactly 100 (tests/app_shell/test_pyside_fix.py keeps checking it).

The fix adds a margin of 2**40 references to True and False once per process: at thousands of emits a
second that lasts for centuries, and it changes nothing else. Every app module that emits signals imports
this module, so the guard is in place before the first emit.
"""
from __future__ import annotations

import ctypes
import platform
import sys

_MARGIN = 1 << 40
_applied = False


def guard_bool_refcounts() -> None:
    global _applied
    if _applied or sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        _applied = True
        return
    for singleton in (True, False):
        # ob_refcnt is the first field of every CPython object, at id(obj).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _MARGIN
    _applied = True


guard_bool_refcounts()
