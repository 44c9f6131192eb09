"""Constants and byte layouts of the Plumise protocol (../shared/PROTOCOL.md §1, §3, §5).

Pure functions only: no network, no keys. Both the node and the devnet's emulation use these, so the
bytes a client sends and the bytes the emulation parses come from one definition.
"""
from __future__ import annotations

from eth_utils import keccak, to_canonical_address, to_checksum_address

MAINNET_CHAIN_ID = 41956
TESTNET_CHAIN_ID = 419561
WEI_PER_PLM = 10**18

REWARD_POOL_ADDRESS = "0x0000000000000000000000000000000000001000"
AGENT_REGISTRY_ADDRESS = "0xC9CF64344D22f02f6cDB8e7B5349f30E09F9043C"

PRECOMPILE_VERIFY_INFERENCE = "0x0000000000000000000000000000000000000020"
PRECOMPILE_REGISTER_AGENT = "0x0000000000000000000000000000000000000021"
PRECOMPILE_HEARTBEAT = "0x0000000000000000000000000000000000000022"
PRECOMPILE_CLAIM_REWARD = "0x0000000000000000000000000000000000000023"

GAS_REGISTER = 300_000
GAS_HEARTBEAT = 100_000
GAS_CLAIM = 100_000
GAS_VERIFY_INFERENCE = 200_000

HEARTBEAT_INTERVAL_S = 240  # liveness timeouts are 300 s everywhere, so 300 s would be racy
LIVENESS_TIMEOUT_S = 300
MAX_UPTIME_SECONDS = 604_800  # the oracle writes uptime on chain; RewardPool refuses more
MAX_AGENT_NAME_BYTES = 32
MODEL_SHORT_NAME_CHARS = 16


def model_hash(model_id: str) -> bytes:
    """keccak256 of the UTF-8 Hugging Face model id: the registration's and the proofs' modelHash."""
    return keccak(text=model_id)


def agent_name(model_id: str, address: str) -> str:
    """``<model short name, ≤16 chars>-<last 8 hex of address>`` (PROTOCOL.md §3 Decision)."""
    short = model_id.rstrip("/").split("/")[-1][:MODEL_SHORT_NAME_CHARS]
    return f"{short}-{address.lower()[-8:]}"


def _word(value: int) -> bytes:
    return int(value).to_bytes(32, "big")


def _address_word(address: str) -> bytes:
    return b"\x00" * 12 + to_canonical_address(address)


def register_calldata(
    name: str, model_id: str, capabilities: tuple[bytes, ...] = (), beneficiary: str | None = None
) -> bytes:
    """Calldata for 0x…21: name(32) ‖ modelHash(32) ‖ capCount ‖ caps ‖ [beneficiary word, sponsors only]."""
    raw_name = name.encode("utf-8")
    if len(raw_name) > MAX_AGENT_NAME_BYTES:
        raise ValueError(f"agent name is {len(raw_name)} bytes; at most {MAX_AGENT_NAME_BYTES} fit")
    data = raw_name.ljust(32, b"\x00") + model_hash(model_id) + _word(len(capabilities))
    for cap in capabilities:
        if len(cap) > 32:
            raise ValueError("a capability is at most 32 bytes")
        data += cap.ljust(32, b"\x00")
    if beneficiary is not None:
        data += _address_word(beneficiary)
    return data


def decode_register_calldata(data: bytes) -> dict:
    """Inverse of :func:`register_calldata`, for tests and the devnet's checks."""
    if len(data) < 96:
        raise ValueError("register calldata is shorter than 96 bytes")
    count = int.from_bytes(data[64:96], "big")
    caps_end = 96 + 32 * count
    if len(data) not in (caps_end, caps_end + 32):
        raise ValueError("register calldata length does not match its capability count")
    return {
        "name": data[:32].rstrip(b"\x00").decode("utf-8"),
        "model_hash": data[32:64],
        "capabilities": [data[96 + 32 * i : 128 + 32 * i] for i in range(count)],
        "beneficiary": to_checksum_address(data[caps_end + 12 : caps_end + 32]) if len(data) > caps_end else None,
    }


def sponsored_calldata(agent: str) -> bytes:
    """The single address word a sponsor appends for 0x…22 and 0x…23."""
    return _address_word(agent)


def verify_inference_calldata(
    model_hash_: bytes, input_hash: bytes, output_hash: bytes, agent: str, token_count: int
) -> bytes:
    """Calldata for 0x…20 (160 bytes)."""
    for h in (model_hash_, input_hash, output_hash):
        if len(h) != 32:
            raise ValueError("hashes are 32 bytes")
    return model_hash_ + input_hash + output_hash + _address_word(agent) + _word(token_count)
