"""Work around reference-count bugs of PySide6 6.12.0 that would crash the app.

On CPython 3.11 (these singletons become immortal only in 3.12), PySide6 6.12.0 returns singletons without
taking a reference to them:

- ``SignalInstance.emit()`` returns ``True``: every ``emit()`` from Python drops one reference to ``True``;
- every wrapped C++ method returning ``void`` (``QLabel.setText``, ``QWidget.setEnabled``,
  ``QTimer.setInterval``, …) returns ``None``: every such call drops one reference to ``None``.

The counts reach zero after enough calls (a dashboard refreshing once a second makes dozens) and the
interpreter aborts with "Fatal Python error: bool_dealloc" / "none_dealloc" — at the latest at exit.
Measured here: 100 calls → the refcount falls by exactly 100 (tests/app_shell/test_pyside_fix.py keeps
checking it, so an upgrade that fixes PySide6 shows up).

The fix adds a margin of 2**40 (about 1.1e12) references to None, True and False once per process: 35
years at 1000 leaked references a second, and it changes nothing else. Every app module that calls Qt
imports this module first.
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
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object, at id(obj).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _MARGIN
    _applied = True


guard_bool_refcounts()
