"""Masking of private keys in any text that may reach a log, a screen or a bug report.

A private key is 32 bytes; written as ``0x`` + 64 hex digits it looks exactly like a transaction hash
or a bytes32, so those are masked too: a tx hash in a log is worth less than a key that leaks.
Every log handler the project installs uses :class:`RedactingFormatter` (or :func:`install`).
"""
from __future__ import annotations

import logging
import re

# Exactly 64 hex digits after 0x (a 65-byte signature or a longer blob is not a key), and a bare
# 64-hex run, as users paste keys without the prefix.
_SECRET = re.compile(r"(?<![0-9a-fA-Fx])(0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])")
MASK = "0x…[redacted]"


def redact(text: str) -> str:
    """``text`` with every ``0x``+64-hex (or bare 64-hex) run replaced by a mask."""
    return _SECRET.sub(MASK, text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose output, traceback included, never holds a 64-hex secret."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install(handler: logging.Handler, fmt: str | None = None, datefmt: str | None = None) -> logging.Handler:
    """Give ``handler`` a :class:`RedactingFormatter` (keeping ``fmt``/``datefmt``); returns it."""
    current = handler.formatter
    handler.setFormatter(
        RedactingFormatter(
            fmt or (current._fmt if current else "%(asctime)s %(levelname)s %(name)s: %(message)s"),
            datefmt or (current.datefmt if current else None),
        )
    )
    return handler


def install_on_root() -> None:
    """Wrap the formatters of every handler already on the root logger (and ensure one exists)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in root.handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            install(handler)
