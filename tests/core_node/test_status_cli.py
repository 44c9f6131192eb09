"""`plumise-petals status` (core.status_cli) against the devnet, with and without a running node."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chain.client import ChainClient
from chain.wallet import Wallet
from core import status_cli
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.timeout(120)


def run(argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray ./.env
    for name in ("PLUMISE_PRIVATE_KEY", "PLUMISE_AGENT_ADDRESS", "PLUMISE_RPC_URL", "ORACLE_API_URL"):
        monkeypatch.delenv(name, raising=False)
    parser = status_cli.argparse.ArgumentParser()
    status_cli.add_status_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    code = status_cli.run_status(parser.parse_args(["--settings-file", str(tmp_path / "s.json"), *argv]), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def registered(devnet, tmp_path_factory):
    wallet = Wallet.from_private_key(devnet.new_account(fund_wei=3 * 10**18).private_key)
    client = ChainClient(devnet.rpc_url, devnet.chain_id, wallet, state_dir=tmp_path_factory.mktemp("st"),
                         poll_interval=0.1)
    client.register("bigscience/bloom-560m")
    return wallet, client


class FakeNode:
    """A stand-in for the node's status API (the real one is node-serving's): GET /status → JSON."""

    def __init__(self, body: dict) -> None:
        payload = json.dumps(body).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                code = 200 if self.path == "/status" else 404
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_text_block_without_a_running_node(devnet, registered, monkeypatch, tmp_path):
    wallet, client = registered
    code, out, _ = run(["--network", "local", "--rpc-url", devnet.rpc_url, "--address", wallet.address,
                        "--status-port", str(free_port())], monkeypatch, tmp_path)
    assert code == 0, out
    lines = out.splitlines()
    labels = [line.split(":")[0] for line in lines[:10]]
    assert labels == ["Agent", "Chain", "Online", "Balance", "Registered", "Active", "Pending Reward",
                      "Current Epoch", "Tasks Completed", "Uptime"]
    assert lines[0] == f"Agent:   {wallet.address}"
    assert lines[1] == f"Chain:   {devnet.rpc_url} (ID 41956)"
    assert lines[2] == "Online:  no"
    balance = client.balance()
    assert lines[3] == f"Balance: {status_cli.format_plm(balance)}" and balance > 2 * 10**18
    assert lines[4] == "Registered: yes"
    assert int(lines[7].split()[-1]) >= 0 and lines[9].endswith("s")


def test_json_with_a_running_node_and_no_address_given(devnet, registered, monkeypatch, tmp_path):
    wallet, _ = registered
    node = FakeNode({"state": "serving", "address": wallet.address, "tokens": 34, "uptime_s": 12})
    try:
        code, out, _ = run(["--json", "--network", "local", "--rpc-url", devnet.rpc_url,
                            "--status-port", str(node.port)], monkeypatch, tmp_path)
    finally:
        node.close()
    assert code == 0
    data = json.loads(out)
    assert data["agent"] == wallet.address and data["online"] is True and data["registered"] is True
    assert data["node"]["tokens"] == 34 and data["chain"]["chain_id"] == 41956 and data["epoch"] >= 0
    assert isinstance(data["balance_wei"], int) and isinstance(data["pending_wei"], int)


def test_unreachable_chain_exits_nonzero_with_a_reason(monkeypatch, tmp_path):
    address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    code, out, _ = run(["--network", "local", "--rpc-url", f"http://127.0.0.1:{free_port()}", "--address", address,
                        "--status-port", str(free_port())], monkeypatch, tmp_path)
    assert code == 1
    assert "Online:  no" in out and "Balance: unknown" in out and "cannot be reached" in out


def test_needs_no_key_and_refuses_one_on_the_command_line(devnet, registered, tmp_path):
    wallet, _ = registered
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLUMISE_")}
    base = [sys.executable, "-m", "core.status_cli", "--settings-file", str(tmp_path / "s.json"),
            "--network", "local", "--rpc-url", devnet.rpc_url, "--status-port", str(free_port())]
    proc = subprocess.run(base + ["--address", wallet.address], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Registered: yes" in proc.stdout
    key = "0x" + "11" * 32
    proc = subprocess.run(base + ["--private-key", key], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "--private-key" in proc.stderr and key not in proc.stderr + proc.stdout
