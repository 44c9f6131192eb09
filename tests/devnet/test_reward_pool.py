"""The RewardPool emulation at 0x…1000 (PROTOCOL.md §5): access, bounds, reverts, pro-rata payout, claims.

Uses a chain without the oracle process, so account #1 (the pool's oracle) is driven by the test.
"""
from __future__ import annotations

from chain.protocol import (
    GAS_CLAIM,
    GAS_HEARTBEAT,
    GAS_REGISTER,
    PRECOMPILE_CLAIM_REWARD,
    PRECOMPILE_HEARTBEAT,
    PRECOMPILE_REGISTER_AGENT,
    agent_name,
    register_calldata,
)
from devnet.chain import BLOCK_REWARD_WEI

MODEL = "bigscience/bloom-560m"


def _agent(chain):
    agent = chain.new_account()
    data = register_calldata(agent_name(MODEL, agent.address), MODEL)
    assert chain.send(agent, PRECOMPILE_REGISTER_AGENT, data, gas=GAS_REGISTER)["status"] == 1
    return agent


def _report(chain, agent, tasks, uptime, response):
    fn = chain.pool.functions.reportContribution(agent.address, tasks, uptime, response)
    assert chain.send_call(chain.oracle, fn)["status"] == 1


def test_every_block_adds_ten_plm_to_the_pool(bare_chain):
    w3 = bare_chain.w3
    start = w3.eth.block_number
    before = w3.eth.get_balance(bare_chain.net.reward_pool, start)
    bare_chain.net.mine(7)
    assert w3.eth.get_balance(bare_chain.net.reward_pool, start + 7) - before == 7 * BLOCK_REWARD_WEI


def test_report_contribution_is_oracle_only_and_bounded(bare_chain):
    agent = _agent(bare_chain)
    pool = bare_chain.pool.functions
    stranger = bare_chain.new_account()
    oracle = bare_chain.oracle
    assert "Only oracle" in bare_chain.revert_reason(stranger, pool.reportContribution(agent.address, 1, 1, 1))
    assert "Task count too high" in bare_chain.revert_reason(oracle, pool.reportContribution(agent.address, 10_001, 0, 0))
    assert "Uptime too high" in bare_chain.revert_reason(oracle, pool.reportContribution(agent.address, 0, 604_801, 0))
    assert "Response score too high" in bare_chain.revert_reason(
        oracle, pool.reportContribution(agent.address, 0, 0, 1_000_001)
    )
    assert bare_chain.revert_reason(oracle, pool.reportContribution(agent.address, 10_000, 604_800, 1_000_000)) is None
    assert "Agent not registered" in bare_chain.revert_reason(oracle, pool.reportContribution(stranger.address, 1, 1, 1))


def test_oracle_only_sync_and_distribute(bare_chain):
    stranger = bare_chain.new_account()
    assert "Only oracle" in bare_chain.revert_reason(stranger, bare_chain.pool.functions.syncRewards())
    assert "Only oracle" in bare_chain.revert_reason(stranger, bare_chain.pool.functions.distributeRewards(0))


def test_claim_reward_for_is_only_for_the_claim_precompile(bare_chain):
    agent = _agent(bare_chain)
    assert "Only the claim precompile" in bare_chain.revert_reason(
        agent, bare_chain.pool.functions.claimRewardFor(agent.address)
    )


def test_claim_reward_reverts_without_rewards_or_registration(bare_chain):
    agent = _agent(bare_chain)
    assert "No rewards" in bare_chain.revert_reason(agent, bare_chain.pool.functions.claimReward())
    stranger = bare_chain.new_account()
    assert "Not registered" in bare_chain.revert_reason(stranger, bare_chain.pool.functions.claimReward())


def test_distribution_is_pro_rata_by_50_30_20_with_its_reverts(bare_chain):
    pool = bare_chain.pool.functions
    oracle = bare_chain.oracle
    net = bare_chain.net
    net.advance_to_next_epoch()
    a, b = _agent(bare_chain), _agent(bare_chain)
    bare_chain.send_call(oracle, pool.syncRewards())  # credits what accrued so far to this epoch
    epoch = pool.getCurrentEpoch().call()
    _report(bare_chain, a, 10, 100, 1000)
    _report(bare_chain, b, 3, 50, 0)
    _report(bare_chain, a, 2, 20, 0)
    assert pool.getEpochAgents(epoch).call() == [a.address, b.address]
    assert tuple(pool.getEpochContribution(epoch, a.address).call()[:3]) == (12, 120, 1000)
    contribution = pool.getContribution(a.address).call()
    assert len(contribution) == 4 and tuple(contribution[:3]) == (12, 120, 1000) and contribution[3] > 0
    assert "Epoch not ended" in bare_chain.revert_reason(oracle, pool.distributeRewards(epoch))

    net.advance_to_next_epoch()
    total = pool.epochRewards(epoch).call()
    assert total > 0
    assert bare_chain.send_call(oracle, pool.distributeRewards(epoch))["status"] == 1
    score_a, score_b = 12 * 50 + 120 * 30 + 1000 * 20, 3 * 50 + 50 * 30
    share_a = total * score_a // (score_a + score_b)
    assert pool.getPendingReward(a.address).call() == share_a
    assert pool.getPendingReward(b.address).call() == total - share_a  # the last agent takes the dust
    assert "Already distributed" in bare_chain.revert_reason(oracle, pool.distributeRewards(epoch))

    # An epoch in which nobody called syncRewards has nothing to give.
    quiet = pool.getCurrentEpoch().call()
    net.advance_to_next_epoch()
    assert "No rewards" in bare_chain.revert_reason(oracle, pool.distributeRewards(quiet))


def test_full_cycle_with_direct_reports_and_a_precompile_claim(bare_chain):
    """register → heartbeat → report → next epoch → sync + distribute → pending → 0x…23 claim pays it exactly."""
    pool = bare_chain.pool.functions
    oracle = bare_chain.oracle
    agent = _agent(bare_chain)
    assert bare_chain.send(agent, PRECOMPILE_HEARTBEAT, b"", gas=GAS_HEARTBEAT)["status"] == 1
    bare_chain.send_call(oracle, pool.syncRewards())
    epoch = pool.getCurrentEpoch().call()
    _report(bare_chain, agent, 5, 60, 300)
    bare_chain.net.advance_to_next_epoch()
    assert bare_chain.send_call(oracle, pool.distributeRewards(epoch))["status"] == 1
    pending = pool.getPendingReward(agent.address).call()
    assert pending > 0
    assert bare_chain.rpc("agent_getStatus", [agent.address])["result"]["totalRewards"] == hex(pending)

    before = bare_chain.w3.eth.get_balance(agent.address)
    receipt = bare_chain.send(agent, PRECOMPILE_CLAIM_REWARD, b"", gas=GAS_CLAIM)
    assert receipt["status"] == 1 and receipt["gasUsed"] <= GAS_CLAIM
    after = bare_chain.w3.eth.get_balance(agent.address, receipt["blockNumber"])
    assert after - before == pending - bare_chain.gas_cost(receipt)
    assert pool.getPendingReward(agent.address).call() == 0
    claimed = bare_chain.pool.events.RewardClaimed().process_receipt(receipt)
    assert [(e["args"]["agent"], e["args"]["amount"]) for e in claimed] == [(agent.address, pending)]
