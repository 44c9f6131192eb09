"""The oracle's view of the chain: JSON-RPC reads, RewardPool calls and one serialized transaction sender.

Plain JSON-RPC over ``requests`` with ``eth_abi`` encoding rather than a web3 ``Contract``: the oracle needs
a custom method (``agent_isAgentAccount``), revert reasons from ``eth_call`` and full control of nonces and
raw bytes (the journal keeps them to re-broadcast after a crash); a thin client shows all of that plainly.

Every transaction goes through :class:`TxSender`, which holds one lock from nonce to receipt: the oracle has a
single key, and two threads choosing nonces at once is how nonces collide.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from eth_abi import decode, encode
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from chain.protocol import (
    GAS_CLAIM, GAS_REGISTER, PRECOMPILE_CLAIM_REWARD, PRECOMPILE_REGISTER_AGENT, REWARD_POOL_ADDRESS,
    sponsored_calldata,
)

from .store import Store

log = logging.getLogger("devnet.oracle.chain")

GAS_ORACLE_CALL = 1_000_000  # reportContribution / syncRewards / distributeRewards (loops over epoch agents)
_ERROR_STRING = keccak(text="Error(string)")[:4]


class RpcError(Exception):
    """A JSON-RPC error answer (``code``, ``message``, revert ``data``) or a transport failure."""

    def __init__(self, message: str, code: int | None = None, data: Any = None):
        super().__init__(message)
        self.code = code
        self.data = data


class Reverted(Exception):
    """A call or transaction reverted; ``reason`` is the Solidity ``Error(string)`` when there is one."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def revert_reason(error: RpcError) -> str | None:
    """The reason string of a reverted ``eth_call``, from the error's data or, failing that, its message."""
    data = error.data
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        raw = bytes.fromhex(data[2:])
        if raw[:4] == _ERROR_STRING:
            try:
                return decode(["string"], raw[4:])[0]
            except Exception:  # malformed revert data: fall through to the message
                pass
    msg = str(error)
    if "revert" in msg.lower():
        # anvil: "execution reverted: Already distributed"
        return msg.split("reverted:", 1)[1].strip() if "reverted:" in msg else msg
    return None


class Rpc:
    """A minimal JSON-RPC 2.0 client with a per-request timeout."""

    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._session = requests.Session()
        self._session_lock = threading.Lock()  # requests.Session is not documented as thread-safe

    def call(self, method: str, params: list | None = None) -> Any:
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params or []}
        try:
            with self._session_lock:
                resp = self._session.post(self.url, json=payload, timeout=self.timeout)
            body = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise RpcError(f"{method}: {type(exc).__name__}: {exc}") from exc
        if "error" in body and body["error"] is not None:
            err = body["error"]
            raise RpcError(str(err.get("message", err)), err.get("code"), err.get("data"))
        return body.get("result")


@dataclass(frozen=True)
class Receipt:
    tx_hash: str
    status: int
    block: int
    gas_used: int
    epoch: int | None = None  # RewardPool.getCurrentEpoch() at the tx's block, once settled


class Chain:
    """Reads the oracle needs, against the devnet's RPC front (or any Plumise-compatible node)."""

    def __init__(self, rpc: Rpc, reward_pool: str = REWARD_POOL_ADDRESS):
        self.rpc = rpc
        self.reward_pool = to_checksum_address(reward_pool)

    def is_agent(self, address: str) -> bool:
        """``agent_isAgentAccount [address, "latest"]`` (PROTOCOL.md §4); the block tag is required."""
        return self.rpc.call("agent_isAgentAccount", [address, "latest"]) is True

    def block_number(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def chain_id(self) -> int:
        return int(self.rpc.call("eth_chainId"), 16)

    def eth_call(self, to: str, data: bytes, sender: str | None = None, block: int | str = "latest") -> bytes:
        tx: dict[str, str] = {"to": to, "data": "0x" + data.hex()}
        if sender:
            tx["from"] = sender
        try:
            out = self.rpc.call("eth_call", [tx, hex(block) if isinstance(block, int) else block])
        except RpcError as exc:
            reason = revert_reason(exc)
            if reason is not None:
                raise Reverted(reason) from exc
            raise
        return bytes.fromhex((out or "0x")[2:])

    def _pool_call(self, signature: str, types: list[str], args: list, out: list[str],
                   block: int | str = "latest") -> tuple:
        raw = self.eth_call(self.reward_pool, selector(signature) + encode(types, args), block=block)
        if not raw:
            raise RpcError(f"RewardPool.{signature} returned no data (no contract at {self.reward_pool}?)")
        return tuple(decode(out, raw))

    def current_epoch(self, block: int | str = "latest") -> int:
        return int(self._pool_call("getCurrentEpoch()", [], [], ["uint256"], block=block)[0])

    def pending_reward(self, agent: str) -> int:
        return int(self._pool_call("getPendingReward(address)", ["address"], [agent], ["uint256"])[0])

    def weight(self, name: str) -> int:
        return int(self._pool_call(f"{name}()", [], [], ["uint256"])[0])


def report_contribution_data(agent: str, task_count: int, uptime: int, response: int) -> bytes:
    return selector("reportContribution(address,uint256,uint256,uint256)") + encode(
        ["address", "uint256", "uint256", "uint256"], [agent, task_count, uptime, response])


def sync_rewards_data() -> bytes:
    return selector("syncRewards()")


def distribute_rewards_data(epoch: int) -> bytes:
    return selector("distributeRewards(uint256)") + encode(["uint256"], [epoch])


class TxSender:
    """Signs and sends the oracle's transactions one at a time, journalling each before broadcast.

    ``send`` simulates with ``eth_call`` first, so a call that would revert (``Already distributed``,
    ``Epoch not ended``) raises :class:`Reverted` without spending a nonce; the gas limit is the larger of the
    caller's fixed limit and the estimate plus 25 %; then it signs a legacy EIP-155
    transaction (PROTOCOL.md §1), writes hash, nonce, meaning and raw bytes to the store, broadcasts, and waits
    for the receipt. A receipt with status 0 raises :class:`Reverted` too.
    """

    def __init__(self, chain: Chain, store: Store, private_key: str, receipt_timeout: float = 60.0):
        self.chain = chain
        self.store = store
        self.account = Account.from_key(private_key)
        self.address = self.account.address
        self.receipt_timeout = receipt_timeout
        self.lock = threading.Lock()
        self._chain_id: int | None = None

    def _estimate(self, to: str, data: bytes) -> int:
        """``eth_estimateGas`` plus a quarter, as the real oracle's viem client estimates every tx.

        The protocol's fixed limits (PROTOCOL.md §3) are what nodes use for their own calls; a sponsored claim
        that pays an account holding nothing yet costs more (account creation), so a fixed 100 000 can fail.
        """
        tx = {"from": self.address, "to": to, "data": "0x" + data.hex()}
        try:
            return int(int(self.chain.rpc.call("eth_estimateGas", [tx]), 16) * 5 // 4)
        except RpcError as exc:
            log.warning("eth_estimateGas failed (%s); using the fixed gas limit", exc)
            return 0

    def _receipt(self, tx_hash: str) -> Receipt | None:
        r = self.chain.rpc.call("eth_getTransactionReceipt", [tx_hash])
        if not r or r.get("blockNumber") is None:
            return None
        return Receipt(tx_hash, int(r["status"], 16), int(r["blockNumber"], 16), int(r["gasUsed"], 16))

    def _wait(self, tx_hash: str, timeout: float) -> Receipt | None:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            receipt = self._receipt(tx_hash)
            if receipt is not None or time.monotonic() >= deadline:
                return receipt
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def send(self, kind: str, to: str, data: bytes, gas: int, meta: dict | None = None,
             simulate: bool = True) -> Receipt:
        meta = dict(meta or {})
        with self.lock:
            if simulate:
                self.chain.eth_call(to, data, sender=self.address)
                gas = max(gas, self._estimate(to, data))
            if self._chain_id is None:
                self._chain_id = self.chain.chain_id()
            nonce = int(self.chain.rpc.call("eth_getTransactionCount", [self.address, "pending"]), 16)
            gas_price = int(self.chain.rpc.call("eth_gasPrice"), 16)
            signed = self.account.sign_transaction({
                "nonce": nonce, "gasPrice": gas_price, "gas": gas, "to": to_checksum_address(to),
                "value": 0, "data": data, "chainId": self._chain_id,
            })
            raw = "0x" + bytes(signed.raw_transaction).hex()
            tx_hash = "0x" + bytes(signed.hash).hex()
            self.store.journal_tx(tx_hash=tx_hash, nonce=nonce, kind=kind, meta=meta, raw=raw)
            # A failed broadcast leaves the row "sent": the answer may have been lost after the node took it,
            # so only recover() decides, from receipts and nonces, whether it landed.
            self.chain.rpc.call("eth_sendRawTransaction", [raw])
            receipt = self._wait(tx_hash, self.receipt_timeout)
            if receipt is None:
                raise RpcError(f"no receipt for {kind} tx {tx_hash} after {self.receipt_timeout:.0f} s; "
                               "it stays journalled and is settled later")
            receipt = self._settle(tx_hash, receipt)
        if receipt.status != 1:
            raise Reverted(f"{kind} transaction {tx_hash} reverted (receipt status 0)")
        return receipt

    def _settle(self, tx_hash: str, receipt: Receipt) -> Receipt:
        epoch = None
        try:
            # A tx counts in the epoch of its block, not in the one when it was signed.
            epoch = self.chain.current_epoch(block=receipt.block)
        except (RpcError, Reverted) as exc:
            log.warning("could not read the epoch of block %d: %s", receipt.block, exc)
        self.store.settle_tx(tx_hash, "ok" if receipt.status == 1 else "reverted", receipt.block, epoch)
        return Receipt(receipt.tx_hash, receipt.status, receipt.block, receipt.gas_used, epoch)

    def recover(self, timeout: float = 10.0) -> int:
        """Settle journalled txs left unconfirmed (by a crash or a slow chain); returns how many remain.

        A tx with no receipt is re-broadcast from its raw bytes (harmless if the node still has it). With no
        receipt after that, it is dropped when its nonce was mined by another tx or the node's pool does
        not hold it; otherwise it is still pending and counted as remaining.
        """
        left = 0
        with self.lock:
            for row in self.store.unsettled_txs():
                receipt = self._receipt(row["hash"])
                if receipt is None:
                    try:
                        self.chain.rpc.call("eth_sendRawTransaction", [row["raw"]])
                    except RpcError as exc:
                        log.info("re-broadcast of %s refused: %s", row["kind"], exc)
                    receipt = self._wait(row["hash"], timeout)
                if receipt is not None:
                    self._settle(row["hash"], receipt)
                    continue
                mined = int(self.chain.rpc.call("eth_getTransactionCount", [self.address, "latest"]), 16)
                pooled = int(self.chain.rpc.call("eth_getTransactionCount", [self.address, "pending"]), 16)
                if mined > row["nonce"] or pooled <= row["nonce"]:
                    # Its nonce went to another tx, or the node does not hold it at all: it never lands.
                    self.store.settle_tx(row["hash"], "dropped", None)
                else:
                    left += 1  # still waiting in the pool for a block
        return left

    # --- the oracle's transactions ------------------------------------------------------------------------

    def sponsor_registration(self, address: str, calldata: bytes) -> Receipt:
        return self.send("register", PRECOMPILE_REGISTER_AGENT, calldata, GAS_REGISTER, {"address": address.lower()})

    def sponsor_claim(self, agent: str, pending: int) -> Receipt:
        return self.send("claim", PRECOMPILE_CLAIM_REWARD, sponsored_calldata(agent), GAS_CLAIM,
                         {"agent": agent.lower(), "pending": str(pending)})
