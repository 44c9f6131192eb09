"""An embedded Petals server serving a slice of a model's transformer blocks.

Petals' ``Server.run()`` forks its connection-handler processes from the calling process and runs the
compute in a Runtime thread of that process, so this object lives in the node's own (child) process,
never in the GUI. Anything that must be visible to the handlers (metering hooks) has to be installed
before :meth:`ShardServer.start`.
"""
from __future__ import annotations

import dataclasses
import gc
import logging
import threading
import time
from typing import Any, Callable, Optional, Sequence

from core.petals_compat import import_petals

log = logging.getLogger(__name__)


@dataclasses.dataclass
class ShardConfig:
    """What to serve and how to join the swarm."""

    model: str
    dht_prefix: Optional[str] = None
    initial_peers: Sequence[str] = ()
    block_indices: Optional[str] = None  # "start:end", exclusive end
    num_blocks: Optional[int] = None
    host: str = "127.0.0.1"
    port: int = 0
    announce_host: Optional[str] = None
    num_handlers: int = 4
    torch_dtype: str = "float32"
    device: str = "cpu"
    # A fixed throughput skips Petals' start-up benchmark and its internet speed test.
    throughput: float = 1.0
    cache_dir: Optional[str] = None
    identity_path: Optional[str] = None
    public_name: Optional[str] = None


def _freeze_heap_before_fork() -> None:
    """Move every object alive now out of the garbage collector's reach before a fork.

    The collector writes to the header of each object it scans, which turns the pages a forked child
    shares with its parent into private copies: measured +85 MiB in a handler that served one request
    and 1.32x vanilla Petals' PSS for the whole tree (bench/node_memory). Frozen objects are never
    scanned, so the pages stay shared (1.09x measured with this). Objects created later are collected
    as usual.
    """
    gc.collect()
    gc.freeze()


class ShardServerError(RuntimeError):
    """The server could not start or stopped on its own; ``str()`` is a sentence for a person."""


class ShardServer:
    """Start, watch and stop one embedded Petals server."""

    def __init__(self, config: ShardConfig) -> None:
        self.config = config
        self._server = None
        self._thread: Optional[threading.Thread] = None
        self._error: Optional[BaseException] = None
        self._on_block_loaded: Optional[Callable[[int, int], None]] = None
        self.started_at: Optional[float] = None

    def connect(self) -> None:
        """Create the Petals server: checks the model's config and joins the DHT (no blocks loaded yet).

        Raises :class:`ShardServerError` with a sentence for a person when the swarm cannot be joined.
        """
        import_petals()
        _install_block_progress_hook()
        from petals.server.server import Server

        cfg = self.config
        if cfg.block_indices is None and cfg.num_blocks is None:
            raise ShardServerError("Choose which blocks to serve (a block range or a number of blocks).")
        host_maddrs = [f"/ip4/{cfg.host}/tcp/{cfg.port}"]
        kwargs = dict(
            converted_model_name_or_path=cfg.model,
            dht_prefix=cfg.dht_prefix,
            initial_peers=list(cfg.initial_peers),
            throughput=cfg.throughput,
            torch_dtype=cfg.torch_dtype,
            device=cfg.device,
            num_handlers=cfg.num_handlers,
            host_maddrs=host_maddrs,
            skip_reachability_check=True,
            # We know whether we are reachable; Petals' probe would ask other peers to dial us back.
            reachable_via_relay=False,
            use_relay=False,
            use_auto_relay=False,
            cache_dir=cfg.cache_dir,
            public_name=cfg.public_name,
        )
        if cfg.announce_host:
            kwargs["announce_maddrs"] = [f"/ip4/{cfg.announce_host}/tcp/{cfg.port}"]
        if cfg.identity_path:
            kwargs["identity_path"] = cfg.identity_path
        if cfg.block_indices is not None:
            kwargs["block_indices"] = cfg.block_indices
        else:
            kwargs["num_blocks"] = cfg.num_blocks
        _freeze_heap_before_fork()  # Server() forks the DHT process
        try:
            self._server = Server(**kwargs)
        except Exception as exc:  # noqa: BLE001 - translated into a sentence for a person
            raise ShardServerError(explain_join_error(exc, cfg)) from exc

    def start(self, on_block_loaded: Optional[Callable[[int, int], None]] = None) -> None:
        """Load the blocks and serve them in a background thread (calls :meth:`connect` if needed).

        ``on_block_loaded(done, total)`` is called from the server thread after each block is loaded.
        """
        if self._server is None:
            self.connect()
        self._on_block_loaded = on_block_loaded
        self._thread = threading.Thread(target=self._run, name="petals-server", daemon=True)
        self.started_at = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        _progress_local.callback = self._on_block_loaded
        _progress_local.done = 0
        _progress_local.total = self._server.num_blocks if self._server is not None else 0
        _freeze_heap_before_fork()  # run() forks the connection handlers
        try:
            self._server.run()
        except BaseException as exc:  # noqa: BLE001 - reported through wait_ready()/error
            self._error = exc
            log.exception("Petals server stopped with an error")

    @property
    def error(self) -> Optional[BaseException]:
        return self._error

    def is_ready(self) -> bool:
        container = getattr(self._server, "module_container", None)
        return bool(container is not None and container.ready.is_set())

    def wait_ready(
        self, timeout: float = 300.0, poll: float = 0.05, cancel: Optional[threading.Event] = None
    ) -> bool:
        """Block until the blocks are loaded and announced (True), ``cancel`` is set (False), or raise
        :class:`ShardServerError`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return True
            if cancel is not None and cancel.is_set():
                return False
            if self._error is not None:
                raise ShardServerError(f"The model server could not start: {self._error}") from self._error
            if self._thread is not None and not self._thread.is_alive():
                raise ShardServerError("The model server stopped while starting.")
            time.sleep(poll)
        raise ShardServerError(f"The model server did not become ready within {timeout:.0f} seconds.")

    @property
    def peer_id(self) -> Optional[str]:
        return None if self._server is None else str(self._server.dht.peer_id)

    @property
    def visible_maddrs(self) -> list[str]:
        return [] if self._server is None else [str(m) for m in self._server.dht.get_visible_maddrs()]

    @property
    def block_range(self) -> Optional[tuple[int, int]]:
        """(start, end) of the blocks being served, end exclusive; ``None`` until chosen."""
        if not self.is_ready():
            return None
        info = self._server.server_info
        return (info.start_block, info.end_block)

    @property
    def num_peers(self) -> int:
        """DHT peers this server knows of, excluding itself."""
        if self._server is None:
            return 0
        try:
            return len(self._server.dht.run_coroutine(_routing_table_size))
        except Exception:  # noqa: BLE001 - a status figure must never break serving
            return 0

    @property
    def total_blocks(self) -> Optional[int]:
        """How many transformer blocks the whole model has (from its config)."""
        return None if self._server is None else int(self._server.block_config.num_hidden_layers)

    @property
    def dht_prefix(self) -> Optional[str]:
        return None if self._server is None else self._server.dht_prefix

    def announced_models(self, timeout: float = 5.0) -> dict[str, Any]:
        """DHT prefixes of the models that servers of this swarm announce (``_petals.models``), with their info.

        Private prefixes (starting with ``_``) are never announced by Petals, so they are absent here.
        """
        if self._server is None:
            return {}
        entry = self._server.dht.get("_petals.models", latest=True)
        if entry is None or not isinstance(entry.value, dict):
            return {}
        return {str(prefix): getattr(item, "value", None) for prefix, item in entry.value.items()}

    def stop(self, timeout: float = 5.0) -> None:
        """Announce the blocks offline, stop handlers, then the DHT; safe to call twice.

        Order matters: the handler processes talk through the DHT's p2p daemon, so they are stopped (by
        ``Server.run()`` returning, which shuts its module container down) before the DHT. Stopping the DHT
        first leaves each handler waiting out its 3 s shutdown timeout.
        """
        server, self._server = self._server, None
        if server is None:
            return
        deadline = time.monotonic() + timeout
        server.stop.set()
        if self._thread is not None:
            self._thread.join(max(0.1, deadline - time.monotonic()))
        server.shutdown(timeout=max(0.1, deadline - time.monotonic()))


async def _routing_table_size(_dht, node) -> list:
    return list(node.protocol.routing_table.uid_to_peer_id.values())


# --- block loading progress ---------------------------------------------------------------------------------
# Petals loads blocks one by one inside ModuleContainer.create(), on the thread that runs Server.run(); the
# thread-local callback set by ShardServer._run() is told after each one, so progress is real, not a timer.
_progress_local = threading.local()
_progress_hook_installed = False


def _install_block_progress_hook() -> None:
    global _progress_hook_installed
    if _progress_hook_installed:
        return
    import functools

    from petals.server import server as server_module

    original = server_module.load_pretrained_block

    @functools.wraps(original)
    def load_pretrained_block(*args, **kwargs):
        block = original(*args, **kwargs)
        callback = getattr(_progress_local, "callback", None)
        if callback is not None:
            _progress_local.done = getattr(_progress_local, "done", 0) + 1
            try:
                callback(_progress_local.done, getattr(_progress_local, "total", 0))
            except Exception:  # noqa: BLE001 - progress reporting must not break loading
                log.exception("block progress callback failed")
        return block

    server_module.load_pretrained_block = load_pretrained_block
    _progress_hook_installed = True


def explain_join_error(exc: BaseException, config: ShardConfig) -> str:
    """A sentence for a person about why the Petals server could not be created or join the swarm."""
    text = f"{type(exc).__name__}: {exc}"
    if "failed to connect to bootstrap peers" in text or "none of the initial_peers responded" in text:
        return (
            "None of the initial peers of the swarm could be reached. Check this computer's internet "
            "connection and the initial peers in the settings, then start again."
        )
    if "address already in use" in text.lower():
        return (
            f"Port {config.port} on this computer is already in use by another program, so the node cannot "
            f"accept connections from the swarm. Close the other program or choose another port."
        )
    if "DHT prefix should not contain" in text:
        return "The swarm name (DHT prefix) in the settings contains '.' or ' ', which is not allowed."
    if "Unsupported model type" in text or "Unrecognized model" in text or "model_type" in text:
        return "This model's architecture cannot be served by this node (supported: BLOOM, Llama, Falcon, Mixtral)."
    return f"The model server could not start: {exc}"
