"""The oracle against the real devnet chain: sponsored registration, the epoch jobs that turn accepted
reports into reportContribution → syncRewards → distributeRewards, and a restart that never distributes an
epoch twice."""
from __future__ import annotations

import json
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

    # After the epoch ends (blocks keep coming): syncRewards + distributeRewards(prev) → pending > 0.
    # No mining from here: racing the oracle to the epoch's end is not what a chain does.
    rewards = wait_for("a distribution", lambda: (
        r := requests.get(f"{oracle_url}/api/rewards/{agent.address}", timeout=10).json()
    )["pendingReward"] != "0" and r, timeout=90)
    on_chain = pool(url, "getPendingReward(address)", ["address"], [agent.address], ["uint256"])[0]
    assert int(rewards["pendingReward"]) == on_chain > 0
    assert rewards["wallet"] == agent.address and rewards["contributions"]


def _journal(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT kind, meta, status FROM txs ORDER BY nonce").fetchall()


def _distributes(db, epoch: int, rows: list[tuple] | None = None) -> list[str]:
    """Statuses of the journalled distributeRewards(epoch) transactions."""
    return [s for k, m, s in (rows if rows is not None else _journal(db))
            if k == "distribute" and json.loads(m)["epoch"] == epoch]


def test_restart_never_distributes_an_epoch_twice(own_chain, tmp_path):
    url = own_chain.rpc_url
    db = tmp_path / "oracle.db"
    agent = new_account()
    oracle = OracleProcess(url, db, job_interval=0.5).start()
    try:
        register(oracle.url, url, agent)
        assert oracle.post(REPORT, signed_report(agent, tokens=50, requests_=2, uptime=10)).status_code == 201
        wait_for("the contribution", lambda: any(k == "contribution" and s == "ok" for k, _, s in _journal(db)))
        landed = [json.loads(m)["epoch"] for k, m, s in _journal(db) if k == "contribution" and s == "ok"][0]
        wait_for("the distribution", lambda: "ok" in _distributes(db, landed), timeout=90)
        settled = landed
        assert pool(url, "getPendingReward(address)", ["address"], [agent.address], ["uint256"])[0] > 0
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
        assert status == "already", (status, _journal(db), oracle.log_text())
        assert _distributes(db, settled) == ["ok"]  # the one from before the restart
        assert _distributes(db, settled, _journal(db)[before:]) == []
    finally:
        assert oracle.stop() == 0, oracle.log_text()


def test_sponsored_claim_job_pays_the_agent_its_pending_reward(own_chain, tmp_path):
    url = own_chain.rpc_url
    db = tmp_path / "oracle.db"
    agent = new_account()  # 0 PLM: every transaction for it is the oracle's
    oracle = OracleProcess(url, db, job_interval=0.5, extra_args=["--sponsor-claims-every", "0.5"]).start()
    try:
        register(oracle.url, url, agent)
        assert oracle.post(REPORT, signed_report(agent, tokens=80, requests_=3, uptime=10)).status_code == 201
        wait_for("the contribution", lambda: any(k == "contribution" and s == "ok" for k, _, s in _journal(db)))
        wait_for("a sponsored claim", lambda: any(k == "claim" and s == "ok" for k, _, s in _journal(db)), timeout=90)
        claim = [m for k, m, s in _journal(db) if k == "claim" and s == "ok"][0]
        paid = int(json.loads(claim)["pending"])
        assert paid > 0
        balance = int(rpc(url, "eth_getBalance", [agent.address, "latest"]), 16)
        # Pending at the claim moved to the agent whole: it paid no gas, the oracle did.
        assert balance == paid
        assert pool(url, "getPendingReward(address)", ["address"], [agent.address], ["uint256"])[0] == 0
        history = oracle.get(f"/api/v1/rewards/history/{agent.address}").json()
        assert history["sponsoredClaims"] and history["sponsoredClaims"][0]["status"] == "ok"
    finally:
        assert oracle.stop() == 0, oracle.log_text()


def test_a_journalled_tx_lost_in_a_crash_is_rebroadcast_and_applied_once(own_chain, tmp_path):
    """Crash between journalling a contribution and broadcasting it: recover() sends the same bytes and
    applies the contribution exactly once."""
    from devnet.oracle.chain_access import Chain, Rpc, TxSender, report_contribution_data
    from devnet.oracle.store import Store

    from .support import ORACLE_KEY

    url = own_chain.rpc_url
    store = Store(tmp_path / "oracle.db")
    chain = Chain(Rpc(url))
    sender = TxSender(chain, store, ORACLE_KEY)
    agent = new_account()
    from chain.protocol import agent_name, register_calldata

    sender.sponsor_registration(agent.address, register_calldata(agent_name("agent", agent.address), "agent",
                                                                 beneficiary=agent.address))
    store.record_report(wallet=agent.address, tokens=70, requests=2, uptime=5, avg_latency_ms=1.0,
                        timestamp=int(time.time()), epoch=chain.current_epoch())
    before = pool(url, "getContribution(address)", ["address"], [agent.address], ["uint256"] * 4)[2]

    # What send() does up to the crash: sign with the next nonce and journal, but never broadcast.
    nonce = int(rpc(url, "eth_getTransactionCount", [ORACLE_ADDRESS, "pending"]), 16)
    signed = sender.account.sign_transaction({
        "nonce": nonce, "gasPrice": int(rpc(url, "eth_gasPrice", []), 16), "gas": 1_000_000,
        "to": REWARD_POOL_ADDRESS, "value": 0, "chainId": 41956,
        "data": report_contribution_data(agent.address, 2, 5, 70)})
    tx_hash = "0x" + bytes(signed.hash).hex()
    store.journal_tx(tx_hash=tx_hash, nonce=nonce, kind="contribution", raw="0x" + bytes(signed.raw_transaction).hex(),
                     meta={"wallet": agent.address.lower(), "epoch": 0, "taskCount": 2, "uptimeSeconds": 5,
                           "responseScore": 70, "tokens": 70})

    assert sender.recover(timeout=30) == 0
    assert sender.recover(timeout=1) == 0  # a second pass finds nothing to apply again
    after = pool(url, "getContribution(address)", ["address"], [agent.address], ["uint256"] * 4)[2]
    assert after - before == 70
    assert store.pending_contributions() == []
    assert [c["tx_hash"] for c in store.contributions(agent.address)] == [tx_hash]
    store.close()
