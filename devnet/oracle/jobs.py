"""The oracle's background work, one thread, one tick every ``--job-interval`` seconds.

Each tick, in this order:
1. settle journalled transactions left unconfirmed (a crash, a slow block); if some stay unsettled the tick
   stops there, because contributions must never be written twice;
2. write contributions: for each agent with deltas not yet on chain, one ``reportContribution``, with a
   ``syncRewards`` landed in the same epoch (before, and again after if the writes crossed into the next
   epoch), so the epoch they count in has rewards to distribute;
3. settle every ended epoch not settled yet: ``syncRewards`` then ``distributeRewards(epoch)``; a revert
   ``Already distributed`` or ``No rewards`` counts as done, so no epoch is distributed twice;
4. optionally (``--sponsor-claims-every``), a sponsored 0x…23 claim for each known agent with pending > 0.

Mapping from reports to the genesis RewardPool's ``reportContribution(agent, taskCount, uptimeSeconds,
responseScore)`` (its score is task·50 + uptime·30 + response·20):
- ``taskCount``     = inference requests served since the last write (delta of ``requestCount``);
- ``uptimeSeconds`` = uptime since the last write (delta of ``uptimeSeconds``, never more than the wall-clock
  time between the two reports);
- ``responseScore`` = tokens processed since the last write (delta of ``tokensProcessed``): the genesis
  contract has no token field, and tokens served are the work the network pays for.
Each call is clamped to the contract's bounds (10 000 / 604 800 / 1 000 000); what is over stays owed and goes
out with the next call. A write the contract refuses (e.g. ``Agent not active`` because the node stopped its
heartbeats) stays owed and is retried on later ticks.
"""
from __future__ import annotations

import logging
import threading
import time

from chain.protocol import MAX_UPTIME_SECONDS

from .chain_access import (
    GAS_ORACLE_CALL, Chain, Reverted, RpcError, TxSender, distribute_rewards_data, report_contribution_data,
    sync_rewards_data,
)
from .store import Store

log = logging.getLogger("devnet.oracle.jobs")

MAX_TASK_COUNT = 10_000
MAX_RESPONSE_SCORE = 1_000_000
MAX_EPOCHS_PER_TICK = 20  # after a long outage, catch up a bounded amount per tick


class EpochClock:
    """The chain's current epoch, cached for a second; the last known value when the chain is unreachable."""

    def __init__(self, chain: Chain, store: Store, max_age_s: float = 1.0):
        self.chain = chain
        self.store = store
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._value = int(store.get("last_seen_epoch", "0") or 0)
        self._at = 0.0

    def fetch(self) -> int:
        """The epoch read from the chain now; raises :class:`RpcError` / :class:`Reverted` if it cannot be."""
        with self._lock:
            value = self.chain.current_epoch()
            if value != self._value:
                self.store.put("last_seen_epoch", str(value))
            self._value, self._at = value, time.monotonic()
            return value

    def get(self) -> int:
        """The cached epoch, refreshed when older than ``max_age_s``; the last known one if the chain is down."""
        if time.monotonic() - self._at <= self.max_age_s:
            return self._value
        try:
            return self.fetch()
        except (RpcError, Reverted) as exc:
            log.warning("getCurrentEpoch failed, using last known epoch %d: %s", self._value, exc)
            return self._value


class EpochJobs(threading.Thread):
    """The background thread; ``stop()`` ends it after the current step."""

    def __init__(self, store: Store, chain: Chain, sender: TxSender, clock: EpochClock, interval_s: float,
                 claim_every_s: float = 0.0):
        super().__init__(name="oracle-jobs", daemon=True)
        self.store = store
        self.chain = chain
        self.sender = sender
        self.clock = clock
        self.interval_s = interval_s
        self.claim_every_s = claim_every_s
        self._stop_event = threading.Event()
        self._last_claims = 0.0
        self._claim_backoff: dict[str, float] = {}  # agent → monotonic time before which it is not retried
        self._said: dict[tuple[str, str], float] = {}  # (agent, revert reason) → when it was last logged
        self.ticks = 0

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.tick()
            except Exception:  # a job failure must not kill the thread; the next tick retries
                log.exception("oracle job tick failed")
            self.ticks += 1
            self._stop_event.wait(self.interval_s)

    def tick(self) -> None:
        try:
            left = self.sender.recover(timeout=2.0)
            if left:
                log.warning("%d oracle transaction(s) still unconfirmed; waiting before writing more", left)
                return
            epoch = self.clock.fetch()
            if self.store.get("first_epoch") is None:
                # Epochs that ended before this oracle ever ran are not ours to settle.
                self.store.put("first_epoch", str(epoch))
                self.store.put("next_epoch_to_settle", str(epoch))
            self.write_contributions(epoch)
            if not self._stop_event.is_set():
                self.settle_epochs(epoch)
            if self.claim_every_s > 0 and time.monotonic() - self._last_claims >= self.claim_every_s:
                self._last_claims = time.monotonic()
                self.sponsor_claims()
        except (RpcError, Reverted) as exc:
            # Without the chain there is nothing to do (and a guessed epoch would settle the wrong ones).
            log.warning("chain unreachable or refusing, epoch jobs wait for the next tick: %s", exc)

    # --- steps --------------------------------------------------------------------------------------------

    def _ensure_synced(self, epoch: int) -> None:
        """Make sure a ``syncRewards`` landed in ``epoch``, so that the epoch has rewards to distribute.

        syncRewards credits the pool's untracked balance to the epoch of the block it lands in, and an
        ended epoch can never be credited again: an epoch holding contributions but no sync would end with
        "No rewards" and its contributors would get nothing. So the landing epoch (from the receipt) is what
        is remembered, not the epoch at signing.
        """
        if self.store.get("last_sync_epoch") == str(epoch):
            return
        receipt = self.sender.send("sync", self.chain.reward_pool, sync_rewards_data(), GAS_ORACLE_CALL,
                                   {"epoch": epoch})
        landed = receipt.epoch if receipt.epoch is not None else epoch
        self.store.put("last_sync_epoch", str(landed))

    def write_contributions(self, epoch: int) -> None:
        """One reportContribution per agent with owed deltas, with a sync landed in their epoch.

        The sync goes before the writes (the epoch they are most likely to land in) and, if a write crossed
        into the next epoch, once more after them: only two epoch boundaries crossed by consecutive
        transactions could leave contributions in an epoch without rewards.
        """
        owed = self.store.pending_contributions()
        if owed:
            self._ensure_synced(epoch)
        for row in owed:
            if self._stop_event.is_set():
                break
            tasks = min(row["pending_tasks"], MAX_TASK_COUNT)
            uptime = min(row["pending_uptime"], MAX_UPTIME_SECONDS)
            tokens = min(row["pending_tokens"], MAX_RESPONSE_SCORE)
            meta = {"wallet": row["wallet"], "epoch": epoch, "taskCount": tasks, "uptimeSeconds": uptime,
                    "responseScore": tokens, "tokens": tokens}
            try:
                receipt = self.sender.send("contribution", self.chain.reward_pool,
                                           report_contribution_data(row["wallet_str"], tasks, uptime, tokens),
                                           GAS_ORACLE_CALL, meta)
            except Reverted as exc:
                # Retried every tick (the agent may heartbeat again any moment), but said once a minute.
                said = self._said.get((row["wallet"], exc.reason), 0.0)
                if time.monotonic() - said >= 60.0:
                    self._said[(row["wallet"], exc.reason)] = time.monotonic()
                    log.warning("reportContribution for %s refused (%s); kept owed", row["wallet"], exc.reason)
                continue
            landed = receipt.epoch if receipt.epoch is not None else epoch
            self.store.put("last_contribution_epoch", str(landed))
            log.info("reportContribution %s landed in epoch %d: tasks=%d uptime=%d response=%d",
                     row["wallet"], landed, tasks, uptime, tokens)
        # The epoch holding contributions must get rewards of its own (see _ensure_synced). Checked every
        # tick, so a sync that failed after the writes is retried while that epoch lasts.
        current = self.clock.fetch()
        if self.store.get("last_contribution_epoch") == str(current):
            self._ensure_synced(current)

    def settle_epochs(self, current: int) -> None:
        start = int(self.store.get("next_epoch_to_settle", str(current)) or current)
        for epoch in range(start, min(current, start + MAX_EPOCHS_PER_TICK)):
            if self._stop_event.is_set():
                return
            if self.store.epoch_status(epoch) is None:
                self._ensure_synced(current)
                try:
                    receipt = self.sender.send("distribute", self.chain.reward_pool,
                                               distribute_rewards_data(epoch), GAS_ORACLE_CALL, {"epoch": epoch})
                    log.info("distributeRewards(%d) in block %d", epoch, receipt.block)
                except Reverted as exc:
                    if "Already distributed" in exc.reason:
                        self.store.set_epoch_status(epoch, "already")
                    elif "No rewards" in exc.reason:
                        self.store.set_epoch_status(epoch, "no_rewards")
                    else:
                        log.warning("distributeRewards(%d) refused: %s; retried next tick", epoch, exc.reason)
                        return
                except RpcError as exc:
                    log.warning("distributeRewards(%d) failed: %s", epoch, exc)
                    return
            self.store.put("next_epoch_to_settle", str(epoch + 1))

    def sponsor_claims(self) -> None:
        agents = {r["wallet"]: r["wallet_str"] for r in self.store.wallets()}
        for node in self.store.nodes():
            agents.setdefault(node["address"], node["address_str"])
        for key, address in sorted(agents.items()):
            if self._stop_event.is_set():
                return
            if time.monotonic() < self._claim_backoff.get(key, 0.0):
                continue
            try:
                pending = self.chain.pending_reward(address)
                if pending > 0:
                    receipt = self.sender.sponsor_claim(address, pending)
                    log.info("sponsored claim for %s (%d wei pending) in block %d", key, pending, receipt.block)
            except Reverted as exc:
                # Each failed try costs the oracle gas: wait ten claim periods (at least a minute) for this agent.
                self._claim_backoff[key] = time.monotonic() + max(60.0, 10 * self.claim_every_s)
                log.warning("sponsored claim for %s refused: %s", key, exc.reason)
            except RpcError as exc:
                log.warning("sponsored claim for %s failed: %s", key, exc)
                return
