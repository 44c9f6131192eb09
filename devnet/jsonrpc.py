"""A minimal JSON-RPC 2.0 client over HTTP for talking to anvil from the devnet's own code.

The devnet's parts (installer, block producer, RPC front) use this instead of web3.py: they need raw
method names (anvil_*, evm_*), raw results and thread safety, and web3 costs a second to import.
"""
from __future__ import annotations

import itertools
import json
import threading
import urllib.error
import urllib.request
from typing import Any


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, method: str, error: dict) -> None:
        self.code = error.get("code")
        self.data = error.get("data")
        self.error = error
        super().__init__(f"{method} failed: {error.get('message')} (code {self.code})")


class RpcClient:
    """Thread-safe JSON-RPC client; each call is one HTTP POST."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def post_raw(self, body: bytes) -> bytes:
        """POST an already-encoded JSON-RPC body; returns the response body unchanged."""
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:  # anvil answers some errors with a non-200 status
            return exc.read()

    def call(self, method: str, params: list | None = None) -> Any:
        """Call ``method``; returns its ``result`` or raises :class:`RpcError`."""
        with self._lock:
            request_id = next(self._ids)
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or []})
        reply = json.loads(self.post_raw(body.encode()))
        if reply.get("error") is not None:
            raise RpcError(method, reply["error"])
        return reply.get("result")
