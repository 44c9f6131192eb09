"""Glue between the serving node and node-agent's pieces: the agent loop, the tier plan and the downloader.

Kept apart from core/node.py so that the node composes only small interfaces (``AgentHandle``,
``Downloader``) and this file is the one place that knows the other modules' signatures.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from core import events as ev
from core.node import AgentContext, NodeError

log = logging.getLogger(__name__)


class _EventListener:
    """core.agent's listener interface, turned into events of the stream (core/events.py)."""

    def __init__(self, emit: Callable[[dict], Any]) -> None:
        self.emit = emit

    def on_state(self, state: str, reason: str) -> None:
        log.info("agent %s: %s", state, reason)

    def on_chain(self, status) -> None:
        self.emit(
            ev.chain_event(
                address=status.address,
                registered=status.registered,
                active=status.active,
                balance_wei=status.balance_wei,
                pending_wei=status.pending_wei,
                epoch=status.epoch,
            )
        )

    def on_report(self, result) -> None:
        self.emit(
            ev.report_event(
                ok=result.ok,
                message=result.message or ("Report accepted." if result.ok else "Report not accepted."),
                tokens=result.tokens_processed,
                at=result.at,
            )
        )

    def on_claim(self, result) -> None:
        self.emit(
            ev.claim_event(
                ok=True,
                tx_hash=result.tx_hash,
                amount_wei=result.amount_wei,
                message=f"Claimed {result.amount_wei / 10**18:.6f} PLM.",
            )
        )

    def on_error(self, error) -> None:
        self.emit(ev.error_event(error.message, error.detail or error.step, fatal=False))


def agent_for_node(context: AgentContext, settings) -> Any:
    """A started-later :class:`core.agent.Agent` reading the node's meter; raises :class:`NodeError`."""
    from core.agent import Agent, MeterReading

    if not context.private_key:
        raise NodeError(
            "The node serves, but earns nothing: no wallet key was given. Start it from the app, or pass the "
            "key with --key-stdin (or PLUMISE_PRIVATE_KEY in a private .env file); --no-agent serves on purpose "
            "without a wallet.",
            "no private key",
        )
    from chain.wallet import Wallet

    wallet = Wallet.from_private_key(context.private_key)

    def meter() -> MeterReading:
        snap = context.snapshot()
        return MeterReading(snap.tokens, snap.requests, snap.latency_ns / 1e6)

    try:
        return Agent(settings, wallet, model_id=context.model_id, meter=meter, listener=_EventListener(context.emit))
    except ValueError as exc:
        raise NodeError(str(exc), f"{type(exc).__name__}: {exc}") from exc


def plan_serving(settings) -> Any:
    """node-agent's tier plan (core/tiers.py) for these settings; raises :class:`NodeError` if unservable."""
    from core import tiers
    from core.hardware import detect

    try:
        plan = tiers.plan_from_settings(settings, detect(settings.model_cache_dir))
    except tiers.TierError as exc:
        raise NodeError(str(exc), f"TierError: {exc}") from exc
    log.info("serving plan: %s", plan.reason)
    for warning in plan.warnings:
        log.warning("%s", warning)
    return plan


def downloader_for(settings, blocks: Sequence[int]) -> Callable[[str, Callable[[int, int], None]], Path]:
    """Node's downloader: fetch only the files ``blocks`` need, with byte progress (core/download.py)."""

    def fetch(model: str, progress: Callable[[int, int], None]) -> Path:
        from core.download import DownloadError, download_blocks

        try:
            return download_blocks(
                model,
                list(blocks),
                cache_dir=settings.model_cache_dir,
                on_progress=lambda p: progress(p.done_bytes, p.total_bytes),
            )
        except DownloadError as exc:
            raise NodeError(str(exc), getattr(exc, "detail", "") or f"DownloadError: {exc}") from exc

    return fetch
