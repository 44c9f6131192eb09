"""``plumise-petals devnet up | status | down`` as a person runs it: background network, no orphans."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil

from tests.helpers import REPO_ROOT


def _devnet(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    child_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "core", "devnet", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout, env=child_env,
    )


def _processes_mentioning(path: Path) -> list[psutil.Process]:
    """Every process whose command line names ``path`` (anvil, oracle, bootstrap, p2pd, supervisor)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(str(path) in part for part in proc.info["cmdline"] or ()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _rpc(url: str, method: str, params: list) -> dict:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_up_status_down_with_no_orphans(tmp_path):
    state = tmp_path / "devnet"
    up = _devnet("up", "--state-dir", str(state), "--block-time", "0.5", "--blocks-per-epoch", "20", "--fresh-chain")
    try:
        assert up.returncode == 0, up.stderr + up.stdout
        info = json.loads(up.stdout)
        assert info["running"] is True and info["chain_id"] == 41956
        assert _rpc(info["rpc_url"], "eth_chainId", [])["result"] == hex(41956)
        assert _rpc(info["rpc_url"], "agent_isAgentAccount", [info["accounts"][2]["address"], "latest"])["result"] is False
        with urllib.request.urlopen(info["oracle_url"] + "/api/stats", timeout=10) as response:
            assert response.status == 200
        assert info["bootstrap_maddrs"] and info["bootstrap_maddrs"][0].startswith("/ip4/127.0.0.1/tcp/")
        assert [a["role"] for a in info["accounts"][:2]] == ["faucet (deployer)", "oracle (sponsor)"]
        assert all(a["private_key"].startswith("0x") for a in info["accounts"])
        recorded = json.loads((state / "devnet.json").read_text())
        names = {p["name"] for p in recorded["processes"]}
        assert {"anvil", "oracle", "bootstrap"} <= names
        started = _processes_mentioning(state)
        assert len(started) >= 4

        again = _devnet("up", "--state-dir", str(state), "--no-swarm")
        assert again.returncode == 0
        again_info = json.loads(again.stdout)
        assert again_info["already_running"] is True and again_info["rpc_url"] == info["rpc_url"]
        assert "already running" in again.stderr
        assert json.loads((state / "devnet.json").read_text())["supervisor"] == recorded["supervisor"]

        status = _devnet("status", "--state-dir", str(state))
        assert status.returncode == 0
        report = json.loads(status.stdout)
        assert report["running"] is True and report["checks"]["block_number"] > 0 and report["checks"]["oracle_ok"]
    finally:
        down = _devnet("down", "--state-dir", str(state))
    assert down.returncode == 0 and json.loads(down.stdout)["stopped"] is True
    gone, alive = psutil.wait_procs(started, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"
    assert not _processes_mentioning(state)
    after = _devnet("status", "--state-dir", str(state))
    assert after.returncode == 3 and json.loads(after.stdout)["running"] is False
    assert json.loads(_devnet("down", "--state-dir", str(state)).stdout)["stopped"] is False


def test_a_taken_port_is_a_clear_error_naming_it(tmp_path):
    state = tmp_path / "devnet"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        up = _devnet("up", "--state-dir", str(state), "--rpc-port", str(port), "--no-oracle", "--no-swarm", "--fresh-chain")
    assert up.returncode == 1
    assert f"Port {port}" in up.stderr and "already used" in up.stderr
    assert not _processes_mentioning(state)


def test_missing_anvil_names_the_make_target(tmp_path):
    up = _devnet("up", "--state-dir", str(tmp_path / "devnet"), env={"PLUMISE_NODE_MODULES": str(tmp_path)})
    assert up.returncode == 2
    assert "make setup" in up.stderr
