"""Typed errors of the Plumise protocol client, each with a sentence a person can act on.

``str(error)`` is the plain-language sentence shown to the user; ``error.detail`` is one line for support
(technical, never holding a secret: it passes through :func:`chain.redact.redact`). Callers catch
:class:`ChainError` for "something on the network side went wrong" and the subclasses for the cases the UI
treats differently (offer the encrypted keystore on :class:`NoKeyringAvailable`, offer a sponsored
registration on :class:`InsufficientFunds`, …).

Stdlib only, so the GUI can import it without paying for web3.
"""
from __future__ import annotations

from chain.redact import redact


class ChainError(Exception):
    """Base of every error ``chain`` raises on purpose.

    ``message`` is the user-facing sentence (a class default when omitted); ``detail`` a support line.
    """

    default_message = "Something went wrong while talking to the Plumise network. Please try again."

    def __init__(self, message: str | None = None, detail: str = "") -> None:
        self.message = redact(message or self.default_message)
        self.detail = redact(str(detail))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, detail={self.detail!r})"


class RpcUnreachable(ChainError):
    default_message = (
        "The Plumise network cannot be reached right now. Check your internet connection; "
        "the app keeps trying on its own."
    )


class WrongChain(ChainError):
    """The RPC endpoint serves another chain: nothing is signed for it."""

    def __init__(self, expected: int, actual: int | None, detail: str = "") -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"The network address in the settings points to a different blockchain (chain id {actual}) "
            f"than Plumise (chain id {expected}). Nothing was sent. Check the network setting.",
            detail or f"eth_chainId returned {actual}, expected {expected}",
        )


class InsufficientFunds(ChainError):
    default_message = (
        "This wallet does not hold enough PLM to pay the network fee for this step. "
        "Add a little PLM to the wallet, or let the Oracle sponsor your registration."
    )


class TransactionReverted(ChainError):
    """The chain ran the transaction and refused it (receipt status 0)."""

    def __init__(self, reason: str | None = None, tx_hash: str | None = None, detail: str = "") -> None:
        self.reason = reason
        self.tx_hash = tx_hash
        said = f' It said: "{reason}".' if reason else ""
        super().__init__(
            f"The Plumise network refused this transaction.{said} Nothing changed on the chain except the fee.",
            detail or f"tx {tx_hash} reverted ({reason or 'no reason given'})",
        )


class TransactionTimeout(ChainError):
    def __init__(self, tx_hash: str | None = None, timeout_s: float | None = None, detail: str = "") -> None:
        self.tx_hash = tx_hash
        self.timeout_s = timeout_s
        super().__init__(
            "The transaction was sent but the network has not confirmed it yet. "
            "It may still go through; check again in a few minutes before retrying.",
            detail or f"no receipt for {tx_hash} within {timeout_s} s",
        )


class OracleUnreachable(ChainError):
    default_message = (
        "The Plumise Oracle cannot be reached right now. Your work is counted and saved on this computer "
        "and will be reported as soon as the Oracle is back."
    )


class OracleRejected(ChainError):
    """The oracle answered 4xx; ``status`` and the oracle's own ``oracle_message`` are kept."""

    def __init__(self, status: int, message: str, detail: str = "", user_message: str | None = None) -> None:
        self.status = status
        self.oracle_message = message
        super().__init__(
            user_message or f'The Plumise Oracle refused the report: "{message}". Your counted work is kept.',
            detail or f"HTTP {status}: {message}",
        )


class ClockSkew(OracleRejected):
    """The oracle refused a timestamp more than 60 s away from its own clock."""

    def __init__(self, status: int, message: str, offset_s: float | None = None, detail: str = "") -> None:
        self.offset_s = offset_s
        if offset_s is not None:
            way = "ahead of" if offset_s > 0 else "behind"
            off = f"about {abs(round(offset_s))} seconds {way}"
        else:
            off = "more than a minute away from"
        super().__init__(
            status,
            message,
            detail,
            user_message=(
                f"Your computer's clock is {off} the Plumise Oracle's, so it refuses the reports. "
                "Turn on automatic date and time in your system settings; your counted work is kept."
            ),
        )


class InvalidPrivateKey(ChainError):
    default_message = (
        "That is not a private key. A private key is 64 characters, each 0-9 or a-f, "
        "optionally starting with 0x (66 characters then)."
    )


class NoKeyringAvailable(ChainError):
    default_message = (
        "This computer has no system password store (keyring) that the app can use. "
        "You can keep the key in an encrypted file protected by a password you choose instead."
    )


class KeyStorageFailed(ChainError):
    default_message = (
        "The wallet key could not be read from or written to the system password store. "
        "Unlock it (or allow the app access) and try again."
    )


class KeystorePasswordWrong(ChainError):
    default_message = "That password does not open the wallet file. Check it and try again."


class NothingToClaim(ChainError):
    default_message = "There is no reward to claim yet. Rewards appear after an epoch (about an hour) of work."


class ClockWentBack(ChainError):
    """This computer's clock is behind the last timestamp already signed; reports wait for it."""

    def __init__(self, wait_s: int, detail: str = "") -> None:
        self.wait_s = wait_s
        super().__init__(
            f"Your computer's clock moved backwards, so reports wait about {wait_s} seconds until it catches up. "
            "Nothing is lost. If this keeps happening, turn on automatic date and time.",
            detail or f"next timestamp is {wait_s} s ahead of the wall clock",
        )
