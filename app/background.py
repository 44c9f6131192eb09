"""One helper for work that must not run on the GUI thread (Anki's ``run_in_background`` shape).

``run_in_background(op, on_success=..., on_failure=..., owner=...)`` runs ``op()`` on Qt's global thread
pool and calls exactly one of the callbacks back on the GUI thread with the result or the exception.
Callers never touch threads, and a slow chain read or a claim can never freeze the tray.

Results travel through one long-lived dispatcher object on the GUI thread, never through a per-operation
QObject: a worker that finishes late (after a dialog closed, after the app quit, after a test ended) then
has nothing that could have been deleted under it. A result whose ``owner`` (a QObject) has been destroyed
by then is dropped: the window it was meant for is gone, and nobody is left to tell.
"""
from __future__ import annotations

import itertools
import logging
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


@dataclass
class _Pending:
    on_success: Optional[SuccessCallback]
    on_failure: Optional[FailureCallback]
    owner: Optional[QObject]


class _Dispatcher(QObject):
    """Lives on the GUI thread for the whole program; its signal is delivered there (queued)."""

    finished = Signal(int, bool, object)  # ticket, succeeded, result or exception

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, _Pending] = {}
        self.lock = threading.Lock()
        self.finished.connect(self.on_finished)

    @Slot(int, bool, object)
    def on_finished(self, ticket: int, succeeded: bool, value: Any) -> None:
        with self.lock:
            entry = self.pending.pop(ticket, None)
        if entry is None:
            return
        if entry.owner is not None and not shiboken6.isValid(entry.owner):
            log.debug("background result dropped: its owner is gone")
            return
        if succeeded:
            if entry.on_success is not None:
                entry.on_success(value)
        elif entry.on_failure is not None:
            entry.on_failure(value)
        else:
            log.error("Background operation failed: %s", value)


_dispatcher: Optional[_Dispatcher] = None
_tickets = itertools.count(1)


def _the_dispatcher() -> _Dispatcher:
    global _dispatcher
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        _dispatcher = _Dispatcher()
        app = QCoreApplication.instance()
        if app is not None and _dispatcher.thread() is not app.thread():
            _dispatcher.moveToThread(app.thread())
    return _dispatcher


class _Task(QRunnable):
    def __init__(self, op: Callable[[], Any], ticket: int, dispatcher: _Dispatcher) -> None:
        super().__init__()
        self._op = op
        self._ticket = ticket
        self._dispatcher = dispatcher  # a strong reference: the dispatcher outlives every task
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            result = self._op()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach on_failure
            log.debug("background op failed: %s", "".join(traceback.format_exception_only(type(exc), exc)).strip())
            self._deliver(False, exc)
        else:
            self._deliver(True, result)

    def _deliver(self, succeeded: bool, value: Any) -> None:
        try:
            self._dispatcher.finished.emit(self._ticket, succeeded, value)
        except RuntimeError:  # the interpreter is shutting down and took Qt with it: nobody is left to tell
            log.debug("background op finished after the application ended")


def run_in_background(
    op: Callable[[], Any],
    on_success: Optional[SuccessCallback] = None,
    on_failure: Optional[FailureCallback] = None,
    pool: Optional[QThreadPool] = None,
    owner: Optional[QObject] = None,
) -> None:
    """Run ``op`` off the GUI thread; call ``on_success(result)`` or ``on_failure(exc)`` on the GUI thread.

    Must be called from the GUI thread. With ``owner``, the callbacks are skipped once that QObject has
    been destroyed. A failure with no ``on_failure`` is logged, never swallowed silently.
    """
    dispatcher = _the_dispatcher()
    ticket = next(_tickets)
    with dispatcher.lock:
        dispatcher.pending[ticket] = _Pending(on_success, on_failure, owner)
    (pool or QThreadPool.globalInstance()).start(_Task(op, ticket, dispatcher))


def pending_operations() -> int:
    """How many background operations have not reported yet (used by tests and by a clean quit)."""
    if _dispatcher is None or not shiboken6.isValid(_dispatcher):
        return 0
    with _dispatcher.lock:
        return len(_dispatcher.pending)


def wait_for_pending(timeout_ms: int = 30_000) -> bool:
    """Let every started operation finish and deliver its result (tests' teardown; the end of main).

    Returns False when some were still running after ``timeout_ms``.
    """
    import time

    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout_ms / 1000
    while pending_operations():
        if time.monotonic() > deadline:
            return False
        QThreadPool.globalInstance().waitForDone(50)
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return True
