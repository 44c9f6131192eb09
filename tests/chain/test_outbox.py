"""Reporter pieces that need no oracle: durable counting, timestamps, body shape, thread-safety."""
from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest

from chain.errors import ClockWentBack, OracleUnreachable
from chain.oracle import OracleClient, build_report
from chain.outbox import Reporter
from chain.signing import recover_signer, report_message
from chain.wallet import Wallet
from tests.chain.conftest import TEST_KEY
from tests.chain.support import TcpProxy


@pytest.fixture
def dead_oracle_url():
    """A localhost port nothing listens on: the oracle is down."""
    proxy = TcpProxy("http://127.0.0.1:9").start()
    proxy.stop()
    return proxy.url


def _counted(db) -> tuple[int, int, float]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT counted_tokens, counted_requests, uptime_s FROM outbox").fetchone()


def test_counts_reach_disk_within_the_flush_interval_while_the_oracle_is_down(tmp_path, dead_oracle_url):
    wallet = Wallet.from_private_key(TEST_KEY)
    db = tmp_path / "reports.sqlite3"
    reporter = Reporter(wallet, OracleClient(dead_oracle_url, timeout=1), db, interval=3600, flush_interval=0.2,
                        max_backoff=3600)
    reporter.start()
    try:
        reporter.record(120, 3, 40.0)
        deadline = time.monotonic() + 5
        while _counted(db)[0] != 120 and time.monotonic() < deadline:
            time.sleep(0.05)
        tokens, requests, uptime = _counted(db)
        assert (tokens, requests) == (120, 3)
        assert isinstance(reporter.last_error, OracleUnreachable)
        assert reporter.totals().unreported_tokens == 120
    finally:
        reporter.stop(final_report=False)
        reporter.close()
    assert _counted(db)[2] > 0  # uptime accrued while serving


def test_flush_interval_is_at_most_five_seconds(tmp_path):
    with pytest.raises(ValueError):
        Reporter(Wallet.generate(), "http://127.0.0.1:9", tmp_path / "r.sqlite3", flush_interval=6)


def test_record_is_thread_safe(tmp_path, dead_oracle_url):
    reporter = Reporter(Wallet.generate(), dead_oracle_url, tmp_path / "r.sqlite3", flush_interval=0.5)

    def work():
        for _ in range(2000):
            reporter.record(3, 1, 1.0)

    def flushing():
        for _ in range(50):
            reporter.flush()

    threads = [threading.Thread(target=work) for _ in range(4)] + [threading.Thread(target=flushing)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    reporter.flush()
    assert _counted(tmp_path / "r.sqlite3")[:2] == (24_000, 8_000)
    with pytest.raises(ValueError):
        reporter.record(-1)
    reporter.close()


def test_timestamps_are_strictly_increasing_and_wait_for_a_clock_far_behind(tmp_path):
    now = [1_800_000_000.0]
    reporter = Reporter(Wallet.generate(), "http://127.0.0.1:9", tmp_path / "r.sqlite3", clock=lambda: now[0])
    assert reporter._next_timestamp(0) == 1_800_000_000
    assert reporter._next_timestamp(1_800_000_000) == 1_800_000_001  # same second: one more
    now[0] -= 10  # a small step back: keep counting up from the floor
    assert reporter._next_timestamp(1_800_000_001) == 1_800_000_002
    now[0] -= 100  # far behind: sending would fall outside the oracle's window, so wait
    with pytest.raises(ClockWentBack) as info:
        reporter._next_timestamp(1_800_000_001)
    assert info.value.wait_s > 100 and "Nothing is lost" in str(info.value)
    reporter.close()


def test_report_body_is_exactly_the_protocol_body():
    wallet = Wallet.from_private_key(TEST_KEY)
    body = build_report(wallet, 1234, 7, 15.25, 3600, 1_700_000_000)
    assert list(body) == ["wallet", "tokensProcessed", "avgLatencyMs", "requestCount", "uptimeSeconds",
                          "timestamp", "signature"]
    assert body["wallet"] == wallet.address  # the very string that was signed
    assert all(type(body[k]) is int for k in ("tokensProcessed", "requestCount", "uptimeSeconds", "timestamp"))
    text = report_message(body["wallet"], body["tokensProcessed"], body["timestamp"])
    assert recover_signer(text, body["signature"]) == wallet.address
    json.dumps(body, allow_nan=False)
    with_proofs = build_report(wallet, 1, 1, 0, 0, 1, proofs=[{"modelHash": "0x" + "1" * 64, "inputHash": "0x" + "2" * 64,
                                                                "outputHash": "0x" + "3" * 64, "tokenCount": 4}])
    assert list(with_proofs["proofs"][0]) == ["modelHash", "inputHash", "outputHash", "tokenCount"]
    for bad in (dict(tokens_processed=1.0), dict(request_count=-1), dict(uptime_seconds=True)):
        args = dict(tokens_processed=1, request_count=1, avg_latency_ms=1.0, uptime_seconds=1, timestamp=1)
        args.update(bad)
        with pytest.raises(ValueError):
            build_report(wallet, **args)
    with pytest.raises(ValueError):
        build_report(wallet, 1, 1, float("nan"), 1, 1)


def test_chain_modules_import_without_web3_until_used():
    """The GUI imports these at start; web3 and eth-account must load only when a client is built."""
    from tests.helpers import run_python

    result = run_python(
        "import sys, chain.errors, chain.wallet, chain.client, chain.oracle, chain.outbox\n"
        "print(sorted(m for m in ('eth_account', 'web3') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


class EpochOracle(OracleClient):
    """The NestJS oracle's report arithmetic, in memory: deltas of the cumulative counters (a smaller value is
    a restart: the value itself is the delta), ``shouldReset`` on a wallet's first report of an epoch. With
    ``forget_at_epoch`` it also drops its last values at each new epoch, as the real one does when it
    restarts in a new epoch (it restores them from the current epoch's rows only)."""

    def __init__(self, forget_at_epoch: bool) -> None:
        super().__init__("http://oracle.test")
        self.forget_at_epoch = forget_at_epoch
        self.epoch = 1
        self.total = 0
        self.last: int | None = None
        self.reported_in: set[int] = set()

    def new_epoch(self) -> None:
        self.epoch += 1
        if self.forget_at_epoch:
            self.last = None

    def post_report(self, body: dict):
        from chain.oracle import OracleReply

        value = body["tokensProcessed"]
        last = self.last or 0
        self.total += value if value < last else value - last
        self.last = value
        first = self.epoch not in self.reported_in
        self.reported_in.add(self.epoch)
        return OracleReply(201, "Metrics recorded successfully", should_reset=first)


@pytest.mark.parametrize("forget_at_epoch", [False, True], ids=["oracle keeps last values", "oracle forgets them"])
def test_should_reset_starts_a_new_period_with_only_new_work(tmp_path, forget_at_epoch):
    now = [1_800_000_000.0]
    oracle = EpochOracle(forget_at_epoch)
    reporter = Reporter(Wallet.generate(), oracle, tmp_path / "r.sqlite3", clock=lambda: now[0])

    def work_and_report(tokens: int):
        reporter.record(tokens, 1, 5.0)
        now[0] += 5
        return reporter.report_now()

    assert work_and_report(100).tokens_processed == 100  # (after the period's zero report)
    assert work_and_report(50).tokens_processed == 150
    oracle.new_epoch()
    first = work_and_report(30)
    assert first.should_reset and first.tokens_processed == 180  # the period's value, as always
    assert reporter.totals().period == 2  # ...and the answer started a new period
    after = work_and_report(20)
    assert after.period == 2 and after.tokens_processed == 20  # only the work since the reset
    oracle.new_epoch()
    work_and_report(10)
    assert reporter.totals().counted_tokens == reporter.totals().accepted_tokens == 210
    if not forget_at_epoch:
        assert oracle.total == 210  # nothing lost, nothing doubled across the resets
    else:
        # A forgetful oracle counts each epoch's first report whole: the first epoch's 150 once more (as
        # before this fix), but in the next epoch only the 20 since the reset — not everything since start.
        assert oracle.total == 210 + 150 + 20
