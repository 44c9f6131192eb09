"""Claim: confirm the amount, send the claim off the GUI thread, show the result (amount, tx hash, link).

The claim itself is a callable given by the composition root (the GUI process's chain client,
``RewardPool.claimReward()``); it runs through :func:`app.background.run_in_background`, so the dialog
stays responsive while the transaction is mined. The amount shown after a claim is the one in the
``RewardClaimed`` event, not the pending figure from before.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.background import run_in_background
from app.money import format_plm_exact


@dataclass(frozen=True)
class ClaimOutcome:
    tx_hash: Optional[str]
    amount_wei: Optional[int]


def claim_outcome_of(result: Any) -> ClaimOutcome:
    """Accept the chain client's result as an object (``.tx_hash``, ``.amount_wei``/``.amount``) or a dict."""
    def pick(*names: str) -> Any:
        for name in names:
            if isinstance(result, dict) and result.get(name) is not None:
                return result[name]
            if getattr(result, name, None) is not None:
                return getattr(result, name)
        return None

    tx_hash = pick("tx_hash", "transaction_hash")
    if isinstance(tx_hash, (bytes, bytearray)):
        tx_hash = "0x" + bytes(tx_hash).hex()
    amount = pick("amount_wei", "amount")
    return ClaimOutcome(str(tx_hash) if tx_hash is not None else None, int(amount) if amount is not None else None)


def human_error(exc: BaseException) -> tuple[str, str]:
    """(sentence for a person, detail for support). chain.errors give a human ``str()`` already."""
    detail = getattr(exc, "detail", "") or ""
    text = str(exc).strip() or type(exc).__name__
    if type(exc).__module__.startswith("chain"):
        return text, str(detail)
    return QCoreApplication.translate("ClaimDialog", "The claim could not be sent."), f"{type(exc).__name__}: {text}"


class ClaimDialog(QDialog):
    claim_succeeded = Signal(object)   # ClaimOutcome
    claim_failed = Signal(str, str)    # reason, detail

    PAGE_CONFIRM, PAGE_WORKING, PAGE_RESULT = range(3)

    def __init__(
        self,
        pending_wei: int,
        address: str,
        claim_op: Callable[[], Any],
        explorer_tx_url: Optional[str] = None,
        parent: Optional[QWidget] = None,
    ) -> None:
        super().__init__(parent)
        self.pending_wei = pending_wei
        self.address = address
        self.claim_op = claim_op
        self.explorer_tx_url = explorer_tx_url  # "https://…/tx/{tx_hash}", or None where no explorer exists
        self.outcome: Optional[ClaimOutcome] = None
        self.error: Optional[tuple[str, str]] = None

        self.pages = QStackedWidget()
        # Confirm
        confirm = QWidget()
        confirm_layout = QVBoxLayout(confirm)
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_buttons = QDialogButtonBox()
        self.claim_button = self.confirm_buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_buttons.accepted.connect(self.on_confirmed)
        self.confirm_buttons.rejected.connect(self.reject)
        confirm_layout.addWidget(self.confirm_label)
        confirm_layout.addStretch(1)
        confirm_layout.addWidget(self.confirm_buttons)
        # Working
        working = QWidget()
        working_layout = QVBoxLayout(working)
        self.working_label = QLabel()
        self.working_label.setWordWrap(True)
        working_layout.addWidget(self.working_label)
        busy = QProgressBar()
        busy.setRange(0, 0)  # the chain gives no progress; a busy bar, not an invented percentage
        working_layout.addWidget(busy)
        working_layout.addStretch(1)
        # Result
        result = QWidget()
        result_layout = QVBoxLayout(result)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tx_caption = QLabel()
        # The hash on a line of its own, in a fixed-width font, never wrapped: the dialog is made wide
        # enough for all 66 characters (see _fit_hash), so it can be read and compared whole.
        self.tx_label = QLabel()
        self.tx_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tx_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.on_copy_tx)
        self.explorer_button = QPushButton()
        self.explorer_button.clicked.connect(self.on_open_explorer)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.explorer_button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.accept)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.tx_caption)
        result_layout.addWidget(self.tx_label)
        result_layout.addLayout(row)
        result_layout.addStretch(1)
        result_layout.addWidget(close)
        for page in (confirm, working, result):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._fit_hash()
        self.retranslate()

    def _fit_hash(self) -> None:
        sample = "0x" + "f" * 64
        hash_width = self.tx_label.fontMetrics().horizontalAdvance(sample)
        margins = self.layout().contentsMargins()
        self.setMinimumWidth(max(520, hash_width + margins.left() + margins.right() + 48))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Every text from the current state, in the current language (also on a language switch)."""
        self.setWindowTitle(self.tr("Claim your PLM"))
        self.confirm_label.setText(
            self.tr("Move %1 of pending rewards to your wallet %2?\n\nThe network charges a small fee (gas) in PLM.")
            .replace("%1", format_plm_exact(self.pending_wei)).replace("%2", self.address)
        )
        self.claim_button.setText(self.tr("Claim"))
        self.working_label.setText(self.tr("Sending the claim and waiting for the network to confirm it…"))
        self.copy_button.setText(self.tr("Copy transaction hash"))
        self.explorer_button.setText(self.tr("Open in explorer"))
        if self.outcome is not None:
            amount = format_plm_exact(self.outcome.amount_wei) if self.outcome.amount_wei is not None else "—"
            self.result_label.setText(self.tr("Claimed %1. It is in your wallet now.").replace("%1", amount))
            self.tx_caption.setText(self.tr("Transaction:"))
            self.tx_label.setText(self.outcome.tx_hash or "—")
        elif self.error is not None:
            reason, detail = self.error
            self.result_label.setText(self.tr("The claim did not go through: %1").replace("%1", reason))
            self.tx_caption.setText(self.tr("Details:"))
            self.tx_label.setText(detail)

    def explorer_link(self) -> Optional[str]:
        if not (self.explorer_tx_url and self.outcome and self.outcome.tx_hash):
            return None
        return self.explorer_tx_url.replace("{tx_hash}", self.outcome.tx_hash)

    @Slot()
    def on_confirmed(self) -> None:
        self.pages.setCurrentIndex(self.PAGE_WORKING)
        run_in_background(self.claim_op, self.on_claim_done, self.on_claim_error, owner=self)

    def on_claim_done(self, result: Any) -> None:
        self.outcome = claim_outcome_of(result)
        self.retranslate()
        self.copy_button.setVisible(bool(self.outcome.tx_hash))
        link = self.explorer_link()
        self.explorer_button.setVisible(link is not None)
        self.explorer_button.setToolTip(link or "")
        self.pages.setCurrentIndex(self.PAGE_RESULT)
        self.claim_succeeded.emit(self.outcome)

    def on_claim_error(self, exc: BaseException) -> None:
        self.error = human_error(exc)
        self.retranslate()
        self.tx_label.setWordWrap(True)  # a detail line, not a hash
        self.copy_button.setVisible(False)
        self.explorer_button.setVisible(False)
        self.pages.setCurrentIndex(self.PAGE_RESULT)
        self.claim_failed.emit(*self.error)

    @Slot()
    def on_copy_tx(self) -> None:
        if self.outcome and self.outcome.tx_hash:
            QGuiApplication.clipboard().setText(self.outcome.tx_hash)

    @Slot()
    def on_open_explorer(self) -> None:
        link = self.explorer_link()
        if link:
            QDesktopServices.openUrl(QUrl(link))
