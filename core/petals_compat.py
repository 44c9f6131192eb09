"""Make petals 2.2.0.post1 importable on hivemind 1.1.12.

hivemind 1.1.12 (PR #663) emptied the star re-exports of ``hivemind``, ``hivemind.utils`` and
``hivemind.dht``; petals still imports names such as ``PeerID`` or ``get_dht_time`` from those roots.
:func:`apply` restores the names before petals is first imported and tidies two offline annoyances:
petals' PyPI version check and hivemind's "no current event loop" tracebacks at interpreter exit.

Every path that imports petals goes through :func:`import_petals` (or calls :func:`apply` first).
"""
from __future__ import annotations

import importlib
import os
import sys
import types
from typing import Iterable

# Package root -> submodules whose public names petals expects on that root.
_REEXPORTS: dict[str, tuple[str, ...]] = {
    "hivemind": (
        "hivemind.p2p",
        "hivemind.compression",
        "hivemind.utils",
        "hivemind.dht",
    ),
    "hivemind.utils": (
        "hivemind.utils.asyncio",
        "hivemind.utils.logging",
        "hivemind.utils.mpfuture",
        "hivemind.utils.nested",
        "hivemind.utils.networking",
        "hivemind.utils.performance_ema",
        "hivemind.utils.serializer",
        "hivemind.utils.streaming",
        "hivemind.utils.tensor_descr",
        "hivemind.utils.timed_storage",
    ),
    "hivemind.dht": (
        "hivemind.dht.node",
        "hivemind.dht.routing",
        "hivemind.dht.validation",
    ),
}
# Order matters: the inner roots are filled first so that "hivemind" can re-export them.
_ORDER = ("hivemind.utils", "hivemind.dht", "hivemind")

_applied = False


def _public_names(module: types.ModuleType) -> Iterable[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return names
    # Not filtered by __module__: some names are aliases of stdlib objects (get_dht_time = time.time).
    return [name for name, value in vars(module).items() if not name.startswith("_") and not isinstance(value, types.ModuleType)]


def _restore_reexports() -> None:
    for root_name in _ORDER:
        root = importlib.import_module(root_name)
        for sub_name in _REEXPORTS[root_name]:
            sub = importlib.import_module(sub_name)
            for name in _public_names(sub):
                if not hasattr(root, name) and hasattr(sub, name):
                    setattr(root, name, getattr(sub, name))


def _quiet_task_cancel() -> None:
    """At interpreter exit hivemind's ``__del__`` methods cancel tasks of an event loop that is gone.

    ``cancel_task_if_running`` then raises "There is no current event loop", printed as a traceback for
    every client and daemon. A task whose loop is gone needs no cancelling, so that error is ignored too.
    """
    import asyncio

    from hivemind.p2p import p2p_daemon
    from hivemind.p2p.p2p_daemon_bindings import control
    from hivemind.utils import asyncio as hm_asyncio

    def cancel_task_if_running(task) -> None:
        if task is None or task.done():
            return
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        if loop.is_running():
            task.cancel()

    for module in (hm_asyncio, p2p_daemon, control):
        module.cancel_task_if_running = cancel_task_if_running


def _skip_version_check() -> None:
    """petals asks PyPI for its newest version at start; offline that is a long traceback."""
    import petals.utils.version as version

    version.validate_version = lambda: None
    for module_name in ("petals.server.server", "petals.cli.run_server", "petals.client.remote_model"):
        module = sys.modules.get(module_name)
        if module is not None and hasattr(module, "validate_version"):
            module.validate_version = lambda: None


def apply() -> None:
    """Restore hivemind's re-exports and apply the clean-ups; idempotent, cheap after the first call."""
    global _applied
    if _applied:
        return
    # The server forks handler processes after tokenizers may have run.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # transformers would otherwise try the hub for every missing file.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    _restore_reexports()
    _quiet_task_cancel()
    _applied = True


def _close_sessions_without_deadlock() -> None:
    """A client inference session's ``__del__`` waits for hivemind's worker event loop to close its stream.

    When the garbage collector happens to run on that loop's own thread, the wait can never end and the
    client hangs for good (seen under load with py-spy). There the close is scheduled on the running loop
    instead; the task keeps the session alive until the stream is closed.
    """
    import asyncio
    import threading

    from hivemind.moe.client.remote_expert_worker import RemoteExpertWorker
    from petals.client.inference_session import _ServerInferenceSession

    if getattr(_ServerInferenceSession.__del__, "_plumise_patched", False):
        return

    def __del__(self) -> None:
        if threading.current_thread() is RemoteExpertWorker._event_thread:
            if getattr(self, "_outputs_stream", None) is not None:
                asyncio.get_event_loop().create_task(self._aclose_stream())
            return
        self.close()

    __del__._plumise_patched = True
    _ServerInferenceSession.__del__ = __del__


def import_petals() -> types.ModuleType:
    """Apply the shim and return the imported ``petals`` package."""
    apply()
    import petals

    _skip_version_check()
    _close_sessions_without_deadlock()
    return petals
