"""The agent's life on the Plumise chain: registered?, register (self-paid or sponsored), heartbeat, rewards.

Entry point: :class:`ChainClient`. Reads are plain JSON-RPC (:mod:`chain.rpc`, transient failures retried
with backoff); every transaction goes through :meth:`ChainClient.send_transaction`, which

* refuses to sign unless ``eth_chainId`` equals the configured chain id (:class:`WrongChain`),
* simulates the call first, so a call the chain would refuse is refused before it costs a fee,
* checks the balance against gas limit × price (:class:`InsufficientFunds`; a chain whose gas price is 0
  lets an empty wallet through, as PROTOCOL.md §1 says happens),
* picks the nonce under one lock, so concurrent heartbeats and claims never share a nonce,
* uses EIP-1559 fees where the latest block has a base fee, else legacy EIP-155 ``gasPrice``,
* waits for the receipt with a timeout (:class:`TransactionTimeout`) and turns status 0 into
  :class:`TransactionReverted` with the chain's reason.

``web3`` is imported when a client is built, not when this module is imported, so the GUI can import names
from here at start and build the client off its thread.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from chain import protocol
from chain.errors import (
    ChainError,
    InsufficientFunds,
    NothingToClaim,
    RpcUnreachable,
    TransactionReverted,
    TransactionTimeout,
    WrongChain,
)
from chain.files import atomic_write_text

if TYPE_CHECKING:
    from chain.oracle import OracleClient
    from chain.wallet import Wallet

log = logging.getLogger(__name__)

CLAIM_THRESHOLD_WEI = protocol.WEI_PER_PLM  # auto-claim once 1 PLM is pending
REGISTRATIONS_FILE = "registrations.json"
_REWARD_CLAIMED_TOPIC = "0x" + protocol.keccak(text="RewardClaimed(address,uint256)").hex()


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction."""

    tx_hash: str
    block_number: int
    gas_used: int
    fee_wei: int
    logs: tuple = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class RegistrationResult:
    """Outcome of :meth:`ChainClient.register` / :meth:`ChainClient.register_sponsored`.

    ``already`` is True when nothing was sent because the agent was registered before.
    """

    registered: bool
    already: bool = False
    sponsored: bool = False
    tx_hash: str | None = None
    block_number: int | None = None


@dataclass(frozen=True)
class ClaimResult:
    """A claim that landed: ``amount_wei`` is the ``RewardClaimed`` event's amount."""

    tx_hash: str
    amount_wei: int
    block_number: int
    gas_used: int
    fee_wei: int
    via: str


@dataclass(frozen=True)
class Contribution:
    """``RewardPool.getContribution`` of the genesis contract (PROTOCOL.md §5)."""

    task_count: int
    uptime_seconds: int
    response_score: int
    last_updated: int


def _hex_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value.startswith("0x") else int(value)
    raise ChainError(detail=f"expected a quantity, got {type(value).__name__}")


class ChainClient:
    """Talks to one chain for one wallet.

    Args:
        rpc_url: JSON-RPC endpoint (``https://plug.plumise.com/rpc``, the devnet's front, …).
        chain_id: the chain id the network preset expects; nothing is signed for another.
        wallet: the agent's :class:`~chain.wallet.Wallet`; reads of other addresses work without one.
        reward_pool: RewardPool address (genesis ``0x…1000``).
        agent_registry: AgentRegistry address, optional; used by :meth:`is_registered` only when the chain
            lacks ``agent_isAgentAccount``.
        state_dir: where the record of our own successful 0x21 receipt is kept (the last fallback of
            :meth:`is_registered` and the guard against a second registration on a plain EVM).
        request_timeout, rpc_attempts, backoff, max_backoff: transport settings of :class:`chain.rpc.Rpc`.
        receipt_timeout, poll_interval: how long and how often to wait for a receipt.
        fee_mode: ``"auto"`` (EIP-1559 when the chain has a base fee), ``"legacy"`` or ``"eip1559"``.
    """

    def __init__(
        self,
        rpc_url: str,
        chain_id: int,
        wallet: "Wallet | None" = None,
        *,
        reward_pool: str = protocol.REWARD_POOL_ADDRESS,
        agent_registry: str | None = None,
        state_dir: str | Path | None = None,
        request_timeout: float = 10.0,
        rpc_attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.5,
        fee_mode: str = "auto",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from eth_utils import to_checksum_address
        from web3 import Web3

        from chain.abi import load_abi
        from chain.rpc import Rpc

        if fee_mode not in ("auto", "legacy", "eip1559"):
            raise ValueError("fee_mode is 'auto', 'legacy' or 'eip1559'")
        self.rpc_url = rpc_url
        self.chain_id = int(chain_id)
        self.wallet = wallet
        self.reward_pool = to_checksum_address(reward_pool)
        self.agent_registry = to_checksum_address(agent_registry) if agent_registry else None
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        self.fee_mode = fee_mode
        self._sleep = sleep
        self.rpc = Rpc(rpc_url, timeout=request_timeout, attempts=rpc_attempts, backoff=backoff,
                       max_backoff=max_backoff, sleep=sleep)
        codec = Web3()  # no provider: used only to encode calldata from the ABIs
        self._pool = codec.eth.contract(address=self.reward_pool, abi=load_abi("RewardPool"))
        self._registry = (codec.eth.contract(address=self.agent_registry, abi=load_abi("AgentRegistry"))
                          if self.agent_registry else None)
        self._nonce_lock = threading.Lock()
        self._next_nonce: int | None = None
        self._register_lock = threading.Lock()
        self._record_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChainClient({self.rpc_url!r}, chain_id={self.chain_id}, wallet={self.wallet!r})"

    # ---- basics -------------------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return self._need_wallet().address

    def _need_wallet(self) -> "Wallet":
        if self.wallet is None:
            raise ChainError("Set up a wallet first.", detail="this ChainClient has no wallet")
        return self.wallet

    def _addr(self, address: str | None) -> str:
        from eth_utils import to_checksum_address

        return to_checksum_address(address) if address else self.address

    def check_chain(self) -> int:
        """The endpoint's chain id; :class:`WrongChain` unless it is the configured one."""
        actual = _hex_int(self.rpc.call("eth_chainId"))
        if actual != self.chain_id:
            raise WrongChain(self.chain_id, actual, detail=f"{self.rpc_url} serves chain {actual}")
        return actual

    def block_number(self) -> int:
        return _hex_int(self.rpc.call("eth_blockNumber"))

    def balance(self, address: str | None = None) -> int:
        """Balance in wei."""
        return _hex_int(self.rpc.call("eth_getBalance", [self._addr(address), "latest"]))

    # ---- contract reads -----------------------------------------------------------------------------------

    def _eth_call(self, to: str, data: str | bytes, sender: str | None = None, block: str = "latest") -> bytes:
        from chain.rpc import RpcErrorAnswer

        call: dict[str, Any] = {"to": to, "data": data if isinstance(data, str) else "0x" + data.hex()}
        if sender:
            call["from"] = sender
        try:
            result = self.rpc.call("eth_call", [call, block])
        except RpcErrorAnswer as exc:
            reason = exc.revert_reason
            if reason is not None or "revert" in exc.message.lower():
                raise TransactionReverted(reason, detail=f"eth_call to {to} reverted: {exc.message}") from None
            raise ChainError(detail=f"eth_call to {to}: {exc.message}") from None
        return bytes.fromhex((result or "0x")[2:])

    def _read(self, contract: Any, fn: str, args: Sequence[Any], out_types: list[str]) -> tuple:
        from eth_abi import decode

        raw = self._eth_call(contract.address, contract.encode_abi(fn, args=list(args)))
        if not raw:
            raise ChainError(
                "The Plumise network answered in an unexpected way. Check the network setting.",
                detail=f"{fn} at {contract.address} returned no data (no contract there?)",
            )
        return decode(out_types, raw)

    def pending_reward(self, address: str | None = None) -> int:
        """``RewardPool.getPendingReward``: wei claimable now."""
        return self._read(self._pool, "getPendingReward", [self._addr(address)], ["uint256"])[0]

    def current_epoch(self) -> int:
        """``RewardPool.getCurrentEpoch``."""
        return self._read(self._pool, "getCurrentEpoch", [], ["uint256"])[0]

    def contribution(self, address: str | None = None) -> Contribution:
        """``RewardPool.getContribution`` (genesis 4-field version)."""
        values = self._read(self._pool, "getContribution", [self._addr(address)], ["uint256"] * 4)
        return Contribution(*values)

    # ---- registration -------------------------------------------------------------------------------------

    def is_registered(self, address: str | None = None) -> bool:
        """PROTOCOL.md §4 decision order: ``agent_isAgentAccount`` → ``AgentRegistry.isRegistered`` (when
        configured) → our own persisted record of a successful 0x…21 receipt."""
        from chain.rpc import RpcErrorAnswer

        addr = self._addr(address)
        try:
            answer = self.rpc.call("agent_isAgentAccount", [addr, "latest"])
        except RpcErrorAnswer as exc:
            if not exc.method_missing:
                raise ChainError(detail=f"agent_isAgentAccount: {exc.message}") from None
            log.debug("agent_isAgentAccount unavailable (%s); falling back", exc.message)
        else:
            return answer is True or (isinstance(answer, str) and _hex_int(answer) != 0)
        if self._registry is not None:
            return bool(self._read(self._registry, "isRegistered", [addr], ["bool"])[0])
        return self._has_record(addr)

    def _records_path(self) -> Path | None:
        return self.state_dir / REGISTRATIONS_FILE if self.state_dir is not None else None

    def _load_records(self) -> dict:
        path = self._records_path()
        if path is None or not path.exists():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            log.warning("registration record %s is unreadable; ignoring it", path)
            return {}

    def _record_key(self, address: str) -> str:
        return f"{self.chain_id}:{address.lower()}"

    def _has_record(self, address: str) -> bool:
        with self._record_lock:
            return self._record_key(address) in self._load_records()

    def _save_record(self, address: str, entry: dict) -> None:
        path = self._records_path()
        if path is None:
            return
        with self._record_lock:
            records = self._load_records()
            records[self._record_key(address)] = entry
            atomic_write_text(path, json.dumps(records, indent=1, sort_keys=True))

    def register(self, model_id: str, capabilities: Sequence[bytes] = ()) -> RegistrationResult:
        """Register this wallet as an agent through 0x…21 (self-paid), unless it already is one.

        Calldata is PROTOCOL.md §3's: name ``<model short name>-<last 8 hex>`` ‖ keccak(model id) ‖ capCount
        ‖ capabilities. Never sends a second registration: checks first (under a lock), and a revert that
        turns out to mean "already registered" is reported as such.
        """
        address = self.address
        with self._register_lock:
            if self.is_registered():
                return RegistrationResult(registered=True, already=True)
            data = protocol.register_calldata(protocol.agent_name(model_id, address), model_id, tuple(capabilities))
            try:
                tx = self.send_transaction(protocol.PRECOMPILE_REGISTER_AGENT, data, protocol.GAS_REGISTER,
                                           what="registration")
            except TransactionReverted:
                if self.is_registered():
                    return RegistrationResult(registered=True, already=True)
                raise
            self._save_record(address, {"tx": tx.tx_hash, "block": tx.block_number, "model": model_id,
                                        "at": int(time.time())})
            log.info("registered %s as an agent for %s in block %d", address, model_id, tx.block_number)
            return RegistrationResult(registered=True, tx_hash=tx.tx_hash, block_number=tx.block_number)

    def register_sponsored(
        self,
        oracle: "OracleClient",
        endpoint: str,
        capabilities: Sequence[str],
        benchmark_tok_per_sec: float | None = None,
        wait_s: float = 60.0,
    ) -> RegistrationResult:
        """Ask the Oracle to pay for the 0x…21 registration (``POST /api/nodes/register``), for a wallet
        that cannot pay gas; waits up to ``wait_s`` until the chain shows the agent."""
        address = self.address
        with self._register_lock:
            if self.is_registered():
                return RegistrationResult(registered=True, already=True)
            answer = oracle.register_node(self._need_wallet(), endpoint, list(capabilities), benchmark_tok_per_sec)
            deadline = time.monotonic() + wait_s
            while not self.is_registered():
                if time.monotonic() > deadline:
                    raise TransactionTimeout(answer.get("sponsoredTx"), wait_s,
                                             detail="the oracle accepted the registration but the chain does not "
                                                    f"show {address} as an agent yet")
                self._sleep(self.poll_interval)
            tx_hash = answer.get("sponsoredTx") if isinstance(answer, dict) else None
            self._save_record(address, {"tx": tx_hash, "sponsored": True, "at": int(time.time())})
            log.info("registered %s through the oracle's sponsorship", address)
            return RegistrationResult(registered=True, sponsored=True, tx_hash=tx_hash)

    def ensure_registered(
        self,
        model_id: str,
        oracle: "OracleClient | None" = None,
        endpoint: str | None = None,
        capabilities: Sequence[str] | None = None,
    ) -> RegistrationResult:
        """Registered already → nothing; else self-paid 0x…21; if the wallet cannot pay and an oracle and an
        endpoint are given, the sponsored path (capabilities default to ``[model_id]``)."""
        try:
            return self.register(model_id)
        except InsufficientFunds:
            if oracle is None or endpoint is None:
                raise
            log.info("wallet cannot pay for registration; asking the oracle to sponsor it")
            return self.register_sponsored(oracle, endpoint, list(capabilities or [model_id]))

    def heartbeat(self) -> TxResult:
        """0x…22 with empty calldata (agent = sender), gas limit 100 000."""
        return self.send_transaction(protocol.PRECOMPILE_HEARTBEAT, b"", protocol.GAS_HEARTBEAT, what="heartbeat")

    # ---- rewards --------------------------------------------------------------------------------------------

    def claim(self, via: str = "contract") -> ClaimResult:
        """Claim the pending reward through ``RewardPool.claimReward()`` (``via="contract"``) or the 0x…23
        precompile (``via="precompile"``). Refused before sending when nothing is pending
        (:class:`NothingToClaim`). The amount is the ``RewardClaimed`` event's."""
        if via not in ("contract", "precompile"):
            raise ValueError("via is 'contract' or 'precompile'")
        pending = self.pending_reward()
        if pending == 0:
            raise NothingToClaim(detail=f"getPendingReward({self.address}) is 0")
        if via == "contract":
            to, data = self.reward_pool, self._pool.encode_abi("claimReward", args=[])
            gas = self._estimate_gas(to, data, fallback=protocol.GAS_CLAIM)
        else:
            to, data, gas = protocol.PRECOMPILE_CLAIM_REWARD, b"", protocol.GAS_CLAIM
        tx = self.send_transaction(to, data, gas, what="claim")
        amount = self._claimed_amount(tx.logs)
        log.info("claimed %d wei in block %d via %s", amount, tx.block_number, via)
        return ClaimResult(tx.tx_hash, amount, tx.block_number, tx.gas_used, tx.fee_wei, via)

    def claim_if_above(self, threshold_wei: int = CLAIM_THRESHOLD_WEI, via: str = "contract") -> ClaimResult | None:
        """Auto-claim: claim when pending ≥ ``threshold_wei``; None when below (nothing sent)."""
        pending = self.pending_reward()
        if pending < max(1, threshold_wei):
            return None
        return self.claim(via)

    def _claimed_amount(self, logs: Sequence[dict]) -> int:
        me = "0x" + "00" * 12 + self.address[2:].lower()
        total = 0
        for entry in logs:
            topics = [t.lower() for t in entry.get("topics", [])]
            if (entry.get("address", "").lower() == self.reward_pool.lower() and len(topics) >= 2
                    and topics[0] == _REWARD_CLAIMED_TOPIC and topics[1] == me):
                total += _hex_int(entry.get("data") or "0x0")
        return total

    # ---- transactions -------------------------------------------------------------------------------------

    def _estimate_gas(self, to: str, data: str | bytes, fallback: int) -> int:
        from chain.rpc import RpcErrorAnswer

        call = {"from": self.address, "to": to, "data": data if isinstance(data, str) else "0x" + data.hex()}
        try:
            estimate = _hex_int(self.rpc.call("eth_estimateGas", [call]))
        except RpcErrorAnswer as exc:
            reason = exc.revert_reason
            if reason is not None or "revert" in exc.message.lower():
                raise TransactionReverted(reason, detail=f"simulation of the call to {to}: {exc.message}") from None
            return fallback
        return max(fallback, estimate * 13 // 10)  # margin: state may change between estimate and mining

    def _fees(self) -> tuple[dict, int]:
        """Fee fields for the transaction and the worst-case price per gas."""
        from chain.rpc import RpcErrorAnswer

        block = self.rpc.call("eth_getBlockByNumber", ["latest", False]) or {}
        base = block.get("baseFeePerGas")
        if self.fee_mode == "eip1559" or (self.fee_mode == "auto" and base is not None):
            base_fee = _hex_int(base) if base is not None else 0
            try:
                tip = _hex_int(self.rpc.call("eth_maxPriorityFeePerGas"))
            except RpcErrorAnswer:
                tip = max(0, _hex_int(self.rpc.call("eth_gasPrice")) - base_fee)
            max_fee = 2 * base_fee + tip  # survives a few full blocks of base-fee growth
            return {"type": 2, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip}, max_fee
        price = _hex_int(self.rpc.call("eth_gasPrice"))
        return {"gasPrice": price}, price

    def send_transaction(self, to: str, data: bytes | str, gas: int, value: int = 0,
                         what: str = "transaction") -> TxResult:
        """Sign and send one transaction from the wallet, wait for its receipt; see the module docstring."""
        from eth_utils import keccak, to_checksum_address

        wallet = self._need_wallet()
        data_hex = data if isinstance(data, str) else "0x" + data.hex()
        self.check_chain()
        self._simulate(to, data_hex, gas, value)
        with self._nonce_lock:
            fees, price = self._fees()
            balance = self.balance()
            cost = gas * price + value
            if balance < cost:
                raise InsufficientFunds(
                    detail=f"{what}: balance {balance} wei < gas {gas} x {price} wei + value {value}")
            for _ in range(3):
                nonce = self._pick_nonce(wallet.address)
                tx = {"chainId": self.chain_id, "nonce": nonce, "to": to_checksum_address(to), "value": value,
                      "data": data_hex, "gas": gas, **fees}
                raw = wallet.sign_transaction(tx)
                tx_hash = "0x" + keccak(raw).hex()
                if self._broadcast(raw, tx_hash, what):
                    break
                self._next_nonce = None  # our view of the nonce was stale: ask the chain again
            else:
                raise ChainError(detail=f"{what}: nonce kept being too low after 3 tries")
            self._next_nonce = nonce + 1
        log.info("%s sent (nonce %d), waiting for its receipt", what, nonce)
        receipt = self._wait_receipt(tx_hash)
        block = _hex_int(receipt.get("blockNumber"))
        gas_used = _hex_int(receipt.get("gasUsed", "0x0"))
        fee = gas_used * _hex_int(receipt.get("effectiveGasPrice", "0x0"))
        if _hex_int(receipt.get("status", "0x0")) != 1:
            reason = self._revert_reason_of(to, data_hex, gas, value, block)
            raise TransactionReverted(reason, tx_hash, detail=f"{what} {tx_hash} reverted in block {block}: {reason}")
        return TxResult(tx_hash, block, gas_used, fee, tuple(receipt.get("logs") or ()))

    def _simulate(self, to: str, data_hex: str, gas: int, value: int) -> None:
        """eth_call the transaction first: a revert costs nothing when it is found here."""
        from chain.rpc import RpcErrorAnswer

        call = {"from": self.address, "to": to, "data": data_hex, "gas": hex(gas), "value": hex(value)}
        try:
            self.rpc.call("eth_call", [call, "latest"])
        except RpcErrorAnswer as exc:
            reason = exc.revert_reason
            if reason is not None or "revert" in exc.message.lower():
                raise TransactionReverted(reason, detail=f"simulation of the call to {to}: {exc.message}") from None
            log.debug("simulation of the call to %s answered %s; sending anyway", to, exc.message)

    def _pick_nonce(self, address: str) -> int:
        pending = _hex_int(self.rpc.call("eth_getTransactionCount", [address, "pending"]))
        # A load-balanced RPC may not show our last transaction in "pending" yet: never go below what we used.
        return max(pending, self._next_nonce or 0)

    def _broadcast(self, raw: bytes, tx_hash: str, what: str) -> bool:
        """Send ``raw``; True when the node has it, False when the nonce was stale (caller re-signs)."""
        from chain.rpc import RpcErrorAnswer

        try:
            self.rpc.call("eth_sendRawTransaction", ["0x" + raw.hex()])
            return True
        except RpcErrorAnswer as exc:
            text = exc.message.lower()
            if "already known" in text or "known transaction" in text or "already imported" in text:
                return True  # a retried send that had arrived the first time
            if "nonce too low" in text or "nonce is too low" in text or "replacement transaction" in text:
                try:
                    if self.rpc.call("eth_getTransactionByHash", [tx_hash]):
                        return True
                except RpcErrorAnswer:
                    pass
                return False
            if "insufficient funds" in text:
                raise InsufficientFunds(detail=f"{what}: {exc.message}") from None
            raise ChainError(
                "The Plumise network did not accept the transaction. Please try again later.",
                detail=f"{what}: eth_sendRawTransaction: {exc.message}",
            ) from None

    def _wait_receipt(self, tx_hash: str) -> dict:
        deadline = time.monotonic() + self.receipt_timeout
        while True:
            try:
                receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash], attempts=1)
            except RpcUnreachable:
                receipt = None  # keep waiting: the deadline, not one failed poll, decides
            if receipt:
                return receipt
            if time.monotonic() >= deadline:
                with self._nonce_lock:
                    self._next_nonce = None  # the transaction may have been dropped: trust the chain's count
                raise TransactionTimeout(tx_hash, self.receipt_timeout)
            self._sleep(self.poll_interval)

    def _revert_reason_of(self, to: str, data_hex: str, gas: int, value: int, block: int) -> str | None:
        from chain.rpc import RpcErrorAnswer

        call = {"from": self.address, "to": to, "data": data_hex, "gas": hex(gas), "value": hex(value)}
        try:
            self.rpc.call("eth_call", [call, hex(max(0, block - 1))], attempts=2)
        except RpcErrorAnswer as exc:
            return exc.revert_reason
        except ChainError:
            return None
        return None


class HeartbeatScheduler:
    """Sends :meth:`ChainClient.heartbeat` every ``interval`` seconds on a daemon thread.

    A failed heartbeat is recorded (``last_error``, ``failures``) and logged, and the next one is tried after
    ``retry_after`` seconds (at most ``interval``): no failure ever ends the loop. ``on_result(result, error)``
    is called after each attempt (from the scheduler's thread).
    """

    def __init__(
        self,
        client: ChainClient,
        interval: float = protocol.HEARTBEAT_INTERVAL_S,
        retry_after: float = 30.0,
        initial_delay: float = 0.0,
        on_result: Callable[[TxResult | None, BaseException | None], None] | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.retry_after = min(retry_after, interval)
        self.initial_delay = initial_delay
        self.on_result = on_result
        self.last_result: TxResult | None = None
        self.last_error: BaseException | None = None
        self.beats = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="plumise-heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def beat(self) -> TxResult | None:
        """One heartbeat now; returns the result or None (the error is kept in ``last_error``)."""
        result: TxResult | None = None
        error: BaseException | None = None
        try:
            result = self.client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - a heartbeat failure must never end the loop
            error = exc
            self.failures += 1
            self.last_error = exc
            log.warning("heartbeat failed: %s (%s)", exc, getattr(exc, "detail", type(exc).__name__))
        else:
            self.beats += 1
            self.last_result = result
            self.last_error = None
        if self.on_result is not None:
            try:
                self.on_result(result, error)
            except Exception:  # noqa: BLE001
                log.exception("heartbeat callback failed")
        return result

    def _run(self) -> None:
        delay = self.initial_delay
        while not self._stop.wait(delay):
            ok = self.beat() is not None
            delay = self.interval if ok else self.retry_after
