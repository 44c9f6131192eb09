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


class RedactingWrapper(RedactingFormatter):
    """Redacts what another formatter produced, whatever its class and style.

    Libraries install their own formatters (hivemind's root handler uses ``{``-style with fields its own
    ``format()`` fills in); rebuilding one from its format string would break it, so it is wrapped whole.
    ``_fmt`` and ``datefmt`` mirror the inner formatter's for whoever inspects them.
    """

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner
        self._fmt = inner._fmt
        self.datefmt = inner.datefmt

    def format(self, record: logging.LogRecord) -> str:
        return redact(self.inner.format(record))


def install(handler: logging.Handler, fmt: str | None = None, datefmt: str | None = None) -> logging.Handler:
    """Make ``handler``'s output redacted; returns it.

    With ``fmt``/``datefmt`` (or no formatter yet) it gets a new :class:`RedactingFormatter` of that format;
    otherwise its current formatter is kept and wrapped (:class:`RedactingWrapper`), so a formatter of any
    style or class goes on formatting exactly as before."""
    current = handler.formatter
    if isinstance(current, RedactingFormatter) and fmt is None and datefmt is None:
        return handler
    if current is not None and fmt is None and datefmt is None:
        handler.setFormatter(RedactingWrapper(current))
        return handler
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
