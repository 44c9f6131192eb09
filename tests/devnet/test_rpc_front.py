"""The RPC front: agent_* methods of PROTOCOL.md §4 with their block-tag rules, and plain pass-through."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from chain.protocol import GAS_REGISTER, PRECOMPILE_REGISTER_AGENT, register_calldata


def _post(url: str, payload) -> tuple[int, object]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _registered_agent(chain):
    agent = chain.new_account()
    data = register_calldata("front-test", "org/model", (b"cap-a",))
    receipt = chain.send(agent, PRECOMPILE_REGISTER_AGENT, data, gas=GAS_REGISTER)
    assert receipt["status"] == 1
    return agent, receipt["blockNumber"]


def test_block_tag_is_required_where_the_protocol_says(bare_chain):
    agent, _ = _registered_agent(bare_chain)
    for method in ("agent_isAgentAccount", "agent_getAgentMeta"):
        reply = bare_chain.rpc(method, [agent.address])
        assert reply["error"] == {"code": -32602, "message": "missing value for required argument 1"}
        assert bare_chain.rpc(method, [agent.address, "nonsense"])["error"]["code"] == -32602
    assert bare_chain.rpc("agent_isAgentAccount", [agent.address, "latest"])["result"] is True
    assert bare_chain.rpc("agent_getStatus", [agent.address])["result"]["registered"] is True
    assert bare_chain.rpc("agent_getStatus", [agent.address, "latest"])["error"]["code"] == -32602
    assert bare_chain.rpc("agent_getStatus", [])["error"]["message"] == "missing value for required argument 0"


def test_block_tags_read_historical_state(bare_chain):
    agent, block = _registered_agent(bare_chain)
    before, at = hex(block - 1), hex(block)
    assert bare_chain.rpc("agent_isAgentAccount", [agent.address, before])["result"] is False
    assert bare_chain.rpc("agent_getAgentMeta", [agent.address, before])["result"] is None
    assert bare_chain.rpc("agent_isAgentAccount", [agent.address, at])["result"] is True
    block_hash = bare_chain.w3.eth.get_block(block)["hash"].to_0x_hex()
    assert bare_chain.rpc("agent_isAgentAccount", [agent.address, {"blockHash": block_hash}])["result"] is True
    for tag in ("pending", "earliest", "safe", "finalized"):
        assert "result" in bare_chain.rpc("agent_isAgentAccount", [agent.address, tag])
    assert bare_chain.rpc("agent_isAgentAccount", [agent.address, "earliest"])["result"] is False


def test_meta_and_status_shapes(bare_chain):
    agent, block = _registered_agent(bare_chain)
    meta = bare_chain.rpc("agent_getAgentMeta", [agent.address, "latest"])["result"]
    assert set(meta) == {
        "name", "modelHash", "capabilityCount", "capabilities", "registeredAt", "lastHeartbeat",
        "inferenceCount", "totalTokensProcessed", "stake", "status",
    }
    assert meta["name"] == "front-test" and meta["capabilityCount"] == "0x1" and meta["status"] == "0x0"
    status = bare_chain.rpc("agent_getStatus", [agent.address])["result"]
    assert status == {
        "address": agent.address.lower(),
        "registered": True,
        "active": True,
        "nodeId": "",
        "lastHeartbeat": "0x0",
        "registeredAt": meta["registeredAt"],
        "totalRewards": "0x0",
        "metadata": "front-test",
    }
    stranger = bare_chain.new_account()
    assert bare_chain.rpc("agent_getStatus", [stranger.address])["result"]["registered"] is False
    assert bare_chain.rpc("agent_isAgentAccount", [stranger.address, "latest"])["result"] is False


def test_malformed_addresses_are_invalid_params(bare_chain):
    for bad in ("0x1234", "f39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 5):
        reply = bare_chain.rpc("agent_isAgentAccount", [bad, "latest"])
        assert reply["error"]["code"] == -32602 and "argument 0" in reply["error"]["message"]


def test_batches_mix_local_and_forwarded_methods(bare_chain):
    agent, _ = _registered_agent(bare_chain)
    status, replies = _post(
        bare_chain.net.rpc_url,
        [
            {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            {"jsonrpc": "2.0", "id": 2, "method": "agent_isAgentAccount", "params": [agent.address, "latest"]},
            {"jsonrpc": "2.0", "id": 3, "method": "agent_isAgentAccount", "params": [agent.address]},
            {"jsonrpc": "2.0", "id": 4, "method": "no_such_method", "params": []},
            {"jsonrpc": "2.0", "method": "eth_blockNumber", "params": []},  # a notification: no reply
        ],
    )
    assert status == 200
    by_id = {r["id"]: r for r in replies}
    assert set(by_id) == {1, 2, 3, 4}
    assert by_id[1]["result"] == hex(41956)
    assert by_id[2]["result"] is True
    assert by_id[3]["error"]["code"] == -32602
    assert "error" in by_id[4]
    assert _post(bare_chain.net.rpc_url, [])[1]["error"]["code"] == -32600
    request = urllib.request.Request(bare_chain.net.rpc_url, data=b"{not json", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["error"]["code"] == -32700


def test_web3_works_unmodified_and_mining_through_the_front_pays_the_pool(bare_chain):
    w3 = bare_chain.w3
    assert w3.eth.chain_id == 41956
    pool = bare_chain.net.reward_pool
    head = w3.eth.block_number
    before = w3.eth.get_balance(pool, head)
    assert bare_chain.rpc("evm_mine", [])["result"] == "0x0"
    assert bare_chain.rpc("anvil_mine", ["0x3"])["result"] is None
    assert w3.eth.block_number == head + 4
    assert w3.eth.get_balance(pool, head + 4) - before == 4 * 10 * 10**18
