"""``plumise-petals status``: the agent's standing on the chain and whether its node is running.

Prints the original node's block::

    Agent:   0x…
    Chain:   http://localhost:26902 (ID 41956)
    Online:  yes
    Balance: 42.5000 PLM
    Registered: yes
    Active:     yes
    Pending Reward: 1.2500 PLM
    Current Epoch:  15
    Tasks Completed: 1024
    Uptime:          86400s

``Tasks Completed`` and ``Uptime`` are the chain's record (``RewardPool.getContribution``); ``Online`` is
whether the node's local status API (``GET http://127.0.0.1:<status port>/status``) answers. ``--json``
prints the same as one JSON object for scripts. Read-only: the wallet's address comes from
``--address``/``PLUMISE_AGENT_ADDRESS``, else the running node, else (headless set-ups) the address of
``PLUMISE_PRIVATE_KEY`` — the key itself is never used to sign anything here.

Wiring (core/cli.py)::

    status = sub.add_parser("status", help="show the agent's status")
    add_status_arguments(status)
    status.set_defaults(func=run_status)
"""
from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any, Optional, TextIO

from core.settings import Settings, SettingsError, add_arguments, settings_from_args

WEI_PER_PLM = 10**18


def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the settings flags and ``--json`` to ``parser``."""
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    add_arguments(parser)


def format_plm(wei: Optional[int]) -> str:
    """``12.3456 PLM`` (4 decimals, rounded down so a balance is never overstated)."""
    if wei is None:
        return "unknown"
    value = (Decimal(int(wei)) / Decimal(WEI_PER_PLM)).quantize(Decimal("0.0001"), rounding="ROUND_DOWN")
    return f"{value} PLM"


def fetch_node_status(port: int, timeout: float = 2.0) -> Optional[dict]:
    """The running node's ``/status`` JSON, or None when nothing answers on 127.0.0.1:``port``.

    Port 0 (the setting "any free port") names no port to ask: None."""
    if not port:
        return None
    import requests

    try:
        response = requests.get(f"http://127.0.0.1:{port}/status", timeout=timeout)
        if response.status_code != 200:
            return None
        body = response.json()
        return body if isinstance(body, dict) else None
    except (requests.RequestException, ValueError):
        return None


def _address_from_key(settings: Settings) -> Optional[str]:
    if settings.private_key is None:
        return None
    from eth_account import Account

    return Account.from_key(settings.private_key.reveal()).address


def collect_status(settings: Settings, node: Optional[dict] = None, *, rpc_attempts: int = 2) -> dict:
    """Everything the status shows, as a JSON-ready dict; chain failures become ``chain.error``."""
    address = settings.agent_address or (node or {}).get("address") or _address_from_key(settings)
    rpc_url = settings.effective_rpc_url or (node or {}).get("rpc_url")
    out: dict[str, Any] = {
        "agent": address,
        "chain": {"rpc_url": rpc_url, "chain_id": settings.effective_chain_id, "reachable": None, "error": None},
        "online": node is not None,
        "balance_wei": None,
        "registered": None,
        "active": None,
        "pending_wei": None,
        "epoch": None,
        "tasks_completed": None,
        "uptime_seconds": None,
        "node": node,
    }
    if not rpc_url:
        out["chain"]["error"] = "The chain address is not known (devnet not running?); set PLUMISE_RPC_URL."
        return out
    from chain.client import ChainClient
    from chain.errors import ChainError
    from chain.rpc import RpcErrorAnswer

    client = ChainClient(
        rpc_url,
        settings.effective_chain_id,
        None,
        reward_pool=settings.effective_reward_pool_address,
        agent_registry=settings.effective_agent_registry_address,
        request_timeout=5.0,
        rpc_attempts=rpc_attempts,
        backoff=0.2,
    )
    try:
        client.check_chain()
        out["chain"]["reachable"] = True
        out["epoch"] = client.current_epoch()
        if address:
            out["balance_wei"] = client.balance(address)
            out["registered"] = client.is_registered(address)
            out["pending_wei"] = client.pending_reward(address)
            contribution = client.contribution(address)
            out["tasks_completed"] = contribution.task_count
            out["uptime_seconds"] = contribution.uptime_seconds
            try:
                answer = client.rpc.call("agent_getStatus", [address])
                if isinstance(answer, dict) and "active" in answer:
                    out["active"] = bool(answer["active"])
            except RpcErrorAnswer:
                out["active"] = (node or {}).get("active")
    except ChainError as exc:
        out["chain"]["reachable"] = False
        out["chain"]["error"] = str(exc)
    return out


def _yes_no(value: Optional[bool]) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def format_status(status: dict) -> str:
    """The seed's text block (plus a line about the node when it runs, and the chain error if any)."""
    chain = status["chain"]
    lines = [
        f"Agent:   {status['agent'] or 'unknown (pass --address 0x…)'}",
        f"Chain:   {chain['rpc_url'] or 'unknown'} (ID {chain['chain_id']})",
        f"Online:  {_yes_no(status['online'])}",
        f"Balance: {format_plm(status['balance_wei'])}",
        f"Registered: {_yes_no(status['registered'])}",
        f"Active:     {_yes_no(status['active'])}",
        f"Pending Reward: {format_plm(status['pending_wei'])}",
        f"Current Epoch:  {status['epoch'] if status['epoch'] is not None else 'unknown'}",
        f"Tasks Completed: {status['tasks_completed'] if status['tasks_completed'] is not None else 'unknown'}",
        f"Uptime:          {str(status['uptime_seconds']) + 's' if status['uptime_seconds'] is not None else 'unknown'}",
    ]
    node = status.get("node")
    if node:
        parts = [str(node.get("state", "running"))]
        for key, label in (("model", "model"), ("tokens", "tokens"), ("uptime_s", "up")):
            if node.get(key) is not None:
                parts.append(f"{label} {node[key]}{'s' if key == 'uptime_s' else ''}")
        lines.append(f"Node:    {', '.join(parts)}")
    if chain.get("error"):
        lines.append(f"Note:    {chain['error']}")
    return "\n".join(lines)


def run_status(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Entry point for the ``status`` verb: 0 when the chain answered, 1 when it did not, 2 for bad settings."""
    try:
        loaded = settings_from_args(args)
    except SettingsError as exc:
        print(f"Settings problem:\n{exc}", file=err)
        return 2
    if not args.json:
        for warning in loaded.warnings:
            print(f"Warning: {warning}", file=err)
    settings = loaded.settings
    node = fetch_node_status(settings.status_port)
    status = collect_status(settings, node)
    if args.json:
        status["warnings"] = loaded.warnings
        print(json.dumps(status, indent=2, sort_keys=True), file=out)
    else:
        print(format_status(status), file=out)
    return 0 if status["chain"]["reachable"] else 1


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m core.status_cli`` (the same as ``plumise-petals status``)."""
    parser = argparse.ArgumentParser(prog="plumise-petals status", description="Show the agent's status")
    add_status_arguments(parser)
    return run_status(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
