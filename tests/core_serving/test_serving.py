"""The node in a real swarm: exact metering, metrics events, the status API, stdout carrying only events.

The swarm: a bootstrap peer, a server of blocks 0:4 (LocalSwarm), and the node under test serving 4:8,
so every generated token's hidden states pass through the node's blocks.
"""
from __future__ import annotations

import json
import time

import pytest

from devnet.models import read_model_info
from tests.core_serving.conftest import free_port, http_json, node_args

pytestmark = pytest.mark.swarm


@pytest.fixture(scope="module")
def node_in_swarm(serving_swarm, tiny_bloom, tmp_path_factory):
    from tests.core_serving.conftest import NodeProcess

    port = free_port()
    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    import torch

    # A thread limit unlike torch's default on this machine, so that /status proves it was applied.
    cpu_threads = 1 if torch.get_num_threads() > 1 else 2
    extra = ["--cpu-threads", str(cpu_threads)]
    node = NodeProcess(
        node_args(tiny_bloom, prefix, "4:8", serving_swarm.initial_peers, port, extra=extra),
        tmp_path_factory.mktemp("node"),
    )
    try:
        node.wait_event(lambda e: e.get("state") == "serving", timeout=120)
        node.status_url = f"http://127.0.0.1:{port}"
        node.cpu_threads = cpu_threads
        yield node
    finally:
        node.kill_all()


def _status_when(url: str, predicate, timeout: float = 15.0) -> dict:
    """Poll /status until ``predicate`` holds; return the last reading either way (the caller asserts)."""
    deadline = time.monotonic() + timeout
    status = http_json(url + "/status")[1]
    while not predicate(status) and time.monotonic() < deadline:
        time.sleep(0.2)
        status = http_json(url + "/status")[1]
    return status


def test_generate_is_metered_exactly(node_in_swarm, serving_swarm, tiny_bloom):
    """Prompt of P tokens, N new tokens: the node counts P + N - 1 tokens, N steps, 1 session (see metering.py)."""
    import torch

    from devnet.client import SwarmClient

    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    url = node_in_swarm.status_url
    before = http_json(url + "/status")[1]
    new_tokens = 7
    with SwarmClient(tiny_bloom, serving_swarm.initial_peers, prefix) as client:
        ids = client.tokenizer("Plumise lends idle computers", return_tensors="pt")["input_ids"]
        prompt = ids.shape[1]
        assert prompt >= 3
        out = client.generate_ids(ids, new_tokens)
        assert out.shape[1] == prompt + new_tokens
        expected_tokens = prompt + new_tokens - 1
        after = _status_when(url, lambda s: s["tokens"] - before["tokens"] >= expected_tokens and s["sessions"] > before["sessions"])
        assert after["tokens"] - before["tokens"] == expected_tokens
        assert after["requests"] - before["requests"] == new_tokens
        assert after["sessions"] - before["sessions"] == 1
        assert after["avg_latency_ms"] is not None and after["avg_latency_ms"] > 0

        # A plain forward pass (no session, no cache): one rpc_forward of batch × P tokens.
        batch = torch.cat([ids, ids], dim=0)
        with torch.no_grad():
            client.model(batch)
        final = _status_when(url, lambda s: s["requests"] > after["requests"])
        assert final["tokens"] - after["tokens"] == 2 * prompt
        assert final["requests"] - after["requests"] == 1
        assert final["sessions"] == after["sessions"]

    # The metrics stream carries the same counters, once a second.
    metrics = node_in_swarm.wait_event(
        lambda e: e.get("event") == "metrics" and e["tokens"] == final["tokens"], timeout=10
    )
    assert metrics["requests"] == final["requests"] and metrics["sessions"] == final["sessions"]
    assert metrics["blocks"] == [4, 8]
    assert metrics["avg_latency_ms"] > 0
    assert set(metrics) >= {
        "event", "ts", "tokens", "requests", "sessions", "avg_latency_ms", "tokens_per_s", "uptime_s", "peers",
        "model", "blocks",
    }


def test_status_api(node_in_swarm):
    url = node_in_swarm.status_url
    code, health = http_json(url + "/health")
    assert code == 200 and health["status"] == "ok" and health["state"] == "serving"
    code, status = http_json(url + "/status")
    assert code == 200
    for key in (
        "state", "model", "blocks", "peers", "tokens", "requests", "avg_latency_ms", "tokens_per_s", "uptime_s",
        "address", "registered", "active", "balance_wei", "pending_wei", "epoch", "last_report",
    ):
        assert key in status, key
    assert status["state"] == "serving" and status["blocks"] == [4, 8]
    # PLUMISE_CPU_THREADS (--cpu-threads) reached torch in the serving process, where the compute runs.
    assert status["torch_threads"] == node_in_swarm.cpu_threads
    assert http_json(url + "/nothing")[0] == 404


def test_progress_and_stdout_is_events_only(node_in_swarm):
    states = [e for e in node_in_swarm.events if e.get("event") == "state"]
    names = [e["state"] for e in states]
    assert names[0] == "starting" and "connecting" in names and names[-1] == "serving"
    loading = [e["progress"] for e in states if e["state"] == "loading"]
    # Real progress: one event per block loaded, ending at 4 of 4.
    assert [p["done"] for p in loading] == [0, 1, 2, 3, 4]
    assert all(p == {"done": p["done"], "total": 4, "unit": "blocks"} for p in loading)
    for line in list(node_in_swarm.lines):
        event = json.loads(line)  # every stdout line is a JSON event
        assert "event" in event and isinstance(event["ts"], float)


def test_swarm_with_another_dht_prefix_is_refused(serving_swarm, tiny_bloom, start_node):
    node = start_node(node_args(tiny_bloom, "not-this-swarms-model", "4:8", serving_swarm.initial_peers, free_port()))
    code = node.wait_exit(90)
    assert code != 0
    last = node.events[-1]
    assert last["event"] == "error" and last["fatal"] is True
    assert "DHT prefix" in last["reason"] and "not-this-swarms-model" in last["reason"]
    assert "DHT prefix" in node.stderr_path.read_text()
    assert not node.leftovers()
