"""An embedded Petals server serving a slice of a model's transformer blocks.

Petals' ``Server.run()`` forks its connection-handler processes from the calling process and runs the
compute in a Runtime thread of that process, so this object lives in the node's own (child) process,
never in the GUI. Anything that must be visible to the handlers (metering hooks) has to be installed
before :meth:`ShardServer.start`.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Optional, Sequence

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


class ShardServerError(RuntimeError):
    """The server could not start or stopped on its own; ``str()`` is a sentence for a person."""


class ShardServer:
    """Start, watch and stop one embedded Petals server."""

    def __init__(self, config: ShardConfig) -> None:
        self.config = config
        self._server = None
        self._thread: Optional[threading.Thread] = None
        self._error: Optional[BaseException] = None
        self.started_at: Optional[float] = None

    def start(self) -> None:
        """Create the Petals server (joins the DHT) and start serving in a background thread."""
        import_petals()
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
        self._server = Server(**kwargs)
        self._thread = threading.Thread(target=self._run, name="petals-server", daemon=True)
        self.started_at = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
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

    def wait_ready(self, timeout: float = 300.0, poll: float = 0.05) -> None:
        """Block until the blocks are loaded and announced, or raise :class:`ShardServerError`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return
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

    def stop(self, timeout: float = 5.0) -> None:
        """Announce the blocks offline, stop handlers and the DHT; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.shutdown(timeout=timeout)
        finally:
            if self._thread is not None:
                self._thread.join(timeout)


async def _routing_table_size(_dht, node) -> list:
    return list(node.protocol.routing_table.uid_to_peer_id.values())
