"""An in-memory keyring backend: the stand-in for the OS password store wherever a real one must not be
touched or does not exist (tests, screenshots). A real ``keyring.backend.KeyringBackend`` subclass, so
everything above it (chain.wallet.KeyringStore) runs unchanged."""
from __future__ import annotations

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Entries live in a dict for the life of the object."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")
