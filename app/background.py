"""One helper for work that must not run on the GUI thread (Anki's ``run_in_background`` shape).

``run_in_background(op, on_success=..., on_failure=...)`` runs ``op()`` on Qt's global thread pool and
calls exactly one of the callbacks back on the GUI thread with the result or the exception. Callers never
touch threads, and a slow chain read or a claim can never freeze the tray.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; its signals are delivered there (queued) whatever thread emits them."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, op: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._op = op
        self._relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            result = self._op()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach on_failure
            log.debug("background op failed: %s", "".join(traceback.format_exception_only(type(exc), exc)).strip())
            self._emit(self._relay.failed, exc)
        else:
            self._emit(self._relay.succeeded, result)

    @staticmethod
    def _emit(signal, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the app quit while this ran: nobody is left to tell
            log.debug("background op finished after the app quit")


# Relays stay referenced until their task reports, or Python could collect them mid-flight.
_in_flight: set[_Relay] = set()


def run_in_background(
    op: Callable[[], Any],
    on_success: Optional[SuccessCallback] = None,
    on_failure: Optional[FailureCallback] = None,
    pool: Optional[QThreadPool] = None,
) -> None:
    """Run ``op`` off the GUI thread; call ``on_success(result)`` or ``on_failure(exc)`` on the GUI thread.

    Must be called from the GUI thread (the relay is created there, so its queued signals land there).
    A failure with no ``on_failure`` is logged, never swallowed silently.
    """
    relay = _Relay()
    _in_flight.add(relay)

    @Slot(object)
    def on_succeeded(result: Any) -> None:
        _in_flight.discard(relay)
        if on_success is not None:
            on_success(result)

    @Slot(object)
    def on_failed(exc: BaseException) -> None:
        _in_flight.discard(relay)
        if on_failure is not None:
            on_failure(exc)
        else:
            log.error("Background operation failed: %s", exc)

    relay.succeeded.connect(on_succeeded)
    relay.failed.connect(on_failed)
    (pool or QThreadPool.globalInstance()).start(_Task(op, relay))


def pending_operations() -> int:
    """How many background operations have not reported yet (used by tests and by a clean quit)."""
    return len(_in_flight)
