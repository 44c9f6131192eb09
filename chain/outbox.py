"""The Oracle reporter: counts the node's work durably and reports it so that the oracle's totals end equal
to every token counted, across outages, crashes and ``kill -9``.

How the oracle counts (PROTOCOL.md §6): each report carries *cumulative* counters; the oracle adds the
difference to the last value it accepted, and a value smaller than last time is taken as a restart (the new
value itself is the delta). Its timestamp guard refuses any timestamp not above the last accepted one.

What this module keeps, in SQLite (one row per wallet × oracle, WAL, ``synchronous=FULL``):

* ``counted_*`` — lifetime totals of what the node recorded (flushed from memory at least every 5 s);
* a **counter period**: ``base_*`` is the lifetime total at which the period's counters were zero; a report
  sends ``counted − base``. Within a period the values sent only grow, which makes every report idempotent:
  whether or not an earlier report (timed out, or sent just before a crash) was accepted, the oracle's
  delta for the next one is exactly what it has not yet counted. So a new *process* does not start a new
  period: it continues the persisted one, and its first report carries everything the previous run counted
  and had not had accepted, with nothing counted twice.
* A **new period** starts when the oracle answers a report with ``shouldReset: true`` (see below), when the
  period's uptime nears 604 800 s (the oracle writes it on chain, where more reverts) or its token count
  nears the oracle's 1e9 limit, and on the first use of a wallet with an oracle. It starts right after a
  201, so the oracle's last value is known exactly; base moves up by what was accepted, and the period
  opens with a **zero report** (all counters 0), which the oracle takes either as a restart with delta 0
  or as "no change". Only then is the remainder reported, from zero. Starting a period from the
  unaccepted remainder without the zero report would lose tokens whenever the remainder is not smaller
  than the oracle's last value.
* **shouldReset** (decision). The NestJS oracle answers ``shouldReset: true`` to a wallet's first report
  of each epoch; the devnet oracle does the same. What it does with its last values at an epoch change
  differs: a running oracle (and the devnet's) keeps them, so a report's delta is exact whatever we do;
  an oracle that forgot them (the real one restores them only from the current epoch's rows after a
  restart, and one variant clears them per epoch) counts the epoch's first report *whole*. Honouring the
  flag bounds that damage: we start a new period right after the 201 that carried it (base += accepted,
  no request needed: the zero report that opens the period goes out with the next report), so the next
  epoch's first report carries at most one epoch's work instead of everything since the wallet's first
  report. With an oracle that kept its last values the reset loses and doubles nothing: the zero report
  is a "restart" with delta 0, and every later value counts from there (tests/chain prove the totals
  exact across many epochs). A zero or idle report asks for no new period (there is nothing to reset).
* The values sent are persisted *before* the request leaves, together with the counted totals, so after a
  crash the next value sent is never smaller than one the oracle may have seen.
* ``ts_floor`` — the highest timestamp the oracle may have accepted (sent and answered 201, or sent with no
  answer). A timestamp is ``max(now, ts_floor + 1)``: strictly increasing even if the wall clock steps back;
  a definite refusal does not raise the floor, so a clock that was wrong and got fixed is not punished.
  Reports are signed at send time only; what waits in the outbox are counters, never signed bodies.

Oracle refusals (400/401) surface in :attr:`Reporter.last_error` with the oracle's message and are retried
with exponential backoff (capped), never in a tight loop; the counted work stays in the outbox.

Thread-safety: :meth:`Reporter.record` may be called from any thread (it touches memory only);
:meth:`Reporter.report_now`, :meth:`Reporter.flush` serialize on their own locks. One reporter per database
file per wallet and oracle: two processes sharing one would interleave timestamps.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from chain.errors import ChainError, ClockSkew, ClockWentBack, OracleRejected
from chain.oracle import MAX_TOKENS_PROCESSED, OracleClient, build_report
from chain.protocol import MAX_UPTIME_SECONDS

if TYPE_CHECKING:
    from chain.wallet import Wallet

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 60.0  # cadence of existing nodes; the oracle accepts down to 10 s
MAX_FLUSH_INTERVAL_S = 5.0
PERIOD_MAX_UPTIME_S = MAX_UPTIME_SECONDS - 3600  # roll over with an hour to spare
PERIOD_MAX_TOKENS = 900_000_000
MAX_CLOCK_AHEAD_S = 30  # beyond this the next timestamp would drift toward the oracle's 60 s window
MAX_PROOFS = 100

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    scope TEXT PRIMARY KEY,               -- wallet (lower case) @ oracle base URL
    wallet TEXT NOT NULL,
    counted_tokens INTEGER NOT NULL DEFAULT 0,   -- lifetime totals recorded by the node
    counted_requests INTEGER NOT NULL DEFAULT 0,
    counted_latency_ms REAL NOT NULL DEFAULT 0,  -- sum of the recorded requests' latencies
    period INTEGER NOT NULL DEFAULT 1,
    period_open INTEGER NOT NULL DEFAULT 0,      -- 1 once this period's zero report was accepted
    base_tokens INTEGER NOT NULL DEFAULT 0,      -- lifetime totals at which this period's counters are 0
    base_requests INTEGER NOT NULL DEFAULT 0,
    uptime_s REAL NOT NULL DEFAULT 0,            -- serving seconds in this period
    sent_tokens INTEGER NOT NULL DEFAULT 0,      -- highest values signed in this period
    sent_requests INTEGER NOT NULL DEFAULT 0,
    sent_uptime INTEGER NOT NULL DEFAULT 0,
    acc_tokens INTEGER NOT NULL DEFAULT 0,       -- last values the oracle accepted in this period
    acc_requests INTEGER NOT NULL DEFAULT 0,
    acc_uptime INTEGER NOT NULL DEFAULT 0,
    acc_life_requests INTEGER NOT NULL DEFAULT 0,   -- counted_requests / latency at that acceptance
    acc_life_latency_ms REAL NOT NULL DEFAULT 0,
    last_avg_latency_ms REAL NOT NULL DEFAULT 0,
    ts_floor INTEGER NOT NULL DEFAULT 0,         -- highest timestamp the oracle may have accepted
    accepted_reports INTEGER NOT NULL DEFAULT 0,
    last_accepted_at INTEGER,
    updated_at INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class ReportResult:
    """One report attempt, for the UI. ``accepted_tokens`` is the lifetime total the oracle has accepted."""

    ok: bool
    at: float
    timestamp: int | None = None
    tokens_processed: int = 0
    request_count: int = 0
    uptime_seconds: int = 0
    accepted_tokens: int = 0
    unreported_tokens: int = 0
    period: int = 0
    message: str = ""
    should_reset: bool = False
    error: ChainError | None = None


@dataclass(frozen=True)
class OutboxTotals:
    """Lifetime counts: recorded by the node (incl. not yet flushed) and accepted by the oracle."""

    counted_tokens: int
    counted_requests: int
    accepted_tokens: int
    accepted_requests: int
    period: int
    accepted_reports: int

    @property
    def unreported_tokens(self) -> int:
        return self.counted_tokens - self.accepted_tokens


class OutboxStore:
    """The SQLite file behind :class:`Reporter` (one connection, one lock, atomic transactions)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a committed count survives power loss
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def ensure(self, scope: str, wallet: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO outbox(scope, wallet, updated_at) VALUES(?,?,?)",
                       (scope, wallet, int(time.time())))

    def row(self, scope: str) -> sqlite3.Row:
        with self._lock:
            row = self._db.execute("SELECT * FROM outbox WHERE scope=?", (scope,)).fetchone()
        if row is None:
            raise KeyError(scope)
        return row

    def update(self, scope: str, sql_set: str, args: tuple = ()) -> None:
        with self.transaction() as db:
            db.execute(f"UPDATE outbox SET {sql_set}, updated_at=? WHERE scope=?", (*args, int(time.time()), scope))


class Reporter:
    """Durable, thread-safe oracle reporter for one wallet.

    Args:
        wallet: the agent's wallet (signs each report at send time).
        oracle: an :class:`OracleClient` or the oracle's base URL.
        db_path: the SQLite file (kept across runs; e.g. ``<state dir>/reports.sqlite3``).
        interval: seconds between reports (:meth:`start` may override).
        flush_interval: seconds between flushes of the in-memory counters (≤ 5).
        max_backoff: longest wait between retries after failures.
        period_max_uptime, period_max_tokens: when a counter period rolls over (tests lower them).
        clock: wall clock for timestamps (tests inject a skewed one); ``monotonic`` measures uptime.
    """

    def __init__(
        self,
        wallet: "Wallet",
        oracle: OracleClient | str,
        db_path: str | Path,
        *,
        interval: float = DEFAULT_INTERVAL_S,
        flush_interval: float = 2.0,
        max_backoff: float = 600.0,
        period_max_uptime: int = PERIOD_MAX_UPTIME_S,
        period_max_tokens: int = PERIOD_MAX_TOKENS,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < flush_interval <= MAX_FLUSH_INTERVAL_S:
            raise ValueError(f"flush_interval must be in (0, {MAX_FLUSH_INTERVAL_S}] seconds")
        self.wallet = wallet
        self.oracle = oracle if isinstance(oracle, OracleClient) else OracleClient(oracle)
        self.interval = interval
        self.flush_interval = flush_interval
        self.max_backoff = max_backoff
        self.period_max_uptime = min(period_max_uptime, MAX_UPTIME_SECONDS)
        self.period_max_tokens = min(period_max_tokens, MAX_TOKENS_PROCESSED)
        self._clock = clock
        self._monotonic = monotonic
        self.scope = f"{wallet.address.lower()}@{self.oracle.base_url}"
        self.store = OutboxStore(db_path)
        self.store.ensure(self.scope, wallet.address)
        self._mem_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending_tokens = 0
        self._pending_requests = 0
        self._pending_latency_ms = 0.0
        self._proofs: list[dict] = []  # §7 proofs wait in memory only: they are optional extras
        self._serving = False
        self._uptime_mark = self._monotonic()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0
        self.last_result: ReportResult | None = None
        self.last_error: ChainError | None = None
        self.on_result: Callable[[ReportResult], None] | None = None

    def __repr__(self) -> str:
        return f"Reporter({self.wallet.address}, {self.oracle.base_url!r})"

    # ---- counting -----------------------------------------------------------------------------------------

    def record(self, tokens: int, requests: int = 1, latency_ms: float | None = None) -> None:
        """Count work done: ``tokens`` processed in ``requests`` requests, ``latency_ms`` per request (mean)."""
        if tokens < 0 or requests < 0:
            raise ValueError("tokens and requests are counts (>= 0)")
        with self._mem_lock:
            self._pending_tokens += int(tokens)
            self._pending_requests += int(requests)
            if latency_ms is not None and requests:
                self._pending_latency_ms += float(latency_ms) * requests

    def add_proof(self, model_hash: str, input_hash: str, output_hash: str, token_count: int) -> None:
        """Attach an inference proof (PROTOCOL.md §7) to the next report. Kept in memory (at most
        :data:`MAX_PROOFS`, oldest dropped); a report the oracle refuses drops its proofs, so a bad proof
        can never block the counters."""
        for value in (model_hash, input_hash, output_hash):
            if not (isinstance(value, str) and len(value) == 66 and value.startswith("0x")):
                raise ValueError("proof hashes are 0x + 64 hex digits")
            int(value[2:], 16)
        if not isinstance(token_count, int) or token_count < 1:
            raise ValueError("tokenCount is an integer >= 1")
        with self._mem_lock:
            self._proofs.append({"modelHash": model_hash, "inputHash": input_hash, "outputHash": output_hash,
                                 "tokenCount": token_count})
            del self._proofs[:-MAX_PROOFS]

    def set_serving(self, serving: bool) -> None:
        """Uptime accrues only while serving (started and not paused)."""
        with self._mem_lock:
            self._take_uptime_locked()
            self._serving = serving

    def _take_uptime_locked(self) -> float:
        now = self._monotonic()
        elapsed = max(0.0, now - self._uptime_mark) if self._serving else 0.0
        self._uptime_mark = now
        return elapsed

    def flush(self) -> None:
        """Persist what was recorded since the last flush (one atomic transaction)."""
        with self._mem_lock:
            tokens, requests, latency = self._pending_tokens, self._pending_requests, self._pending_latency_ms
            uptime = self._take_uptime_locked()
            self._pending_tokens = self._pending_requests = 0
            self._pending_latency_ms = 0.0
        if not (tokens or requests or uptime):
            return
        try:
            self.store.update(
                self.scope,
                "counted_tokens=counted_tokens+?, counted_requests=counted_requests+?, "
                "counted_latency_ms=counted_latency_ms+?, uptime_s=uptime_s+?",
                (tokens, requests, latency, uptime),
            )
        except BaseException:
            with self._mem_lock:  # not written: keep it for the next flush
                self._pending_tokens += tokens
                self._pending_requests += requests
                self._pending_latency_ms += latency
                self._uptime_mark -= uptime
            raise

    def totals(self) -> OutboxTotals:
        """Lifetime counted vs accepted (counted includes what is not flushed yet)."""
        row = self.store.row(self.scope)
        with self._mem_lock:
            tokens, requests = self._pending_tokens, self._pending_requests
        return OutboxTotals(
            counted_tokens=row["counted_tokens"] + tokens,
            counted_requests=row["counted_requests"] + requests,
            accepted_tokens=row["base_tokens"] + row["acc_tokens"],
            accepted_requests=row["base_requests"] + row["acc_requests"],
            period=row["period"],
            accepted_reports=row["accepted_reports"],
        )

    # ---- reporting ----------------------------------------------------------------------------------------

    def _next_timestamp(self, floor: int) -> int:
        now = int(self._clock())
        ts = max(now, floor + 1)
        if ts - now > MAX_CLOCK_AHEAD_S:
            raise ClockWentBack(ts - now)
        return ts

    def _send(self, tokens: int, requests: int, uptime: int, latency: float,
              proofs: list[dict] | None = None) -> tuple[int, object]:
        """Sign and post one report; persists the timestamp floor first and restores it on a refusal."""
        floor = self.store.row(self.scope)["ts_floor"]
        ts = self._next_timestamp(floor)
        # The oracle may accept this even if we never hear back: raise the floor before sending.
        self.store.update(self.scope, "ts_floor=MAX(ts_floor, ?)", (ts,))
        body = build_report(self.wallet, tokens, requests, latency, uptime, ts, proofs)
        try:
            return ts, self.oracle.post_report(body)
        except OracleRejected as exc:
            replay = "replay" in exc.oracle_message.lower()
            # A definite refusal was not accepted: its timestamp need not bind us, except a replay answer,
            # which says the oracle holds a timestamp at least this large.
            self.store.update(self.scope, "ts_floor=?", (ts if replay else floor,))
            raise

    def _open_period(self) -> None:
        self._send(0, 0, 0, 0.0)
        self.store.update(self.scope, "period_open=1, sent_tokens=0, sent_requests=0, sent_uptime=0, "
                          "acc_tokens=0, acc_requests=0, acc_uptime=0")
        log.info("oracle report period %d opened", self.store.row(self.scope)["period"])

    def _roll_over(self, why: str) -> None:
        """Start a new counter period right after a 201 (the oracle's last values are known exactly).

        The period's counters restart from what the oracle has not accepted yet: base moves up by the
        accepted values, and uptime keeps only what was not reported. ``period_open`` is cleared, so the
        next report first sends the zero report (see the module docstring)."""
        with self.store.transaction() as db:
            db.execute(
                """UPDATE outbox SET period=period+1, period_open=0, base_tokens=base_tokens+acc_tokens,
                   base_requests=base_requests+acc_requests, uptime_s=MAX(0, uptime_s-acc_uptime),
                   sent_tokens=0, sent_requests=0, sent_uptime=0, acc_tokens=0, acc_requests=0, acc_uptime=0
                   WHERE scope=?""",
                (self.scope,),
            )
        log.info("oracle report period %d started (%s)", self.store.row(self.scope)["period"], why)

    def report_now(self) -> ReportResult:
        """Flush, then send one report of everything counted. Raises the :class:`ChainError` on failure
        (also kept in :attr:`last_error`); returns and keeps (:attr:`last_result`) the result."""
        with self._send_lock:
            try:
                result = self._report_locked()
            except ChainError as exc:
                self._note_failure(exc)
                raise
        self._note(result)
        return result

    def _report_locked(self) -> ReportResult:
        self.flush()
        if not self.store.row(self.scope)["period_open"]:
            self._open_period()
        result = self._report_once()
        row = self.store.row(self.scope)
        if row["acc_uptime"] >= self.period_max_uptime or row["acc_tokens"] >= self.period_max_tokens:
            self._roll_over("uptime or token limit reached")
            self._open_period()
            result = self._report_once()
        elif result.should_reset and (row["acc_tokens"] or row["acc_requests"] or row["acc_uptime"]):
            # Right after the 201, while the oracle's last values are exactly acc_*. The zero report that
            # opens the new period waits for the next report: a final report at shutdown stays one request.
            self._roll_over("the oracle asked for a reset (first report of an epoch)")
        return result

    def _report_once(self) -> ReportResult:
        row = self.store.row(self.scope)
        tokens = min(row["counted_tokens"] - row["base_tokens"], MAX_TOKENS_PROCESSED)
        requests = row["counted_requests"] - row["base_requests"]
        uptime = min(int(row["uptime_s"]), MAX_UPTIME_SECONDS)
        # Monotone within a period, whatever happened before: never below what may have been accepted.
        tokens, requests, uptime = (max(tokens, row["sent_tokens"]), max(requests, row["sent_requests"]),
                                    max(uptime, row["sent_uptime"]))
        new_requests = row["counted_requests"] - row["acc_life_requests"]
        latency = ((row["counted_latency_ms"] - row["acc_life_latency_ms"]) / new_requests
                   if new_requests > 0 else row["last_avg_latency_ms"])
        latency = max(0.0, latency)
        self.store.update(self.scope, "sent_tokens=?, sent_requests=?, sent_uptime=?", (tokens, requests, uptime))
        with self._mem_lock:
            proofs = list(self._proofs)
        try:
            ts, reply = self._send(tokens, requests, uptime, latency, proofs)
        except OracleRejected:
            if proofs:
                log.warning("report with %d proof(s) refused; dropping the proofs", len(proofs))
                self._drop_proofs(proofs)
            raise
        self._drop_proofs(proofs)
        self.store.update(
            self.scope,
            "acc_tokens=?, acc_requests=?, acc_uptime=?, acc_life_requests=?, acc_life_latency_ms=?, "
            "last_avg_latency_ms=?, accepted_reports=accepted_reports+1, last_accepted_at=?",
            (tokens, requests, uptime, row["counted_requests"], row["counted_latency_ms"], latency, ts),
        )
        after = self.store.row(self.scope)
        accepted = after["base_tokens"] + after["acc_tokens"]
        log.info("report accepted: period %d, %d tokens (%d lifetime), %d requests, uptime %d s",
                 after["period"], tokens, accepted, requests, uptime)
        return ReportResult(
            ok=True, at=time.time(), timestamp=ts, tokens_processed=tokens, request_count=requests,
            uptime_seconds=uptime, accepted_tokens=accepted,
            unreported_tokens=after["counted_tokens"] - accepted, period=after["period"],
            message=reply.message, should_reset=reply.should_reset,
        )

    def _drop_proofs(self, sent: list[dict]) -> None:
        with self._mem_lock:
            for proof in sent:
                if proof in self._proofs:
                    self._proofs.remove(proof)

    def _note(self, result: ReportResult) -> None:
        self.failures = 0
        self.last_result = result
        self.last_error = None
        self._callback(result)

    def _note_failure(self, exc: ChainError) -> None:
        self.failures += 1
        self.last_error = exc
        totals = self.totals()
        result = ReportResult(ok=False, at=time.time(), accepted_tokens=totals.accepted_tokens,
                              unreported_tokens=totals.unreported_tokens, period=totals.period,
                              message=str(exc), error=exc)
        self.last_result = result
        level = logging.WARNING if isinstance(exc, (OracleRejected, ClockSkew, ClockWentBack)) else logging.INFO
        log.log(level, "report not accepted (%d in a row): %s [%s]", self.failures, exc, exc.detail)
        self._callback(result)

    def _callback(self, result: ReportResult) -> None:
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception:  # noqa: BLE001
                log.exception("report callback failed")

    # ---- background loop ----------------------------------------------------------------------------------

    def start(self, interval: float | None = None) -> None:
        """Start counting uptime, flushing and reporting on a daemon thread. The first report goes out at
        once (it carries what an earlier run counted and did not get accepted)."""
        if interval is not None:
            self.interval = interval
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.set_serving(True)
        self._thread = threading.Thread(target=self._run, name="plumise-reporter", daemon=True)
        self._thread.start()

    def report_soon(self) -> None:
        """Ask the background loop to report now instead of at the next interval."""
        self._wake.set()

    def _delay_after_failure(self) -> float:
        return min(max(self.max_backoff, self.interval), self.interval * 2 ** min(self.failures - 1, 16))

    def _run(self) -> None:
        next_report = self._monotonic()
        while not self._stop.is_set():
            now = self._monotonic()
            if now >= next_report or self._wake.is_set():
                self._wake.clear()
                try:
                    self.report_now()
                    next_report = self._monotonic() + self.interval
                except ChainError:
                    next_report = self._monotonic() + self._delay_after_failure()
                except Exception as exc:  # noqa: BLE001 - the loop must survive anything
                    log.exception("unexpected error while reporting")
                    self.last_error = ChainError(detail=f"{type(exc).__name__}: {exc}")
                    self.failures += 1
                    next_report = self._monotonic() + self._delay_after_failure()
            else:
                try:
                    self.flush()
                except Exception:  # noqa: BLE001 - a full disk must not end reporting; counts stay in memory
                    log.exception("could not persist the report counters")
            wait = min(self.flush_interval, next_report - self._monotonic())
            if wait > 0:
                self._wake.wait(wait)

    def stop(self, final_report: bool = True, timeout: float = 10.0) -> ReportResult | None:
        """Stop the loop, persist everything, and (by default) send one final report, waiting at most
        about ``timeout`` seconds for the oracle. Never raises for an unreachable or refusing oracle: the
        counts stay in the outbox for the next run."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.set_serving(False)
        self.flush()
        if not final_report:
            return None
        saved_timeout = self.oracle.timeout
        self.oracle.timeout = min(saved_timeout, timeout)
        try:
            return self.report_now()
        except ChainError:
            return self.last_result
        finally:
            self.oracle.timeout = saved_timeout

    def close(self) -> None:
        """Close the database (after :meth:`stop`)."""
        self.store.close()
