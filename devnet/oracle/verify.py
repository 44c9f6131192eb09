"""Request validation and signature checks of the Oracle (../shared/PROTOCOL.md §2, §6).

The real oracle is NestJS with a whitelisting ``ValidationPipe`` (``forbidNonWhitelisted``), so a bad body
answers ``{"statusCode":400,"message":[…],"error":"Bad Request"}`` with one class-validator sentence per
failed constraint. We validate by hand rather than with pydantic because pydantic coerces (``1.0`` → ``1``,
``"5"`` → ``5``) and words its errors differently; the oracle's clients parse these sentences.

The signed text is always rebuilt from the body's own fields with :mod:`chain.signing`, so a body whose
wallet string differs from the signed one (even only in case) recovers another address and fails.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
import ipaddress

from chain.protocol import MAX_UPTIME_SECONDS
from chain.signing import SigningError, recover_signer, registration_message, report_message

MAX_TOKENS_PER_REPORT = 1_000_000_000
TIMESTAMP_WINDOW_S = 60

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")

REPORT_FIELDS = (
    "wallet", "tokensProcessed", "avgLatencyMs", "requestCount", "uptimeSeconds", "timestamp", "signature",
    "proofs",
)
PROOF_FIELDS = ("modelHash", "inputHash", "outputHash", "tokenCount")
REGISTER_FIELDS = ("address", "endpoint", "capabilities", "timestamp", "signature", "benchmarkTokPerSec")


class OracleHttpError(Exception):
    """An error answered as NestJS does: ``{"statusCode", "message", "error"}``."""

    REASONS = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 500: "Internal Server Error",
               503: "Service Unavailable"}

    def __init__(self, status: int, message: str | list[str]):
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.status = status
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.status, "message": self.message, "error": self.REASONS.get(self.status, "Error")}


def bad_request(message: str | list[str]) -> OracleHttpError:
    return OracleHttpError(400, message)


def invalid_signature() -> OracleHttpError:
    # The real oracle folds a clock skew into the same 401: verifySignature() returns false for both.
    return OracleHttpError(401, "Invalid signature")


# --- class-validator style checks (each returns the sentences of the constraints that failed) -------------

def _is_int(v: Any) -> bool:
    # JSON true/false arrive as bool, a subclass of int; 1.0 arrives as float: neither is an integer here.
    return type(v) is int


def _is_number(v: Any) -> bool:
    return (type(v) is int or type(v) is float) and v == v and v not in (float("inf"), float("-inf"))


def _int_field(errors: list[str], name: str, v: Any, minimum: int, maximum: int | None = None) -> None:
    if not _is_int(v):
        errors.append(f"{name} must be an integer number")
        return
    if v < minimum:
        errors.append(f"{name} must not be less than {minimum}")
    if maximum is not None and v > maximum:
        errors.append(f"{name} must not be greater than {maximum}")


def _number_field(errors: list[str], name: str, v: Any, minimum: float) -> None:
    if not _is_number(v):
        errors.append(f"{name} must be a number conforming to the specified constraints")
    elif v < minimum:
        errors.append(f"{name} must not be less than {minimum}")


def _unknown(errors: list[str], body: dict, allowed: tuple[str, ...], prefix: str = "") -> None:
    for key in body:
        if key not in allowed:
            errors.append(f"{prefix}property {key} should not exist")


def _ascii_string(errors: list[str], name: str, v: Any) -> bool:
    if not isinstance(v, str):
        errors.append(f"{name} must be a string")
        return False
    if not v.isascii():
        # Python's json.dumps escapes non-ASCII, JavaScript's JSON.stringify does not: such text cannot be
        # rebuilt identically by both sides, so PROTOCOL.md §2 allows ASCII only.
        errors.append(f"{name} must contain only ASCII characters")
        return False
    return True


def _require_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def _proofs(errors: list[str], proofs: Any) -> None:
    if not isinstance(proofs, list):
        errors.append("proofs must be an array")
        return
    for i, proof in enumerate(proofs):
        prefix = f"proofs.{i}."
        if not isinstance(proof, dict):
            errors.append(f"{prefix[:-1]} must be an object")
            continue
        _unknown(errors, proof, PROOF_FIELDS, prefix)
        for key in ("modelHash", "inputHash", "outputHash"):
            v = proof.get(key)
            if not isinstance(v, str) or not _HASH.match(v):
                errors.append(f"{prefix}{key} must be 0x followed by 64 hexadecimal digits")
        _int_field(errors, f"{prefix}tokenCount", proof.get("tokenCount"), 1)


@dataclass(frozen=True)
class Report:
    """A metrics report whose shape is valid (not yet its signature)."""

    wallet: str
    tokens_processed: int
    avg_latency_ms: float
    request_count: int
    uptime_seconds: int
    timestamp: int
    signature: str
    proofs: tuple[dict, ...]


def parse_report(body: Any) -> Report:
    """Validate a ``POST /api/v1/metrics/report`` body; raises 400 with every failed constraint."""
    body = _require_object(body)
    errors: list[str] = []
    _unknown(errors, body, REPORT_FIELDS)
    wallet = body.get("wallet")
    if not isinstance(wallet, str) or not _ADDRESS.match(wallet):
        errors.append("wallet must be an Ethereum address")
    _int_field(errors, "tokensProcessed", body.get("tokensProcessed"), 0, MAX_TOKENS_PER_REPORT)
    _number_field(errors, "avgLatencyMs", body.get("avgLatencyMs"), 0)
    _int_field(errors, "requestCount", body.get("requestCount"), 0)
    _int_field(errors, "uptimeSeconds", body.get("uptimeSeconds"), 0, MAX_UPTIME_SECONDS)
    _int_field(errors, "timestamp", body.get("timestamp"), 0)
    if not isinstance(body.get("signature"), str):
        errors.append("signature must be a string")
    if "proofs" in body:
        _proofs(errors, body["proofs"])
    if errors:
        raise bad_request(errors)
    return Report(
        wallet=body["wallet"],
        tokens_processed=body["tokensProcessed"],
        avg_latency_ms=float(body["avgLatencyMs"]),
        request_count=body["requestCount"],
        uptime_seconds=body["uptimeSeconds"],
        timestamp=body["timestamp"],
        signature=body["signature"],
        proofs=tuple(body.get("proofs") or ()),
    )


def _is_url_with_tld_or_ip(url: str) -> bool:
    """class-validator ``IsUrl({require_protocol: true})``: http(s)/ftp, host is an IP or has a TLD."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https", "ftp") or not parts.hostname or port == 0:
        return False
    host = parts.hostname
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if len(labels) < 2 or not re.fullmatch(r"[a-z\u00a1-\uffff]{2,}|xn--[a-z0-9-]{2,}", labels[-1], re.I):
        return False  # "localhost" and bare names have no TLD
    return all(re.fullmatch(r"[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]*[a-z0-9\u00a1-\uffff])?", lbl, re.I)
               for lbl in labels)


@dataclass(frozen=True)
class Registration:
    """A node registration whose shape is valid (not yet its signature)."""

    address: str
    endpoint: str
    capabilities: tuple[str, ...]
    timestamp: int
    signature: str
    benchmark_tok_per_sec: float | None


def parse_registration(body: Any) -> Registration:
    """Validate a ``POST /api/nodes/register`` body; raises 400 with every failed constraint."""
    body = _require_object(body)
    errors: list[str] = []
    _unknown(errors, body, REGISTER_FIELDS)
    address = body.get("address")
    if not isinstance(address, str) or not _ADDRESS.match(address):
        errors.append("address must be an Ethereum address")
    endpoint = body.get("endpoint")
    if _ascii_string(errors, "endpoint", endpoint) and not _is_url_with_tld_or_ip(endpoint):
        errors.append("endpoint must be a URL address")
    caps = body.get("capabilities")
    if not isinstance(caps, list):
        errors.append("capabilities must be an array")
    else:
        for cap in caps:
            if not isinstance(cap, str):
                errors.append("each value in capabilities must be a string")
                break
            if not cap.isascii():
                errors.append("each value in capabilities must contain only ASCII characters")
                break
    _int_field(errors, "timestamp", body.get("timestamp"), 0)
    if not isinstance(body.get("signature"), str):
        errors.append("signature must be a string")
    if "benchmarkTokPerSec" in body and body["benchmarkTokPerSec"] is not None:
        _number_field(errors, "benchmarkTokPerSec", body["benchmarkTokPerSec"], 0)
    if errors:
        raise bad_request(errors)
    bench = body.get("benchmarkTokPerSec")
    return Registration(
        address=address, endpoint=endpoint, capabilities=tuple(caps), timestamp=body["timestamp"],
        signature=body["signature"], benchmark_tok_per_sec=None if bench is None else float(bench),
    )


# --- signatures --------------------------------------------------------------------------------------------

def _check_signed(text: str, signature: str, claimed: str, timestamp: int, now: float | None) -> None:
    now_s = int(time.time() if now is None else now)
    if abs(now_s - timestamp) > TIMESTAMP_WINDOW_S:
        raise invalid_signature()
    try:
        signer = recover_signer(text, signature)  # refuses a signature without 0x
    except SigningError:
        raise invalid_signature() from None
    if signer.lower() != claimed.lower():
        raise invalid_signature()


def verify_report_signature(report: Report, now: float | None = None) -> None:
    """401 ``Invalid signature`` unless the body's wallet signed §2's report text within ±60 s."""
    try:
        text = report_message(report.wallet, report.tokens_processed, report.timestamp)
    except SigningError:
        raise invalid_signature() from None
    _check_signed(text, report.signature, report.wallet, report.timestamp, now)


def verify_registration_signature(reg: Registration, now: float | None = None) -> None:
    """401 ``Invalid signature`` unless the address signed §2's registration text within ±60 s."""
    try:
        text = registration_message(reg.address, reg.endpoint, reg.capabilities, reg.timestamp)
    except SigningError:
        raise invalid_signature() from None
    _check_signed(text, reg.signature, reg.address, reg.timestamp, now)


def is_address(value: str) -> bool:
    return bool(_ADDRESS.match(value))
