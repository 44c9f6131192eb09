"""What the ``devnet`` network preset runs: the devnet's own processes and the flags of the node that
earns on it. Both the desktop app (app/devnet_runner.py) and the headless demo (devnet/demo.py) use
these, so the two show the same network.

The devnet serves the first half of the tiny model's blocks and sends real inference through the swarm;
the earning node serves the rest, so every generation passes through it and the tokens it counts are
real. Light on purpose (json only): the GUI process imports it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

FAUCET_WEI = 10 * 10**18  # gas money for the earning wallet, from the devnet faucet (anvil_setBalance)


def split_blocks(num_layers: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(the devnet's own server's blocks, the earning node's blocks), each [start, end): the first half
    and the rest, so that a generation needs both."""
    if num_layers < 2:
        raise ValueError(f"a model with {num_layers} block(s) cannot be split between two servers")
    half = num_layers // 2
    return (0, half), (half, num_layers)


def devnet_model_layers() -> int:
    """How many blocks the devnet's tiny BLOOM has (its spec is what writes the model's config)."""
    from devnet.models import TINY_BLOOM  # torch is imported only when a model is built

    return TINY_BLOOM.num_layers


def model_layers(model_dir: Path) -> int:
    """Number of transformer blocks from a model folder's config.json (BLOOM: n_layer; Llama and most
    others: num_hidden_layers)."""
    config = json.loads((Path(model_dir) / "config.json").read_text())
    for key in ("num_hidden_layers", "n_layer", "num_layers"):
        if isinstance(config.get(key), int):
            return config[key]
    raise ValueError(f"{model_dir}/config.json does not say how many layers the model has")


def _range_flag(blocks: tuple[int, int]) -> str:
    return f"{blocks[0]}:{blocks[1]}"


def devnet_args(state_dir: Path, num_layers: Optional[int] = None) -> list[str]:
    """Arguments of ``python -m devnet.network`` for the preset: short epochs so rewards show within a
    minute, a block server for the devnet's half of the model, and the load client."""
    devnet_blocks, _node_blocks = split_blocks(num_layers if num_layers is not None else devnet_model_layers())
    return [
        "--state-dir", str(state_dir),
        "--fresh-chain",
        "--blocks-per-epoch", "20",
        "--block-time", "1",
        "--oracle-job-interval", "1",
        "--serve", _range_flag(devnet_blocks),
        "--load-interval", "2",
        "--model", "bloom",
    ]


def node_flags(info: dict, status_port: int, num_layers: Optional[int] = None) -> list[str]:
    """``serve`` flags that point the earning node at the running devnet (``info`` is the devnet's ready
    line); its blocks are the part of the model the devnet does not serve, from the model's own config
    (read unless ``num_layers`` is given)."""
    layers = num_layers if num_layers is not None else model_layers(Path(info["model_dir"]))
    _devnet_blocks, node_blocks = split_blocks(layers)
    flags = [
        "--network", "devnet",
        "--rpc-url", info["rpc_url"],
        "--chain-id", str(info["chain_id"]),
        "--model", str(info["model_dir"]),
        "--dht-prefix", str(info["dht_prefix"]),
        "--block-indices", _range_flag(node_blocks),
        "--host", "127.0.0.1",
        "--port", "0",
        "--status-port", str(status_port),
        "--report-interval", "10",
    ]
    if info.get("oracle_url"):
        flags += ["--oracle-url", info["oracle_url"]]
    if info.get("bootstrap_maddrs"):
        flags += ["--initial-peers", *info["bootstrap_maddrs"]]
    return flags


def fund_from_faucet(info: dict, address: str, wei: int = FAUCET_WEI) -> None:
    """Give ``address`` gas money on the devnet (an HTTP call: keep it off a GUI thread)."""
    from devnet.jsonrpc import RpcClient  # stdlib only

    rpc = RpcClient(info.get("anvil_url") or info["rpc_url"])
    balance = int(rpc.call("eth_getBalance", [address, "latest"]), 16)
    if balance < wei:
        rpc.call("anvil_setBalance", [address, hex(wei)])
