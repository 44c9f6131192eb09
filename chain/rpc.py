"""A small JSON-RPC transport over web3's ``HTTPProvider``: retries with backoff, typed errors.

Everything the chain client asks goes through :meth:`Rpc.call`, so one place decides what is transient
(connection refused, timeout, HTTP 5xx/429: retried with exponential backoff, then
:class:`~chain.errors.RpcUnreachable`) and what is an answer (a JSON-RPC error object: raised at once as
:class:`RpcErrorAnswer` for the caller to interpret). The retry budget is per call, so after an outage the
next call simply works again: no state to reset, no restart.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable

from eth_abi import decode as abi_decode

from chain.errors import RpcUnreachable

log = logging.getLogger(__name__)

_ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
_PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


class RpcErrorAnswer(Exception):
    """The node answered with a JSON-RPC error object (not a transport failure)."""

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        super().__init__(f"{method}: {code} {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data

    @property
    def method_missing(self) -> bool:
        """The node does not know the method (a plain EVM asked for ``agent_*``)."""
        text = self.message.lower()
        return self.code == -32601 or "not found" in text or "does not exist" in text or "not supported" in text \
            or "unsupported" in text or "unknown method" in text

    @property
    def revert_reason(self) -> str | None:
        """The Solidity reason of a reverted call, when the answer carries one."""
        return revert_reason(self.data, self.message)


def revert_reason(data: Any, message: str = "") -> str | None:
    """``Error(string)`` from revert ``data`` (hex), else the text after ``execution reverted:``."""
    if isinstance(data, dict):  # some nodes nest it: {"data": "0x…"}
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        try:
            raw = bytes.fromhex(data[2:])
        except ValueError:
            raw = b""
        if raw[:4] == _ERROR_STRING_SELECTOR:
            try:
                return abi_decode(["string"], raw[4:])[0]
            except Exception:
                pass
        if raw[:4] == _PANIC_SELECTOR and len(raw) >= 36:
            return f"panic 0x{int.from_bytes(raw[4:36], 'big'):02x}"
    marker = "execution reverted"
    if marker in message:
        rest = message.split(marker, 1)[1].lstrip(": ").strip()
        return rest or None
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a transport failure worth retrying (the request may not have arrived)."""
    import requests
    from web3 import exceptions as w3e

    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        return status >= 500 or status == 429
    transient = (
        requests.ConnectionError,
        requests.Timeout,
        ConnectionError,
        TimeoutError,
        w3e.ProviderConnectionError,
        w3e.RequestTimedOut,
        w3e.TooManyRequests,
    )
    return isinstance(exc, transient)


class Rpc:
    """JSON-RPC calls to ``url`` with per-call retries.

    ``attempts`` tries per call, sleeping ``backoff``·2^n (at most ``max_backoff``) between them; ``sleep`` is
    injectable for tests. Thread-safe (web3's provider numbers requests with an itertools counter).
    """

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from web3 import HTTPProvider

        self.url = url
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        # web3's own retry would hide failures from us and use its own schedule: ours is the only one.
        self._provider = HTTPProvider(url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)

    def call(self, method: str, params: list | None = None, attempts: int | None = None) -> Any:
        """The ``result`` of ``method``; :class:`RpcErrorAnswer` for an error answer;
        :class:`RpcUnreachable` once ``attempts`` transport failures in a row are spent."""
        tries = attempts or self.attempts
        last: BaseException | None = None
        for attempt in range(tries):
            try:
                response = self._provider.make_request(method, params or [])
            except Exception as exc:  # noqa: BLE001 - classified just below
                if not is_transient(exc):
                    raise RpcUnreachable(detail=f"{method} at {self.url}: {type(exc).__name__}: {exc}") from None
                last = exc
                if attempt + 1 < tries:
                    delay = min(self.max_backoff, self.backoff * 2**attempt)
                    log.info("%s failed (%s); retry %d/%d in %.1f s", method, type(exc).__name__,
                             attempt + 1, tries - 1, delay)
                    self._sleep(delay)
                continue
            if "error" in response and response["error"] is not None:
                err = response["error"]
                if isinstance(err, dict):
                    raise RpcErrorAnswer(method, err.get("code"), str(err.get("message", "")), err.get("data"))
                raise RpcErrorAnswer(method, None, str(err))
            return response.get("result")
        raise RpcUnreachable(detail=f"{method} at {self.url} failed {tries} times: {type(last).__name__}: {last}")
