"""Start and stop anvil (the local EVM node from npm) on 127.0.0.1 from Python.

The chain runs with ``--no-mining``: the devnet's block producer (devnet/chain.py) mines every block
itself, so it can credit the RewardPool's 10 PLM per block before each block without racing a
transaction. anvil writes its funded dev accounts to a JSON file at start; they are the well-known
anvil keys, for the devnet only.
"""
from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from devnet.npm_tools import anvil_binary
from devnet.swarm import stop_process_tree

DEVNET_CHAIN_ID = 41956
DEV_ACCOUNT_BALANCE_PLM = 10_000
_LISTENING = re.compile(r"Listening on ([0-9.]+):(\d+)")


class AnvilError(RuntimeError):
    """anvil did not start; the message says why in plain words and carries its log tail."""


class PortInUseError(AnvilError):
    """The port asked for is taken by another program."""


@dataclass(frozen=True)
class DevAccount:
    """A funded devnet account (anvil's well-known dev keys; never use them anywhere else)."""

    address: str
    private_key: str = field(repr=False)

    def local_account(self):
        """The eth-account ``LocalAccount`` for signing."""
        from eth_account import Account

        return Account.from_key(self.private_key)


@dataclass
class AnvilNode:
    """A running anvil: its process, URL and dev accounts."""

    popen: subprocess.Popen
    host: str
    port: int
    chain_id: int
    accounts: list[DevAccount]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def is_running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop anvil (SIGTERM, then SIGKILL after ``timeout``); with ``--state`` it dumps the chain first."""
        stop_process_tree(self.popen.pid, timeout=timeout)
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass


def start_anvil(
    work_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    chain_id: int = DEVNET_CHAIN_ID,
    accounts: int = 10,
    state_file: Optional[Path] = None,
    timeout: float = 30.0,
) -> AnvilNode:
    """Start anvil and wait until it listens; ``port=0`` takes a free port.

    ``state_file`` keeps the chain across restarts (loaded at start, written at stop). Raises
    :class:`PortInUseError` naming the port when a fixed port is taken, ``ToolMissingError`` when
    anvil is not installed, :class:`AnvilError` otherwise.
    """
    binary = anvil_binary()
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    log_path = work_dir / "anvil.log"
    config_path = work_dir / "anvil-accounts.json"
    config_path.unlink(missing_ok=True)
    args = [
        str(binary),
        "--host", host,
        "--port", str(port),
        "--chain-id", str(chain_id),
        "--accounts", str(accounts),
        "--balance", str(DEV_ACCOUNT_BALANCE_PLM),
        "--no-mining",
        "--config-out", str(config_path),
    ]
    if state_file is not None:
        args += ["--state", str(state_file)]
    log = open(log_path, "wb")
    try:
        popen = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()  # the child holds its own descriptor
    deadline = time.monotonic() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        match = _LISTENING.search(text)
        if match and config_path.is_file():
            try:
                config = json.loads(config_path.read_text())
                break
            except ValueError:
                pass  # written but not complete yet
        if popen.poll() is not None:
            raise _start_failure(port, text, popen.returncode)
        if time.monotonic() > deadline:
            stop_process_tree(popen.pid)
            raise AnvilError(f"anvil did not start listening within {timeout:.0f} s.\n{_tail(text)}")
        time.sleep(0.05)
    from eth_utils import to_checksum_address

    dev_accounts = [
        DevAccount(to_checksum_address(address), key)
        for address, key in zip(config["available_accounts"], config["private_keys"])
    ]
    return AnvilNode(popen, match.group(1), int(match.group(2)), chain_id, dev_accounts, log_path)


def _start_failure(port: int, log_text: str, code: int) -> AnvilError:
    if "in use" in log_text.lower():
        return PortInUseError(
            f"Port {port} on 127.0.0.1 is already used by another program, so the local chain cannot start "
            f"there. Stop that program or choose another port (0 picks a free one).\n{_tail(log_text)}"
        )
    return AnvilError(f"anvil exited with code {code} before it was ready.\n{_tail(log_text)}")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
