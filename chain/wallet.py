"""The node's wallet: one secp256k1 key, where it is kept, and the only doors through which it leaves.

* :class:`Wallet` holds the key. Its ``repr``/``str`` show the address only; it cannot be pickled; the raw
  key comes out only through :meth:`Wallet.export_private_key`, a call nobody makes by accident.
* :class:`KeyringStore` keeps the key in the OS password store through ``keyring`` under the service name
  :data:`SERVICE_NAME` (``"plumise-petals"``), one entry per address (user name = checksummed address) plus
  one entry (user name :data:`ACTIVE_ENTRY`) naming the active address.
* :class:`EncryptedKeystore` is the explicit alternative where no keyring exists
  (:class:`~chain.errors.NoKeyringAvailable`): an eth-account keystore v3 file (scrypt), protected by a
  password the user chooses, mode 0600 from creation, written atomically. Never plaintext.

``eth_account`` is imported lazily: it costs about a second, and the GUI imports this module at start.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import keyring
import keyring.errors

from chain.errors import (
    ChainError,
    InvalidPrivateKey,
    KeyStorageFailed,
    KeystorePasswordWrong,
    NoKeyringAvailable,
)
from chain.files import atomic_write_text

SERVICE_NAME = "plumise-petals"
ACTIVE_ENTRY = "active-wallet"
MIN_PASSWORD_LENGTH = 8
DEFAULT_SCRYPT_N = 262_144  # eth-keyfile's default: about 1 s and 256 MiB to try one password

_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


class WeakPassword(ChainError):
    default_message = (
        f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters for the wallet file. "
        "Write it down: without it the file cannot be opened."
    )


def normalize_private_key(text: str) -> str:
    """``text`` as ``0x`` + 64 lower-case hex digits, or :class:`InvalidPrivateKey`.

    Accepts 64 hex digits with or without ``0x`` and surrounding whitespace (keys are pasted). The error
    never repeats the input: a mistyped key is still almost a key.
    """
    if not isinstance(text, str):
        raise InvalidPrivateKey(detail=f"expected text, got {type(text).__name__}")
    raw = text.strip()
    if raw[:2] in ("0x", "0X"):
        raw = raw[2:]
    if not _HEX64.fullmatch(raw):
        bad = sum(1 for c in raw if c not in "0123456789abcdefABCDEF")
        raise InvalidPrivateKey(detail=f"{len(raw)} characters after the prefix, {bad} of them not hex digits")
    if not 0 < int(raw, 16) < _SECP256K1_ORDER:
        raise InvalidPrivateKey(
            "That number is outside the range a private key can take. Check that it was copied completely.",
            detail="value is 0 or not below the secp256k1 group order",
        )
    return "0x" + raw.lower()


class Wallet:
    """A loaded key. Construct with :meth:`generate` or :meth:`from_private_key`.

    ``address`` is the EIP-55 checksummed address; it is also the string signed in oracle messages.
    """

    __slots__ = ("_account", "address")

    def __init__(self, _account: Any) -> None:
        # Private constructor: takes an eth-account LocalAccount (whose own repr shows no key).
        object.__setattr__(self, "_account", _account)
        object.__setattr__(self, "address", _account.address)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Wallet is immutable")

    @classmethod
    def generate(cls) -> "Wallet":
        """A new random key (OS entropy through eth-account)."""
        from eth_account import Account

        return cls(Account.create())

    @classmethod
    def from_private_key(cls, text: str) -> "Wallet":
        """Import a key typed or pasted by a person; see :func:`normalize_private_key`."""
        from eth_account import Account

        return cls(Account.from_key(normalize_private_key(text)))

    def export_private_key(self) -> str:
        """The raw key, ``0x`` + 64 hex digits, for a backup the user asked for. Never log it."""
        return "0x" + bytes(self._account.key).hex()

    def sign_text(self, text: str) -> str:
        """EIP-191 signature of ``text`` as ``0x`` + 130 hex (PROTOCOL.md §2)."""
        from chain.signing import sign_text

        return sign_text(self._account, text)

    def sign_transaction(self, tx: dict) -> bytes:
        """The raw signed transaction bytes for ``eth_sendRawTransaction``."""
        signed = self._account.sign_transaction(tx)
        return bytes(signed.raw_transaction)

    def encrypt(self, password: str, scrypt_n: int = DEFAULT_SCRYPT_N) -> dict:
        """The key as a keystore v3 dict (scrypt) under ``password``."""
        from eth_account import Account

        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword()
        return Account.encrypt(self._account.key, password, kdf="scrypt", iterations=scrypt_n)

    def __repr__(self) -> str:
        return f"Wallet(address={self.address})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wallet) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __reduce__(self):  # pickles end up in files and caches; a key must not
        raise TypeError("a Wallet cannot be pickled; store it with KeyringStore or EncryptedKeystore")

    def __copy__(self) -> "Wallet":
        return self

    def __deepcopy__(self, memo: dict) -> "Wallet":
        return self


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address)


class KeyringStore:
    """The OS keyring (Keychain, Windows Credential Locker, Secret Service, KWallet) through ``keyring``.

    ``backend`` is a ``keyring.backend.KeyringBackend`` instance; by default the one ``keyring`` picked
    for this system. Every keyring failure becomes :class:`NoKeyringAvailable` (no backend at all: offer
    :class:`EncryptedKeystore`) or :class:`KeyStorageFailed` (locked, access denied, …).
    """

    def __init__(self, service: str = SERVICE_NAME, backend: Any = None) -> None:
        self.service = service
        self._backend = backend

    @property
    def backend(self) -> Any:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def available(self) -> bool:
        """Whether a usable backend exists (``keyring``'s fail backend has priority 0)."""
        try:
            from keyring.backends import fail

            backend = self.backend
            return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0
        except Exception:
            return False

    def location(self) -> str:
        """Where the key is kept, in words for the user (e.g. ``"SecretService Keyring"``)."""
        backend = self.backend
        name = getattr(backend, "name", None) or type(backend).__name__
        return f'{name} (entry "{self.service}")'

    def _call(self, what: str, fn, *args):
        try:
            return fn(*args)
        except keyring.errors.NoKeyringError as exc:
            raise NoKeyringAvailable(detail=f"{what}: {type(exc).__name__}: {exc}") from None
        except keyring.errors.KeyringError as exc:
            raise KeyStorageFailed(detail=f"{what}: {type(exc).__name__}: {exc}") from None
        except (OSError, RuntimeError) as exc:  # D-Bus errors and friends surface as these
            raise KeyStorageFailed(detail=f"{what}: {type(exc).__name__}: {exc}") from None

    def save(self, wallet: Wallet) -> None:
        """Store ``wallet``'s key and make it the active one."""
        backend = self.backend
        self._call("set key", backend.set_password, self.service, wallet.address, wallet.export_private_key())
        self._call("set active", backend.set_password, self.service, ACTIVE_ENTRY, wallet.address)

    def stored_address(self) -> str | None:
        """The active wallet's address, or None when none is stored."""
        return self._call("get active", self.backend.get_password, self.service, ACTIVE_ENTRY)

    def load(self, address: str | None = None) -> Wallet | None:
        """The wallet for ``address`` (default: the active one), or None when none is stored."""
        address = address or self.stored_address()
        if not address:
            return None
        secret = self._call("get key", self.backend.get_password, self.service, _checksum(address))
        if secret is None:
            return None
        try:
            wallet = Wallet.from_private_key(secret)
        except InvalidPrivateKey:
            raise KeyStorageFailed(
                "The key stored in the system password store is damaged. Restore it from your backup.",
                detail=f"entry for {address} is not a private key",
            ) from None
        if wallet.address != _checksum(address):
            raise KeyStorageFailed(
                "The key stored in the system password store does not match its address. Restore it from your backup.",
                detail=f"entry for {address} derives {wallet.address}",
            )
        return wallet

    def delete(self, address: str | None = None) -> bool:
        """Remove the key for ``address`` (default: the active one); returns whether one was removed."""
        backend = self.backend
        active = self.stored_address()
        address = address or active
        if not address:
            return False
        removed = False
        try:
            self._call("delete key", backend.delete_password, self.service, _checksum(address))
            removed = True
        except KeyStorageFailed:
            # keyring raises PasswordDeleteError for "no such entry"; only a missing entry is fine here.
            if self._call("get key", backend.get_password, self.service, _checksum(address)) is not None:
                raise
        if active and active.lower() == address.lower():
            try:
                self._call("delete active", backend.delete_password, self.service, ACTIVE_ENTRY)
            except KeyStorageFailed:
                pass
        return removed


class EncryptedKeystore:
    """A keystore v3 file (scrypt) at ``path``: the explicit alternative to the OS keyring.

    ``scrypt_n`` is the scrypt cost; only tests lower it (the default makes guessing a password slow).
    """

    def __init__(self, path: str | os.PathLike, scrypt_n: int = DEFAULT_SCRYPT_N) -> None:
        self.path = Path(path)
        self.scrypt_n = scrypt_n

    def __repr__(self) -> str:
        return f"EncryptedKeystore({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.is_file()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyStorageFailed(
                "The wallet file was not found. Choose the file again or restore it from your backup.",
                detail=f"{self.path} does not exist",
            ) from None
        except (OSError, ValueError) as exc:
            raise KeyStorageFailed(
                "The wallet file is damaged and cannot be read. Restore it from your backup.",
                detail=f"{self.path}: {type(exc).__name__}",
            ) from None
        if not isinstance(data, dict) or "crypto" not in data and "Crypto" not in data:
            raise KeyStorageFailed(
                "That file is not a wallet file. Choose the file the app saved, or restore it from your backup.",
                detail=f"{self.path}: no keystore v3 'crypto' section",
            )
        return data

    def address(self) -> str | None:
        """The address recorded in the file (readable without the password), or None."""
        if not self.exists():
            return None
        raw = self._read().get("address")
        return _checksum(raw if raw.startswith("0x") else "0x" + raw) if isinstance(raw, str) and raw else None

    def save(self, wallet: Wallet, password: str) -> None:
        """Encrypt ``wallet`` under ``password`` and write the file (0600, atomic)."""
        atomic_write_text(self.path, json.dumps(wallet.encrypt(password, self.scrypt_n)))

    def load(self, password: str) -> Wallet:
        """Decrypt the file; :class:`KeystorePasswordWrong` when ``password`` does not open it."""
        from eth_account import Account

        data = self._read()
        try:
            key = Account.decrypt(data, password)
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise KeystorePasswordWrong() from None
            raise KeyStorageFailed(
                "The wallet file is damaged and cannot be read. Restore it from your backup.",
                detail=f"{self.path}: {type(exc).__name__}",
            ) from None
        wallet = Wallet(Account.from_key(key))
        recorded = self.address()
        if recorded and recorded != wallet.address:
            raise KeyStorageFailed(
                "The wallet file does not match its own address and may have been tampered with.",
                detail=f"{self.path} records {recorded} but holds {wallet.address}",
            )
        return wallet

    def delete(self) -> bool:
        """Remove the file; returns whether it existed."""
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False
