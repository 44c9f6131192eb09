"""Off-chain signatures exactly as the Plumise Oracle verifies them (../shared/PROTOCOL.md §2).

EIP-191 ``personal_sign`` over compact JSON rebuilt from body fields in a fixed key order; the signature
is 65 bytes as hex with ``0x``. The verifier compares the address string byte for byte, so the body's
wallet string must be the very string that was signed.
"""
from __future__ import annotations

import json
from typing import Sequence

from eth_account import Account
from eth_account.messages import encode_defunct


class SigningError(ValueError):
    """A field cannot be signed as the oracle expects (float, non-ASCII, …)."""


def _check_int(name: str, value: object) -> int:
    # bool is an int subclass, but "true" is not what the oracle rebuilds.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SigningError(f"{name} must be an integer, got {type(value).__name__}")
    return value


def _check_ascii(name: str, value: str) -> str:
    if not isinstance(value, str) or not value.isascii():
        raise SigningError(f"{name} must be an ASCII string")
    return value


def report_message(wallet: str, processed_tokens: int, timestamp: int) -> str:
    """``{"agent":…,"processed_tokens":…,"timestamp":…}``: sorted keys, no spaces."""
    payload = {
        "agent": _check_ascii("wallet", wallet),
        "processed_tokens": _check_int("processed_tokens", processed_tokens),
        "timestamp": _check_int("timestamp", timestamp),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def registration_message(address: str, endpoint: str, capabilities: Sequence[str], timestamp: int) -> str:
    """``{"address":…,"endpoint":…,"capabilities":[…],"timestamp":…}`` in this key order (not sorted)."""
    payload = {
        "address": _check_ascii("address", address),
        "endpoint": _check_ascii("endpoint", endpoint),
        "capabilities": [_check_ascii("capability", c) for c in capabilities],
        "timestamp": _check_int("timestamp", timestamp),
    }
    return json.dumps(payload, separators=(",", ":"))


def sign_text(account, text: str) -> str:
    """EIP-191 signature of ``text`` by an eth-account ``LocalAccount``, as ``0x`` + 130 hex digits."""
    signed = account.sign_message(encode_defunct(text=text))
    return "0x" + bytes(signed.signature).hex()


def recover_signer(text: str, signature: str) -> str:
    """The checksummed address that signed ``text``; raises ``SigningError`` on a malformed signature."""
    if not isinstance(signature, str) or not signature.startswith("0x") or len(signature) != 132:
        raise SigningError("signature must be 0x followed by 130 hex digits")
    try:
        return Account.recover_message(encode_defunct(text=text), signature=bytes.fromhex(signature[2:]))
    except Exception as exc:  # eth-keys raises several types for bad bytes
        raise SigningError("signature does not recover to an address") from exc
