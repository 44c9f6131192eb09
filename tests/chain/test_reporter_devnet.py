"""The oracle reporter against the real devnet oracle: nothing lost, nothing counted twice."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chain.errors import ClockSkew, OracleRejected, OracleUnreachable
from chain.oracle import OracleClient
from chain.outbox import Reporter
from tests.chain.support import (
    MODEL_ID,
    OracleProcess,
    client_for,
    new_wallet,
    oracle_totals,
    registered_wallet,
    wait_for,
)
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.timeout(150)


class Feeder:
    """Records work on a reporter from its own thread, like the node's request handlers; knows the total."""

    def __init__(self, reporter: Reporter, tokens: int = 7, tick: float = 0.01) -> None:
        self.reporter, self.tokens, self.tick = reporter, tokens, tick
        self.total_tokens = 0
        self.total_requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            self.reporter.record(self.tokens, 1, 20.0)
            self.total_tokens += self.tokens
            self.total_requests += 1

    def __enter__(self) -> "Feeder":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)


def _accepted_count(reporter: Reporter) -> int:
    return reporter.totals().accepted_reports


def test_oracle_down_for_several_intervals_then_back(devnet, tmp_path):
    wallet, _ = registered_wallet(devnet, tmp_path)
    oracle = OracleProcess(devnet, tmp_path / "oracle.sqlite3").start()
    reporter = Reporter(wallet, oracle.url, tmp_path / "reports.sqlite3", interval=1.0, flush_interval=0.2,
                        max_backoff=1.0)
    try:
        with Feeder(reporter) as feeder:
            reporter.start()
            wait_for(lambda: _accepted_count(reporter) >= 2, 30, what="two accepted reports")
            oracle.stop()
            down_since = _accepted_count(reporter)
            time.sleep(4.0)  # several report intervals with the oracle gone
            assert isinstance(reporter.last_error, OracleUnreachable)
            assert reporter.failures >= 2
            assert _accepted_count(reporter) == down_since
            assert reporter.totals().unreported_tokens > 0
            assert "saved on this computer" in str(reporter.last_error)
            oracle.start()
            wait_for(lambda: _accepted_count(reporter) > down_since, 30, what="a report after the outage")
        final = reporter.stop(final_report=True)
        assert final is not None and final.ok
        totals = reporter.totals()
        assert totals.counted_tokens == feeder.total_tokens and totals.unreported_tokens == 0
        seen = oracle_totals(oracle.url, wallet.address)
        assert seen["tokens"] == feeder.total_tokens
        assert seen["requests"] == feeder.total_requests
    finally:
        reporter.close()
        oracle.stop()


def _spawn_child(devnet, wallet, db: Path, tokens: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.chain.reporter_child", "--oracle", devnet.oracle_url, "--db", str(db),
         "--tokens", str(tokens), "--interval", "1.0"],
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    proc.stdin.write(wallet.export_private_key() + "\n")  # the key travels on stdin, never argv or env
    proc.stdin.close()
    return proc


def _events(proc: subprocess.Popen, sink: list) -> threading.Thread:
    def read():
        for line in proc.stdout:
            sink.append(json.loads(line))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _db_counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        counted, base, acc = conn.execute("SELECT counted_tokens, base_tokens, acc_tokens FROM outbox").fetchone()
    return counted, base + acc


def test_sigkill_mid_run_then_restart(devnet, tmp_path):
    wallet, _ = registered_wallet(devnet, tmp_path)
    db = tmp_path / "reports.sqlite3"
    first_events: list = []
    first = _spawn_child(devnet, wallet, db, tokens=5)
    reader = _events(first, first_events)
    try:
        wait_for(lambda: sum(1 for e in first_events if e.get("ok")) >= 2, 40, what="reports of the first run")
        if sys.platform.startswith("linux"):
            exposed = Path(f"/proc/{first.pid}/cmdline").read_bytes() + Path(f"/proc/{first.pid}/environ").read_bytes()
            assert wallet.export_private_key()[2:].encode() not in exposed.lower()
        time.sleep(0.6)  # between two reports: some work counted, not yet accepted
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        reader.join(5)
    assert first.returncode == -signal.SIGKILL
    counted_at_kill, accepted_at_kill = _db_counts(db)
    assert counted_at_kill >= accepted_at_kill > 0
    assert oracle_totals(devnet, wallet.address)["tokens"] <= counted_at_kill

    second_events: list = []
    second = _spawn_child(devnet, wallet, db, tokens=3)
    reader = _events(second, second_events)
    wait_for(lambda: any(e.get("ok") for e in second_events), 40, what="a report of the second run")
    time.sleep(1.0)
    second.send_signal(signal.SIGTERM)
    second.wait(30)
    reader.join(5)
    assert second.returncode == 0
    first_ok = next(e for e in second_events if e.get("ok"))
    # The second run's first accepted report already carries everything the first run had counted.
    assert first_ok["accepted"] >= counted_at_kill
    stopped = second_events[-1]
    assert stopped["event"] == "stopped" and stopped["final_ok"]
    counted, accepted = _db_counts(db)
    assert counted == accepted == stopped["counted"] > counted_at_kill
    seen = oracle_totals(devnet, wallet.address)
    assert seen["tokens"] == counted  # nothing lost, nothing counted twice


class Crash(BaseException):
    """Stands in for the process dying at one exact point."""


def test_crash_after_acceptance_before_it_was_saved(devnet, tmp_path, monkeypatch):
    """The oracle accepted a report but the node died before writing that down: the next run resends the
    same cumulative values (the oracle's delta is 0), so nothing is counted twice."""
    wallet, _ = registered_wallet(devnet, tmp_path)
    db = tmp_path / "reports.sqlite3"
    first = Reporter(wallet, devnet.oracle_url, db, interval=1.0, flush_interval=0.2)
    first.record(100, 4, 10.0)
    first.report_now()
    first.record(50, 2, 10.0)
    real_update = first.store.update

    def crashing_update(scope, sql_set, args=()):
        if sql_set.startswith("acc_tokens"):
            raise Crash()
        return real_update(scope, sql_set, args)

    monkeypatch.setattr(first.store, "update", crashing_update)
    time.sleep(1.0)  # the oracle needs a newer second for the next timestamp
    with pytest.raises(Crash):
        first.report_now()
    assert oracle_totals(devnet, wallet.address)["tokens"] == 150  # the oracle did take it
    first.store.close()

    second = Reporter(wallet, devnet.oracle_url, db, interval=1.0, flush_interval=0.2)
    assert second.totals().accepted_tokens == 100  # as far as the node knows
    second.record(25, 1, 10.0)
    time.sleep(1.0)
    result = second.report_now()
    assert result.accepted_tokens == 175 and result.unreported_tokens == 0
    assert oracle_totals(devnet, wallet.address)["tokens"] == 175
    second.close()


def test_lost_local_state_still_counts_exactly(devnet, tmp_path):
    """A node whose state was wiped starts a fresh period while the oracle still holds its old cumulative
    value: the zero report makes the oracle take the new counts in full (a naive restart from 500 after
    an old 100 would have been counted as 400)."""
    wallet, _ = registered_wallet(devnet, tmp_path)
    old = Reporter(wallet, devnet.oracle_url, tmp_path / "old.sqlite3", interval=1.0, flush_interval=0.2)
    old.record(100, 1, 10.0)
    old.report_now()
    old.close()
    time.sleep(2.1)  # the old run's zero report and report took two seconds' timestamps
    fresh = Reporter(wallet, devnet.oracle_url, tmp_path / "new.sqlite3", interval=1.0, flush_interval=0.2)
    fresh.record(500, 5, 10.0)
    result = fresh.report_now()
    assert result.tokens_processed == 500
    fresh.close()
    assert oracle_totals(devnet, wallet.address)["tokens"] == 600


def test_period_rollover_keeps_uptime_bounded_and_totals_exact(devnet, tmp_path):
    wallet, _ = registered_wallet(devnet, tmp_path)
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0,
                        flush_interval=0.2, max_backoff=1.0, period_max_uptime=2)
    uptimes = []
    reporter.on_result = lambda r: uptimes.append(r.uptime_seconds) if r.ok else None
    try:
        with Feeder(reporter, tokens=3) as feeder:
            reporter.start()
            wait_for(lambda: reporter.totals().period >= 3, 40, what="two period rollovers")
        reporter.stop(final_report=True)
        totals = reporter.totals()
        assert totals.counted_tokens == feeder.total_tokens == totals.accepted_tokens
        assert max(uptimes) <= 3  # each period restarts its uptime
        seen = oracle_totals(devnet, wallet.address)
        assert seen["tokens"] == feeder.total_tokens and seen["requests"] == feeder.total_requests
        assert seen["restarts"] >= 2  # the oracle saw the zero reports as restarts
    finally:
        reporter.close()


def test_clock_skew_is_a_clear_error_and_clears_once_fixed(devnet, tmp_path):
    wallet, _ = registered_wallet(devnet, tmp_path)
    offset = [150.0]
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0,
                        flush_interval=0.2, clock=lambda: time.time() + offset[0])
    reporter.record(10, 1, 5.0)
    with pytest.raises(ClockSkew) as info:
        reporter.report_now()
    err = info.value
    assert err.status == 401 and "clock" in str(err) and "ahead" in str(err)
    assert 140 <= err.offset_s <= 160
    assert reporter.last_error is err and reporter.last_result and not reporter.last_result.ok
    offset[0] = 0.0  # the user turned on automatic time: the refused timestamps do not hold us back
    result = reporter.report_now()
    assert result.ok and abs(result.timestamp - time.time()) < 5
    assert oracle_totals(devnet, wallet.address)["tokens"] == 10
    reporter.close()


def test_wall_clock_stepping_back_keeps_timestamps_increasing(devnet, tmp_path):
    wallet, _ = registered_wallet(devnet, tmp_path)
    offset = [0.0]
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0,
                        flush_interval=0.2, clock=lambda: time.time() + offset[0])
    stamps = []
    for step in (0.0, -20.0, -20.0, -25.0):
        offset[0] = step
        reporter.record(10, 1, 5.0)
        stamps.append(reporter.report_now().timestamp)
    assert stamps == sorted(set(stamps))  # strictly increasing although the clock went back 25 s
    assert oracle_totals(devnet, wallet.address)["tokens"] == 40
    reporter.close()


def test_refusal_surfaces_the_oracle_message_and_backs_off(devnet, tmp_path):
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path)
    attempts = []
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=0.3,
                        flush_interval=0.2, max_backoff=1.2)
    reporter.on_result = attempts.append
    try:
        reporter.record(42, 2, 9.0)
        with pytest.raises(OracleRejected) as info:
            reporter.report_now()
        assert info.value.status == 400 and info.value.oracle_message == "Agent not registered on-chain"
        assert "Agent not registered on-chain" in str(info.value)
        attempts.clear()
        reporter.start()
        time.sleep(4.0)
        # Without backoff a 0.3 s interval would have made ~13 attempts; with it: 0.3, 0.6, 1.2, 1.2, …
        assert 2 <= len(attempts) <= 6, [a.at for a in attempts]
        assert all(not a.ok and "Agent not registered" in a.message for a in attempts)
        client.register(MODEL_ID)
        wait_for(lambda: reporter.last_result is not None and reporter.last_result.ok, 30,
                 what="an accepted report after registering")
        reporter.stop()
        assert oracle_totals(devnet, wallet.address)["tokens"] == 42
    finally:
        reporter.stop(final_report=False)
        reporter.close()


def test_proofs_ride_along_and_a_refused_one_never_blocks_the_counters(devnet, tmp_path):
    from chain.protocol import model_hash

    wallet, _ = registered_wallet(devnet, tmp_path)
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0, flush_interval=0.2)
    good = "0x" + model_hash(MODEL_ID).hex()
    reporter.add_proof(good, "0x" + "11" * 32, "0x" + "22" * 32, 8)
    reporter.record(8, 1, 30.0)
    reporter.report_now()
    body = OracleClient(devnet.oracle_url).agent_metrics(wallet.address)
    assert body["totals"]["proofs"] == 1
    with pytest.raises(ValueError):
        reporter.add_proof("0x1234", good, good, 1)
    reporter._proofs.append({"modelHash": good, "inputHash": good, "outputHash": good, "tokenCount": 0})
    reporter.record(5, 1, 30.0)
    time.sleep(1.0)
    with pytest.raises(OracleRejected):
        reporter.report_now()  # tokenCount 0 is refused by the oracle's validation
    time.sleep(1.0)
    reporter.report_now()  # the bad proof was dropped; the counters were not
    assert oracle_totals(devnet, wallet.address)["tokens"] == 13
    reporter.close()


def test_should_reset_starts_a_new_period_and_totals_stay_exact_across_epochs(devnet, tmp_path):
    """The oracle says shouldReset on a wallet's first report of each epoch (devnet epochs last ~5 s). The
    reporter then starts a new counter period, so the report after it carries only the work that came since
    — and across several epochs the oracle's totals still equal every token counted."""
    wallet, _ = registered_wallet(devnet, tmp_path)
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0,
                        flush_interval=0.2, max_backoff=1.0)
    results = []
    reporter.on_result = lambda r: results.append(r) if r.ok else None

    def resets() -> list:
        return [r for r in results if r.should_reset and r.tokens_processed > 0]

    try:
        with Feeder(reporter, tokens=5) as feeder:
            reporter.start()
            first_epoch = devnet.current_epoch()
            wait_for(lambda: len(resets()) >= 2 and devnet.current_epoch() >= first_epoch + 2, 60,
                     what="two epoch changes seen by the reporter")
        final = reporter.stop(final_report=True)
        assert final is not None and final.ok
        totals = reporter.totals()
    finally:
        reporter.close()
    assert totals.counted_tokens == feeder.total_tokens == totals.accepted_tokens
    assert totals.period >= 3  # the first period, then one per reset
    for reset in resets():
        after = results[results.index(reset) + 1:]
        following = next(r for r in after if r.period > reset.period)
        # Only new work: what was accepted since the reset, not the old period's cumulative value.
        assert following.tokens_processed == following.accepted_tokens - reset.accepted_tokens
    seen = oracle_totals(devnet, wallet.address)
    assert seen["tokens"] == feeder.total_tokens
    assert seen["requests"] == feeder.total_requests
    assert seen["restarts"] >= 2  # each new period opened with a zero report
