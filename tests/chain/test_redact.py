"""Secrets are masked in every log handler the project installs."""
from __future__ import annotations

import io
import logging

from chain.redact import MASK, RedactingFormatter, install, install_on_root, redact
from tests.chain.conftest import TEST_KEY

SIG = "0x" + "ab" * 65
ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"


def test_redact_masks_keys_with_and_without_prefix_only():
    assert redact(f"key {TEST_KEY} end") == f"key {MASK} end"
    assert redact(f"key={TEST_KEY[2:]}") == f"key={MASK}"
    assert redact(TEST_KEY.upper().replace("0X", "0x")) == MASK
    # Addresses (40 hex) and signatures (130 hex) are not secrets and stay readable.
    assert redact(ADDRESS) == ADDRESS
    assert redact(SIG) == SIG
    assert redact("a" * 65) == "a" * 65


def test_formatter_masks_message_args_and_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s"))
    log = logging.getLogger("test.redact.formatter")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("loaded %s", TEST_KEY)
        try:
            raise ValueError(f"bad key {TEST_KEY[2:]}")
        except ValueError:
            log.exception("failed")
    finally:
        log.removeHandler(handler)
    out = stream.getvalue()
    assert TEST_KEY[2:] not in out
    assert out.count(MASK) == 2  # the message and the exception line


def test_install_keeps_format_and_install_on_root_wraps_every_handler():
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("X %(message)s"))
    install(handler)
    assert isinstance(handler.formatter, RedactingFormatter) and handler.formatter._fmt == "X %(message)s"
    root = logging.getLogger()
    extra = logging.StreamHandler(io.StringIO())
    root.addHandler(extra)
    try:
        install_on_root()
        assert all(isinstance(h.formatter, RedactingFormatter) for h in root.handlers)
    finally:
        root.removeHandler(extra)


def test_install_wraps_a_foreign_formatter_of_another_style():
    """hivemind puts a {-style formatter with fields of its own on the root logger when petals is imported;
    install() must keep it working (rebuilding it as a %-style formatter raised ValueError) and redact."""

    class Styled(logging.Formatter):
        def format(self, record):
            record.tag = "[hm]"
            return super().format(record)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    # (No {levelname}: hivemind renames the levels process-wide once imported.)
    handler.setFormatter(Styled("{tag} {name}: {message}", style="{"))
    install(handler)
    assert isinstance(handler.formatter, RedactingFormatter)
    install(handler)  # twice is harmless: not wrapped again
    assert not isinstance(getattr(handler.formatter, "inner", None), RedactingFormatter)
    log = logging.getLogger("test.redact.foreign")
    log.addHandler(handler)
    try:
        log.warning("key %s", TEST_KEY)
    finally:
        log.removeHandler(handler)
    assert stream.getvalue() == f"[hm] test.redact.foreign: key {MASK}\n"
