"""The dashboard: what the node does and what the wallet earns, every number from a real source.

Fed by :class:`app.node_status.NodeStatus` (the node's events plus the GUI's own chain reads) and by the
local :class:`app.earnings_history.EarningsHistory`. A value nobody has reported yet shows "—".
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import state_text
from app.charts import EarningsChart, RateChart
from app.earnings_history import EarningsHistory
from app.model_name import short_name
from app.money import UNKNOWN, format_plm, format_plm_exact
from app.node_status import NodeStatus
from app.node_supervisor import RunState

# (key, label) in display order; labels are translated in retranslate().
SERVING_FIELDS = ("tokens", "tokens_per_s", "requests", "avg_latency", "uptime", "model", "blocks", "peers")
REWARD_FIELDS = ("balance", "pending", "epoch", "registered", "last_report", "claimed_total")


class Dashboard(QWidget):
    start_requested = Signal()
    stop_requested = Signal()
    claim_requested = Signal()

    def __init__(self, status: NodeStatus, history: Optional[EarningsHistory] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.status = status
        self.history = history
        self.run_state = RunState.IDLE
        self.paused_reason: Optional[str] = None  # app.pause_policy reason while the wanted node is paused
        self.model_names: dict[str, str] = {}  # what the node reports (maybe a folder) → the model's id
        self.claim_in_flight = False
        self.wallet_ready = False

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLine")
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.state_label.setFont(font)
        self.state_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c0392b;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.start_stop_button = QPushButton()
        self.start_stop_button.clicked.connect(self.on_start_stop_clicked)
        self.claim_button = QPushButton()
        self.claim_button.clicked.connect(self.claim_requested)

        header = QHBoxLayout()
        header_text = QVBoxLayout()
        header_text.addWidget(self.state_label)
        header_text.addWidget(self.progress_bar)
        header_text.addWidget(self.error_label)
        header.addLayout(header_text, 1)
        header.addWidget(self.start_stop_button, 0, Qt.AlignmentFlag.AlignTop)

        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        self.serving_box = QGroupBox()
        self.serving_box.setLayout(self._form(SERVING_FIELDS))
        self.rate_chart = RateChart()
        self.serving_box.layout().addRow(self.rate_chart)
        self.rewards_box = QGroupBox()
        rewards_form = self._form(REWARD_FIELDS)
        self.rewards_box.setLayout(rewards_form)
        self.earnings_chart = EarningsChart()
        rewards_form.addRow(self.earnings_chart)
        rewards_form.addRow(self.claim_button)

        columns = QHBoxLayout()
        columns.addWidget(self.serving_box, 1)
        columns.addWidget(self.rewards_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(columns)
        layout.addStretch(1)

        status.changed.connect(self.on_status_changed)
        self.retranslate()
        self.refresh()

    def _form(self, keys: tuple[str, ...]) -> QFormLayout:
        form = QFormLayout()
        for key in keys:
            caption, value = QLabel(), QLabel(UNKNOWN)
            value.setObjectName(f"value_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.captions[key], self.values[key] = caption, value
            form.addRow(caption, value)
        return form

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        captions = {
            "tokens": self.tr("Tokens served"),
            "tokens_per_s": self.tr("Tokens per second"),
            "requests": self.tr("Requests"),
            "avg_latency": self.tr("Average latency"),
            "uptime": self.tr("Serving for"),
            "model": self.tr("Model"),
            "blocks": self.tr("Blocks"),
            "peers": self.tr("Peers"),
            "balance": self.tr("PLM balance"),
            "pending": self.tr("Pending PLM"),
            "epoch": self.tr("Epoch"),
            "registered": self.tr("Registered / active"),
            "last_report": self.tr("Last report"),
            "claimed_total": self.tr("Claimed here"),
        }
        for key, text in captions.items():
            self.captions[key].setText(text)
        self.serving_box.setTitle(self.tr("Serving"))
        self.rewards_box.setTitle(self.tr("Rewards"))
        self.claim_button.setText(self.tr("Claim…"))
        self.refresh()

    # -- inputs
    def set_run_state(self, run_state: str) -> None:
        self.run_state = run_state
        self.refresh()

    def set_paused_reason(self, reason: Optional[str]) -> None:
        self.paused_reason = reason
        self.refresh()

    def set_model_name(self, reported: str, name: str) -> None:
        self.model_names[reported] = name
        self.refresh()

    def set_claim_in_flight(self, in_flight: bool) -> None:
        self.claim_in_flight = in_flight
        self.refresh()

    def set_wallet_ready(self, ready: bool) -> None:
        self.wallet_ready = ready
        self.refresh()

    @Slot()
    def on_status_changed(self) -> None:
        self.refresh()

    @Slot()
    def on_start_stop_clicked(self) -> None:
        if self.node_wanted():
            self.stop_requested.emit()
        else:
            self.start_requested.emit()

    def node_wanted(self) -> bool:
        """Whether the button means Stop: a node runs or is coming, or it is wanted but paused."""
        return self.paused_reason is not None or self.run_state in (
            RunState.STARTING, RunState.RUNNING, RunState.RESTART_WAIT)

    def claim_possible(self) -> bool:
        return bool(self.wallet_ready and not self.claim_in_flight and (self.status.pending_wei or 0) > 0)

    # -- output
    def refresh(self) -> None:
        s = self.status
        self.state_label.setText(state_text.state_line(s, self.run_state, self.paused_reason))
        show_error = s.last_error is not None and s.state != "serving"
        self.error_label.setVisible(show_error)
        if show_error:
            reason, detail = s.last_error
            self.error_label.setText(f"{reason}\n{detail}" if detail else reason)
        progress = s.progress if s.state in ("downloading", "loading") and self.run_state == RunState.STARTING else None
        self.progress_bar.setVisible(progress is not None)
        if progress is not None and progress.total > 0:
            # QProgressBar holds an int: scale bytes to permille so multi-GB downloads fit.
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(1000 * min(progress.done, progress.total) / progress.total))
            self.progress_bar.setFormat(state_text.format_progress(progress))
        self.start_stop_button.setText(self.tr("Stop") if self.node_wanted() else self.tr("Start"))
        self.start_stop_button.setEnabled(self.run_state != RunState.STOPPING and self.wallet_ready)

        v = self.values
        v["tokens"].setText(state_text.format_count(s.tokens))
        v["tokens_per_s"].setText(state_text.format_rate(s.tokens_per_s))
        v["requests"].setText(state_text.format_count(s.requests))
        v["avg_latency"].setText(state_text.format_latency(s.avg_latency_ms))
        v["uptime"].setText(state_text.format_duration(s.uptime_s))
        v["model"].setText(self.model_names.get(s.model) or short_name(s.model) if s.model else UNKNOWN)
        v["blocks"].setText(state_text.format_blocks(s.blocks))
        v["peers"].setText(state_text.format_count(s.peers))
        v["balance"].setText(format_plm(s.balance_wei))
        v["balance"].setToolTip(format_plm_exact(s.balance_wei))
        v["pending"].setText(format_plm(s.pending_wei))
        v["pending"].setToolTip(format_plm_exact(s.pending_wei))
        v["epoch"].setText(state_text.format_count(s.epoch))
        if s.registered is None and s.active is None:
            v["registered"].setText(UNKNOWN)
        else:
            v["registered"].setText(f"{state_text.format_yes_no(s.registered)} / {state_text.format_yes_no(s.active)}")
        v["last_report"].setText(self._report_text())
        if self.history is not None:
            v["claimed_total"].setText(format_plm(self.history.total_claimed_wei()) if self.history.claims else UNKNOWN)
            self.earnings_chart.set_points(self.history.daily_points())
        self.rate_chart.set_samples(list(s.tps_samples))
        self.claim_button.setEnabled(self.claim_possible())
        if self.claim_in_flight:
            self.claim_button.setToolTip(self.tr("A claim is in progress."))
        elif not self.claim_possible():
            self.claim_button.setToolTip(self.tr("There is nothing to claim yet."))
        else:
            self.claim_button.setToolTip(self.tr("Move %1 to your wallet.").replace("%1", format_plm_exact(s.pending_wei)))

    def _report_text(self) -> str:
        report = self.status.last_report
        if not report:
            return UNKNOWN
        when = dt.datetime.fromtimestamp(report["at"]).strftime("%H:%M:%S") if report.get("at") else ""
        verdict = self.tr("accepted") if report["ok"] else self.tr("refused")
        text = f"{verdict} {when}".strip()
        if not report["ok"] and report.get("message"):
            text += f" — {report['message']}"
        return text
