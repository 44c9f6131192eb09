"""Fixtures for the app dialogs' tests.

Named stand-ins (DESIGN.md "Tests use real parts"): the OS keyring daemon is replaced by an in-memory
``keyring`` backend class installed with ``keyring.set_keyring`` (never the user's keyring); login entries go
to a temporary home directory. The hardware check is the real one (a child process), run once per session.
"""
from __future__ import annotations

import keyring
import keyring.errors
import pytest

from devnet.memory_keyring import MemoryKeyring


class LockedKeyring(MemoryKeyring):
    """A password store that exists but refuses writes (a locked or denied Secret Service)."""

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def locked_keyring():
    previous = keyring.get_keyring()
    backend = LockedKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def real_hardware_advice():
    """This machine's real hardware check (a child process importing torch: about 2 s), measured once."""
    from app.hardware_advice import default_hardware_probe

    return default_hardware_probe()


@pytest.fixture(autouse=True)
def nothing_left_running(qapp):
    """Background operations (hardware probe, key storage) and child processes end with their test."""
    from tests.app_shell.leftovers import LeftoverGuard

    guard = LeftoverGuard()
    yield
    problems = guard.problems()
    assert not problems, "; ".join(problems)


@pytest.fixture(autouse=True)
def english_after_each_test(qapp):
    """A test that switches to Korean must not leak the language into the next one."""
    yield
    from app import i18n

    i18n.install(qapp, "en")
