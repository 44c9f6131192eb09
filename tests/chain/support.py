"""Helpers of the chain tests on the devnet: a private oracle process, a TCP proxy that can cut the RPC,
and funded, registered wallets."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from chain.client import ChainClient
from chain.wallet import Wallet
from tests.helpers import REPO_ROOT

MODEL_ID = "bigscience/bloom-560m"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; that value, or AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def new_wallet(devnet, fund_wei: int = 10**19) -> Wallet:
    """A fresh wallet of this test alone, funded from the faucet (0 for an empty one)."""
    account = devnet.new_account(fund_wei=fund_wei)
    return Wallet.from_private_key(account.private_key)


def client_for(devnet, wallet: Wallet, state_dir: Path, **kwargs) -> ChainClient:
    kwargs.setdefault("agent_registry", devnet.agent_registry)
    kwargs.setdefault("receipt_timeout", 30.0)
    kwargs.setdefault("poll_interval", 0.1)
    return ChainClient(devnet.rpc_url, devnet.chain_id, wallet, state_dir=state_dir, **kwargs)


def registered_wallet(devnet, state_dir: Path) -> tuple[Wallet, ChainClient]:
    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, state_dir)
    client.register(MODEL_ID)
    return wallet, client


def oracle_totals(devnet_or_url, address: str) -> dict:
    """The oracle's lifetime totals for ``address`` (``GET /api/v1/metrics/agents/:address``)."""
    from chain.oracle import OracleClient

    url = devnet_or_url if isinstance(devnet_or_url, str) else devnet_or_url.oracle_url
    body = OracleClient(url).agent_metrics(address)
    totals = body.get("totals") or {}
    return {"tokens": int(totals.get("tokensProcessed", 0)), "requests": int(totals.get("requestCount", 0)),
            "reports": int(totals.get("reports", 0)), "restarts": int(totals.get("restarts", 0))}


class OracleProcess:
    """This test's own ``python -m devnet.oracle`` on the devnet's chain, so it can be stopped and restarted
    without touching the shared one. Its key is a fresh funded account, not the RewardPool's oracle (#1):
    two processes sending from #1 would race for nonces; this one only needs to answer reports (its epoch
    jobs run once an hour and any on-chain write it tried would be refused as "not the oracle")."""

    def __init__(self, devnet, db: Path) -> None:
        self.devnet = devnet
        self.db = db
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen | None = None
        self._key = devnet.new_account(fund_wei=10**18).private_key

    def start(self, timeout: float = 60.0) -> "OracleProcess":
        env = dict(os.environ, DEVNET_ORACLE_KEY=self._key, DEVNET_ORACLE_LOG_LEVEL="WARNING")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devnet.oracle", "--rpc-url", self.devnet.rpc_url, "--db", str(self.db),
             "--port", str(self.port), "--job-interval", "3600"],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = _readline(self.proc, timeout)
        event = json.loads(line)
        assert event["event"] == "oracle_ready", line
        self.url = event["url"]
        self.port = int(self.url.rsplit(":", 1)[1])  # a restart takes the same port: same URL for the node
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def _readline(proc: subprocess.Popen, timeout: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box or not box[0]:
        proc.kill()
        raise AssertionError("the process did not announce itself in time")
    return box[0]


class TcpProxy:
    """Forwards 127.0.0.1:port to ``target``; :meth:`stop` refuses connections (the RPC "goes away") and
    :meth:`start` brings it back on the same port."""

    def __init__(self, target_url: str) -> None:
        host_port = target_url.split("://", 1)[1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        self.target = (host, int(port))
        self.port = 0
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TcpProxy":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self.port = server.getsockname()[1]
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            conns, self._conns = self._conns, []
        if server is not None:
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()
        for conn in conns:
            try:
                conn.close()
            except OSError:
                pass

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._server is not server:
                    client.close()
                    upstream.close()
                    return
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
