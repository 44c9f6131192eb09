"""The Plumise chain emulation on anvil: precompiles, RewardPool, AgentRegistry and block rewards.

:class:`DevnetChain` installs the compiled contracts of devnet/contracts at the protocol's fixed
addresses with ``anvil_setCode`` (PROTOCOL.md §3, §5) and produces every block itself: before each
block it adds 10 PLM to the RewardPool's balance, the way the real chain's consensus credits the pool
(no call, no event; ``syncRewards`` counts it). anvil runs with ``--no-mining``, and all block
production goes through :meth:`DevnetChain.mine` under one lock, so a reward credit can never race a
transaction that spends the pool's balance.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Optional, Sequence

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from chain.protocol import (
    AGENT_REGISTRY_ADDRESS,
    PRECOMPILE_CLAIM_REWARD,
    PRECOMPILE_HEARTBEAT,
    PRECOMPILE_REGISTER_AGENT,
    PRECOMPILE_VERIFY_INFERENCE,
    REWARD_POOL_ADDRESS,
    WEI_PER_PLM,
)
from devnet.anvil import DevAccount
from devnet.jsonrpc import RpcClient, RpcError
from devnet.solc import load_artifact

log = logging.getLogger(__name__)

BLOCK_REWARD_WEI = 10 * WEI_PER_PLM
DEFAULT_BLOCKS_PER_EPOCH = 1200

# contract name in devnet/contracts/build -> the address it is installed at
INSTALLED_CODE = {
    "AgentRegistry": AGENT_REGISTRY_ADDRESS,
    "RewardPool": REWARD_POOL_ADDRESS,
    "RegisterAgentPrecompile": PRECOMPILE_REGISTER_AGENT,
    "HeartbeatPrecompile": PRECOMPILE_HEARTBEAT,
    "ClaimRewardPrecompile": PRECOMPILE_CLAIM_REWARD,
    "VerifyInferencePrecompile": PRECOMPILE_VERIFY_INFERENCE,
}


class ChainSetupError(RuntimeError):
    """Installing the emulation failed; the message says which step."""


def calldata(signature: str, types: Sequence[str] = (), values: Sequence[Any] = ()) -> str:
    """ABI calldata for ``signature`` (e.g. ``"getPendingReward(address)"``) as 0x-hex."""
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(list(types), list(values))).hex()


class DevnetChain:
    """The emulated Plumise chain on a running anvil reachable at ``rpc``."""

    def __init__(
        self,
        rpc: RpcClient,
        deployer: DevAccount,
        sponsor: str,
        blocks_per_epoch: int = DEFAULT_BLOCKS_PER_EPOCH,
        block_reward_wei: int = BLOCK_REWARD_WEI,
    ) -> None:
        if blocks_per_epoch < 1:
            raise ValueError("blocks_per_epoch must be at least 1")
        self.rpc = rpc
        self.deployer = deployer
        self.sponsor = to_checksum_address(sponsor)
        self.blocks_per_epoch = blocks_per_epoch
        self.block_reward_wei = block_reward_wei
        self._mine_lock = threading.Lock()
        self._producer: Optional[threading.Thread] = None
        self._stop_producer = threading.Event()

    # ---- installation ----

    def is_installed(self) -> bool:
        """True when the RewardPool at 0x…1000 is already initialized (e.g. a chain loaded from a state file)."""
        try:
            return bool(self.read_uint(REWARD_POOL_ADDRESS, "initialized()"))
        except (RpcError, ValueError):
            return False

    def install(self) -> None:
        """Put the contract code at its fixed addresses and initialize it (skipped on a loaded chain)."""
        for name, address in INSTALLED_CODE.items():
            # Code is refreshed even on a loaded chain, so a recompiled emulation takes effect.
            self.rpc.call("anvil_setCode", [address, load_artifact(name)["deployedBytecode"]])
        if self.is_installed():
            epoch_length = self.read_uint(REWARD_POOL_ADDRESS, "blocksPerEpoch()")
            if epoch_length != self.blocks_per_epoch:
                log.warning("loaded chain has %d blocks per epoch (asked for %d)", epoch_length, self.blocks_per_epoch)
                self.blocks_per_epoch = epoch_length
            return
        self.rpc.call("anvil_setBalance", [REWARD_POOL_ADDRESS, "0x0"])
        tx_hashes = [
            self._send(AGENT_REGISTRY_ADDRESS, calldata("initialize(address)", ["address"], [self.sponsor])),
            self._send(
                REWARD_POOL_ADDRESS,
                calldata(
                    "initialize(address,address,uint256)",
                    ["address", "address", "uint256"],
                    [self.sponsor, AGENT_REGISTRY_ADDRESS, self.blocks_per_epoch],
                ),
            ),
        ]
        self.mine(1)
        for tx_hash in tx_hashes:
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is None or int(receipt["status"], 16) != 1:
                raise ChainSetupError(f"initializing the devnet contracts failed (transaction {tx_hash})")

    def _send(self, to: str, data: str) -> str:
        # anvil keeps its dev accounts unlocked, so the deployer needs no signing here.
        return self.rpc.call("eth_sendTransaction", [{"from": self.deployer.address, "to": to, "data": data, "gas": hex(1_000_000)}])

    # ---- block production ----

    def mine(self, blocks: int = 1) -> int:
        """Mine ``blocks`` blocks (pending transactions go into the first), crediting the pool first.

        Returns the new head's number.
        """
        if blocks < 1:
            raise ValueError("blocks must be at least 1")
        return self.mine_via("anvil_mine", [hex(blocks)], blocks)

    def mine_via(self, method: str, params: list, blocks: int) -> int:
        """Run a mining RPC (``evm_mine`` / ``anvil_mine`` with the caller's params) after the reward credit."""
        with self._mine_lock:
            balance = int(self.rpc.call("eth_getBalance", [REWARD_POOL_ADDRESS, "latest"]), 16)
            self.rpc.call("anvil_setBalance", [REWARD_POOL_ADDRESS, hex(balance + self.block_reward_wei * blocks)])
            self.rpc.call(method, params)
            return int(self.rpc.call("eth_blockNumber"), 16)

    def start_producer(self, block_time: float) -> None:
        """Mine one block every ``block_time`` seconds on a background thread until :meth:`stop_producer`."""
        if self._producer is not None:
            return
        self._stop_producer.clear()

        def produce() -> None:
            failures = 0
            while not self._stop_producer.wait(block_time):
                try:
                    self.mine(1)
                    failures = 0
                except Exception as exc:  # anvil restarting or gone: say so, keep trying a while
                    failures += 1
                    if failures in (1, 20):
                        log.warning("block producer could not mine: %s", exc)

        self._producer = threading.Thread(target=produce, name="devnet-block-producer", daemon=True)
        self._producer.start()

    def stop_producer(self) -> None:
        self._stop_producer.set()
        if self._producer is not None:
            self._producer.join(10)
            self._producer = None

    # ---- reads and time helpers ----

    def eth_call(self, to: str, data: str, block: Any = "latest") -> bytes:
        result = self.rpc.call("eth_call", [{"to": to, "data": data}, block])
        return bytes.fromhex(result[2:])

    def read_uint(self, to: str, signature: str, types: Sequence[str] = (), values: Sequence[Any] = ()) -> int:
        raw = self.eth_call(to, calldata(signature, types, values))
        if len(raw) < 32:
            raise ValueError(f"{signature} at {to} returned no value (is the code installed?)")
        return decode(["uint256"], raw[:32])[0]

    def block_number(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    def current_epoch(self) -> int:
        """``RewardPool.getCurrentEpoch()`` at the latest block."""
        return self.read_uint(REWARD_POOL_ADDRESS, "getCurrentEpoch()")

    def advance_to_next_epoch(self) -> int:
        """Mine until ``getCurrentEpoch()`` at the latest block has grown by one; returns the new epoch."""
        start = self.current_epoch()
        deploy_block = self.read_uint(REWARD_POOL_ADDRESS, "deployBlock()")
        while True:
            # The background producer may mine meanwhile, so recompute instead of trusting one estimate.
            into_epoch = (self.block_number() - deploy_block) % self.blocks_per_epoch
            self.mine(max(1, self.blocks_per_epoch - into_epoch))
            epoch = self.current_epoch()
            if epoch > start:
                return epoch

    def advance_time(self, seconds: int) -> int:
        """Move the chain clock forward by ``seconds`` and mine a block; returns the new head's timestamp."""
        self.rpc.call("evm_increaseTime", [int(seconds)])
        self.mine(1)
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def wait_for_receipt(self, tx_hash: str, timeout: float = 30.0) -> dict:
        """The receipt of ``tx_hash`` once mined (by the producer or by :meth:`mine`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            receipt = self.rpc.call("eth_getTransactionReceipt", [tx_hash])
            if receipt is not None:
                return receipt
            time.sleep(0.05)
        raise TimeoutError(f"transaction {tx_hash} was not mined within {timeout:.0f} s")
