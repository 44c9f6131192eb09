"""resources/abi/ against the devnet's compiled emulation: every entry we use exists with the same types."""
from __future__ import annotations

import json

import pytest

from chain.abi import load_abi
from tests.helpers import REPO_ROOT

BUILD = REPO_ROOT / "devnet" / "contracts" / "build"


def _signatures(abi) -> dict[str, tuple]:
    out = {}
    for entry in abi:
        if entry.get("type") not in ("function", "event"):
            continue
        inputs = tuple(i["type"] if i["type"] != "tuple" else "(" + ",".join(c["type"] for c in i["components"]) + ")"
                       for i in entry["inputs"])
        outputs = []
        for o in entry.get("outputs", []):
            outputs += [c["type"] for c in o["components"]] if o["type"] == "tuple" else [o["type"]]
        indexed = tuple(i.get("indexed", False) for i in entry["inputs"]) if entry["type"] == "event" else ()
        out[f"{entry['name']}({','.join(inputs)})"] = (tuple(outputs), indexed)
    return out


@pytest.mark.parametrize("name", ["RewardPool", "AgentRegistry"])
def test_abi_matches_the_devnet_contract(name):
    artifact = BUILD / f"{name}.json"
    if not artifact.exists():
        pytest.skip(f"{artifact} not built")
    ours = _signatures(load_abi(name))
    theirs = _signatures(json.loads(artifact.read_text())["abi"])
    for signature, shape in ours.items():
        assert signature in theirs, f"{name}.{signature} missing from the devnet contract"
        assert theirs[signature] == shape, f"{name}.{signature}: {theirs[signature]} != {shape}"


def test_reward_pool_abi_is_the_genesis_version():
    sigs = _signatures(load_abi("RewardPool"))
    assert sigs["getContribution(address)"][0] == ("uint256",) * 4  # not the newer 6-field struct
    assert "reportContribution(address,uint256,uint256,uint256)" in sigs
    assert sigs["RewardClaimed(address,uint256)"][1] == (True, False)
