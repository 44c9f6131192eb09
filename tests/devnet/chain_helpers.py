"""Sending transactions and reading contracts on a devnet from tests, through the RPC front with web3.py."""
from __future__ import annotations

from typing import Any, Optional

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError

from devnet.solc import load_artifact


class ChainDriver:
    """A :class:`devnet.network.Devnet` plus web3 contract objects and a send-and-mine helper."""

    def __init__(self, net, mine_after_send: bool = True) -> None:
        self.net = net
        self.w3: Web3 = net.web3()
        self.pool = self.w3.eth.contract(address=net.reward_pool, abi=load_artifact("RewardPool")["abi"])
        self.registry = self.w3.eth.contract(address=net.agent_registry, abi=load_artifact("AgentRegistry")["abi"])
        self.mine_after_send = mine_after_send

    @property
    def oracle(self):
        return self.net.accounts[1]

    def new_account(self, plm: int = 10):
        return self.net.new_account(fund_wei=plm * 10**18)

    def send(self, account, to: str, data: bytes | str = b"", gas: int = 300_000, value: int = 0) -> dict:
        """Sign a legacy EIP-155 transaction, send it through the front, get it mined; returns the receipt."""
        if isinstance(data, bytes):
            data = "0x" + data.hex()
        tx = {
            "to": Web3.to_checksum_address(to),
            "data": data,
            "gas": gas,
            "gasPrice": self.w3.eth.gas_price,
            "nonce": self.w3.eth.get_transaction_count(account.address, "pending"),
            "chainId": self.net.chain_id,
            "value": value,
        }
        signed = Account.from_key(account.private_key).sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        if self.mine_after_send:
            self.net.mine(1)
        return self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.05)

    def send_call(self, account, fn, gas: int = 300_000) -> dict:
        """Send a contract function call (``contract.functions.x(...)``) from ``account``."""
        return self.send(account, fn.address, fn._encode_transaction_data(), gas)

    def revert_reason(self, account, fn) -> Optional[str]:
        """The revert reason ``fn`` would give when sent by ``account`` (None if it would succeed)."""
        try:
            fn.call({"from": account.address})
        except ContractLogicError as exc:
            return str(exc.message if hasattr(exc, "message") else exc)
        return None

    def rpc(self, method: str, params: list) -> dict:
        """The whole JSON-RPC reply (``result`` or ``error``) for a raw request to the front."""
        return self.w3.provider.make_request(method, params)

    def gas_cost(self, receipt: Any) -> int:
        return receipt["gasUsed"] * receipt["effectiveGasPrice"]
