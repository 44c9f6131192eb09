"""core.agent on the devnet: real anvil + precompile emulation + RewardPool + RPC front + local oracle."""
from __future__ import annotations

import threading
import time

import pytest

from chain.oracle import OracleClient
from chain.wallet import Wallet
from core.agent import Agent, AgentListener, MeterReading
from core.settings import Settings

MODEL_ID = "bigscience/bloom-560m"
pytestmark = pytest.mark.timeout(150)


class Recorder(AgentListener):
    """Keeps every callback, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: list[tuple[str, str]] = []
        self.chain: list = []
        self.reports: list = []
        self.claims: list = []
        self.errors: list = []

    def on_state(self, state, reason):
        with self.lock:
            self.states.append((state, reason))

    def on_chain(self, status):
        with self.lock:
            self.chain.append(status)

    def on_report(self, result):
        with self.lock:
            self.reports.append(result)

    def on_claim(self, result):
        with self.lock:
            self.claims.append(result)

    def on_error(self, error):
        with self.lock:
            self.errors.append(error)


class Meter:
    """Stands in for the server's metering: cumulative counters the test advances."""

    def __init__(self) -> None:
        self.reading = MeterReading(0, 0, 0.0)

    def add(self, tokens: int, requests: int, latency_ms: float) -> None:
        r = self.reading
        self.reading = MeterReading(r.tokens + tokens, r.requests + requests, r.latency_ms_sum + latency_ms * requests)

    def __call__(self) -> MeterReading:
        return self.reading


def wait_for(predicate, timeout=40.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def settings_for(devnet, **changes) -> Settings:
    values = dict(rpc_url=devnet.rpc_url, oracle_url=devnet.oracle_url, chain_id=devnet.chain_id, report_interval=10)
    values.update(changes)
    return Settings(network="local").replace(**values)


def oracle_total_tokens(devnet, address: str) -> int:
    body = OracleClient(devnet.oracle_url).agent_metrics(address)
    return int((body.get("totals") or {}).get("tokensProcessed", 0))


def make_agent(devnet, wallet, state_dir, meter, listener, **kw) -> Agent:
    kw.setdefault("status_interval", 0.5)
    kw.setdefault("meter_interval", 0.1)
    kw.setdefault("heartbeat_interval", 2.0)
    kw.setdefault("retry_first", 0.5)
    settings = kw.pop("settings", None) or settings_for(devnet, auto_claim=False)
    return Agent(settings, wallet, model_id=MODEL_ID, meter=meter, listener=listener, state_dir=state_dir, **kw)


def test_registers_once_heartbeats_reports_exact_tokens_and_final_report(devnet, tmp_path):
    wallet = Wallet.from_private_key(devnet.new_account(fund_wei=10**19).private_key)
    meter, rec = Meter(), Recorder()
    meter.add(120, 3, 40.0)  # work done before the agent got going is reported too
    agent = make_agent(devnet, wallet, tmp_path / "state", meter, rec)
    agent.start()
    try:
        wait_for(lambda: agent.state == "running", what="registration")
        assert agent.registration.registered and not agent.registration.already
        # Heartbeats land on chain: two distinct transactions, and the chain's lastHeartbeat is set.
        wait_for(lambda: len({s.last_heartbeat_tx for s in rec.chain if s.last_heartbeat_tx}) >= 2, what="heartbeats")
        status = agent.client.rpc.call("agent_getStatus", [wallet.address])
        assert int(status["lastHeartbeat"], 16) > 0 and status["active"] is True
        wait_for(lambda: any(r.ok and r.accepted_tokens == 120 for r in rec.reports), what="first report")
        assert oracle_total_tokens(devnet, wallet.address) == 120
        wait_for(lambda: any(s.balance_wei and s.epoch is not None for s in rec.chain), what="status refresh")
        meter.add(80, 2, 10.0)
        time.sleep(0.3)  # one meter poll
    finally:
        final = agent.stop()
    assert final is not None and final.ok and final.accepted_tokens == 200
    assert oracle_total_tokens(devnet, wallet.address) == 200
    assert [s for s, _ in rec.states][-2:] == ["stopping", "stopped"]
    assert not [e for e in rec.errors if e.step in ("registration", "heartbeat", "report")]

    # A restart (fresh process, same wallet): no second registration, reports continue where they were.
    nonce_before = int(agent.client.rpc.call("eth_getTransactionCount", [wallet.address, "latest"]), 16)
    meter2, rec2 = Meter(), Recorder()
    meter2.add(5, 1, 1.0)
    again = make_agent(devnet, wallet, tmp_path / "state", meter2, rec2, heartbeat_interval=240.0)
    again.start()
    try:
        wait_for(lambda: again.state == "running", what="second start")
        assert again.registration.already
        assert any("already registered" in reason for _, reason in rec2.states)
        wait_for(lambda: any(s.last_heartbeat_tx for s in rec2.chain), what="heartbeat after restart")
    finally:
        final2 = again.stop()
    # Only the heartbeat was sent by this run: no 0x…21 again.
    nonce_after = int(again.client.rpc.call("eth_getTransactionCount", [wallet.address, "latest"]), 16)
    assert nonce_after == nonce_before + 1
    assert final2.ok and oracle_total_tokens(devnet, wallet.address) == 205


def test_empty_wallet_is_registered_through_the_oracle(devnet, tmp_path):
    wallet = Wallet.from_private_key(devnet.new_account(fund_wei=0).private_key)
    gas_price = int(devnet.web3().eth.gas_price)
    if gas_price == 0:
        pytest.skip("the devnet's gas price is 0, so an empty wallet can pay for itself")
    rec = Recorder()
    agent = make_agent(devnet, wallet, tmp_path, None, rec, heartbeat_interval=240.0)
    agent.start()
    try:
        wait_for(lambda: agent.state == "running", timeout=60, what="sponsored registration")
        assert agent.registration.sponsored
        assert agent.client.is_registered()
        # The heartbeat needs a fee this wallet cannot pay: said in words, retried, nothing crashes.
        err = wait_for(lambda: [e for e in rec.errors if e.step == "heartbeat"], what="heartbeat error")[0]
        assert "PLM" in err.message and err.retry_in_s
    finally:
        agent.stop()


def test_auto_claim_fires_when_pending_reaches_the_threshold(devnet, tmp_path):
    wallet = Wallet.from_private_key(devnet.new_account(fund_wei=10**19).private_key)
    meter, rec = Meter(), Recorder()
    meter.add(500, 5, 20.0)
    agent = make_agent(devnet, wallet, tmp_path, meter, rec,
                       settings=settings_for(devnet, auto_claim=True, claim_threshold_wei=1))
    agent.start()
    try:
        wait_for(lambda: any(r.ok and r.accepted_tokens == 500 for r in rec.reports), what="report")
        # The oracle reports contributions during the epoch and distributes after it ends.
        deadline = time.monotonic() + 60
        while not rec.claims and time.monotonic() < deadline:
            devnet.advance_to_next_epoch()
            time.sleep(1.0)
        assert rec.claims, f"no claim; errors: {rec.errors[-3:]}"
        claim = rec.claims[0]
        assert claim.amount_wei > 0 and claim.tx_hash
        wait_for(lambda: agent.chain_status().pending_wei is not None, what="status")
    finally:
        agent.stop()


def test_wrong_chain_is_told_and_retried_without_blocking_stop(devnet, tmp_path):
    wallet = Wallet.from_private_key(devnet.new_account(fund_wei=10**18).private_key)
    rec = Recorder()
    agent = make_agent(devnet, wallet, tmp_path, Meter(), rec, retry_first=0.2, retry_cap=0.5,
                       settings=settings_for(devnet, chain_id=1))
    agent.start()
    errors = wait_for(lambda: len([e for e in rec.errors if e.step == "chain"]) >= 2 and rec.errors,
                      what="retried chain errors")
    assert "different blockchain" in errors[0].message and "trying again" in errors[0].message
    started = time.monotonic()
    assert agent.stop() is None  # never registered: nothing reported, the counts stay in the outbox
    assert time.monotonic() - started < 5
    assert agent.state == "stopped" and agent.registration is None
