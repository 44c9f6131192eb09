"""The Oracle's durable state: one SQLite file in WAL mode.

Everything the oracle knows lives here, so a restart loses nothing: per-wallet last timestamp (the replay
guard) and last raw cumulative counters (delta tracking), per-epoch metrics, the contributions still owed to
the chain, registered nodes, a journal of every transaction it signed (raw bytes kept, so an unconfirmed one
can be re-broadcast after a crash) and which epochs are settled.

One connection guarded by one re-entrant lock: the oracle's write rate is a few per second at most, and a
single writer makes "check the replay guard, then update" atomic without SQLite busy-retry logic.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS wallets (
    wallet TEXT PRIMARY KEY,           -- lower-case address
    wallet_str TEXT NOT NULL,          -- the string the node last signed with
    last_ts INTEGER NOT NULL,          -- last accepted report timestamp (strictly increasing)
    raw_tokens INTEGER NOT NULL,       -- last cumulative values as reported (restart detection)
    raw_requests INTEGER NOT NULL,
    raw_uptime INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,     -- sums of deltas since the first report
    total_requests INTEGER NOT NULL,
    total_uptime INTEGER NOT NULL,
    reports INTEGER NOT NULL,
    restarts INTEGER NOT NULL,
    avg_latency_ms REAL NOT NULL,      -- as last reported
    pending_tasks INTEGER NOT NULL,    -- deltas not yet written on chain by reportContribution
    pending_uptime INTEGER NOT NULL,
    pending_tokens INTEGER NOT NULL,
    first_report_at INTEGER NOT NULL,  -- oracle clock
    last_report_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS epoch_metrics (
    wallet TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    uptime INTEGER NOT NULL,
    avg_latency_ms REAL NOT NULL,      -- weighted by request deltas
    reports INTEGER NOT NULL,
    last_updated INTEGER NOT NULL,     -- client timestamp of the last report
    PRIMARY KEY (wallet, epoch)
);
CREATE TABLE IF NOT EXISTS proofs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wallet TEXT NOT NULL, epoch INTEGER NOT NULL,
    model_hash TEXT NOT NULL, input_hash TEXT NOT NULL, output_hash TEXT NOT NULL, token_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
    address TEXT PRIMARY KEY,          -- lower-case
    address_str TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    capabilities TEXT NOT NULL,        -- JSON list
    benchmark_tok_per_sec REAL NOT NULL,
    last_registration_ts INTEGER NOT NULL,
    sponsored_tx TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS contributions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wallet TEXT NOT NULL, epoch INTEGER NOT NULL,
    task_count INTEGER NOT NULL, uptime_seconds INTEGER NOT NULL, response_score INTEGER NOT NULL,
    tokens INTEGER NOT NULL, tx_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS txs (
    hash TEXT PRIMARY KEY,
    nonce INTEGER NOT NULL,
    kind TEXT NOT NULL,                -- contribution | sync | distribute | register | claim
    meta TEXT NOT NULL,                -- JSON: what the tx means, to settle it after a crash
    raw TEXT NOT NULL,                 -- signed bytes, re-broadcast if the node lost it
    status TEXT NOT NULL,              -- sent | ok | reverted | dropped
    block INTEGER,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS epochs (
    epoch INTEGER PRIMARY KEY,
    status TEXT NOT NULL,              -- distributed | already | no_rewards
    tx_hash TEXT,
    settled_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class ReplayError(Exception):
    """The report's timestamp is not greater than the last accepted one for this wallet."""


@dataclass(frozen=True)
class Deltas:
    """What one accepted report added."""

    tokens: int
    requests: int
    uptime: int
    restarted: bool
    first_in_epoch: bool


class Store:
    """Typed access to the oracle's SQLite file. Safe to share between threads."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a 201 means the report is on disk even if the machine loses power right after.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT under the lock; rolls back on any exception."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, sql: str, args: tuple = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, args).fetchall()]

    def _one(self, sql: str, args: tuple = ()) -> dict[str, Any] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    # --- key/value ----------------------------------------------------------------------------------------

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM kv WHERE key=?", (key,))
        return row["value"] if row else default

    def put(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO kv(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                       (key, value))

    # --- metrics reports ----------------------------------------------------------------------------------

    def record_report(
        self, *, wallet: str, tokens: int, requests: int, uptime: int, avg_latency_ms: float, timestamp: int,
        epoch: int, proofs: tuple[dict, ...] = (), now: int | None = None,
    ) -> Deltas:
        """Apply one verified report atomically; raises :class:`ReplayError` if its timestamp is not new.

        Counters are cumulative since the node process started. A restart is any counter smaller than last
        time; then each new value is its own delta. The uptime delta is capped by the time between the two
        reports' timestamps, so a node cannot claim more uptime than wall-clock time passed.
        """
        now = int(time.time()) if now is None else now
        key = wallet.lower()
        with self.transaction() as db:
            row = db.execute("SELECT * FROM wallets WHERE wallet=?", (key,)).fetchone()
            if row is not None and timestamp <= row["last_ts"]:
                raise ReplayError(f"timestamp {timestamp} <= last accepted {row['last_ts']}")
            if row is None:
                d_tok, d_req, d_up, restarted = tokens, requests, uptime, False
            else:
                restarted = tokens < row["raw_tokens"] or requests < row["raw_requests"] or uptime < row["raw_uptime"]
                if restarted:
                    d_tok, d_req, d_up = tokens, requests, uptime
                else:
                    d_tok = tokens - row["raw_tokens"]
                    d_req = requests - row["raw_requests"]
                    d_up = uptime - row["raw_uptime"]
                d_up = min(d_up, timestamp - row["last_ts"])
            if row is None:
                db.execute(
                    "INSERT INTO wallets VALUES(?,?,?,?,?,?,?,?,?,1,0,?,?,?,?,?,?)",
                    (key, wallet, timestamp, tokens, requests, uptime, d_tok, d_req, d_up, avg_latency_ms,
                     d_req, d_up, d_tok, now, now),
                )
            else:
                db.execute(
                    """UPDATE wallets SET wallet_str=?, last_ts=?, raw_tokens=?, raw_requests=?, raw_uptime=?,
                       total_tokens=total_tokens+?, total_requests=total_requests+?, total_uptime=total_uptime+?,
                       reports=reports+1, restarts=restarts+?, avg_latency_ms=?, pending_tasks=pending_tasks+?,
                       pending_uptime=pending_uptime+?, pending_tokens=pending_tokens+?, last_report_at=?
                       WHERE wallet=?""",
                    (wallet, timestamp, tokens, requests, uptime, d_tok, d_req, d_up, int(restarted),
                     avg_latency_ms, d_req, d_up, d_tok, now, key),
                )
            em = db.execute("SELECT * FROM epoch_metrics WHERE wallet=? AND epoch=?", (key, epoch)).fetchone()
            if em is None:
                db.execute("INSERT INTO epoch_metrics VALUES(?,?,?,?,?,?,1,?)",
                           (key, epoch, d_tok, d_req, d_up, avg_latency_ms, timestamp))
            else:
                total_req = em["requests"] + d_req
                # Request-weighted mean; with no new requests the epoch's figure stays as it was.
                latency = ((em["avg_latency_ms"] * em["requests"] + avg_latency_ms * d_req) / total_req
                           if total_req > 0 and d_req > 0 else em["avg_latency_ms"])
                db.execute(
                    """UPDATE epoch_metrics SET tokens=tokens+?, requests=?, uptime=uptime+?, avg_latency_ms=?,
                       reports=reports+1, last_updated=? WHERE wallet=? AND epoch=?""",
                    (d_tok, total_req, d_up, latency, timestamp, key, epoch),
                )
            for p in proofs:
                db.execute(
                    "INSERT INTO proofs(wallet,epoch,model_hash,input_hash,output_hash,token_count,created_at)"
                    " VALUES(?,?,?,?,?,?,?)",
                    (key, epoch, p["modelHash"], p["inputHash"], p["outputHash"], p["tokenCount"], now),
                )
            # A report from an agent that never called /api/nodes/register still makes it a known node.
            db.execute(
                "INSERT OR IGNORE INTO nodes VALUES(?,?,'','[]',0,0,NULL,?,?)", (key, wallet, now, now))
            db.execute("UPDATE nodes SET updated_at=? WHERE address=?", (now, key))
        return Deltas(d_tok, d_req, d_up, restarted, em is None)

    def wallet(self, address: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM wallets WHERE wallet=?", (address.lower(),))

    def wallets(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM wallets ORDER BY wallet")

    def epoch_metrics(self, address: str, epoch: int | None = None) -> list[dict[str, Any]]:
        if epoch is None:
            return self._all("SELECT * FROM epoch_metrics WHERE wallet=? ORDER BY epoch DESC", (address.lower(),))
        return self._all("SELECT * FROM epoch_metrics WHERE wallet=? AND epoch=?", (address.lower(), epoch))

    def epoch_summary(self, epoch: int) -> dict[str, Any]:
        row = self._one(
            "SELECT COUNT(*) AS agents, COALESCE(SUM(tokens),0) AS tokens, COALESCE(SUM(requests),0) AS requests"
            " FROM epoch_metrics WHERE epoch=?", (epoch,))
        return row or {"agents": 0, "tokens": 0, "requests": 0}

    def proof_count(self, address: str) -> int:
        row = self._one("SELECT COUNT(*) AS n FROM proofs WHERE wallet=?", (address.lower(),))
        return int(row["n"]) if row else 0

    # --- contributions owed to the chain ------------------------------------------------------------------

    def pending_contributions(self) -> list[dict[str, Any]]:
        return self._all(
            "SELECT wallet, wallet_str, pending_tasks, pending_uptime, pending_tokens FROM wallets"
            " WHERE pending_tasks>0 OR pending_uptime>0 OR pending_tokens>0 ORDER BY wallet")

    def contributions(self, address: str, limit: int = 50) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM contributions WHERE wallet=? ORDER BY id DESC LIMIT ?",
                         (address.lower(), limit))

    # --- nodes --------------------------------------------------------------------------------------------

    def node(self, address: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM nodes WHERE address=?", (address.lower(),))

    def nodes(self) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM nodes ORDER BY created_at, address")

    def check_registration_ts(self, address: str, timestamp: int) -> None:
        row = self.node(address)
        if row is not None and timestamp <= row["last_registration_ts"]:
            raise ReplayError(f"timestamp {timestamp} <= last registration {row['last_registration_ts']}")

    def save_registration(
        self, *, address: str, endpoint: str, capabilities: list[str], benchmark: float | None, timestamp: int,
        sponsored_tx: str | None, now: int | None = None,
    ) -> None:
        """Store a verified registration; raises :class:`ReplayError` if a newer one won the race."""
        now = int(time.time()) if now is None else now
        key = address.lower()
        with self.transaction() as db:
            row = db.execute("SELECT * FROM nodes WHERE address=?", (key,)).fetchone()
            if row is not None and timestamp <= row["last_registration_ts"]:
                raise ReplayError(f"timestamp {timestamp} <= last registration {row['last_registration_ts']}")
            if row is None:
                db.execute("INSERT INTO nodes VALUES(?,?,?,?,?,?,?,?,?)",
                           (key, address, endpoint, json.dumps(capabilities), benchmark or 0.0, timestamp,
                            sponsored_tx, now, now))
            else:
                db.execute(
                    """UPDATE nodes SET address_str=?, endpoint=?, capabilities=?,
                       benchmark_tok_per_sec=COALESCE(?, benchmark_tok_per_sec), last_registration_ts=?,
                       sponsored_tx=COALESCE(?, sponsored_tx), updated_at=? WHERE address=?""",
                    (address, endpoint, json.dumps(capabilities), benchmark, timestamp, sponsored_tx, now, key))

    # --- transaction journal ------------------------------------------------------------------------------

    def journal_tx(self, *, tx_hash: str, nonce: int, kind: str, meta: dict, raw: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO txs VALUES(?,?,?,?,?,'sent',NULL,?)",
                       (tx_hash, nonce, kind, json.dumps(meta), raw, int(time.time())))

    def unsettled_txs(self) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM txs WHERE status='sent' ORDER BY nonce")
        for r in rows:
            r["meta"] = json.loads(r["meta"])
        return rows

    def txs(self, kind: str | None = None) -> list[dict[str, Any]]:
        rows = self._all("SELECT * FROM txs" + (" WHERE kind=?" if kind else "") + " ORDER BY nonce",
                         (kind,) if kind else ())
        for r in rows:
            r["meta"] = json.loads(r["meta"])
        return rows

    def settle_tx(self, tx_hash: str, status: str, block: int | None, epoch: int | None = None
                  ) -> dict[str, Any] | None:
        """Mark a journalled tx final and apply what it meant, in one SQLite transaction.

        ``epoch`` is the chain's epoch at the tx's block (a contribution counts there); when unknown, the
        epoch recorded at signing is kept. Returns the row, or None if it was already settled (settling
        twice must not apply twice).
        """
        with self.transaction() as db:
            row = db.execute("SELECT * FROM txs WHERE hash=? AND status='sent'", (tx_hash,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE txs SET status=?, block=? WHERE hash=?", (status, block, tx_hash))
            meta = json.loads(row["meta"])
            if epoch is not None and row["kind"] == "contribution":
                meta["epoch"] = epoch
                db.execute("UPDATE txs SET meta=? WHERE hash=?", (json.dumps(meta), tx_hash))
            if status == "ok" and row["kind"] == "contribution":
                db.execute(
                    """UPDATE wallets SET pending_tasks=MAX(0,pending_tasks-?), pending_uptime=MAX(0,pending_uptime-?),
                       pending_tokens=MAX(0,pending_tokens-?) WHERE wallet=?""",
                    (meta["taskCount"], meta["uptimeSeconds"], meta["tokens"], meta["wallet"]))
                db.execute("INSERT INTO contributions VALUES(NULL,?,?,?,?,?,?,?,?)",
                           (meta["wallet"], meta["epoch"], meta["taskCount"], meta["uptimeSeconds"],
                            meta["responseScore"], meta["tokens"], tx_hash, int(time.time())))
            if status == "ok" and row["kind"] == "distribute":
                db.execute("INSERT OR REPLACE INTO epochs VALUES(?,?,?,?)",
                           (meta["epoch"], "distributed", tx_hash, int(time.time())))
            out = dict(row)
            out["meta"] = meta
            out["status"] = status
            return out

    # --- epochs -------------------------------------------------------------------------------------------

    def epoch_status(self, epoch: int) -> str | None:
        row = self._one("SELECT status FROM epochs WHERE epoch=?", (epoch,))
        return row["status"] if row else None

    def set_epoch_status(self, epoch: int, status: str, tx_hash: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO epochs VALUES(?,?,?,?)", (epoch, status, tx_hash, int(time.time())))

    def epochs(self, limit: int = 50) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM epochs ORDER BY epoch DESC LIMIT ?", (limit,))
