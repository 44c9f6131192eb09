"""What the GUI knows about the node: the latest value of every field, fed by the node's events.

One :class:`NodeStatus` is shared by the dashboard and the tray, so both always show the same numbers.
A field the node has not told us yet stays ``None`` and is shown as "—": nothing here is ever guessed.
The schema of the events is core/events.py's.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import QObject, Signal

from app.money import parse_wei

TPS_SAMPLES = 300  # five minutes of the node's once-a-second metrics


@dataclass
class Progress:
    done: int
    total: int
    unit: str  # "bytes" | "blocks"

    @property
    def fraction(self) -> Optional[float]:
        return (self.done / self.total) if self.total > 0 else None


class NodeStatus(QObject):
    changed = Signal()
    # Separate signals for things that notify the person once.
    claim_finished = Signal(object)   # the claim event dict
    error_reported = Signal(str, str)  # reason, detail

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.reset_node()
        # Chain standing and history outlive a node restart: they describe the wallet, not the process.
        self.address: Optional[str] = None
        self.registered: Optional[bool] = None
        self.active: Optional[bool] = None
        self.balance_wei: Optional[int] = None
        self.pending_wei: Optional[int] = None
        self.epoch: Optional[int] = None
        self.chain_read_at: Optional[float] = None
        self.last_report: Optional[dict] = None
        self.last_claim: Optional[dict] = None
        self.tps_samples: deque[tuple[float, float]] = deque(maxlen=TPS_SAMPLES)

    def reset_node(self) -> None:
        """Forget what described the previous node process (called when a new one starts)."""
        self.state: Optional[str] = None
        self.message: Optional[str] = None
        self.progress: Optional[Progress] = None
        self.tokens: Optional[int] = None
        self.requests: Optional[int] = None
        self.sessions: Optional[int] = None
        self.avg_latency_ms: Optional[float] = None
        self.tokens_per_s: Optional[float] = None
        self.uptime_s: Optional[float] = None
        self.peers: Optional[int] = None
        self.model: Optional[str] = None
        self.blocks: Optional[tuple[int, int]] = None
        self.last_error: Optional[tuple[str, str]] = None
        self.serving_since: Optional[float] = None

    # -- feeding
    def on_event(self, event: dict) -> None:
        handler = getattr(self, f"_on_{event.get('event')}", None)
        if handler is None:
            return
        handler(event)
        self.changed.emit()

    def _on_state(self, event: dict) -> None:
        self.state = _str_or_none(event.get("state"))
        self.message = _str_or_none(event.get("message"))
        self.progress = _progress(event.get("progress"))
        if self.state == "serving":
            self.serving_since = self.serving_since or time.time()
            self.last_error = None
        else:
            self.serving_since = None
        if event.get("model"):
            self.model = str(event["model"])
        blocks = _blocks(event.get("blocks"))
        if blocks:
            self.blocks = blocks

    def _on_metrics(self, event: dict) -> None:
        self.tokens = _int_or_none(event.get("tokens"))
        self.requests = _int_or_none(event.get("requests"))
        self.sessions = _int_or_none(event.get("sessions"))
        self.avg_latency_ms = _float_or_none(event.get("avg_latency_ms"))
        self.tokens_per_s = _float_or_none(event.get("tokens_per_s"))
        self.uptime_s = _float_or_none(event.get("uptime_s"))
        self.peers = _int_or_none(event.get("peers"))
        self.model = _str_or_none(event.get("model")) or self.model
        self.blocks = _blocks(event.get("blocks")) or self.blocks
        if self.tokens_per_s is not None:
            self.tps_samples.append((float(event.get("ts") or time.time()), self.tokens_per_s))

    def _on_chain(self, event: dict) -> None:
        self.apply_chain_reading(
            address=event.get("address"),
            registered=event.get("registered"),
            active=event.get("active"),
            balance_wei=event.get("balance_wei"),
            pending_wei=event.get("pending_wei"),
            epoch=event.get("epoch"),
        )

    def _on_report(self, event: dict) -> None:
        self.last_report = {
            "ok": bool(event.get("ok")),
            "message": str(event.get("message") or ""),
            "tokens": _int_or_none(event.get("tokens")),
            "at": _float_or_none(event.get("at")),
        }

    def _on_claim(self, event: dict) -> None:
        self.last_claim = dict(event)
        self.claim_finished.emit(dict(event))

    def _on_error(self, event: dict) -> None:
        reason = str(event.get("reason") or "")
        detail = str(event.get("detail") or "")
        self.last_error = (reason, detail)
        self.error_reported.emit(reason, detail)

    # -- readings that do not come from the node (the GUI's own chain reads, a claim it made)
    def apply_chain_reading(self, **values: Any) -> None:
        if values.get("address"):
            self.address = str(values["address"])
        if "registered" in values and values["registered"] is not None:
            self.registered = bool(values["registered"])
        if "active" in values and values["active"] is not None:
            self.active = bool(values["active"])
        for name in ("balance_wei", "pending_wei"):
            if name in values and values[name] is not None:
                setattr(self, name, parse_wei(values[name]))
        if values.get("epoch") is not None:
            self.epoch = _int_or_none(values["epoch"])
        self.chain_read_at = time.time()

    def set_chain_reading(self, **values: Any) -> None:
        """Apply a reading made by the GUI process (after a claim, or while the node is stopped)."""
        self.apply_chain_reading(**values)
        self.changed.emit()

    def set_crashed(self, reason: str, detail: str) -> None:
        self.state = "error"
        self.progress = None
        self.serving_since = None
        self.last_error = (reason, detail)
        self.changed.emit()

    def set_stopped(self) -> None:
        self.reset_node()
        self.state = "stopped"
        self.changed.emit()


def _int_or_none(value: Any) -> Optional[int]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float_or_none(value: Any) -> Optional[float]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _progress(value: Any) -> Optional[Progress]:
    if not isinstance(value, dict):
        return None
    done, total = _int_or_none(value.get("done")), _int_or_none(value.get("total"))
    if done is None or total is None:
        return None
    return Progress(done, total, str(value.get("unit") or ""))


def _blocks(value: Any) -> Optional[tuple[int, int]]:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        start, end = _int_or_none(value[0]), _int_or_none(value[1])
        if start is not None and end is not None:
            return (start, end)
    return None
