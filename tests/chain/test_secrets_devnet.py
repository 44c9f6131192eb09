"""A full lifecycle with every log record and every error string captured: the key appears nowhere."""
from __future__ import annotations

import io
import logging
import re
import time

import pytest

from chain.client import ChainClient, HeartbeatScheduler
from chain.errors import ChainError
from chain.outbox import Reporter
from chain.redact import RedactingFormatter
from chain.wallet import EncryptedKeystore, KeyringStore, Wallet
from tests.chain.support import MODEL_ID, TcpProxy, client_for, wait_for

pytestmark = pytest.mark.timeout(120)

_HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


class Capture(logging.Handler):
    """Keeps every record twice: as the raw message (no masking) and through the redacting formatter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.raw = io.StringIO()
        self.redacted = io.StringIO()
        self._plain = logging.Formatter("%(name)s %(levelname)s %(message)s")
        self._masked = RedactingFormatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.raw.write(self._plain.format(record) + "\n")
        self.redacted.write(self._masked.format(record) + "\n")


def test_full_lifecycle_leaks_no_secret(devnet, tmp_path, memory_keyring):
    root = logging.getLogger()
    capture = Capture()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)  # every library's debug output too (web3, urllib3, …)
    texts: list[str] = []  # reprs of results and errors
    error_texts: list[str] = []  # what an error shows a user or a bug report

    def keep(obj) -> None:
        texts.append(repr(obj))
        texts.append(str(obj))
        if isinstance(obj, BaseException):
            error_texts.extend([str(obj), repr(obj), getattr(obj, "detail", "")])

    def expect_error(fn, *args, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every error's text is what is checked
            keep(exc)
        else:
            raise AssertionError(f"{fn} should have failed")

    try:
        # Wallet: create, keep in the keyring, back up to an encrypted file, import, refuse near-keys.
        account = devnet.new_account(fund_wei=10**19)
        wallet = Wallet.from_private_key(account.private_key)
        keep(wallet)
        store = KeyringStore()
        store.save(wallet)
        keep(store.load())
        keystore = EncryptedKeystore(tmp_path / "backup.json", scrypt_n=2**10)
        keystore.save(wallet, "a good password")
        expect_error(keystore.load, "the wrong password")
        keep(keystore.load("a good password"))
        expect_error(Wallet.from_private_key, account.private_key[:-1])  # one digit short
        expect_error(Wallet.from_private_key, account.private_key + "0")

        # Chain: register, heartbeat, refusals, wrong chain, unreachable RPC.
        client = client_for(devnet, wallet, tmp_path)
        keep(client)
        keep(client.register(MODEL_ID))
        keep(client.heartbeat())
        expect_error(client.claim)
        expect_error(ChainClient(devnet.rpc_url, 1, wallet).heartbeat)
        stranger = client_for(devnet, Wallet.generate(), tmp_path / "stranger")
        expect_error(stranger.heartbeat)
        proxy = TcpProxy(devnet.rpc_url).start()
        proxy.stop()  # nothing listens on its port any more
        dead = ChainClient(proxy.url, devnet.chain_id, wallet, rpc_attempts=2, backoff=0.01)
        expect_error(dead.heartbeat)
        scheduler = HeartbeatScheduler(client, interval=0.2)
        scheduler.start()
        wait_for(lambda: scheduler.beats >= 1, 30, what="a scheduled heartbeat")
        scheduler.stop()

        # Reports: accepted, refused for clock skew, unreachable.
        reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0,
                            flush_interval=0.2)
        reporter.record(25, 1, 3.0)
        keep(reporter.report_now())
        skewed = Reporter(wallet, devnet.oracle_url, tmp_path / "skewed.sqlite3", flush_interval=0.2,
                          clock=lambda: time.time() + 300)
        expect_error(skewed.report_now)
        keep(skewed.last_result)
        skewed.close()
        gone = Reporter(wallet, proxy.url, tmp_path / "gone.sqlite3", flush_interval=0.2)
        expect_error(gone.report_now)
        gone.close()
        reporter.close()
        store.delete()
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)

    key_hex = wallet.export_private_key()[2:]
    raw_logs = capture.raw.getvalue()
    everything = (raw_logs + "\n".join(texts)).lower()
    assert raw_logs.count("\n") > 20  # the capture did see the lifecycle
    assert key_hex not in everything
    # Through the formatter every project handler uses, no 64-hex run survives at all.
    assert not _HEX64.search(capture.redacted.getvalue())
    # Error texts mask anything key-shaped too (results may show tx hashes: those are not secrets).
    assert error_texts and not _HEX64.search("\n".join(error_texts))
