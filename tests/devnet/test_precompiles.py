"""The precompile emulations at 0x…20–0x…23 (PROTOCOL.md §3), driven with the exact calldata clients send."""
from __future__ import annotations

from chain.protocol import (
    GAS_CLAIM,
    GAS_HEARTBEAT,
    GAS_REGISTER,
    GAS_VERIFY_INFERENCE,
    PRECOMPILE_CLAIM_REWARD,
    PRECOMPILE_HEARTBEAT,
    PRECOMPILE_REGISTER_AGENT,
    PRECOMPILE_VERIFY_INFERENCE,
    agent_name,
    decode_register_calldata,
    model_hash,
    register_calldata,
    sponsored_calldata,
    verify_inference_calldata,
)

MODEL = "bigscience/bloom-560m"


def _register(chain, account, caps=(), **kwargs):
    data = register_calldata(agent_name(MODEL, account.address), MODEL, caps, **kwargs)
    return chain.send(account, PRECOMPILE_REGISTER_AGENT, data, gas=GAS_REGISTER), data


def test_registration_stores_exactly_the_calldata_fields(bare_chain):
    agent = bare_chain.new_account()
    caps = (b"text-generation", b"petals-blocks")
    receipt, data = _register(bare_chain, agent, caps)
    assert receipt["status"] == 1
    assert receipt["gasUsed"] <= GAS_REGISTER
    sent = bare_chain.w3.eth.get_transaction(receipt["transactionHash"])["input"]
    expected = decode_register_calldata(bytes(sent))
    assert expected == decode_register_calldata(data)

    meta = bare_chain.rpc("agent_getAgentMeta", [agent.address, "latest"])["result"]
    assert meta["name"] == expected["name"] == agent_name(MODEL, agent.address)
    assert meta["modelHash"] == "0x" + model_hash(MODEL).hex()
    assert meta["capabilityCount"] == "0x2"
    assert meta["capabilities"] == ["0x" + c.hex() for c in expected["capabilities"]]
    block = bare_chain.w3.eth.get_block(receipt["blockNumber"])
    assert int(meta["registeredAt"], 16) == block["timestamp"]
    assert meta["lastHeartbeat"] == "0x0"  # as on the real chain until the first heartbeat

    wallet, node_id, metadata, registered_at, _, status, stake = bare_chain.registry.functions.getAgent(agent.address).call()
    assert (wallet, node_id, metadata, registered_at, status, stake) == (
        agent.address, model_hash(MODEL), expected["name"], block["timestamp"], 0, 0
    )
    assert bare_chain.registry.functions.isRegistered(agent.address).call()
    assert bare_chain.registry.functions.isActive(agent.address).call()


def test_second_registration_from_the_same_address_reverts(bare_chain):
    agent = bare_chain.new_account()
    assert _register(bare_chain, agent)[0]["status"] == 1
    assert _register(bare_chain, agent)[0]["status"] == 0
    assert bare_chain.registry.functions.getTotalAgentCount().call() == len(
        bare_chain.registry.functions.getAllAgents().call()
    )


def test_malformed_register_calldata_reverts(bare_chain):
    agent = bare_chain.new_account()
    good = register_calldata("x-00000000", MODEL, (b"cap",))
    for bad in (good[:95], good[:-1], good + b"\x01", good[:64] + (5).to_bytes(32, "big") + good[96:]):
        assert bare_chain.send(agent, PRECOMPILE_REGISTER_AGENT, bad, gas=GAS_REGISTER)["status"] == 0
    assert not bare_chain.registry.functions.isRegistered(agent.address).call()


def test_sponsored_registration_registers_the_beneficiary_only_from_the_sponsor(bare_chain):
    beneficiary = bare_chain.new_account(plm=0)  # a wallet with 0 PLM gets registered by the oracle
    stranger = bare_chain.new_account()
    data = register_calldata(agent_name(MODEL, beneficiary.address), MODEL, beneficiary=beneficiary.address)
    assert bare_chain.send(stranger, PRECOMPILE_REGISTER_AGENT, data, gas=GAS_REGISTER)["status"] == 0
    assert not bare_chain.registry.functions.isRegistered(beneficiary.address).call()

    assert bare_chain.send(bare_chain.oracle, PRECOMPILE_REGISTER_AGENT, data, gas=GAS_REGISTER)["status"] == 1
    assert bare_chain.rpc("agent_isAgentAccount", [beneficiary.address, "latest"])["result"] is True
    assert bare_chain.rpc("agent_isAgentAccount", [bare_chain.oracle.address, "latest"])["result"] is False
    meta = bare_chain.rpc("agent_getAgentMeta", [beneficiary.address, "latest"])["result"]
    assert meta["name"] == agent_name(MODEL, beneficiary.address)


def test_heartbeat_from_an_unregistered_sender_reverts(bare_chain):
    stranger = bare_chain.new_account()
    assert bare_chain.send(stranger, PRECOMPILE_HEARTBEAT, b"", gas=GAS_HEARTBEAT)["status"] == 0


def test_heartbeat_updates_last_heartbeat(bare_chain):
    agent = bare_chain.new_account()
    _register(bare_chain, agent)
    bare_chain.net.advance_time(30)
    receipt = bare_chain.send(agent, PRECOMPILE_HEARTBEAT, b"", gas=GAS_HEARTBEAT)
    assert receipt["status"] == 1 and receipt["gasUsed"] <= GAS_HEARTBEAT
    stamp = bare_chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    status = bare_chain.rpc("agent_getStatus", [agent.address])["result"]
    assert status["lastHeartbeat"] == hex(stamp) and status["active"] is True


def test_sponsored_heartbeat_only_from_the_sponsor(bare_chain):
    agent = bare_chain.new_account()
    _register(bare_chain, agent)
    stranger = bare_chain.new_account()
    word = sponsored_calldata(agent.address)
    assert bare_chain.send(stranger, PRECOMPILE_HEARTBEAT, word, gas=GAS_HEARTBEAT)["status"] == 0
    assert bare_chain.send(bare_chain.oracle, PRECOMPILE_HEARTBEAT, word, gas=GAS_HEARTBEAT)["status"] == 1
    assert bare_chain.send(bare_chain.oracle, PRECOMPILE_HEARTBEAT, word[:31], gas=GAS_HEARTBEAT)["status"] == 0


def test_agent_goes_inactive_after_300_s_without_heartbeat(bare_chain):
    agent = bare_chain.new_account()
    _register(bare_chain, agent)
    bare_chain.net.advance_time(301)
    assert not bare_chain.registry.functions.isActive(agent.address).call()
    assert bare_chain.rpc("agent_getStatus", [agent.address])["result"]["active"] is False
    assert bare_chain.send(agent, PRECOMPILE_HEARTBEAT, b"", gas=GAS_HEARTBEAT)["status"] == 1
    assert bare_chain.registry.functions.isActive(agent.address).call()


def test_claim_with_nothing_pending_succeeds_and_costs_only_gas(bare_chain):
    for registered in (True, False):
        agent = bare_chain.new_account()
        if registered:
            _register(bare_chain, agent)
        before = bare_chain.w3.eth.get_balance(agent.address)
        receipt = bare_chain.send(agent, PRECOMPILE_CLAIM_REWARD, b"", gas=GAS_CLAIM)
        assert receipt["status"] == 1 and receipt["gasUsed"] <= GAS_CLAIM
        after = bare_chain.w3.eth.get_balance(agent.address, receipt["blockNumber"])
        assert before - after == bare_chain.gas_cost(receipt)


def test_sponsored_claim_word_only_from_the_sponsor(bare_chain):
    agent = bare_chain.new_account()
    _register(bare_chain, agent)
    stranger = bare_chain.new_account()
    word = sponsored_calldata(agent.address)
    assert bare_chain.send(stranger, PRECOMPILE_CLAIM_REWARD, word, gas=GAS_CLAIM)["status"] == 0
    assert bare_chain.send(bare_chain.oracle, PRECOMPILE_CLAIM_REWARD, word, gas=GAS_CLAIM)["status"] == 1


def test_verify_inference_counts_for_the_agent_only(bare_chain):
    agent = bare_chain.new_account()
    _register(bare_chain, agent)
    data = verify_inference_calldata(model_hash(MODEL), b"\x01" * 32, b"\x02" * 32, agent.address, 42)
    receipt = bare_chain.send(agent, PRECOMPILE_VERIFY_INFERENCE, data, gas=GAS_VERIFY_INFERENCE)
    assert receipt["status"] == 1 and receipt["gasUsed"] <= GAS_VERIFY_INFERENCE
    meta = bare_chain.rpc("agent_getAgentMeta", [agent.address, "latest"])["result"]
    assert (meta["inferenceCount"], meta["totalTokensProcessed"]) == ("0x1", hex(42))
    stranger = bare_chain.new_account()
    assert bare_chain.send(stranger, PRECOMPILE_VERIFY_INFERENCE, data, gas=GAS_VERIFY_INFERENCE)["status"] == 0
