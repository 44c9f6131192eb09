"""The tray icon: state at a glance, the menu of every command, and the few notifications that matter.

Notifications: a claim landed, an error, and "stopped earning for N minutes" (the node was wanted but has
not been serving for that long). Where no system tray exists this class is not created at all; the main
window holds the same actions (see app/main_window.py).
"""
from __future__ import annotations

import time
from typing import Callable, Optional

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import state_text
from app.icons import tray_icon
from app.main_window import AppActions
from app.money import format_plm
from app.node_status import NodeStatus
from app.node_supervisor import RunState

STOPPED_EARNING_MINUTES = 10


def tray_state_of(status: NodeStatus, run_state: str, paused: bool = False) -> str:
    if paused:
        return "paused"
    if run_state == RunState.FAILED or status.state == "error" or run_state == RunState.RESTART_WAIT:
        return "error"
    if run_state == RunState.RUNNING and status.state == "serving":
        return "serving"
    if run_state in (RunState.STARTING, RunState.RUNNING, RunState.STOPPING):
        return "starting"
    return "stopped"


class StoppedEarningWatch:
    """Tells once when the node was wanted but has not served for ``minutes`` (pure; the tray polls it)."""

    def __init__(self, minutes: float = STOPPED_EARNING_MINUTES, clock: Callable[[], float] = time.monotonic) -> None:
        self.minutes = minutes
        self.clock = clock
        self._not_serving_since: Optional[float] = None
        self._told = False

    def update(self, wanted: bool, serving: bool) -> None:
        if serving or not wanted:
            self._not_serving_since = None
            self._told = False
        elif self._not_serving_since is None:
            self._not_serving_since = self.clock()

    def minutes_not_earning(self) -> Optional[int]:
        """Minutes to announce now, or None (nothing to say, or already said)."""
        if self._not_serving_since is None or self._told:
            return None
        elapsed = (self.clock() - self._not_serving_since) / 60
        if elapsed < self.minutes:
            return None
        self._told = True
        return int(elapsed)


class Tray(QObject):
    def __init__(self, status: NodeStatus, actions: AppActions, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.status = status
        self.actions = actions
        self.run_state = RunState.IDLE
        self.paused_reason: Optional[str] = None
        self.user_wants_node = False
        self.watch = StoppedEarningWatch()
        self.icon = QSystemTrayIcon(tray_icon("stopped"), self)
        self.menu = QMenu()
        for action in (actions.state_line, None, actions.start_stop, actions.pause_resume, actions.open_dashboard,
                       actions.claim,
                       actions.settings, None, actions.quit):
            if action is None:
                self.menu.addSeparator()
            else:
                self.menu.addAction(action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self.on_activated)
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(30_000)
        self.watch_timer.timeout.connect(self.on_watch_tick)
        self.watch_timer.start()
        status.changed.connect(self.refresh)
        status.error_reported.connect(self.on_error_reported)

    def shutdown(self) -> None:
        """Quiet for good: no more ticks, no more reactions to the status, the icon gone."""
        self.watch_timer.stop()
        for signal, slot in ((self.status.changed, self.refresh), (self.status.error_reported, self.on_error_reported)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # already disconnected, or the status is gone
                pass
        self.icon.hide()

    def show(self) -> None:
        self.refresh()
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_run_state(self, run_state: str, user_wants_node: bool) -> None:
        self.run_state = run_state
        self.user_wants_node = user_wants_node
        self.refresh()

    def set_paused_reason(self, reason: Optional[str]) -> None:
        self.paused_reason = reason
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        state = tray_state_of(self.status, self.run_state, bool(self.paused_reason))
        self.icon.setIcon(tray_icon(state))
        line = state_text.state_line(self.status, self.run_state, self.paused_reason)
        self.icon.setToolTip(self.tooltip(line))
        self.watch.update(self.user_wants_node and not self.paused_reason,
                          self.run_state == RunState.RUNNING and self.status.state == "serving")

    def tooltip(self, line: str) -> str:
        rate = state_text.format_rate(self.status.tokens_per_s if self.status.state == "serving" else None)
        pending = format_plm(self.status.pending_wei)
        return self.tr("Plumise Petals — %1\n%2 · pending %3").replace("%1", line).replace("%2", rate).replace(
            "%3", pending)

    @Slot(QSystemTrayIcon.ActivationReason)
    def on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.actions.open_dashboard.trigger()

    @Slot()
    def on_watch_tick(self) -> None:
        self.refresh()
        minutes = self.watch.minutes_not_earning()
        if minutes is not None:
            self.notify(self.tr("Not earning"),
                        self.tr("Plumise Petals has not been serving for %n minutes.", "", minutes),
                        QSystemTrayIcon.MessageIcon.Warning)

    @Slot(str, str)
    def on_error_reported(self, reason: str, _detail: str) -> None:
        self.notify(self.tr("Plumise Petals: a problem"), reason, QSystemTrayIcon.MessageIcon.Critical)

    def notify_claim(self, amount_text: str) -> None:
        self.notify(self.tr("Reward claimed"), self.tr("%1 arrived in your wallet.").replace("%1", amount_text))

    def notify(self, title: str, text: str,
               icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information) -> None:
        self.last_notification = (title, text)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, icon, 8000)
