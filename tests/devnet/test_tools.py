"""The pinned npm tools: reproducible contract artifacts, and plain advice when anvil or solc-js is missing."""
from __future__ import annotations

import pytest

from devnet import solc
from devnet.anvil import start_anvil
from devnet.npm_tools import NODE_MODULES_ENV, ToolMissingError


def test_committed_artifacts_match_a_fresh_compile():
    fresh = solc.compile_sources()
    assert sorted(fresh) == sorted(solc.CONTRACTS)
    for name, artifact in fresh.items():
        committed = (solc.BUILD_DIR / f"{name}.json").read_text()
        assert committed == solc.render(artifact), f"{name}.json is stale: run `python -m devnet.solc`"
        assert len(artifact["deployedBytecode"]) > 2


def test_missing_solc_names_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setenv(NODE_MODULES_ENV, str(tmp_path))
    with pytest.raises(ToolMissingError, match="make setup"):
        solc.compile_sources()


def test_missing_anvil_names_the_make_target(tmp_path, monkeypatch):
    monkeypatch.setenv(NODE_MODULES_ENV, str(tmp_path / "node_modules"))
    with pytest.raises(ToolMissingError, match="make setup"):
        start_anvil(tmp_path / "anvil")
