"""Shared fixtures. Qt must see QT_QPA_PLATFORM=offscreen before any QApplication exists."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """Where tiny models are built: the user's cache (shared across runs) unless overridden."""
    from devnet.models import default_cache_dir

    return default_cache_dir()


@pytest.fixture(scope="session")
def tiny_bloom(model_cache) -> Path:
    from devnet.models import TINY_BLOOM, build_model

    return build_model(TINY_BLOOM, model_cache)


@pytest.fixture(scope="session")
def tiny_llama(model_cache) -> Path:
    from devnet.models import TINY_LLAMA, build_model

    return build_model(TINY_LLAMA, model_cache)


@pytest.fixture(scope="session")
def devnet(tmp_path_factory):
    """A running local Plumise network for the whole test session (devnet/network.py ``Devnet``).

    Started once in a temporary state dir: anvil (chain id 41956) with the emulated precompiles
    (0x…20–0x…23), RewardPool (0x…1000) and AgentRegistry, a block producer mining every 0.25 s with
    10 PLM per block into the pool, the JSON-RPC front (agent_* methods of PROTOCOL.md §4) and the
    real local oracle (``python -m devnet.oracle``, job tick 0.5 s). Epochs are 20 blocks (~5 s).
    No swarm: tests that need one start ``devnet.swarm.LocalSwarm`` themselves.

    The yielded object has:
      - ``rpc_url`` (the front: use it for everything), ``chain_id`` (41956), ``oracle_url``;
        ``anvil_url`` (anvil itself: a plain EVM without the agent_* methods, for fallback tests;
        transactions sent there are mined by the same producer);
      - ``accounts``: list of objects with ``.address``, ``.private_key`` (and ``.local_account()``):
        #0 faucet/deployer, #1 the oracle's own key (the RewardPool's oracle and the precompiles'
        sponsor; the oracle process sends from it, so do not send transactions from #1 here), #2… free
        but shared by the whole session: prefer ``new_account(fund_wei=…)`` for a wallet of your own;
      - ``reward_pool``, ``agent_registry`` (addresses), ``blocks_per_epoch``;
      - ``mine(n)``, ``advance_to_next_epoch()``, ``current_epoch()``, ``advance_time(seconds)``,
        ``fund(address, wei)``, ``new_account(fund_wei=0)``, ``web3()``, ``wait_for_receipt(hash)``.
    Blocks keep coming in the background, so never assume two calls land in the same block or epoch.
    """
    from devnet.network import Devnet, DevnetConfig

    net = Devnet(
        DevnetConfig(
            state_dir=tmp_path_factory.mktemp("devnet"),
            blocks_per_epoch=20,
            block_time=0.25,
            oracle_job_interval=0.5,
        )
    )
    net.start()
    try:
        yield net
    finally:
        net.stop()
