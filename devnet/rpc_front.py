"""The devnet's JSON-RPC endpoint: the chain's custom ``agent_*`` methods (PROTOCOL.md §4) on top of anvil.

Every request a client sends goes to this front. It answers itself:

- ``agent_isAgentAccount [address, blockTag]`` → ``true``/``false``;
- ``agent_getAgentMeta [address, blockTag]`` → ``null`` for a non-agent, else an object
  ``{name, modelHash, capabilityCount, capabilities, registeredAt, lastHeartbeat, inferenceCount,
  totalTokensProcessed, stake, status}``: ``name`` a string, ``modelHash`` and each capability 0x + 64
  hex, every number a hex quantity as geth writes them (``"0x0"``); ``status`` 0 active, 1 inactive,
  2 slashed (the AgentRegistry codes);
- ``agent_getStatus [address]`` → ``{address (lower case), registered, active, nodeId, lastHeartbeat,
  registeredAt, totalRewards, metadata}`` with hex quantities, ``nodeId`` ``""`` and ``metadata`` the
  agent's name, as the real chain answers; ``lastHeartbeat`` is ``"0x0"`` until the first heartbeat.

The block tag is required where §4 says so: a missing one is the geth error
``missing value for required argument 1`` (code -32602), as on the real chain. Tags are those of
``eth_call``: latest, pending, earliest, safe, finalized, a hex block number or an EIP-1898 object.
``evm_mine`` and ``anvil_mine`` go through the block producer, so they credit the RewardPool like every
other block. Everything else, batches included, is passed to anvil unchanged.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from eth_abi import decode

from chain.protocol import AGENT_REGISTRY_ADDRESS, REWARD_POOL_ADDRESS
from devnet.chain import DevnetChain, calldata
from devnet.jsonrpc import RpcClient, RpcError

log = logging.getLogger(__name__)

INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
PARSE_ERROR = -32700
_BLOCK_TAGS = {"latest", "earliest", "pending", "safe", "finalized"}
_HEX_QUANTITY = re.compile(r"^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_META_TYPES = "(bool,bool,uint8,bytes32,bytes32,bytes32[],uint256,uint256,uint256,uint256,uint256)"


class JsonRpcFault(Exception):
    """A JSON-RPC error to send back to the client."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def as_error(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def _address_param(params: list, index: int) -> str:
    if len(params) <= index:
        raise JsonRpcFault(INVALID_PARAMS, f"missing value for required argument {index}")
    value = params[index]
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise JsonRpcFault(
            INVALID_PARAMS, f"invalid argument {index}: json: cannot unmarshal hex string without 0x prefix into Go value of type common.Address"
        )
    if not _ADDRESS.match(value):
        raise JsonRpcFault(
            INVALID_PARAMS, f"invalid argument {index}: hex string has length {len(value) - 2}, want 40 for common.Address"
        )
    return value


def _block_param(params: list, index: int) -> Any:
    if len(params) <= index:
        raise JsonRpcFault(INVALID_PARAMS, f"missing value for required argument {index}")
    tag = params[index]
    if isinstance(tag, str) and (tag in _BLOCK_TAGS or _HEX_QUANTITY.match(tag)):
        return tag
    if isinstance(tag, dict) and (("blockNumber" in tag) != ("blockHash" in tag)):
        return tag
    raise JsonRpcFault(INVALID_PARAMS, f"invalid argument {index}: invalid block number or tag {json.dumps(tag)}")


def _no_more_than(params: list, count: int) -> None:
    if len(params) > count:
        raise JsonRpcFault(INVALID_PARAMS, f"too many arguments, want at most {count}")


class AgentState:
    """Reads the emulated agent state from the AgentRegistry and RewardPool contracts."""

    def __init__(self, chain: DevnetChain) -> None:
        self.chain = chain

    def meta(self, address: str, block: Any) -> Optional[dict]:
        """The registry's record of ``address`` at ``block``, or None when it is not an agent."""
        try:
            raw = self.chain.eth_call(
                AGENT_REGISTRY_ADDRESS, calldata("agentMeta(address)", ["address"], [address]), block
            )
        except RpcError as exc:
            raise JsonRpcFault(exc.code or INTERNAL_ERROR, exc.error.get("message", str(exc)), exc.data) from exc
        if len(raw) < 32:  # a block from before the registry was installed
            return None
        (registered, active, status, name, model_hash, caps, registered_at, last_hb, inferences, tokens, stake), = decode(
            [_META_TYPES], raw
        )
        if not registered:
            return None
        return {
            "active": active,
            "status": status,
            "name": name.rstrip(b"\x00").decode("utf-8", errors="replace"),
            "modelHash": "0x" + model_hash.hex(),
            "capabilities": ["0x" + c.hex() for c in caps],
            "registeredAt": registered_at,
            "lastHeartbeat": last_hb,
            "inferenceCount": inferences,
            "totalTokensProcessed": tokens,
            "stake": stake,
        }

    def total_rewards(self, address: str) -> int:
        return self.chain.read_uint(REWARD_POOL_ADDRESS, "totalRewarded(address)", ["address"], [address])


class RpcFront:
    """The JSON-RPC HTTP server. ``start()`` binds ``host:port`` (0 = a free port) and serves on a thread."""

    def __init__(self, chain: DevnetChain, upstream: RpcClient, host: str = "127.0.0.1", port: int = 0) -> None:
        self.chain = chain
        self.upstream = upstream
        self.agents = AgentState(chain)
        self._server = _FrontServer((host, port), _FrontHandler, self)
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self) -> "RpcFront":
        self._thread = threading.Thread(target=self._server.serve_forever, name="devnet-rpc-front", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # ---- request handling ----

    def handle_body(self, body: bytes) -> Optional[bytes]:
        """The response body for a request body (None when it held only notifications)."""
        try:
            request = json.loads(body)
        except ValueError:
            return _encode(_error_reply(None, JsonRpcFault(PARSE_ERROR, "parse error")))
        if isinstance(request, list):
            if not request:
                return _encode(_error_reply(None, JsonRpcFault(INVALID_REQUEST, "empty batch")))
            replies = [r for r in (self.handle_one(item) for item in request) if r is not None]
            return _encode(replies) if replies else None
        if self._is_passthrough(request):
            return self.upstream.post_raw(body)  # byte for byte what anvil says
        reply = self.handle_one(request)
        return _encode(reply) if reply is not None else None

    def _is_passthrough(self, request: Any) -> bool:
        return isinstance(request, dict) and request.get("method") not in self._local_methods()

    def _local_methods(self) -> dict:
        return {
            "agent_isAgentAccount": self.agent_is_agent_account,
            "agent_getAgentMeta": self.agent_get_agent_meta,
            "agent_getStatus": self.agent_get_status,
            "evm_mine": self.evm_mine,
            "anvil_mine": self.anvil_mine,
        }

    def handle_one(self, request: Any) -> Optional[dict]:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error_reply(None, JsonRpcFault(INVALID_REQUEST, "invalid request"))
        request_id = request.get("id")
        is_notification = "id" not in request
        handler = self._local_methods().get(request["method"])
        if handler is None:
            raw = self.upstream.post_raw(json.dumps(request).encode())
            if is_notification:
                return None
            try:
                return json.loads(raw)
            except ValueError:
                return _error_reply(request_id, JsonRpcFault(INTERNAL_ERROR, "the chain node sent no valid reply"))
        params = request.get("params", [])
        try:
            if not isinstance(params, list):
                raise JsonRpcFault(INVALID_PARAMS, "non-array args")
            result = handler(params)
        except JsonRpcFault as fault:
            return None if is_notification else _error_reply(request_id, fault)
        except Exception as exc:  # a bug or anvil gone: the client gets an error, not a dropped connection
            log.exception("%s failed", request["method"])
            return None if is_notification else _error_reply(request_id, JsonRpcFault(INTERNAL_ERROR, str(exc)))
        return None if is_notification else {"jsonrpc": "2.0", "id": request_id, "result": result}

    # ---- local methods ----

    def agent_is_agent_account(self, params: list) -> bool:
        address = _address_param(params, 0)
        block = _block_param(params, 1)
        _no_more_than(params, 2)
        return self.agents.meta(address, block) is not None

    def agent_get_agent_meta(self, params: list) -> Optional[dict]:
        address = _address_param(params, 0)
        block = _block_param(params, 1)
        _no_more_than(params, 2)
        meta = self.agents.meta(address, block)
        if meta is None:
            return None
        return {
            "name": meta["name"],
            "modelHash": meta["modelHash"],
            "capabilityCount": hex(len(meta["capabilities"])),
            "capabilities": meta["capabilities"],
            "registeredAt": hex(meta["registeredAt"]),
            "lastHeartbeat": hex(meta["lastHeartbeat"]),
            "inferenceCount": hex(meta["inferenceCount"]),
            "totalTokensProcessed": hex(meta["totalTokensProcessed"]),
            "stake": hex(meta["stake"]),
            "status": hex(meta["status"]),
        }

    def agent_get_status(self, params: list) -> dict:
        address = _address_param(params, 0)
        _no_more_than(params, 1)
        meta = self.agents.meta(address, "latest")
        return {
            "address": address.lower(),
            "registered": meta is not None,
            "active": bool(meta and meta["active"]),
            "nodeId": "",
            "lastHeartbeat": hex(meta["lastHeartbeat"] if meta else 0),
            "registeredAt": hex(meta["registeredAt"] if meta else 0),
            "totalRewards": hex(self.agents.total_rewards(address)),
            "metadata": meta["name"] if meta else "",
        }

    def evm_mine(self, params: list) -> str:
        self.chain.mine_via("evm_mine", params, 1)
        return "0x0"

    def anvil_mine(self, params: list) -> None:
        blocks = 1
        if params and params[0] is not None:
            try:
                blocks = int(params[0], 16) if isinstance(params[0], str) else int(params[0])
            except ValueError as exc:
                raise JsonRpcFault(INVALID_PARAMS, f"invalid argument 0: {params[0]!r} is not a block count") from exc
        if blocks < 1:
            raise JsonRpcFault(INVALID_PARAMS, "invalid argument 0: block count must be at least 1")
        self.chain.mine_via("anvil_mine", params, blocks)
        return None


def _error_reply(request_id: Any, fault: JsonRpcFault) -> dict:
    return {"jsonrpc": "2.0", "id": request_id, "error": fault.as_error()}


def _encode(reply: Any) -> bytes:
    return json.dumps(reply).encode()


class _FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a taken port must fail loudly, not be shared

    def __init__(self, address, handler, front: RpcFront) -> None:
        self.front = front
        super().__init__(address, handler)


class _FrontHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: web3's requests session reuses connections
    server: _FrontServer

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            reply = self.server.front.handle_body(body)
        except Exception as exc:  # anvil unreachable or a bug: answer, do not drop the connection
            log.exception("request failed")
            reply = _encode(_error_reply(None, JsonRpcFault(INTERNAL_ERROR, f"devnet RPC front: {exc}")))
        payload = reply if reply is not None else b""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802
        payload = b'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"JSON-RPC needs POST"}}'
        self.send_response(405)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # silence per-request access logs
        pass
