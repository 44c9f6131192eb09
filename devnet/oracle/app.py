"""HTTP routes of the devnet Oracle (PROTOCOL.md §6), answered as the NestJS oracle answers them.

Order of checks on a report, as in the real oracle: body shape (400, list of sentences) → signature and
clock skew (401 ``Invalid signature``) → on-chain registration (400 ``Agent not registered on-chain``) →
strictly increasing timestamp (400 ``Replay detected: …``) → recorded (201).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from chain.protocol import LIVENESS_TIMEOUT_S, agent_name, register_calldata

from .chain_access import Chain, Reverted, RpcError, TxSender
from .jobs import MAX_RESPONSE_SCORE, MAX_TASK_COUNT, EpochClock
from .store import ReplayError, Store
from .verify import (
    OracleHttpError, bad_request, is_address, parse_registration, parse_report, verify_registration_signature,
    verify_report_signature,
)

log = logging.getLogger("devnet.oracle.api")

REPLAY_MESSAGE = "Replay detected: timestamp must be strictly increasing"
NOT_REGISTERED_MESSAGE = "Agent not registered on-chain"
NODE_ACTIVE_WINDOW_S = 600  # the real oracle lists nodes seen in the last 10 minutes


@dataclass
class OracleContext:
    store: Store
    chain: Chain
    sender: TxSender
    clock: EpochClock


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name} in JSON")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        # NaN/Infinity are not JSON; Python would accept them.
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"Invalid JSON body: {exc}") from None


def _model_for_registration(capabilities: tuple[str, ...]) -> str:
    """The Hugging Face id a node lists among its capabilities, or "agent" (the real oracle's name prefix)."""
    for cap in capabilities:
        if "/" in cap and len(cap.encode()) <= 96:
            return cap
    return "agent"


def create_app(ctx: OracleContext) -> FastAPI:
    app = FastAPI(title="Plumise devnet oracle", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ctx = ctx

    @app.exception_handler(OracleHttpError)
    async def _oracle_error(_: Request, exc: OracleHttpError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return JSONResponse(OracleHttpError(500, "Internal server error").body(), status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # NestJS words an unknown route "Cannot GET /path".
        message = f"Cannot {request.method} {request.url.path}" if exc.status_code in (404, 405) else exc.detail
        err = OracleHttpError(404 if exc.status_code == 405 else exc.status_code, message)
        return JSONResponse(err.body(), status_code=err.status)

    # --- reports ------------------------------------------------------------------------------------------

    @app.post("/api/v1/metrics/report", status_code=201)
    async def report_metrics(request: Request) -> dict:
        report = parse_report(await _json_body(request))
        verify_report_signature(report)
        if not await run_in_threadpool(_is_agent, ctx, report.wallet):
            raise bad_request(NOT_REGISTERED_MESSAGE)
        epoch = await run_in_threadpool(ctx.clock.get)
        try:
            deltas = await run_in_threadpool(
                lambda: ctx.store.record_report(
                    wallet=report.wallet, tokens=report.tokens_processed, requests=report.request_count,
                    uptime=report.uptime_seconds, avg_latency_ms=report.avg_latency_ms,
                    timestamp=report.timestamp, epoch=epoch, proofs=report.proofs))
        except ReplayError:
            raise bad_request(REPLAY_MESSAGE) from None
        if deltas.restarted:
            log.info("%s restarted: counters went back, new values taken as deltas", report.wallet.lower())
        # As the real oracle: shouldReset is true on an agent's first report of an epoch.
        return {"success": True, "message": "Metrics recorded successfully", "shouldReset": deltas.first_in_epoch}

    # --- node registration ----------------------------------------------------------------------------------

    @app.post("/api/nodes/register", status_code=201)
    async def register_node(request: Request) -> dict:
        reg = parse_registration(await _json_body(request))
        verify_registration_signature(reg)
        try:
            ctx.store.check_registration_ts(reg.address, reg.timestamp)
        except ReplayError:
            raise bad_request(REPLAY_MESSAGE) from None
        sponsored = await run_in_threadpool(_ensure_on_chain, ctx, reg.address, reg.capabilities)
        try:
            ctx.store.save_registration(
                address=reg.address, endpoint=reg.endpoint, capabilities=list(reg.capabilities),
                benchmark=reg.benchmark_tok_per_sec, timestamp=reg.timestamp, sponsored_tx=sponsored)
        except ReplayError:
            raise bad_request(REPLAY_MESSAGE) from None
        return {"success": True, "message": "Node registered successfully", "sponsoredTx": sponsored}

    # --- reads --------------------------------------------------------------------------------------------

    @app.get("/api/stats")
    def stats() -> dict:
        now = int(time.time())
        try:
            block = ctx.chain.block_number()
        except RpcError:
            block = None
        epoch = ctx.clock.get()
        wallets = ctx.store.wallets()
        nodes = ctx.store.nodes()
        summary = ctx.store.epoch_summary(epoch)
        return {
            "blockNumber": str(block) if block is not None else None,
            "currentEpoch": epoch,
            "totalAgents": len(nodes),
            "activeAgents": sum(1 for w in wallets if now - w["last_report_at"] <= LIVENESS_TIMEOUT_S),
            "totalTokensProcessed": str(sum(w["total_tokens"] for w in wallets)),
            "totalRequests": sum(w["total_requests"] for w in wallets),
            "epochTokensProcessed": str(summary["tokens"]),
            "epochRequests": summary["requests"],
            "epochReportingAgents": summary["agents"],
            "updatedAt": now,
        }

    @app.get("/api/rewards/{address}")
    def rewards(address: str) -> dict:
        _require_address(address)
        try:
            pending = ctx.chain.pending_reward(address)
        except (RpcError, Reverted) as exc:
            raise OracleHttpError(503, f"Chain unavailable: {exc}") from None
        return {"wallet": address, "pendingReward": str(pending),
                "contributions": [_contribution_json(c) for c in ctx.store.contributions(address)]}

    @app.get("/api/v1/metrics/agents/{address}")
    def agent_metrics(address: str) -> dict:
        wallet = ctx.store.wallet(address)
        if wallet is None:
            return {"address": address, "metrics": None}
        epoch = ctx.clock.get()
        rows = ctx.store.epoch_metrics(address, epoch)
        em = rows[0] if rows else {"tokens": 0, "requests": 0, "uptime": 0, "avg_latency_ms": 0.0,
                                   "reports": 0, "last_updated": None}
        return {
            "address": wallet["wallet"],
            "epoch": epoch,
            "tokensProcessed": str(em["tokens"]),
            "avgLatencyMs": em["avg_latency_ms"],
            "requestCount": em["requests"],
            "uptimeSeconds": em["uptime"],
            "reports": em["reports"],
            "lastUpdated": None if em["last_updated"] is None else str(em["last_updated"]),
            "totals": {
                "tokensProcessed": str(wallet["total_tokens"]),
                "requestCount": wallet["total_requests"],
                "uptimeSeconds": wallet["total_uptime"],
                "reports": wallet["reports"],
                "restarts": wallet["restarts"],
                "proofs": ctx.store.proof_count(address),
            },
            "lastReportTimestamp": wallet["last_ts"],
            "lastReportAt": wallet["last_report_at"],
            "firstReportAt": wallet["first_report_at"],
            "lastAvgLatencyMs": wallet["avg_latency_ms"],
            "owedOnChain": {"taskCount": wallet["pending_tasks"], "uptimeSeconds": wallet["pending_uptime"],
                            "responseScore": wallet["pending_tokens"]},
        }

    @app.get("/api/nodes")
    def nodes() -> dict:
        now = int(time.time())
        active = [n for n in ctx.store.nodes() if now - n["updated_at"] <= NODE_ACTIVE_WINDOW_S]
        return {"count": len(active), "nodes": [{
            "address": n["address"], "endpoint": n["endpoint"], "status": "active", "score": 0,
            "lastHeartbeat": str(n["updated_at"]), "capabilities": json.loads(n["capabilities"]),
            "benchmarkTokPerSec": n["benchmark_tok_per_sec"], "sponsoredTx": n["sponsored_tx"],
        } for n in active]}

    @app.get("/api/v1/rewards/history/{address}")
    def rewards_history(address: str) -> dict:
        _require_address(address)
        key = address.lower()
        contributions = ctx.store.contributions(address, limit=500)
        claims = [{"txHash": t["hash"], "pendingAtClaim": t["meta"].get("pending"), "block": t["block"],
                   "status": t["status"]} for t in ctx.store.txs("claim") if t["meta"].get("agent") == key]
        epochs = {c["epoch"] for c in contributions}
        distributions = [{"epoch": e["epoch"], "status": e["status"], "txHash": e["tx_hash"]}
                         for e in ctx.store.epochs(limit=1000) if e["epoch"] in epochs]
        return {"address": address, "count": len(contributions),
                "history": [_contribution_json(c) for c in contributions],
                "distributions": distributions, "sponsoredClaims": claims}

    @app.get("/api/formula")
    def formula() -> dict:
        try:
            weights = {name: ctx.chain.weight(name) for name in ("taskWeight", "uptimeWeight", "responseWeight")}
            source = "chain"
        except (RpcError, Reverted, ValueError):  # a pool without public weight getters: genesis values
            weights = {"taskWeight": 50, "uptimeWeight": 30, "responseWeight": 20}
            source = "genesis"
        return {**weights, "source": source,
                "score": "taskCount*taskWeight + uptimeSeconds*uptimeWeight + responseScore*responseWeight",
                "mapping": {
                    "taskCount": f"requests served since the last write (delta of requestCount), <= {MAX_TASK_COUNT} per call",
                    "uptimeSeconds": "uptime since the last write, capped by wall-clock time between reports",
                    "responseScore": f"tokens processed since the last write, <= {MAX_RESPONSE_SCORE} per call",
                }}

    return app


def _require_address(address: str) -> None:
    if not is_address(address):
        raise bad_request("Invalid address")


def _contribution_json(c: dict) -> dict:
    return {"epoch": c["epoch"], "taskCount": c["task_count"], "uptimeSeconds": c["uptime_seconds"],
            "responseScore": c["response_score"], "processedTokens": str(c["tokens"]), "txHash": c["tx_hash"],
            "lastUpdated": str(c["created_at"])}


def _is_agent(ctx: OracleContext, address: str) -> bool:
    try:
        return ctx.chain.is_agent(address)
    except RpcError as exc:
        # As the real oracle: an unanswered check counts as "not registered" (and is logged).
        log.error("agent_isAgentAccount failed for %s: %s", address.lower(), exc)
        return False


def _ensure_on_chain(ctx: OracleContext, address: str, capabilities: tuple[str, ...]) -> str | None:
    """Sponsor the 0x…21 registration (beneficiary word) unless ``address`` is already an agent."""
    if _is_agent(ctx, address):
        return None
    model = _model_for_registration(capabilities)
    calldata = register_calldata(agent_name(model, address), model, (), beneficiary=address)
    try:
        receipt = ctx.sender.sponsor_registration(address, calldata)
    except (Reverted, RpcError) as exc:
        log.error("sponsored registration of %s failed: %s", address.lower(), exc)
        raise bad_request("Failed to sponsor on-chain registration") from None
    if not _is_agent(ctx, address):
        raise bad_request("Sponsored registration tx succeeded but agent still not found on-chain")
    log.info("sponsored registration of %s in block %d", address.lower(), receipt.block)
    return receipt.tx_hash
