"""``serve`` with the agent loop on the devnet, end to end: a real swarm, a real chain, the real oracle.

The node under test (``python -m core serve --events jsonl --key-stdin``) serves blocks 4:8 of the tiny BLOOM
beside the session's swarm server of 0:4, with a fresh funded devnet wallet handed over on stdin. A known
number of tokens is generated through the swarm; after SIGTERM the final report must bring the oracle's
totals for the wallet to exactly what the node metered.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from devnet.models import read_model_info
from tests.core_serving.conftest import free_port, http_json, node_args

pytestmark = [pytest.mark.swarm, pytest.mark.timeout(240)]

REPORT_INTERVAL_S = 10  # the smallest the settings (and the oracle) accept; the first report goes out at once


def _agent_args(devnet, model_dir, prefix, initial_peers, status_port) -> list[str]:
    args = node_args(model_dir, prefix, "4:8", initial_peers, status_port)
    # node_args() is for wallet-less nodes: take the agent back in, on the devnet's endpoints.
    args.remove("--no-agent")
    return [
        *args,
        "--rpc-url", devnet.rpc_url,
        "--chain-id", str(devnet.chain_id),
        "--oracle-url", devnet.oracle_url,
        "--agent-registry-address", devnet.agent_registry,
        "--report-interval", str(REPORT_INTERVAL_S),
        "--no-auto-claim",  # claims are tested elsewhere; here they would only add transactions
    ]


def _oracle_tokens(devnet, address: str) -> int:
    from chain.oracle import OracleClient

    body = OracleClient(devnet.oracle_url).agent_metrics(address)
    return int(((body or {}).get("totals") or {}).get("tokensProcessed", 0))


def test_serve_with_agent_reports_every_metered_token(devnet, serving_swarm, tiny_bloom, start_node):
    from devnet.client import SwarmClient

    account = devnet.new_account(fund_wei=10**19)
    key = account.private_key if account.private_key.startswith("0x") else "0x" + account.private_key
    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    port = free_port()
    node = start_node(_agent_args(devnet, tiny_bloom, prefix, serving_swarm.initial_peers, port),
                      key_stdin=True, key=key)

    node.wait_event(lambda e: e.get("state") == "serving", timeout=120)
    chain = node.wait_event(lambda e: e.get("event") == "chain" and e.get("registered") is True, timeout=60)
    assert chain["address"].lower() == account.address.lower()
    # The reporter's first report goes out as soon as the node is registered (nothing metered yet).
    first = node.wait_event(lambda e: e.get("event") == "report", timeout=30)
    assert first["ok"] is True, first

    new_tokens = 6
    with SwarmClient(tiny_bloom, serving_swarm.initial_peers, prefix) as client:
        ids = client.tokenizer("Idle computers earn PLM", return_tensors="pt")["input_ids"]
        out = client.generate_ids(ids, new_tokens)
    assert out.shape[1] == ids.shape[1] + new_tokens
    expected = ids.shape[1] + new_tokens - 1  # the prompt once, then one token per step after the first
    node.wait_event(lambda e: e.get("event") == "metrics" and e["tokens"] >= expected, timeout=15)
    assert http_json(f"http://127.0.0.1:{port}/status")[1]["tokens"] == expected

    began = time.monotonic()
    os.kill(node.popen.pid, signal.SIGTERM)
    code = node.wait_exit(30)
    took = time.monotonic() - began
    assert code == 0, node.stderr_tail()
    assert took < 10, f"stopping took {took:.1f} s"

    metered = [e for e in node.events if e.get("event") == "metrics"][-1]["tokens"]
    assert metered == expected
    reports = [e for e in node.events if e.get("event") == "report"]
    assert reports and all(r["ok"] for r in reports), reports
    # The last event before "stopped" that reports is the final report, sent after the stop was asked for.
    stopping_at = next(i for i, e in enumerate(node.events) if e.get("state") == "stopping")
    assert any(e.get("event") == "report" and e["ok"] for e in node.events[stopping_at:]), "no final report"
    assert _oracle_tokens(devnet, account.address) == metered

    secret = key[2:].lower()
    assert secret not in "\n".join(node.lines).lower()
    assert secret not in node.stderr_path.read_text().lower()
    assert not [e for e in node.events if e.get("event") == "error"], node.stderr_tail()
    assert not node.leftovers()
