"""The node's event stream: the one place its schema is defined.

``plumise-petals serve --events jsonl`` writes one JSON object per line on stdout and nothing else (logs go to
stderr, redacted). The supervising GUI reads these lines; scripts may too. Every event has:

``event``  the kind below; ``ts``  unix time in seconds (float).

Kinds and their fields:

``state``     the node's phase changed (or its progress moved).
    ``state``: ``"starting" | "downloading" | "connecting" | "loading" | "serving" | "stopping" | "stopped" |
    "error"``. A normal run goes starting → [downloading] → connecting → loading → serving → stopping →
    stopped.
    ``message``: a short sentence for a person (may be ``null``).
    ``progress``: ``{"done": int, "total": int, "unit": "bytes" | "blocks"}`` or ``null``. Real progress only:
    bytes downloaded, blocks loaded into memory.
    Extra fields on some states: ``status_url`` (starting: where the status API answers), ``blocks``
    ``[start, end)``, ``peer_id``, ``model`` (serving).
``metrics``   once a second while serving (and once more when stopping).
    ``tokens``, ``requests``, ``sessions``: cumulative ints since the node started (core/metering.py defines
    them exactly); ``avg_latency_ms``: float or ``null`` before the first request; ``tokens_per_s``: float,
    over the last 10 s; ``uptime_s``: int, seconds serving; ``peers``: int, other DHT peers known;
    ``model``: str; ``blocks``: ``[start, end)`` (end exclusive).
``chain``     the agent's standing on chain, when it is read.
    ``address``: str; ``registered``, ``active``: bool or ``null`` (unknown); ``balance_wei``,
    ``pending_wei``: decimal strings or ``null``; ``epoch``: int or ``null``.
``report``    a metrics report was sent to the Oracle.
    ``ok``: bool; ``message``: str; ``tokens``: int (the cumulative count reported); ``at``: unix seconds.
``claim``     a reward claim finished.
    ``ok``: bool; ``tx_hash``: str or ``null``; ``amount_wei``: decimal string or ``null``; ``message``: str.
``error``     something went wrong.
    ``reason``: a sentence a non-technical person can act on; ``detail``: a line for support (exception
    text); ``fatal``: bool: when true the node exits non-zero and this is its last event.

Amounts in wei are decimal strings because JSON numbers lose precision beyond 2**53.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import IO, Any, Callable, Mapping, Optional, Sequence

STATES = ("starting", "downloading", "connecting", "loading", "serving", "stopping", "stopped", "error")
KINDS = ("state", "metrics", "chain", "report", "claim", "error")


def progress(done: int, total: int, unit: str) -> dict:
    """A progress object for a ``state`` event; ``unit`` is ``"bytes"`` or ``"blocks"``."""
    if unit not in ("bytes", "blocks"):
        raise ValueError(f"unknown progress unit {unit!r}")
    return {"done": int(done), "total": int(total), "unit": unit}


def state_event(state: str, message: Optional[str] = None, progress: Optional[dict] = None, **extra: Any) -> dict:
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    return {"event": "state", "state": state, "message": message, "progress": progress, **extra}


def metrics_event(
    *,
    tokens: int,
    requests: int,
    sessions: int,
    avg_latency_ms: Optional[float],
    tokens_per_s: float,
    uptime_s: int,
    peers: int,
    model: str,
    blocks: Optional[Sequence[int]],
) -> dict:
    return {
        "event": "metrics",
        "tokens": int(tokens),
        "requests": int(requests),
        "sessions": int(sessions),
        "avg_latency_ms": None if avg_latency_ms is None else round(float(avg_latency_ms), 3),
        "tokens_per_s": round(float(tokens_per_s), 3),
        "uptime_s": int(uptime_s),
        "peers": int(peers),
        "model": model,
        "blocks": list(blocks) if blocks else None,
    }


def chain_event(
    *,
    address: str,
    registered: Optional[bool],
    active: Optional[bool],
    balance_wei: Optional[int],
    pending_wei: Optional[int],
    epoch: Optional[int],
) -> dict:
    return {
        "event": "chain",
        "address": address,
        "registered": registered,
        "active": active,
        "balance_wei": None if balance_wei is None else str(int(balance_wei)),
        "pending_wei": None if pending_wei is None else str(int(pending_wei)),
        "epoch": None if epoch is None else int(epoch),
    }


def report_event(*, ok: bool, message: str, tokens: int, at: Optional[float] = None) -> dict:
    return {"event": "report", "ok": bool(ok), "message": message, "tokens": int(tokens), "at": int(at or time.time())}


def claim_event(*, ok: bool, tx_hash: Optional[str], amount_wei: Optional[int], message: str) -> dict:
    return {
        "event": "claim",
        "ok": bool(ok),
        "tx_hash": tx_hash,
        "amount_wei": None if amount_wei is None else str(int(amount_wei)),
        "message": message,
    }


def error_event(reason: str, detail: Optional[str] = None, fatal: bool = False) -> dict:
    return {"event": "error", "reason": reason, "detail": detail, "fatal": bool(fatal)}


class EventSink:
    """Where events go. Thread-safe; adds ``ts``; keeps the last event of each kind (for the status API).

    ``stream`` ``None`` means events are only remembered and passed to listeners (``--events none``).
    """

    def __init__(self, stream: Optional[IO[str]] = None) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self.last: dict[str, dict] = {}
        self._listeners: list[Callable[[dict], None]] = []

    def add_listener(self, listener: Callable[[dict], None]) -> None:
        self._listeners.append(listener)

    def emit(self, event: Mapping[str, Any]) -> dict:
        if event.get("event") not in KINDS:
            raise ValueError(f"unknown event kind {event.get('event')!r}")
        record = {**event, "ts": round(time.time(), 3)}
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=True)
        with self._lock:
            self.last[record["event"]] = record
            if self._stream is not None:
                try:
                    self._stream.write(line + "\n")
                    self._stream.flush()
                except (BrokenPipeError, ValueError, OSError):
                    # The reader is gone (the supervisor died); stdin EOF will stop us.
                    self._stream = None
        for listener in self._listeners:
            listener(record)
        return record


def claim_stdout_for_events() -> IO[str]:
    """Reserve the real stdout for events and send everything else written to fd 1 to stderr.

    Petals, hivemind, torch and forked handlers may print; in jsonl mode the supervisor must see only
    events on stdout. The events stream is a private duplicate of the original fd 1 (not inherited by
    spawned programs), and fd 1 itself becomes a copy of fd 2.
    """
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)  # sys.stdout still writes to fd 1, which is now stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")
