"""The GUI process's own line to the chain: balance/pending reads and the claim.

The client (:class:`chain.client.ChainClient`) is built on first use inside a background operation: web3
takes about a second to import and must never load on the GUI thread. Methods here block; call them
through :func:`app.background.run_in_background`.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional


class ChainAccess:
    def __init__(self, rpc_url: str, chain_id: int, wallet: Any, reward_pool: Optional[str] = None,
                 agent_registry: Optional[str] = None, state_dir: Optional[Path] = None) -> None:
        self.rpc_url = rpc_url
        self.chain_id = chain_id
        self.wallet = wallet
        self.reward_pool = reward_pool
        self.agent_registry = agent_registry
        self.state_dir = state_dir
        self._client = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ChainAccess({self.rpc_url!r}, chain_id={self.chain_id})"

    def client(self):
        with self._lock:
            if self._client is None:
                from chain.client import ChainClient

                kwargs: dict[str, Any] = {"agent_registry": self.agent_registry, "state_dir": self.state_dir}
                if self.reward_pool:
                    kwargs["reward_pool"] = self.reward_pool
                self._client = ChainClient(self.rpc_url, self.chain_id, self.wallet, **kwargs)
            return self._client

    def claim(self):
        """Blocking: ``RewardPool.claimReward()``; returns chain.client.ClaimResult (tx hash, amount)."""
        return self.client().claim()

    def read(self) -> dict:
        """Blocking: balance, pending reward and epoch of the wallet, as NodeStatus chain fields."""
        client = self.client()
        address = self.wallet.address
        return {
            "address": address,
            "balance_wei": client.balance(address),
            "pending_wei": client.pending_reward(address),
            "epoch": client.current_epoch(),
        }
