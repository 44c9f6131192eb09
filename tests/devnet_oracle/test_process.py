"""The oracle as a process: its ready line, SIGTERM, and a restart that loses nothing; plus the
registration endpoint's own rules. Chain: ``FakeAgentRpc`` (a MOCK; see support.py)."""
from __future__ import annotations

import re
import time

import pytest

from .support import FakeAgentRpc, OracleProcess, new_account, signed_registration, signed_report

REPORT = "/api/v1/metrics/report"
REGISTER = "/api/nodes/register"


@pytest.fixture
def fake_rpc():
    rpc = FakeAgentRpc()
    yield rpc
    rpc.close()


def test_ready_line_restart_keeps_state_and_replay_guard(fake_rpc, tmp_path):
    agent = new_account()
    fake_rpc.register(agent.address)
    db = tmp_path / "state" / "oracle.db"
    first = OracleProcess(fake_rpc.url, db).start()
    try:
        assert re.fullmatch(r'\{"event":"oracle_ready","url":"http://127\.0\.0\.1:(\d+)"\}', first.ready_line)
        assert not first.url.endswith(":0")
        t = int(time.time())
        last = signed_report(agent, tokens=300, requests_=9, uptime=40, timestamp=t)
        assert first.post(REPORT, signed_report(agent, tokens=100, requests_=3, uptime=20, timestamp=t - 1)).status_code == 201
        assert first.post(REPORT, last).status_code == 201
    finally:
        assert first.stop() == 0, first.log_text()

    second = OracleProcess(fake_rpc.url, db).start()
    try:
        assert second.url != "" and second.ready_line.startswith('{"event":"oracle_ready"')
        # The replay guard survived the restart: the last accepted report cannot be sent again.
        resp = second.post(REPORT, last)
        assert resp.status_code == 400
        assert resp.json()["message"] == "Replay detected: timestamp must be strictly increasing"
        totals = second.get(f"/api/v1/metrics/agents/{agent.address}").json()["totals"]
        assert totals["tokensProcessed"] == "300" and totals["requestCount"] == 9 and totals["reports"] == 2
        # Delta tracking survived too: 300 → 350 adds 50, it is not taken as a fresh start.
        assert second.post(REPORT, signed_report(agent, tokens=350, requests_=10, uptime=41,
                                                 timestamp=t + 1)).status_code == 201
        totals = second.get(f"/api/v1/metrics/agents/{agent.address}").json()["totals"]
        assert totals["tokensProcessed"] == "350" and totals["restarts"] == 0
    finally:
        assert second.stop() == 0, second.log_text()


def test_missing_key_is_a_clear_error(fake_rpc, tmp_path):
    import os
    import subprocess
    import sys

    from .support import REPO_ROOT

    env = {k: v for k, v in os.environ.items() if k != "DEVNET_ORACLE_KEY"}
    out = subprocess.run([sys.executable, "-m", "devnet.oracle", "--rpc-url", fake_rpc.url, "--db",
                          str(tmp_path / "o.db"), "--port", "0"], cwd=REPO_ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "DEVNET_ORACLE_KEY" in out.stderr and out.stdout == ""


@pytest.fixture
def oracle(fake_rpc, tmp_path):
    proc = OracleProcess(fake_rpc.url, tmp_path / "oracle.db").start()
    yield proc
    assert proc.stop() == 0, proc.log_text()


def test_registration_rules_for_an_agent_already_on_chain(oracle, fake_rpc):
    agent = new_account()
    fake_rpc.register(agent.address)  # already an agent: nothing to sponsor
    now = int(time.time())

    resp = oracle.post(REGISTER, signed_registration(agent, endpoint="http://localhost:31330", timestamp=now))
    assert resp.status_code == 400 and resp.json()["message"] == ["endpoint must be a URL address"]

    resp = oracle.post(REGISTER, signed_registration(agent, timestamp=now, nodeId="x"))
    assert resp.status_code == 400 and resp.json()["message"] == ["property nodeId should not exist"]

    forged = signed_registration(agent, timestamp=now)
    forged["endpoint"] = "http://10.0.0.9:31330"
    resp = oracle.post(REGISTER, forged)
    assert resp.status_code == 401 and resp.json()["message"] == "Invalid signature"

    stale = signed_registration(agent, timestamp=now - 90)
    assert oracle.post(REGISTER, stale).status_code == 401

    body = signed_registration(agent, endpoint="https://node-7.example.org:8443", timestamp=now,
                               benchmarkTokPerSec=12.5)
    resp = oracle.post(REGISTER, body)
    assert resp.status_code == 201, resp.text
    assert resp.json() == {"success": True, "message": "Node registered successfully", "sponsoredTx": None}
    resp = oracle.post(REGISTER, body)
    assert resp.status_code == 400
    assert resp.json()["message"] == "Replay detected: timestamp must be strictly increasing"

    nodes = oracle.get("/api/nodes").json()
    mine = [n for n in nodes["nodes"] if n["address"] == agent.address.lower()]
    assert mine and mine[0]["endpoint"] == "https://node-7.example.org:8443"
    assert mine[0]["capabilities"] == ["bigscience/bloom-560m"] and mine[0]["benchmarkTokPerSec"] == 12.5


def test_read_endpoints_answer_without_a_reward_pool(oracle, fake_rpc):
    stats = oracle.get("/api/stats")
    assert stats.status_code == 200 and stats.json()["currentEpoch"] == 0
    formula = oracle.get("/api/formula").json()
    assert (formula["taskWeight"], formula["uptimeWeight"], formula["responseWeight"]) == (50, 30, 20)
    bad = oracle.get("/api/rewards/0x1234")
    assert bad.status_code == 400 and bad.json()["message"] == "Invalid address"
    unknown = oracle.get(f"/api/v1/metrics/agents/{new_account().address}").json()
    assert unknown["metrics"] is None
