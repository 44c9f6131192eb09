"""Fixtures for the oracle tests that need the real devnet chain (anvil + emulated precompiles + RPC front).

``devnet_net`` is the session ``devnet`` fixture of tests/conftest.py when there is one (shared with the
other suites), otherwise a devnet of this module's own with short epochs. ``own_chain`` is always a
private chain without an oracle, for tests that start, stop and restart an oracle process themselves (two
oracles signing with one key on one chain would race each other's nonces).
"""
from __future__ import annotations

import pytest


def _start(tmp_path_factory, name: str, with_oracle: bool):
    from devnet.network import Devnet, DevnetConfig

    config = DevnetConfig(state_dir=tmp_path_factory.mktemp(name), blocks_per_epoch=10, block_time=0.3,
                          with_oracle=with_oracle, oracle_job_interval=1.0)
    return Devnet(config).start()


@pytest.fixture(scope="module")
def devnet_net(request, tmp_path_factory):
    try:
        shared = request.getfixturevalue("devnet")
    except pytest.FixtureLookupError:
        shared = None
    if shared is not None:
        yield shared
        return
    net = _start(tmp_path_factory, "devnet", with_oracle=True)
    yield net
    net.stop()


@pytest.fixture(scope="module")
def own_chain(tmp_path_factory):
    net = _start(tmp_path_factory, "chain", with_oracle=False)
    yield net
    net.stop()
