"""PROTOCOL.md §2 signing: fixed vectors, recovery, and an independent check of the EIP-191 envelope."""
from __future__ import annotations

import json

import pytest
from eth_account import Account
from eth_keys import keys
from eth_utils import keccak

from chain.signing import (
    SigningError,
    recover_signer,
    registration_message,
    report_message,
    sign_text,
)
from chain.wallet import Wallet
from tests.chain.conftest import TEST_ADDRESS, TEST_KEY

TS = 1_700_000_000
REPORT_TEXT = '{"agent":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23","processed_tokens":12345,"timestamp":1700000000}'
REPORT_SIG = (
    "0xeed3a635529cd433adde332c0336364768a27ac2024710284db12c81686f38b7"
    "1efbae1745d50fed1ccda0c1cc3687be3dbd0bfc391f6aa9c88ea5b3105dd5151b"
)
REG_TEXT = (
    '{"address":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23","endpoint":"http://203.0.113.7:31330",'
    '"capabilities":["petals","bloom"],"timestamp":1700000000}'
)
REG_SIG = (
    "0x084150b91a18fa312931d4b728ba609b3958fd5a24551f5639816d83ff8bc6d9"
    "5c1e9287d09bfc7ca3b6588eefcb9a8eb8161f6ee7da71b3e7efe780d8fda9121c"
)


def _independent_recover(text: str, signature: str) -> str:
    """EIP-191 by hand: keccak("\\x19Ethereum Signed Message:\\n" + len + text), then ECDSA recovery."""
    raw = text.encode("utf-8")
    digest = keccak(b"\x19Ethereum Signed Message:\n" + str(len(raw)).encode() + raw)
    sig = bytes.fromhex(signature[2:])
    v = sig[64] - 27 if sig[64] >= 27 else sig[64]
    public = keys.Signature(sig[:64] + bytes([v])).recover_public_key_from_msg_hash(digest)
    return public.to_checksum_address()


def test_report_vector():
    wallet = Wallet.from_private_key(TEST_KEY)
    text = report_message(wallet.address, 12345, TS)
    assert text == REPORT_TEXT
    assert text == json.dumps({"timestamp": TS, "agent": TEST_ADDRESS, "processed_tokens": 12345},
                              sort_keys=True, separators=(",", ":"))
    signature = wallet.sign_text(text)
    assert signature == REPORT_SIG
    assert signature.startswith("0x") and len(signature) == 132
    assert recover_signer(text, signature) == TEST_ADDRESS
    assert _independent_recover(text, signature) == TEST_ADDRESS


def test_registration_vector_keeps_its_key_order():
    text = registration_message(TEST_ADDRESS, "http://203.0.113.7:31330", ["petals", "bloom"], TS)
    assert text == REG_TEXT
    assert list(json.loads(text)) == ["address", "endpoint", "capabilities", "timestamp"]
    assert sign_text(Account.from_key(TEST_KEY), text) == REG_SIG
    assert _independent_recover(text, REG_SIG) == TEST_ADDRESS


def test_address_case_is_part_of_the_signed_text():
    lower = report_message(TEST_ADDRESS.lower(), 1, TS)
    assert TEST_ADDRESS.lower() in lower and TEST_ADDRESS not in lower
    wallet = Wallet.from_private_key(TEST_KEY)
    # Signing the lower-case text is valid for the lower-case body only: recovery still gives the signer,
    # but the checksummed text differs, so a body must carry the very string that was signed.
    assert recover_signer(report_message(TEST_ADDRESS, 1, TS), wallet.sign_text(lower)) != TEST_ADDRESS


@pytest.mark.parametrize("bad", [1.0, True, "12", None])
def test_only_integers_are_signed(bad):
    with pytest.raises(SigningError):
        report_message(TEST_ADDRESS, bad, TS)  # type: ignore[arg-type]
    with pytest.raises(SigningError):
        report_message(TEST_ADDRESS, 1, bad)  # type: ignore[arg-type]


def test_non_ascii_is_refused():
    with pytest.raises(SigningError):
        registration_message(TEST_ADDRESS, "http://exämple.com", [], TS)


@pytest.mark.parametrize("sig", ["", REPORT_SIG[2:], REPORT_SIG + "00", "0x" + "zz" * 65])
def test_malformed_signatures_are_refused(sig):
    with pytest.raises(SigningError):
        recover_signer(REPORT_TEXT, sig)
