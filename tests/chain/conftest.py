"""Fixtures of the chain tests.

The OS keyring is replaced by :class:`MemoryKeyring`, a real ``keyring.backend.KeyringBackend`` subclass
set with ``keyring.set_keyring`` (a test must never touch the user's keyring); the fail backend stands in
for "no keyring on this machine".
"""
from __future__ import annotations

import keyring
import keyring.errors
import pytest
from keyring.backends import fail

from devnet.memory_keyring import MemoryKeyring

# A well-known test key (eth-account's documentation); never holds value.
TEST_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
TEST_ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"


class LockedKeyring(MemoryKeyring):
    """A keyring that refuses access, like a locked login keychain."""

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("the keyring is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("the keyring is locked")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
