"""HTTP client of the Plumise Oracle (PROTOCOL.md §6) and the signed report body.

:func:`build_report` makes the exact §6 body (flat camelCase, nothing else) signed per §2 with the wallet's
checksummed address, the very string that goes into ``wallet``. :class:`OracleClient` posts it and turns
the answers into typed results: 201 → :class:`OracleReply`; connection failures and 5xx →
:class:`~chain.errors.OracleUnreachable` (try later); 4xx → :class:`~chain.errors.OracleRejected` carrying the
oracle's own message, or :class:`~chain.errors.ClockSkew` when the oracle's ``Date`` header shows the
timestamp was more than a minute off.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Sequence

import requests

from chain.errors import ClockSkew, OracleRejected, OracleUnreachable

if TYPE_CHECKING:
    from chain.wallet import Wallet

log = logging.getLogger(__name__)

REPORT_PATH = "/api/v1/metrics/report"
REGISTER_PATH = "/api/nodes/register"
MAX_TOKENS_PROCESSED = 1_000_000_000
SKEW_LIMIT_S = 60


@dataclass(frozen=True)
class OracleReply:
    """A 2xx answer: ``should_reset`` is the oracle's flag (true on a wallet's first report of an epoch)."""

    status: int
    message: str
    should_reset: bool = False
    server_time: float | None = None
    body: dict = field(default_factory=dict, repr=False, compare=False)


def build_report(
    wallet: "Wallet",
    tokens_processed: int,
    request_count: int,
    avg_latency_ms: float,
    uptime_seconds: int,
    timestamp: int,
    proofs: Sequence[dict] | None = None,
) -> dict:
    """The §6 report body, signed now. Integers are checked (the signed fields must be ints)."""
    for name, value in (("tokens_processed", tokens_processed), ("request_count", request_count),
                        ("uptime_seconds", uptime_seconds), ("timestamp", timestamp)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer")
    if not 0 <= float(avg_latency_ms) < math.inf:
        raise ValueError("avg_latency_ms must be a finite number >= 0")
    from chain.signing import report_message  # eth-account loads lazily: the GUI imports this module

    address = wallet.address
    body: dict[str, Any] = {
        "wallet": address,
        "tokensProcessed": tokens_processed,
        "avgLatencyMs": round(float(avg_latency_ms), 3),
        "requestCount": request_count,
        "uptimeSeconds": uptime_seconds,
        "timestamp": timestamp,
        "signature": wallet.sign_text(report_message(address, tokens_processed, timestamp)),
    }
    if proofs:
        body["proofs"] = [
            {"modelHash": p["modelHash"], "inputHash": p["inputHash"], "outputHash": p["outputHash"],
             "tokenCount": int(p["tokenCount"])}
            for p in proofs
        ]
    return body


def _message_of(payload: Any, fallback: str) -> str:
    if isinstance(payload, dict):
        message = payload.get("message", payload.get("error", fallback))
    else:
        message = fallback
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    return str(message)


class OracleClient:
    """Client of one oracle at ``base_url`` (e.g. ``https://plug.plumise.com/oracle``)."""

    def __init__(self, base_url: str, timeout: float = 10.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"OracleClient({self.base_url!r})"

    def _request(self, method: str, path: str, body: dict | None = None, signed_ts: int | None = None) -> OracleReply:
        url = self.base_url + path
        try:
            response = self._session.request(method, url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OracleUnreachable(detail=f"{method} {url}: {type(exc).__name__}: {exc}") from None
        server_time = None
        if response.headers.get("Date"):
            try:
                server_time = parsedate_to_datetime(response.headers["Date"]).timestamp()
            except (TypeError, ValueError):
                server_time = None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        message = _message_of(payload, response.reason or "")
        status = response.status_code
        if status >= 500:
            raise OracleUnreachable(detail=f"{method} {url}: HTTP {status}: {message}")
        if status >= 400:
            if status == 401 and signed_ts is not None and server_time is not None:
                offset = signed_ts - server_time
                # The Date header has 1 s resolution; anything near the limit is called a skew.
                if abs(offset) > SKEW_LIMIT_S - 2:
                    raise ClockSkew(status, message, offset_s=offset,
                                    detail=f"HTTP 401 {message}; signed {signed_ts}, oracle clock {server_time:.0f}")
            if status == 401:
                raise OracleRejected(status, message, user_message=(
                    f'The Plumise Oracle refused the report\'s signature ("{message}"). Check that your '
                    "computer's date and time are set automatically; your counted work is kept."))
            raise OracleRejected(status, message)
        if isinstance(payload, dict) and payload.get("success") is False:
            raise OracleRejected(status, message)
        return OracleReply(status, message, bool(isinstance(payload, dict) and payload.get("shouldReset")),
                           server_time, payload if isinstance(payload, dict) else {})

    def post_report(self, body: dict) -> OracleReply:
        """POST a body from :func:`build_report`."""
        return self._request("POST", REPORT_PATH, body, signed_ts=body.get("timestamp"))

    def register_node(
        self,
        wallet: "Wallet",
        endpoint: str,
        capabilities: Sequence[str],
        benchmark_tok_per_sec: float | None = None,
        timestamp: int | None = None,
    ) -> dict:
        """``POST /api/nodes/register``: makes the oracle sponsor the 0x…21 registration of a new agent.

        ``endpoint`` is a URL with a TLD or an IP. Returns the oracle's JSON answer (may hold ``sponsoredTx``).
        """
        from chain.signing import registration_message

        ts = int(time.time()) if timestamp is None else timestamp
        caps = [str(c) for c in capabilities]
        body: dict[str, Any] = {
            "address": wallet.address,
            "endpoint": endpoint,
            "capabilities": caps,
            "timestamp": ts,
            "signature": wallet.sign_text(registration_message(wallet.address, endpoint, caps, ts)),
        }
        if benchmark_tok_per_sec is not None:
            body["benchmarkTokPerSec"] = float(benchmark_tok_per_sec)
        return self._request("POST", REGISTER_PATH, body, signed_ts=ts).body

    def _get(self, path: str) -> dict:
        return self._request("GET", path).body

    def rewards(self, address: str) -> dict:
        """``GET /api/rewards/:address`` → ``{wallet, pendingReward (wei string), contributions}``."""
        return self._get(f"/api/rewards/{address}")

    def agent_metrics(self, address: str) -> dict:
        """``GET /api/v1/metrics/agents/:address``."""
        return self._get(f"/api/v1/metrics/agents/{address}")

    def stats(self) -> dict:
        """``GET /api/stats``."""
        return self._get("/api/stats")
