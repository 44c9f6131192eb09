"""Wallet: generate / import / export / delete, OS keyring (a backend class) and the encrypted keystore."""
from __future__ import annotations

import copy
import json
import logging
import os
import pickle
import stat
import sys

import pytest

from chain.errors import (
    ChainError,
    InvalidPrivateKey,
    KeyStorageFailed,
    KeystorePasswordWrong,
    NoKeyringAvailable,
)
from chain.wallet import (
    ACTIVE_ENTRY,
    SERVICE_NAME,
    EncryptedKeystore,
    KeyringStore,
    Wallet,
    WeakPassword,
    normalize_private_key,
)
from tests.chain.conftest import TEST_ADDRESS, TEST_KEY, LockedKeyring

FAST_SCRYPT = 2**10  # tests only: the default cost takes ~1 s and 256 MiB per try


def test_import_with_and_without_prefix_and_whitespace():
    bare = TEST_KEY[2:]
    for text in (TEST_KEY, bare, bare.upper(), "0X" + bare, f"  {TEST_KEY}\n"):
        assert Wallet.from_private_key(text).address == TEST_ADDRESS
    assert normalize_private_key(bare.upper()) == TEST_KEY


@pytest.mark.parametrize(
    "text",
    ["", "0x", "0x1234", TEST_KEY + "00", TEST_KEY[:-1] + "g", "0x" + "0" * 64, "0x" + "f" * 64,
     "word " * 12, TEST_KEY[2:] + " extra"],
)
def test_anything_else_is_refused_with_what_a_key_looks_like(text):
    with pytest.raises(InvalidPrivateKey) as info:
        Wallet.from_private_key(text)
    message = str(info.value)
    assert "64" in message or "range" in message
    # The refusal never echoes what was typed: a near-miss is still almost a key.
    stripped = text.strip().removeprefix("0x").removeprefix("0X")
    if len(stripped) >= 8:
        assert stripped[:8] not in message + info.value.detail


def test_non_string_is_refused():
    with pytest.raises(InvalidPrivateKey):
        Wallet.from_private_key(bytes.fromhex(TEST_KEY[2:]))  # type: ignore[arg-type]


def test_generate_gives_distinct_valid_keys():
    a, b = Wallet.generate(), Wallet.generate()
    assert a.address != b.address
    assert Wallet.from_private_key(a.export_private_key()) == a


def test_key_never_in_repr_str_vars_or_pickle():
    wallet = Wallet.from_private_key(TEST_KEY)
    bare = TEST_KEY[2:]
    for text in (repr(wallet), str(wallet), f"{wallet}", f"{wallet!r}", repr([wallet]), repr({"w": wallet})):
        assert bare not in text.lower()
        assert TEST_ADDRESS in text
    assert not hasattr(wallet, "__dict__")
    assert bare not in repr([getattr(wallet, s) for s in ("address",)])
    with pytest.raises(TypeError):
        pickle.dumps(wallet)
    assert copy.deepcopy(wallet) is wallet
    with pytest.raises(AttributeError):
        wallet.address = "0x0"  # type: ignore[misc]
    assert wallet.export_private_key() == TEST_KEY


def test_keyring_store_round_trip(memory_keyring):
    store = KeyringStore()
    assert store.available()
    assert store.stored_address() is None and store.load() is None
    wallet = Wallet.from_private_key(TEST_KEY)
    store.save(wallet)
    # Documented layout: service "plumise-petals", user name = address, plus the active-address entry.
    assert memory_keyring.entries[(SERVICE_NAME, TEST_ADDRESS)] == TEST_KEY
    assert memory_keyring.entries[(SERVICE_NAME, ACTIVE_ENTRY)] == TEST_ADDRESS
    assert store.stored_address() == TEST_ADDRESS
    assert store.load() == wallet
    assert store.load(TEST_ADDRESS.lower()) == wallet
    assert "MemoryKeyring" in store.location() and SERVICE_NAME in store.location()
    assert store.delete() is True
    assert store.load() is None and store.stored_address() is None
    assert memory_keyring.entries == {}
    assert store.delete(TEST_ADDRESS) is False


def test_keyring_store_detects_a_damaged_entry(memory_keyring):
    store = KeyringStore()
    store.save(Wallet.from_private_key(TEST_KEY))
    memory_keyring.entries[(SERVICE_NAME, TEST_ADDRESS)] = Wallet.generate().export_private_key()
    with pytest.raises(KeyStorageFailed):
        store.load()
    memory_keyring.entries[(SERVICE_NAME, TEST_ADDRESS)] = "garbage"
    with pytest.raises(KeyStorageFailed) as info:
        store.load()
    assert "garbage" not in str(info.value) + info.value.detail


def test_no_keyring_is_a_distinct_explainable_condition(no_keyring):
    store = KeyringStore()
    assert not store.available()
    with pytest.raises(NoKeyringAvailable) as info:
        store.save(Wallet.from_private_key(TEST_KEY))
    assert "encrypted file" in str(info.value)
    assert TEST_KEY[2:] not in str(info.value) + info.value.detail
    with pytest.raises(NoKeyringAvailable):
        store.load()


def test_locked_keyring_is_a_storage_failure():
    store = KeyringStore(backend=LockedKeyring())
    with pytest.raises(KeyStorageFailed) as info:
        store.save(Wallet.from_private_key(TEST_KEY))
    assert not isinstance(info.value, NoKeyringAvailable)
    assert "Unlock" in str(info.value)


def test_encrypted_keystore_round_trip(tmp_path):
    path = tmp_path / "sub" / "wallet.json"
    store = EncryptedKeystore(path, scrypt_n=FAST_SCRYPT)
    assert not store.exists() and store.address() is None
    wallet = Wallet.from_private_key(TEST_KEY)
    store.save(wallet, "correct horse")
    assert store.exists() and store.address() == TEST_ADDRESS
    raw = path.read_text()
    assert TEST_KEY[2:] not in raw.lower()  # never plaintext
    data = json.loads(raw)
    assert data["version"] == 3 and data["crypto"]["kdf"] == "scrypt"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.load("correct horse") == wallet
    with pytest.raises(KeystorePasswordWrong):
        store.load("wrong horse")
    assert [p.name for p in path.parent.iterdir()] == ["wallet.json"]  # no temp file left behind
    assert store.delete() and not store.exists() and not store.delete()


def test_keystore_refuses_weak_password_and_reports_damage(tmp_path):
    store = EncryptedKeystore(tmp_path / "w.json", scrypt_n=FAST_SCRYPT)
    with pytest.raises(WeakPassword):
        store.save(Wallet.generate(), "short")
    assert not store.exists()
    with pytest.raises(KeyStorageFailed):
        store.load("whatever1")
    (tmp_path / "w.json").write_text("{not json")
    with pytest.raises(KeyStorageFailed):
        store.load("whatever1")
    (tmp_path / "w.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(KeyStorageFailed):
        store.load("whatever1")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_keystore_mode_is_0600_before_data_is_written(tmp_path, monkeypatch):
    """The temp file is private from creation: watch every write and check the mode at that moment."""
    import chain.files as files

    modes = []
    real_fdopen = os.fdopen

    def spying_fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        real_write = handle.write

        def write(data):
            modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
            return real_write(data)

        handle.write = write
        return handle

    old_umask = os.umask(0o000)  # the most permissive umask: the code must not depend on it
    try:
        monkeypatch.setattr(files.os, "fdopen", spying_fdopen)
        EncryptedKeystore(tmp_path / "w.json", scrypt_n=FAST_SCRYPT).save(Wallet.generate(), "password1")
    finally:
        os.umask(old_umask)
    assert modes and all(m == 0o600 for m in modes)


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    import chain.files as files

    target = tmp_path / "state.json"
    files.atomic_write_text(target, "old")

    def boom(*_):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError):
        files.atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_errors_are_chain_errors_with_sentences_and_details():
    from chain import errors

    for cls in (errors.RpcUnreachable, errors.InsufficientFunds, errors.OracleUnreachable,
                errors.InvalidPrivateKey, errors.NoKeyringAvailable, errors.KeystorePasswordWrong,
                errors.NothingToClaim, errors.KeyStorageFailed):
        err = cls(detail="support line")
        assert isinstance(err, ChainError)
        assert str(err).endswith(".") and len(str(err).split()) >= 6
        assert err.detail == "support line"
    assert "41956" in str(errors.WrongChain(41956, 1))
    assert '"No rewards"' in str(errors.TransactionReverted("No rewards", "0xab"))
    rejected = errors.OracleRejected(400, "Agent not registered on-chain")
    assert rejected.status == 400 and "Agent not registered on-chain" in str(rejected)
    skew = errors.ClockSkew(401, "Invalid signature", offset_s=-125)
    assert isinstance(skew, errors.OracleRejected) and "125 seconds behind" in str(skew)
    # A secret slipped into a message or detail by a careless caller is masked.
    leaky = ChainError(f"bad {TEST_KEY}", detail=f"key={TEST_KEY[2:]}")
    assert TEST_KEY[2:] not in str(leaky) + leaky.detail + repr(leaky)


def test_wallet_module_imports_without_eth_account():
    """The GUI imports chain.wallet at start; eth-account (about a second) must load lazily."""
    from tests.helpers import run_python

    result = run_python(
        "import sys, chain.wallet, chain.errors, chain.redact\n"
        "print(sorted(m for m in ('eth_account', 'web3') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
