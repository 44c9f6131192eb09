"""The agent's life on the devnet (real anvil + precompile emulation + RewardPool + RPC front + oracle)."""
from __future__ import annotations

import threading
import time

import pytest

from chain import protocol
from chain.client import ChainClient, HeartbeatScheduler
from chain.errors import (
    InsufficientFunds,
    NothingToClaim,
    RpcUnreachable,
    TransactionReverted,
    TransactionTimeout,
    WrongChain,
)
from chain.oracle import OracleClient
from chain.outbox import Reporter
from tests.chain.support import MODEL_ID, TcpProxy, client_for, new_wallet, wait_for

pytestmark = pytest.mark.timeout(120)


def _nonce(client: ChainClient) -> int:
    return int(client.rpc.call("eth_getTransactionCount", [client.address, "latest"]), 16)


def test_register_sends_the_exact_calldata_once(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    assert client.check_chain() == protocol.MAINNET_CHAIN_ID
    assert client.is_registered() is False
    result = client.register(MODEL_ID)
    assert result.registered and not result.already and result.tx_hash
    tx = client.rpc.call("eth_getTransactionByHash", [result.tx_hash])
    assert tx["to"].lower() == protocol.PRECOMPILE_REGISTER_AGENT.lower()
    assert int(tx["gas"], 16) == protocol.GAS_REGISTER
    sent = bytes.fromhex(tx["input"][2:])
    decoded = protocol.decode_register_calldata(sent)
    assert decoded == {
        "name": f"bloom-560m-{wallet.address.lower()[-8:]}",
        "model_hash": protocol.keccak(text=MODEL_ID),
        "capabilities": [],
        "beneficiary": None,
    }
    assert len(sent) == 96  # name ‖ modelHash ‖ capCount=0, nothing else
    assert client.is_registered() is True
    nonce = _nonce(client)
    again = client.register(MODEL_ID)
    assert again.already and again.tx_hash is None
    assert _nonce(client) == nonce  # never a second registration


def test_registered_decision_order_on_a_plain_evm(devnet, tmp_path):
    """anvil itself has no agent_* methods: AgentRegistry if configured, else our own receipt record."""
    wallet = new_wallet(devnet)
    plain = ChainClient(devnet.anvil_url, devnet.chain_id, wallet, state_dir=tmp_path, poll_interval=0.1)
    with_registry = ChainClient(devnet.anvil_url, devnet.chain_id, wallet, state_dir=tmp_path / "other",
                                agent_registry=devnet.agent_registry)
    assert plain.is_registered() is False and with_registry.is_registered() is False
    result = plain.register(MODEL_ID)
    assert result.tx_hash and (tmp_path / "registrations.json").exists()
    assert plain.is_registered() is True  # from the record
    assert with_registry.is_registered() is True  # from AgentRegistry.isRegistered
    assert ChainClient(devnet.anvil_url, devnet.chain_id, wallet, state_dir=tmp_path / "empty").is_registered() is False
    nonce = _nonce(plain)
    assert plain.register(MODEL_ID).already  # the record alone prevents a second 0x21
    assert _nonce(plain) == nonce


def test_sponsored_registration_for_an_empty_wallet(devnet, tmp_path):
    wallet = new_wallet(devnet, fund_wei=0)
    client = client_for(devnet, wallet, tmp_path)
    oracle = OracleClient(devnet.oracle_url)
    with pytest.raises(InsufficientFunds) as info:
        client.register(MODEL_ID)
    assert "sponsor" in str(info.value)
    result = client.ensure_registered(MODEL_ID, oracle=oracle, endpoint="http://203.0.113.7:31330")
    assert result.registered and result.sponsored
    assert client.is_registered() is True
    assert client.balance() == 0  # the oracle paid
    assert client.ensure_registered(MODEL_ID, oracle=oracle, endpoint="http://203.0.113.7:31330").already


def test_wrong_chain_id_is_refused_before_signing(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    wrong = ChainClient(devnet.rpc_url, protocol.TESTNET_CHAIN_ID, wallet, state_dir=tmp_path)
    nonce = _nonce(client)
    with pytest.raises(WrongChain) as info:
        wrong.heartbeat()
    assert info.value.expected == protocol.TESTNET_CHAIN_ID and info.value.actual == devnet.chain_id
    assert "Nothing was sent" in str(info.value)
    with pytest.raises(WrongChain):
        wrong.check_chain()
    assert _nonce(client) == nonce


def test_refusals_cost_nothing(devnet, tmp_path):
    """A heartbeat from an unregistered wallet and a claim with nothing pending are refused before sending."""
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    balance = client.balance()
    with pytest.raises(TransactionReverted) as info:
        client.heartbeat()
    assert info.value.reason  # the chain's own words
    assert info.value.tx_hash is None
    with pytest.raises(NothingToClaim):
        client.claim()
    with pytest.raises(NothingToClaim):
        client.claim(via="precompile")
    assert client.claim_if_above() is None
    assert client.balance() == balance and _nonce(client) == 0


def test_concurrent_transactions_get_distinct_nonces(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    client.register(MODEL_ID)
    start = _nonce(client)
    results, errors = [], []

    def beat():
        try:
            results.append(client.heartbeat())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=beat) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    nonces = sorted(int(client.rpc.call("eth_getTransactionByHash", [r.tx_hash])["nonce"], 16) for r in results)
    assert nonces == list(range(start, start + 6))
    for r in results:
        tx = client.rpc.call("eth_getTransactionByHash", [r.tx_hash])
        assert int(tx["gas"], 16) == protocol.GAS_HEARTBEAT and tx["input"] in ("0x", "")
        assert tx["to"].lower() == protocol.PRECOMPILE_HEARTBEAT.lower()


def test_rpc_outage_is_retried_and_recovers_without_restart(devnet, tmp_path):
    proxy = TcpProxy(devnet.rpc_url).start()
    wallet = new_wallet(devnet)
    client = ChainClient(proxy.url, devnet.chain_id, wallet, agent_registry=devnet.agent_registry,
                         state_dir=tmp_path, rpc_attempts=8, backoff=0.2, max_backoff=0.5, request_timeout=3,
                         receipt_timeout=30, poll_interval=0.1)
    client.register(MODEL_ID)
    try:
        # 1. The RPC disappears while a call is retrying and comes back: the call succeeds.
        proxy.stop()
        threading.Timer(1.0, proxy.start).start()
        started = time.monotonic()
        assert client.balance() > 0
        assert time.monotonic() - started >= 0.9

        # 2. The RPC stays away longer than the retry budget: a plain-language RpcUnreachable ...
        proxy.stop()
        short = ChainClient(proxy.url, devnet.chain_id, wallet, rpc_attempts=3, backoff=0.05, max_backoff=0.1)
        with pytest.raises(RpcUnreachable) as info:
            short.heartbeat()
        assert "internet connection" in str(info.value) and info.value.detail

        # ... and a heartbeat scheduler keeps going through it and beats again once the RPC is back.
        outcomes = []
        scheduler = HeartbeatScheduler(short, interval=0.3, retry_after=0.1,
                                       on_result=lambda r, e: outcomes.append((r, e)))
        scheduler.start()
        wait_for(lambda: scheduler.failures >= 2, 20, what="failed heartbeats")
        assert scheduler.running and scheduler.beats == 0
        proxy.start()
        wait_for(lambda: scheduler.beats >= 1, 30, what="a heartbeat after the outage")
        scheduler.stop()
        assert isinstance(outcomes[0][1], RpcUnreachable)
        assert any(r is not None for r, _ in outcomes)
        assert not scheduler.running
    finally:
        proxy.stop()


def _work_until_pending(client: ChainClient, reporter: Reporter) -> int:
    """Report work each half second until the oracle's epoch jobs have made a reward pending."""

    def pending():
        reporter.record(40, 2, 25.0)
        try:
            reporter.report_now()
        except Exception:  # noqa: BLE001 - e.g. a timestamp that must wait a second; next round reports
            pass
        time.sleep(0.5)
        return client.pending_reward()

    return wait_for(pending, 60, interval=0.0, what="a pending reward")


def test_rewards_accrue_and_claim_moves_the_event_amount(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    client.register(MODEL_ID)
    client.heartbeat()
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0, flush_interval=0.2)
    reporter.set_serving(True)
    try:
        _work_until_pending(client, reporter)
        assert client.current_epoch() >= 1
        contribution = client.contribution()
        assert contribution.task_count > 0 and contribution.response_score > 0
        assert client.claim_if_above(threshold_wei=10**40) is None  # below the threshold: nothing sent

        before = client.balance()
        pending_before = client.pending_reward()
        claim = client.claim()
        after = client.balance()
        assert claim.amount_wei >= pending_before > 0  # more may have been distributed in between
        assert after - before == claim.amount_wei - claim.fee_wei
        tx = client.rpc.call("eth_getTransactionByHash", [claim.tx_hash])
        assert tx["to"].lower() == client.reward_pool.lower()

        # The 0x…23 alternative, through the auto-claim helper, once a reward is pending again.
        _work_until_pending(client, reporter)
        before = client.balance()
        again = client.claim_if_above(threshold_wei=1, via="precompile")
        assert again is not None and again.amount_wei > 0 and again.via == "precompile"
        assert client.balance() - before == again.amount_wei - again.fee_wei
        tx = client.rpc.call("eth_getTransactionByHash", [again.tx_hash])
        assert tx["to"].lower() == protocol.PRECOMPILE_CLAIM_REWARD.lower() and int(tx["gas"], 16) == protocol.GAS_CLAIM
    finally:
        reporter.stop()
        reporter.close()


def test_legacy_fees_and_receipt_timeout(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    client.register(MODEL_ID)
    legacy = client_for(devnet, wallet, tmp_path, fee_mode="legacy")
    beat = legacy.heartbeat()
    tx = client.rpc.call("eth_getTransactionByHash", [beat.tx_hash])
    assert int(tx["type"], 16) == 0 and "gasPrice" in tx and int(tx["chainId"], 16) == devnet.chain_id
    auto = client.heartbeat()
    assert int(client.rpc.call("eth_getTransactionByHash", [auto.tx_hash])["type"], 16) == 2  # anvil has a base fee

    impatient = client_for(devnet, wallet, tmp_path, receipt_timeout=0.0)
    with pytest.raises(TransactionTimeout) as info:
        impatient.heartbeat()
    assert info.value.tx_hash and "may still go through" in str(info.value)
    # It did go through, and the next transaction picks the following nonce.
    receipt = devnet.wait_for_receipt(info.value.tx_hash)
    assert int(str(receipt["status"]), 0) == 1
    after = client.heartbeat()
    nonce_of = lambda h: int(client.rpc.call("eth_getTransactionByHash", [h])["nonce"], 16)  # noqa: E731
    assert nonce_of(after.tx_hash) == nonce_of(info.value.tx_hash) + 1
