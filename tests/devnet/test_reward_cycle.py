"""A whole reward cycle on the session devnet, through the real local oracle.

register (sponsored by the oracle) → heartbeat → signed metrics reports across an epoch → the oracle's
reportContribution, syncRewards and distributeRewards → getPendingReward > 0 → claimReward() moves exactly
the pending amount (balance delta = amount − gas cost from the receipt).
"""
from __future__ import annotations

import json
import time
import urllib.request

from eth_account import Account

from chain.protocol import GAS_HEARTBEAT, PRECOMPILE_HEARTBEAT
from chain.signing import registration_message, report_message, sign_text
from tests.devnet.chain_helpers import ChainDriver


def _post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def test_reward_cycle_through_the_oracle(devnet):
    chain = ChainDriver(devnet, mine_after_send=False)  # the devnet's block producer mines
    agent = devnet.new_account(fund_wei=10**18)
    signer = Account.from_key(agent.private_key)

    now = int(time.time())
    endpoint, caps = "http://127.0.0.1:31330", ["text-generation"]
    body = {
        "address": agent.address,
        "endpoint": endpoint,
        "capabilities": caps,
        "timestamp": now,
        "signature": sign_text(signer, registration_message(agent.address, endpoint, caps, now)),
    }
    status, reply = _post_json(devnet.oracle_url + "/api/nodes/register", body)
    assert status == 201, reply
    _wait_for(
        lambda: chain.rpc("agent_isAgentAccount", [agent.address, "latest"])["result"], 30, "the sponsored registration"
    )
    assert chain.send(agent, PRECOMPILE_HEARTBEAT, b"", gas=GAS_HEARTBEAT)["status"] == 1

    # Reports every second until the oracle has written a contribution and the epoch after it has begun.
    tokens = requests_served = 0
    started, last_ts = time.monotonic(), 0
    first_epoch = devnet.current_epoch()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        tokens += 40
        requests_served += 2
        last_ts = max(int(time.time()), last_ts + 1)
        report = {
            "wallet": agent.address,
            "tokensProcessed": tokens,
            "avgLatencyMs": 12.5,
            "requestCount": requests_served,
            "uptimeSeconds": int(time.monotonic() - started),
            "timestamp": last_ts,
            "signature": sign_text(signer, report_message(agent.address, tokens, last_ts)),
        }
        status, reply = _post_json(devnet.oracle_url + "/api/v1/metrics/report", report)
        assert status == 201, reply
        assert reply["success"] is True
        if chain.pool.functions.getContribution(agent.address).call()[0] > 0 and devnet.current_epoch() > first_epoch:
            break
        time.sleep(max(0.0, last_ts + 1 - time.time()))
    else:
        raise AssertionError("the oracle wrote no contribution for the agent within 60 s")

    pending = _wait_for(lambda: chain.pool.functions.getPendingReward(agent.address).call(), 60, "a distribution")
    assert pending > 0

    receipt = chain.send_call(agent, chain.pool.functions.claimReward(), gas=200_000)
    assert receipt["status"] == 1
    block = receipt["blockNumber"]
    (claimed,) = chain.pool.events.RewardClaimed().process_receipt(receipt)
    amount = claimed["args"]["amount"]
    before = chain.w3.eth.get_balance(agent.address, block - 1)
    after = chain.w3.eth.get_balance(agent.address, block)
    assert after - before == amount - chain.gas_cost(receipt)
    pending_before = chain.pool.functions.getPendingReward(agent.address).call(block_identifier=block - 1)
    distributed_in_block = chain.pool.events.RewardsDistributed().get_logs(from_block=block, to_block=block)
    # Exactly the pending amount, unless the oracle's next distribution landed in the same block first.
    assert amount == pending_before or (distributed_in_block and amount > pending_before)
    assert chain.pool.functions.getPendingReward(agent.address).call(block_identifier=block) == 0
