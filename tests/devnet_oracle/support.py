"""Test support for the devnet oracle: run it as a real process, sign reports, a fake chain front.

``FakeAgentRpc`` is a MOCK of the chain's JSON-RPC front, used only by the rejection-rule tests that need
nothing from the chain but ``agent_isAgentAccount`` and ``getCurrentEpoch`` (so they run in a second, with
no anvil). Everything that touches real transactions runs against the real devnet instead.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from chain.signing import registration_message, report_message, sign_text

REPO_ROOT = Path(__file__).resolve().parents[2]
ORACLE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil account #1
ORACLE_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
_GET_CURRENT_EPOCH = "0x" + keccak(text="getCurrentEpoch()")[:4].hex()


class FakeAgentRpc:
    """MOCK chain RPC: answers ``agent_isAgentAccount`` from ``registered`` and ``getCurrentEpoch`` from
    ``epoch``; every other call is a JSON-RPC error. ``calls`` records (method, params)."""

    def __init__(self) -> None:
        self.registered: set[str] = set()
        self.epoch = 0
        self.calls: list[tuple[str, list]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.calls.append((body["method"], body.get("params", [])))
                out = {"jsonrpc": "2.0", "id": body.get("id")}
                out.update(fake.answer(body["method"], body.get("params", [])))
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, method: str, params: list) -> dict:
        if method == "agent_isAgentAccount":
            if len(params) != 2:
                return {"error": {"code": -32602, "message": "missing value for required argument 1"}}
            return {"result": params[0].lower() in self.registered}
        if method == "eth_call" and params and params[0].get("data", "").startswith(_GET_CURRENT_EPOCH):
            return {"result": "0x" + encode(["uint256"], [self.epoch]).hex()}
        return {"error": {"code": -32601, "message": f"FakeAgentRpc does not implement {method}"}}

    def register(self, address: str) -> None:
        self.registered.add(address.lower())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class OracleProcess:
    """``python -m devnet.oracle`` as a child process, stopped with SIGTERM."""

    rpc_url: str
    db: Path
    job_interval: float = 3600.0
    extra_args: list[str] = field(default_factory=list)
    popen: subprocess.Popen | None = None
    url: str = ""
    ready_line: str = ""
    log_path: Path | None = None

    def start(self, timeout: float = 60.0) -> "OracleProcess":
        env = dict(os.environ, DEVNET_ORACLE_KEY=ORACLE_KEY, PYTHONUNBUFFERED="1")
        self.log_path = self.db.with_suffix(".log")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "devnet.oracle", "--rpc-url", self.rpc_url, "--db", str(self.db),
             "--port", "0", "--job-interval", str(self.job_interval), *self.extra_args],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
        )
        log.close()
        line = self._read_line(timeout)
        self.ready_line = line
        event = json.loads(line)
        assert event["event"] == "oracle_ready", line
        self.url = event["url"]
        return self

    def _read_line(self, timeout: float) -> str:
        assert self.popen is not None and self.popen.stdout is not None
        deadline = time.monotonic() + timeout
        buf = b""
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.popen.poll() is not None:
                raise AssertionError(f"oracle not ready; log:\n{self.log_text()}")
            ready, _, _ = select.select([self.popen.stdout], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.popen.stdout.fileno(), 4096)
                if not chunk:
                    continue
                buf += chunk
        return buf.decode().strip()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, timeout: float = 20.0) -> int:
        assert self.popen is not None
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            rc = self.popen.wait()
        if self.popen.stdout:
            self.popen.stdout.close()
        return rc

    def post(self, path: str, body: Any) -> requests.Response:
        return requests.post(self.url + path, json=body, timeout=60)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, timeout=30)


def signed_report(account, *, wallet: str | None = None, tokens: int = 100, requests_: int = 5, uptime: int = 60,
                  latency: float = 12.5, timestamp: int | None = None, **extra: Any) -> dict:
    """A flat camelCase report body signed as PROTOCOL.md §2 says; ``wallet`` defaults to the checksum."""
    wallet = wallet or account.address
    timestamp = int(time.time()) if timestamp is None else timestamp
    body = {"wallet": wallet, "tokensProcessed": tokens, "avgLatencyMs": latency, "requestCount": requests_,
            "uptimeSeconds": uptime, "timestamp": timestamp,
            "signature": sign_text(account, report_message(wallet, tokens, timestamp))}
    body.update(extra)
    return body


def signed_registration(account, *, endpoint: str = "http://127.0.0.1:31330", capabilities: list[str] | None = None,
                        timestamp: int | None = None, **extra: Any) -> dict:
    caps = ["bigscience/bloom-560m"] if capabilities is None else capabilities
    timestamp = int(time.time()) if timestamp is None else timestamp
    body = {"address": account.address, "endpoint": endpoint, "capabilities": caps, "timestamp": timestamp,
            "signature": sign_text(account, registration_message(account.address, endpoint, caps, timestamp))}
    body.update(extra)
    return body


def new_account():
    return Account.create()
