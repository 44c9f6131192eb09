"""Fixtures of the devnet's own tests: a chain without the oracle, mined by hand, for exact rule checks."""
from __future__ import annotations

import pytest

from tests.devnet.chain_helpers import ChainDriver


@pytest.fixture(scope="module")
def bare_chain(tmp_path_factory):
    """anvil + emulation + RPC front, no oracle process, blocks only when a test mines (block_time 1 h).

    Account #1 is the RewardPool's oracle and the sponsor, free to use here because no oracle runs.
    """
    from devnet.network import Devnet, DevnetConfig

    net = Devnet(
        DevnetConfig(
            state_dir=tmp_path_factory.mktemp("bare-chain"),
            blocks_per_epoch=20,
            block_time=3600.0,
            with_oracle=False,
        )
    )
    net.start()
    try:
        yield ChainDriver(net)
    finally:
        net.stop()
