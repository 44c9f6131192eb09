"""The oracle against the real devnet chain: sponsored registration, the epoch jobs that turn accepted
reports into reportContribution → syncRewards → distributeRewards, and a restart that never distributes an
epoch twice."""
from __future__ import annotations

import sqlite3
import time
from typing import Any, Callable

import requests
from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address

from chain.protocol import PRECOMPILE_REGISTER_AGENT, REWARD_POOL_ADDRESS

from .support import ORACLE_ADDRESS, OracleProcess, new_account, signed_registration, signed_report

REPORT = "/api/v1/metrics/report"
REGISTER = "/api/nodes/register"


def rpc(url: str, method: str, params: list) -> Any:
    body = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=30).json()
    assert "error" not in body, body
    return body["result"]


def pool(url: str, signature: str, types: list[str], args: list, out: list[str]) -> tuple:
    data = "0x" + (keccak(text=signature)[:4] + encode(types, args)).hex()
    return decode(out, bytes.fromhex(rpc(url, "eth_call", [{"to": REWARD_POOL_ADDRESS, "data": data}, "latest"])[2:]))


def epoch_of(url: str) -> int:
    return pool(url, "getCurrentEpoch()", [], [], ["uint256"])[0]


def next_epoch(url: str) -> int:
    """Mine through the front (which credits the pool's 10 PLM per block) until the epoch turns."""
    start = epoch_of(url)
    for _ in range(1000):
        rpc(url, "anvil_mine", ["0x2"])
        if epoch_of(url) > start:
            return epoch_of(url)
    raise AssertionError("the epoch never advanced")


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def register(oracle_url: str, rpc_url: str, account) -> str:
    resp = requests.post(oracle_url + REGISTER, json=signed_registration(account), timeout=60)
    assert resp.status_code == 201, resp.text
    assert rpc(rpc_url, "agent_isAgentAccount", [account.address, "latest"]) is True
    return resp.json()["sponsoredTx"]


def test_register_sponsors_0x21_for_a_wallet_with_no_plm(devnet_net):
    agent = new_account()
    assert int(rpc(devnet_net.rpc_url, "eth_getBalance", [agent.address, "latest"]), 16) == 0
    assert rpc(devnet_net.rpc_url, "agent_isAgentAccount", [agent.address, "latest"]) is False

    tx_hash = register(devnet_net.oracle_url, devnet_net.rpc_url, agent)
    tx = rpc(devnet_net.rpc_url, "eth_getTransactionByHash", [tx_hash])
    receipt = rpc(devnet_net.rpc_url, "eth_getTransactionReceipt", [tx_hash])
    assert int(receipt["status"], 16) == 1
    assert to_checksum_address(tx["from"]) == ORACLE_ADDRESS
    assert to_checksum_address(tx["to"]) == PRECOMPILE_REGISTER_AGENT
    # The last calldata word is the beneficiary: the agent, left-padded.
    assert tx["input"].lower().endswith(agent.address[2:].lower())
    meta = rpc(devnet_net.rpc_url, "agent_getAgentMeta", [agent.address, "latest"])
    assert meta["name"].endswith(agent.address.lower()[-8:])

    # Registering again (a node restart) sends no second 0x21, which would revert.
    time.sleep(1.1)  # a strictly newer timestamp
    resp = requests.post(devnet_net.oracle_url + REGISTER, json=signed_registration(agent), timeout=60)
    assert resp.status_code == 201 and resp.json()["sponsoredTx"] is None


def test_reports_become_contributions_then_a_distribution(devnet_net):
    url, oracle_url = devnet_net.rpc_url, devnet_net.oracle_url
    agent = new_account()
    register(oracle_url, url, agent)
    t = int(time.time())
    for i, (tokens, reqs, up) in enumerate([(120, 4, 30), (300, 9, 31)]):
        resp = requests.post(oracle_url + REPORT, timeout=30,
                             json=signed_report(agent, tokens=tokens, requests_=reqs, uptime=up, timestamp=t + i))
        assert resp.status_code == 201, resp.text

    # The jobs write what is owed with reportContribution (taskCount=requests, uptime, responseScore=tokens).
    metrics = wait_for("contributions written on chain", lambda: (
        m := requests.get(f"{oracle_url}/api/v1/metrics/agents/{agent.address}", timeout=10).json()
    )["owedOnChain"] == {"taskCount": 0, "uptimeSeconds": 0, "responseScore": 0} and m)
    assert metrics["totals"]["tokensProcessed"] == "300"
    tasks, uptime, response, _ = pool(url, "getContribution(address)", ["address"], [agent.address],
                                      ["uint256"] * 4)
    assert (tasks, uptime, response) == (9, 31, 300)
    history = requests.get(f"{oracle_url}/api/v1/rewards/history/{agent.address}", timeout=10).json()
    epochs = {h["epoch"] for h in history["history"]}
    assert sum(h["responseScore"] for h in history["history"]) == 300
    for e in epochs:
        listed = pool(url, "getEpochAgents(uint256)", ["uint256"], [e], ["address[]"])[0]
        assert agent.address.lower() in [a.lower() for a in listed]

    # After the epoch ends: syncRewards + distributeRewards(prev) → the agent has something pending.
    next_epoch(url)
    rewards = wait_for("a distribution", lambda: (
        r := requests.get(f"{oracle_url}/api/rewards/{agent.address}", timeout=10).json()
    )["pendingReward"] != "0" and r, timeout=90)
    on_chain = pool(url, "getPendingReward(address)", ["address"], [agent.address], ["uint256"])[0]
    assert int(rewards["pendingReward"]) == on_chain > 0
    assert rewards["wallet"] == agent.address and rewards["contributions"]


def _journal(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT kind, meta, status FROM txs ORDER BY nonce").fetchall()


def test_restart_never_distributes_an_epoch_twice(own_chain, tmp_path):
    url = own_chain.rpc_url
    db = tmp_path / "oracle.db"
    agent = new_account()
    oracle = OracleProcess(url, db, job_interval=0.5).start()
    try:
        register(oracle.url, url, agent)
        assert oracle.post(REPORT, signed_report(agent, tokens=50, requests_=2, uptime=10)).status_code == 201
        wait_for("the contribution", lambda: any(k == "contribution" and s == "ok" for k, _, s in _journal(db)))
        settled = next_epoch(url) - 1
        wait_for("the distribution", lambda: any(k == "distribute" and s == "ok" and f'"epoch": {settled}' in m
                                                  for k, m, s in _journal(db)), timeout=90)
    finally:
        assert oracle.stop() == 0, oracle.log_text()

    # Lose the oracle's memory of having settled that epoch: on restart it must ask the chain again,
    # meet "Already distributed" in the simulation, and record the epoch as done without a transaction.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM epochs WHERE epoch=?", (settled,))
        conn.execute("UPDATE kv SET value=? WHERE key='next_epoch_to_settle'", (str(settled),))
    before = len(_journal(db))
    oracle = OracleProcess(url, db, job_interval=0.5).start()
    try:
        wait_for("the epoch settled again", lambda: sqlite3.connect(db).execute(
            "SELECT status FROM epochs WHERE epoch=?", (settled,)).fetchone())
        status = sqlite3.connect(db).execute("SELECT status FROM epochs WHERE epoch=?", (settled,)).fetchone()[0]
        assert status == "already"
        distributes = [m for k, m, s in _journal(db) if k == "distribute" and f'"epoch": {settled}' in m]
        assert len(distributes) == 1  # the one from before the restart
        assert not [m for k, m, _ in _journal(db)[before:] if k == "distribute" and f'"epoch": {settled}' in m]
    finally:
        assert oracle.stop() == 0, oracle.log_text()
