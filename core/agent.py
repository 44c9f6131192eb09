"""The agent loop: keeps the node registered, alive and paid on the Plumise chain while it serves.

It runs beside the Petals server in the node process, on background threads only, and never touches
the serving path: the server's metering is read (or pushed through :meth:`Agent.record`) into chain's
durable :class:`~chain.outbox.Reporter`, which is memory-only on the caller's side.

Steps, each retried with a growing pause and each failure told to the listener in plain words:

1. check the RPC serves the configured chain id;
2. registered? if not, register through 0x…21 paid by the wallet, or — when the wallet cannot pay the
   fee — ask the oracle to sponsor it (``ChainClient.ensure_registered``); never twice, across restarts;
3. heartbeat (0x…22) every 240 s;
4. signed reports from the metering counters every ``REPORT_INTERVAL`` seconds (chain's reporter:
   cumulative tokens, requests, average latency, uptime while serving);
5. chain status refresh (balance, pending reward, epoch, registered, active, contribution);
6. auto-claim when pending ≥ ``CLAIM_THRESHOLD_WEI`` (if auto-claim is on).

:meth:`Agent.stop` sends a final report.

Listener interface (node-serving turns these into events; every method is called from an agent
thread, must return quickly and must not raise — exceptions are logged and ignored):

- ``on_state(state, reason)`` — ``state`` one of :data:`STATES`; ``reason`` a sentence.
- ``on_chain(status)`` — a :class:`ChainStatus` after each refresh and each heartbeat.
- ``on_report(result)`` — a :class:`chain.outbox.ReportResult` after each report attempt (ok or not).
- ``on_claim(result)`` — a :class:`chain.client.ClaimResult` after an automatic claim landed.
- ``on_error(error)`` — an :class:`AgentError`: which step, a sentence for a person, a support detail,
  and when it will be retried.

Subclass :class:`AgentListener` and override what you need.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

log = logging.getLogger(__name__)

STATES = ("starting", "checking_chain", "registering", "running", "stopping", "stopped")
HEARTBEAT_INTERVAL_S = 240.0
LIVENESS_S = 300.0


class AgentListener:
    """No-op base; override the callbacks you need (see the module docstring)."""

    def on_state(self, state: str, reason: str) -> None:
        pass

    def on_chain(self, status: "ChainStatus") -> None:
        pass

    def on_report(self, result: Any) -> None:
        pass

    def on_claim(self, result: Any) -> None:
        pass

    def on_error(self, error: "AgentError") -> None:
        pass


@dataclasses.dataclass(frozen=True)
class AgentError:
    """A failed step. ``message`` is for a person; ``detail`` for support (never holds a secret)."""

    step: str  # "chain", "registration", "heartbeat", "status", "claim", "report"
    message: str
    detail: str = ""
    retry_in_s: Optional[float] = None


@dataclasses.dataclass(frozen=True)
class ChainStatus:
    """What the chain says about this agent (``None``: not known yet or the read failed)."""

    address: str
    chain_id: int
    rpc_url: str
    registered: Optional[bool] = None
    active: Optional[bool] = None
    balance_wei: Optional[int] = None
    pending_wei: Optional[int] = None
    epoch: Optional[int] = None
    tasks_completed: Optional[int] = None
    uptime_seconds: Optional[int] = None
    last_heartbeat_at: Optional[float] = None  # unix time of our last successful heartbeat
    last_heartbeat_tx: Optional[str] = None
    updated_at: float = 0.0

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class MeterReading:
    """Cumulative counters since the server started: tokens, requests, and the sum of request latencies."""

    tokens: int
    requests: int
    latency_ms_sum: float = 0.0


def _reading(value: Union[MeterReading, Mapping[str, Any], Any]) -> MeterReading:
    if isinstance(value, MeterReading):
        return value
    if isinstance(value, Mapping):
        return MeterReading(int(value["tokens"]), int(value["requests"]), float(value.get("latency_ms_sum", 0.0)))
    return MeterReading(int(value.tokens), int(value.requests), float(getattr(value, "latency_ms_sum", 0.0)))


class _Backoff:
    """5 s, 10 s, 20 s … up to ``cap``; reset after a success."""

    def __init__(self, first: float, cap: float) -> None:
        self.first, self.cap, self.n = first, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.first * 2**self.n)
        self.n += 1
        return delay

    def reset(self) -> None:
        self.n = 0


def default_state_dir() -> Path:
    """Where the node keeps its report outbox and registration record."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("plumise-petals", appauthor=False)) / "node"


class Agent:
    """The agent loop for one wallet, one chain, one oracle.

    Args:
        settings: :class:`core.settings.Settings` (effective RPC URL, chain id, oracle URL, contract
            addresses, report interval, auto-claim and its threshold are read from it).
        wallet: the agent's :class:`chain.wallet.Wallet`.
        model_id: the served model's Hugging Face id (registration's modelHash and name).
        meter: optional callable returning cumulative counters (:class:`MeterReading`, a mapping with
            ``tokens``/``requests``/``latency_ms_sum`` or an object with those attributes); polled every
            ``meter_interval`` seconds. Alternatively push work with :meth:`record`.
        listener: an :class:`AgentListener`.
        state_dir: folder for ``reports.sqlite3`` and the registration record (default
            :func:`default_state_dir`).
        endpoint: the node's public URL for a sponsored registration (default from the announce host
            and the Petals port).
        capabilities: sponsored registration's capabilities (default ``[model_id]``).
        heartbeat_interval, status_interval, meter_interval, retry_first, retry_cap: timings (seconds).
        chain_client, oracle, reporter: injected instances (tests); built from ``settings`` otherwise.
    """

    def __init__(
        self,
        settings,
        wallet,
        *,
        model_id: str,
        meter: Optional[Callable[[], Any]] = None,
        listener: Optional[AgentListener] = None,
        state_dir: Optional[Path] = None,
        endpoint: Optional[str] = None,
        capabilities: Optional[Sequence[str]] = None,
        heartbeat_interval: float = HEARTBEAT_INTERVAL_S,
        status_interval: float = 30.0,
        meter_interval: float = 1.0,
        retry_first: float = 5.0,
        retry_cap: float = 300.0,
        chain_client=None,
        oracle=None,
        reporter=None,
    ) -> None:
        from chain.client import ChainClient
        from chain.oracle import OracleClient
        from chain.outbox import Reporter

        rpc_url = settings.effective_rpc_url
        oracle_url = settings.effective_oracle_url
        if not rpc_url or not oracle_url:
            raise ValueError(
                "The chain RPC and oracle addresses are not known yet (devnet not started?); "
                "set PLUMISE_RPC_URL and ORACLE_API_URL or choose another network."
            )
        self.settings = settings
        self.wallet = wallet
        self.model_id = model_id
        self.listener = listener or AgentListener()
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.endpoint = endpoint or f"http://{settings.announce_host or '127.0.0.1'}:{settings.petals_port or 31330}"
        self.capabilities = list(capabilities) if capabilities else [model_id]
        self.heartbeat_interval = heartbeat_interval
        self.status_interval = status_interval
        self.meter_interval = meter_interval
        self.retry_first = retry_first
        self.retry_cap = retry_cap
        self.client = chain_client or ChainClient(
            rpc_url,
            settings.effective_chain_id,
            wallet,
            reward_pool=settings.effective_reward_pool_address,
            agent_registry=settings.effective_agent_registry_address,
            state_dir=self.state_dir,
        )
        self.oracle = oracle or OracleClient(oracle_url)
        self.reporter = reporter or Reporter(wallet, self.oracle, self.state_dir / "reports.sqlite3",
                                             interval=float(settings.report_interval))
        self.reporter.on_result = self._on_report
        self._meter = meter
        self._last_reading = MeterReading(0, 0, 0.0)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._status = ChainStatus(wallet.address, settings.effective_chain_id, rpc_url)
        self.state = "starting"
        self.registration = None  # chain.client.RegistrationResult once registered
        self.last_error: Optional[AgentError] = None
        self.last_report = None
        self.last_claim = None
        self._reporter_started = False
        self._serving = True

    def __repr__(self) -> str:
        return f"Agent({self.wallet.address}, {self._status.rpc_url!r}, state={self.state!r})"

    # ---- public --------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the chain thread and the meter thread (returns at once)."""
        if self._threads:
            return
        self._set_state("starting", "Connecting to the Plumise network.")
        for name, target in (("plumise-agent", self._run_chain), ("plumise-agent-meter", self._run_meter)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def record(self, tokens: int, requests: int = 1, latency_ms: Optional[float] = None) -> None:
        """Push work done (deltas) instead of, or besides, the polled meter. Memory only: never blocks."""
        self.reporter.record(tokens, requests, latency_ms)

    def set_serving(self, serving: bool) -> None:
        """Uptime counts only while serving; call with False when paused, True when resumed."""
        self._serving = serving
        if self._reporter_started:
            self.reporter.set_serving(serving)

    def chain_status(self) -> ChainStatus:
        with self._lock:
            return self._status

    def snapshot(self) -> dict:
        """JSON-ready view for the status API: state, chain status, last report/claim/error."""
        report = self.last_report
        return {
            "state": self.state,
            "chain": self.chain_status().to_dict(),
            "registered_via": None if self.registration is None else (
                "sponsored" if self.registration.sponsored else "already" if self.registration.already else "self"),
            "last_report": None if report is None else {
                "ok": report.ok, "at": report.at, "tokens_processed": report.tokens_processed,
                "accepted_tokens": report.accepted_tokens, "unreported_tokens": report.unreported_tokens,
                "message": report.message,
            },
            "last_claim": None if self.last_claim is None else {
                "tx_hash": self.last_claim.tx_hash, "amount_wei": self.last_claim.amount_wei},
            "last_error": None if self.last_error is None else dataclasses.asdict(self.last_error),
        }

    def stop(self, timeout: float = 8.0):
        """Stop the loops, take the last meter reading, send a final report (bounded by ``timeout``).

        Returns the final :class:`chain.outbox.ReportResult` (None when the agent never got registered,
        in which case the counted work stays in the outbox for the next run)."""
        deadline = time.monotonic() + timeout
        self._set_state("stopping", "Sending the final report.")
        self._stop.set()
        for thread in self._threads:
            thread.join(max(0.1, min(2.0, deadline - time.monotonic())))
        self._pump_meter()
        result = None
        try:
            if self._reporter_started:
                result = self.reporter.stop(final_report=True, timeout=max(0.5, deadline - time.monotonic()))
            else:
                self.reporter.flush()
        except Exception as exc:  # noqa: BLE001 - stopping must finish
            self._error("report", "The final report could not be saved; it will be sent next time.", exc)
        try:
            self.reporter.close()
        except Exception:  # noqa: BLE001
            log.debug("closing the outbox failed", exc_info=True)
        self._set_state("stopped", "Stopped.")
        return result

    # ---- callbacks ------------------------------------------------------------------------------------------

    def _call(self, name: str, *args: Any) -> None:
        try:
            getattr(self.listener, name)(*args)
        except Exception:  # noqa: BLE001 - a listener bug must not stop the agent
            log.exception("agent listener %s failed", name)

    def _set_state(self, state: str, reason: str) -> None:
        self.state = state
        log.info("agent: %s — %s", state, reason)
        self._call("on_state", state, reason)

    def _error(self, step: str, fallback: str, exc: BaseException, retry_in: Optional[float] = None) -> None:
        from chain.errors import ChainError
        from chain.redact import redact

        if isinstance(exc, ChainError):
            message, detail = str(exc), exc.detail or type(exc).__name__
        else:
            message, detail = fallback, redact(f"{type(exc).__name__}: {exc}")
        if retry_in is not None:
            message = f"{message} (trying again in {int(retry_in)} s)"
        error = AgentError(step, message, detail, retry_in)
        self.last_error = error
        log.warning("agent %s failed: %s [%s]", step, message, detail)
        self._call("on_error", error)

    def _on_report(self, result) -> None:
        self.last_report = result
        if not result.ok and result.error is not None:
            err = result.error
            self.last_error = AgentError("report", str(err), getattr(err, "detail", ""), None)
            self._call("on_error", self.last_error)
        self._call("on_report", result)

    def _update_status(self, **changes: Any) -> ChainStatus:
        with self._lock:
            self._status = dataclasses.replace(self._status, updated_at=time.time(), **changes)
            status = self._status
        self._call("on_chain", status)
        return status

    # ---- meter thread ---------------------------------------------------------------------------------------

    def _pump_meter(self) -> None:
        if self._meter is None:
            return
        try:
            now = _reading(self._meter())
        except Exception as exc:  # noqa: BLE001 - metering trouble is reported, serving goes on
            log.debug("meter read failed: %s", exc)
            return
        last = self._last_reading
        if now.tokens < last.tokens or now.requests < last.requests:
            last = MeterReading(0, 0, 0.0)  # the server's counters restarted: the new values are the delta
        d_tokens, d_requests = now.tokens - last.tokens, now.requests - last.requests
        d_latency = max(0.0, now.latency_ms_sum - last.latency_ms_sum)
        self._last_reading = now
        if d_tokens or d_requests:
            self.reporter.record(d_tokens, d_requests, d_latency / d_requests if d_requests else None)

    def _run_meter(self) -> None:
        while not self._stop.wait(self.meter_interval):
            self._pump_meter()

    # ---- chain thread ---------------------------------------------------------------------------------------

    def _run_chain(self) -> None:
        backoff = _Backoff(self.retry_first, self.retry_cap)
        while not self._stop.is_set():
            try:
                self._set_state("checking_chain", f"Checking the Plumise network at {self._status.rpc_url}.")
                self.client.check_chain()
                self._set_state("registering", "Checking that this node is registered as an agent.")
                self.registration = self.client.ensure_registered(
                    self.model_id, oracle=self.oracle, endpoint=self.endpoint, capabilities=self.capabilities)
                break
            except Exception as exc:  # noqa: BLE001 - every failure is told and retried
                delay = backoff.next()
                step = "chain" if self.state == "checking_chain" else "registration"
                self._error(step, "The node could not register on the Plumise network.", exc, retry_in=delay)
                if self._stop.wait(delay):
                    return
        if self._stop.is_set():
            return
        how = ("was already registered" if self.registration.already else
               "was registered with the oracle's sponsorship" if self.registration.sponsored else
               "registered itself")
        self._update_status(registered=True)
        self.reporter.start(float(self.settings.report_interval))
        self._reporter_started = True
        self.reporter.set_serving(self._serving)
        self._set_state("running", f"This node {how}; it reports its work every {self.settings.report_interval} s.")

        beat_backoff = _Backoff(min(30.0, self.heartbeat_interval), self.heartbeat_interval)
        status_backoff = _Backoff(self.retry_first, max(self.status_interval, self.retry_first))
        next_beat = next_status = time.monotonic()
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= next_beat:
                if self._heartbeat():
                    beat_backoff.reset()
                    next_beat = time.monotonic() + self.heartbeat_interval
                else:
                    next_beat = time.monotonic() + beat_backoff.next()
            if now >= next_status:
                if self._refresh_and_claim():
                    status_backoff.reset()
                    next_status = time.monotonic() + self.status_interval
                else:
                    next_status = time.monotonic() + status_backoff.next()
            self._stop.wait(max(0.05, min(next_beat, next_status) - time.monotonic()))

    def _heartbeat(self) -> bool:
        try:
            tx = self.client.heartbeat()
        except Exception as exc:  # noqa: BLE001
            self._error("heartbeat", "The heartbeat did not reach the Plumise network.", exc,
                        retry_in=min(30.0, self.heartbeat_interval))
            return False
        self._update_status(last_heartbeat_at=time.time(), last_heartbeat_tx=tx.tx_hash, active=True)
        return True

    def _active(self, registered: bool) -> Optional[bool]:
        """``agent_getStatus``'s ``active``; without that method, our own heartbeat within 300 s."""
        from chain.rpc import RpcErrorAnswer

        try:
            answer = self.client.rpc.call("agent_getStatus", [self.wallet.address])
            if isinstance(answer, dict) and "active" in answer:
                return bool(answer["active"])
        except RpcErrorAnswer as exc:
            if not exc.method_missing:
                raise
        last = self._status.last_heartbeat_at
        return bool(registered and last is not None and time.time() - last < LIVENESS_S)

    def _refresh_and_claim(self) -> bool:
        try:
            registered = self.client.is_registered()
            contribution = self.client.contribution()
            status = self._update_status(
                registered=registered,
                active=self._active(registered),
                balance_wei=self.client.balance(),
                pending_wei=self.client.pending_reward(),
                epoch=self.client.current_epoch(),
                tasks_completed=contribution.task_count,
                uptime_seconds=contribution.uptime_seconds,
            )
        except Exception as exc:  # noqa: BLE001
            self._error("status", "The node could not read its status from the Plumise network.", exc,
                        retry_in=self.retry_first)
            return False
        threshold = max(1, int(self.settings.claim_threshold_wei))
        if self.settings.auto_claim and status.pending_wei is not None and status.pending_wei >= threshold:
            try:
                result = self.client.claim_if_above(threshold)
            except Exception as exc:  # noqa: BLE001
                self._error("claim", "The automatic claim did not go through.", exc, retry_in=self.status_interval)
                return True
            if result is not None:
                self.last_claim = result
                self._call("on_claim", result)
                self._update_status(pending_wei=self.client.pending_reward(), balance_wei=self.client.balance())
        return True
