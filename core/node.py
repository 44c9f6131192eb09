"""The serving process: Petals shard server + metering + agent loop + status API + events + orderly stop.

:class:`Node` runs in the node's own process (``plumise-petals serve``), never in the GUI. One run goes:

1. bind the status API and check the swarm port (a busy port fails before anything heavy starts);
2. find the model (download it through the downloader when it is a hub id) and check it: config, block
   range, weight files, memory;
3. install the metering hooks (before Petals forks its handlers), create the Petals server (joins the
   DHT), check that the swarm serves this model's DHT prefix, load the blocks with real progress;
4. serve: a metrics event every second, the agent loop beside it;
5. stop on SIGTERM/SIGINT/stdin EOF: final report through the agent, blocks announced offline, children
   reaped; or, on a failure, the same clean-up and an ``error`` event as the last line.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Sequence

from core import events as ev
from core.status_api import DEFAULT_STATUS_PORT, StatusApi, StatusApiError

log = logging.getLogger(__name__)

# The whole stop (final report, offline announcement, handlers, DHT) must end within 10 s.
STOP_BUDGET_S = 9.0
FINAL_REPORT_TIMEOUT_S = 4.0


class NodeError(RuntimeError):
    """A failure with a sentence for a person (``reason``) and a line for support (``detail``)."""

    def __init__(self, reason: str, detail: Optional[str] = None, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.reason, self.detail, self.exit_code = reason, detail, exit_code


@dataclasses.dataclass
class NodeOptions:
    """What to serve and where; the CLI fills it from settings and flags."""

    model: str
    dht_prefix: Optional[str] = None
    initial_peers: Sequence[str] = ()
    block_indices: Optional[str] = None
    num_blocks: Optional[int] = None
    host: str = "127.0.0.1"
    port: int = 0
    announce_host: Optional[str] = None
    num_handlers: int = 4
    torch_dtype: str = "float32"
    device: str = "cpu"
    cache_dir: Optional[str] = None
    identity_path: Optional[str] = None
    public_name: Optional[str] = None
    status_port: int = DEFAULT_STATUS_PORT
    # Start serving a model that no server of this swarm announces yet (a new swarm or a new model).
    new_model: bool = False
    metrics_interval_s: float = 1.0
    model_id: Optional[str] = None  # the Hugging Face id the chain's modelHash is taken from, when known
    # Limit on torch's compute threads in this process (PLUMISE_CPU_THREADS); None: torch's default (all cores).
    cpu_threads: Optional[int] = None
    extra_status: dict = dataclasses.field(default_factory=dict)  # shown as is in GET /status (network, rpc_url…)


class AgentHandle(Protocol):
    """What the node needs from the agent loop (core/agent.py builds one through an ``AgentFactory``)."""

    def start(self) -> None: ...

    def stop(self, timeout: float) -> None:
        """Send the final report (cumulative counters) and stop, within ``timeout`` seconds."""


@dataclasses.dataclass
class AgentContext:
    """What the node hands to the agent loop."""

    snapshot: Callable[[], Any]  # () -> core.metering.MeterSnapshot, cumulative since start
    uptime_s: Callable[[], int]
    emit: Callable[[dict], dict]  # EventSink.emit: chain/report/claim/error events
    model_id: str
    private_key: Optional[str]


AgentFactory = Callable[[AgentContext], AgentHandle]
Downloader = Callable[[str, Callable[[int, int], None]], Path]  # (model id, progress(done, total)) -> folder


class Node:
    """One serving run. ``run()`` returns the process exit code; ``request_stop()`` is signal-safe."""

    def __init__(
        self,
        options: NodeOptions,
        sink: ev.EventSink,
        *,
        agent_factory: Optional[AgentFactory] = None,
        private_key: Optional[str] = None,
        downloader: Optional[Downloader] = None,
    ) -> None:
        self.options = options
        self.sink = sink
        self._agent_factory = agent_factory
        self._private_key = private_key
        self._downloader = downloader
        self._stop = threading.Event()
        self.stop_reason: Optional[str] = None
        self.state = "starting"
        self.error: Optional[dict] = None
        self._server = None
        self._meter = None
        self._rates = None
        self._agent: Optional[AgentHandle] = None
        self._api: Optional[StatusApi] = None
        self._serving_since: Optional[float] = None
        self._peers = 0
        self._peers_at = 0.0
        self._blocks: Optional[list[int]] = None
        self._progress: Optional[dict] = None

    # --- control ------------------------------------------------------------------------------------------
    def request_stop(self, reason: str = "stop requested") -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _set_state(self, state: str, message: Optional[str] = None, progress: Optional[dict] = None, **extra) -> None:
        self.state = state
        self._progress = progress
        self.sink.emit(ev.state_event(state, message, progress, **extra))

    # --- the run ------------------------------------------------------------------------------------------
    def run(self) -> int:
        """Serve until asked to stop; 0 after a requested stop, non-zero after a failure."""
        failure: Optional[NodeError] = None
        try:
            self._start()
            if not self.stopping:
                self._serve()
        except NodeError as exc:
            failure = exc
        except Exception as exc:  # noqa: BLE001 - a crash still ends with a reason as the last event
            log.exception("node crashed")
            failure = NodeError(
                "The node stopped because of an unexpected error. Restart it; if this happens again, send the "
                "log to support.",
                f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=3).strip().splitlines()[-1]}",
            )
        if failure is None:
            self._set_state("stopping", f"Stopping ({self.stop_reason or 'stop requested'})")
            self._shutdown(final_metrics=True)
            self._set_state("stopped", "The node has stopped.")
            return 0
        self._shutdown(final_metrics=False)
        self.error = ev.error_event(failure.reason, failure.detail, fatal=True)
        log.error("%s (%s)", failure.reason, failure.detail)
        self.state = "error"
        self.sink.emit(ev.state_event("error", failure.reason))
        self.sink.emit(self.error)
        return failure.exit_code

    def _start(self) -> None:
        from core import preflight
        from core.preflight import PreflightError

        opts = self.options
        try:
            self._api = StatusApi(opts.status_port, self.health, self.status)
        except StatusApiError as exc:
            raise NodeError(str(exc), f"status API port {opts.status_port}") from exc
        self._api.start()
        self._set_state("starting", "Starting the node", status_url=self._api.url)
        try:
            preflight.check_port_free(opts.host, opts.port, "node's connection to the swarm")
            model_dir = self._resolve_model()
            if self.stopping:
                return
            facts = preflight.read_model(model_dir)
            if opts.block_indices is None and opts.num_blocks is None:
                opts.num_blocks = preflight.blocks_that_fit(facts, opts.torch_dtype)
                log.info("serving %d block(s): as many as fit the free memory", opts.num_blocks)
            blocks = preflight.parse_block_range(opts.block_indices, opts.num_blocks, facts.num_blocks)
            # Memory first: it needs only the config, and "too big" is the better news than "files missing".
            preflight.check_memory(facts, len(blocks) if blocks is not None else int(opts.num_blocks), opts.torch_dtype)
            preflight.check_weights(facts, blocks)
        except PreflightError as exc:
            raise NodeError(exc.reason, exc.detail) from exc
        if self.stopping:
            return
        self._start_server(model_dir)

    def _resolve_model(self) -> Path:
        from core import preflight

        model = self.options.model
        path = Path(model).expanduser()
        if path.is_dir():
            return path
        if preflight.looks_like_hub_id(model) and self._downloader is not None:
            self._set_state("downloading", f"Downloading {model}", ev.progress(0, 0, "bytes"))
            last = [0.0]

            def on_progress(done: int, total: int) -> None:
                now = time.monotonic()
                if now - last[0] >= 0.5 or done == total:  # at most two progress lines a second
                    last[0] = now
                    self._set_state("downloading", f"Downloading {model}", ev.progress(done, total, "bytes"))

            try:
                return Path(self._downloader(model, on_progress))
            except NodeError:
                raise
            except Exception as exc:  # noqa: BLE001 - the downloader's own messages are for people
                raise NodeError(str(exc) or f"The model {model} could not be downloaded.", f"{type(exc).__name__}: {exc}") from exc
        if preflight.looks_like_hub_id(model):
            raise NodeError(
                f"The model {model!r} is not known to this node and no copy of it is on this computer. Choose one "
                f"of the listed models, or a folder that holds a downloaded model.",
                f"no folder {path} and no downloader for hub ids",
            )
        raise NodeError(
            f"The model {model!r} was not found: there is no such folder on this computer and it is not a known "
            f"model name. Choose one of the listed models or an existing model folder.",
            f"not a directory: {path}",
        )

    def _start_server(self, model_dir: Path) -> None:
        from core import metering
        from core.shard_server import ShardConfig, ShardServer, ShardServerError

        opts = self.options
        apply_cpu_threads(opts.cpu_threads)  # before Petals starts its Runtime thread, which does the compute
        self._meter = metering.Meter(slots=max(1, opts.num_handlers))
        self._rates = metering.RateWindow(window_s=10.0)
        metering.install(self._meter)  # before Server.run() forks the handlers
        redact_all_log_handlers()  # importing petals replaced the root logger's handler
        self._server = ShardServer(
            ShardConfig(
                model=str(model_dir),
                dht_prefix=opts.dht_prefix,
                initial_peers=list(opts.initial_peers),
                block_indices=opts.block_indices,
                num_blocks=opts.num_blocks,
                host=opts.host,
                port=opts.port,
                announce_host=opts.announce_host,
                num_handlers=opts.num_handlers,
                torch_dtype=opts.torch_dtype,
                device=opts.device,
                cache_dir=opts.cache_dir,
                identity_path=opts.identity_path,
                public_name=opts.public_name,
            )
        )
        self._set_state("connecting", "Joining the swarm")
        try:
            self._server.connect()
        except ShardServerError as exc:
            raise NodeError(str(exc), _detail(exc.__cause__ or exc)) from exc
        if self.stopping:
            return
        self._check_swarm_prefix()
        total = len(range(*_parse(opts.block_indices))) if opts.block_indices else int(opts.num_blocks or 0)
        self._set_state("loading", "Loading model blocks", ev.progress(0, total, "blocks"))

        def on_block_loaded(done: int, total_: int) -> None:
            self._set_state("loading", "Loading model blocks", ev.progress(done, total_ or total, "blocks"))

        self._server.start(on_block_loaded=on_block_loaded)
        try:
            ready = self._server.wait_ready(timeout=3600, cancel=self._stop)
        except ShardServerError as exc:
            raise NodeError(_explain_load_error(exc), _detail(exc.__cause__ or exc)) from exc
        if not ready:
            return
        self._blocks = list(self._server.block_range or ())
        self._serving_since = time.monotonic()
        self._set_state(
            "serving",
            f"Serving blocks {self._blocks[0]}:{self._blocks[1]}" if self._blocks else "Serving",
            blocks=self._blocks,
            peer_id=self._server.peer_id,
            model=self.model_name,
        )

    def _check_swarm_prefix(self) -> None:
        """Refuse to serve into a swarm that announces models but not ours (a wrong DHT prefix)."""
        if self.options.new_model:
            return
        prefix = self._server.dht_prefix
        try:
            announced = self._server.announced_models()
        except Exception as exc:  # noqa: BLE001 - a failed lookup must not block serving
            log.warning("could not read the swarm's announced models: %s", exc)
            return
        if announced and prefix not in announced:
            names = ", ".join(sorted(announced)[:5])
            raise NodeError(
                f"This swarm serves other models ({names}), not {prefix!r}. Check the model's swarm name "
                f"(DHT prefix) in the settings; to start a new model in this swarm on purpose, allow it "
                f"explicitly (--new-model).",
                f"dht_prefix={prefix!r} announced={sorted(announced)}",
            )

    def _serve(self) -> None:
        if self._agent_factory is not None:
            try:
                self._agent = self._agent_factory(
                    AgentContext(
                        snapshot=self._meter.snapshot,
                        uptime_s=self.uptime_s,
                        emit=self.sink.emit,
                        model_id=self.options.model_id or self.options.model,
                        private_key=self._private_key,
                    )
                )
                self._agent.start()
            except NodeError as exc:  # serving goes on without earning; the person is told why
                log.warning("agent loop not started: %s", exc.reason)
                self._agent = None
                self.sink.emit(ev.error_event(exc.reason, exc.detail, fatal=False))
            except Exception as exc:  # noqa: BLE001 - serving goes on without earning; the person is told
                log.exception("agent loop failed to start")
                self._agent = None
                self.sink.emit(
                    ev.error_event(
                        "The node serves, but cannot report its work to earn PLM. Check the wallet and network "
                        "settings, then restart the node.",
                        f"{type(exc).__name__}: {exc}",
                        fatal=False,
                    )
                )
        interval = self.options.metrics_interval_s
        while not self._stop.wait(interval):
            self._emit_metrics()
            if self._server.error is not None:
                raise NodeError(
                    "The model server stopped unexpectedly. Restart the node; if this happens again, send the "
                    "log to support.",
                    _detail(self._server.error),
                )

    # --- figures ------------------------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.options.model_id or self.options.model

    def uptime_s(self) -> int:
        return 0 if self._serving_since is None else int(time.monotonic() - self._serving_since)

    def _peers_now(self) -> int:
        # The DHT lives in another process; ask it at most every 5 s.
        now = time.monotonic()
        if self._server is not None and now - self._peers_at >= 5.0:
            self._peers_at = now
            self._peers = self._server.num_peers
        return self._peers

    def _emit_metrics(self) -> None:
        if self._meter is None:
            return
        snap = self._meter.snapshot()
        self._rates.add(snap)
        self.sink.emit(
            ev.metrics_event(
                tokens=snap.tokens,
                requests=snap.requests,
                sessions=snap.sessions,
                avg_latency_ms=snap.avg_latency_ms,
                tokens_per_s=self._rates.tokens_per_s(),
                uptime_s=self.uptime_s(),
                peers=self._peers_now(),
                model=self.model_name,
                blocks=self._blocks,
            )
        )

    def health(self) -> dict:
        status = {"serving": "ok", "error": "error"}.get(self.state, "loading")
        reason = self.error["reason"] if self.error else None
        return {"status": status, "state": self.state, "reason": reason}

    def status(self) -> dict:
        """Everything the GUI and ``plumise-petals status`` show (GET /status)."""
        snap = self._meter.snapshot() if self._meter is not None else None
        metrics = self.sink.last.get("metrics") or {}
        chain = self.sink.last.get("chain") or {}
        return {
            "state": self.state,
            "progress": self._progress,
            "model": self.model_name,
            "dht_prefix": self._server.dht_prefix if self._server is not None else self.options.dht_prefix,
            "blocks": self._blocks,
            "peer_id": self._server.peer_id if self._server is not None else None,
            "peers": self._peers,
            "tokens": snap.tokens if snap else 0,
            "requests": snap.requests if snap else 0,
            "sessions": snap.sessions if snap else 0,
            "avg_latency_ms": snap.avg_latency_ms if snap else None,
            "tokens_per_s": metrics.get("tokens_per_s", 0.0),
            "uptime_s": self.uptime_s(),
            "address": chain.get("address"),
            "registered": chain.get("registered"),
            "active": chain.get("active"),
            "balance_wei": chain.get("balance_wei"),
            "pending_wei": chain.get("pending_wei"),
            "epoch": chain.get("epoch"),
            "last_report": self.sink.last.get("report"),
            "last_claim": self.sink.last.get("claim"),
            "error": self.error,
            "pid": os.getpid(),
            "torch_threads": _torch_threads(),
            **self.options.extra_status,
        }

    # --- stopping -----------------------------------------------------------------------------------------
    def _shutdown(self, final_metrics: bool) -> None:
        """Final report, offline announcement, handlers and DHT down, status API closed; within the budget."""
        deadline = time.monotonic() + STOP_BUDGET_S
        if final_metrics and self._serving_since is not None:
            self._emit_metrics()
        server = self._server
        if server is not None:
            # Blocks offline first: the swarm stops routing to us while the final report is sent.
            began = time.monotonic()
            try:
                server.stop(timeout=min(4.0, max(0.5, deadline - time.monotonic() - FINAL_REPORT_TIMEOUT_S)))
            except Exception:  # noqa: BLE001 - stopping goes on
                log.exception("stopping the Petals server failed")
            log.info("Petals server stopped (blocks announced offline) in %.1f s", time.monotonic() - began)
        if self._agent is not None:
            began = time.monotonic()
            try:
                self._agent.stop(timeout=max(0.5, min(FINAL_REPORT_TIMEOUT_S, deadline - time.monotonic() - 0.5)))
            except Exception:  # noqa: BLE001
                log.exception("stopping the agent loop failed")
            log.info("agent loop stopped in %.1f s", time.monotonic() - began)
        if self._api is not None:
            self._api.stop()
        began = time.monotonic()
        reap_children(timeout=max(0.5, deadline - time.monotonic()))
        log.info("children reaped in %.1f s", time.monotonic() - began)


def apply_cpu_threads(cpu_threads: Optional[int]) -> None:
    """Limit torch's intra-op thread pool of this process to ``cpu_threads`` (None: leave torch's default).

    Petals computes in a Runtime thread of the serving process; torch keeps the thread count process-wide
    and each new thread takes it up on its first parallel op, so this must run before that thread starts.
    The forked connection handlers do no compute (hivemind sets them to one thread anyway).
    """
    if not cpu_threads:
        return
    import torch

    torch.set_num_threads(int(cpu_threads))
    log.info("compute limited to %d CPU thread(s)", torch.get_num_threads())


def _torch_threads() -> Optional[int]:
    """torch's current intra-op thread count, or None before torch is imported (the status API must not
    import it: that takes seconds)."""
    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def redact_all_log_handlers() -> None:
    """Make every handler on the root and hivemind loggers redact secrets, keeping its own format.

    Importing petals makes hivemind replace the root logger's handler with its own (``in_root_logger``);
    this runs after that import, and again is harmless.
    """
    from chain.redact import RedactingFormatter, RedactingWrapper

    for logger in (logging.getLogger(), logging.getLogger("hivemind"), logging.getLogger("petals")):
        for handler in logger.handlers:
            if not isinstance(handler.formatter, RedactingFormatter):
                handler.setFormatter(RedactingWrapper(handler.formatter or logging.Formatter()))


def reap_children(timeout: float = 2.0) -> None:
    """Kill whatever child processes of this process are still alive after the orderly stop.

    Forked children ignore SIGTERM (see core/cli.py), and by now they have had their chance to exit.
    """
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    # torch's shared-memory daemon serves only this process and would linger until it notices we are gone.
    helpers = [c for c in children if _name(c).startswith("torch_shm_manag")]  # comm is cut at 15 chars
    children = [c for c in children if c not in helpers]
    for helper in helpers:
        try:
            helper.kill()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(children, timeout=min(timeout, 0.5)) if children else ([], [])
    alive += helpers
    for child in alive:
        try:
            log.warning("killing leftover child process %s (%s)", child.pid, child.name())
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=1.0)


def _name(proc) -> str:
    try:
        return proc.name()
    except Exception:  # noqa: BLE001 - gone already
        return ""


def _parse(block_indices: str) -> tuple[int, int]:
    start, end = (int(x) for x in block_indices.split(":"))
    return start, end


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _explain_load_error(exc: BaseException) -> str:
    cause = exc.__cause__ or exc
    text = f"{type(cause).__name__}: {cause}"
    if isinstance(cause, (FileNotFoundError, OSError)) or "weights" in text or "safetensors" in text.lower():
        return "The model's files could not be loaded; they may be incomplete or damaged. Download the model again."
    if isinstance(cause, MemoryError) or "out of memory" in text.lower():
        return "This computer ran out of memory while loading the model. Choose fewer blocks or a smaller model."
    return str(exc)
