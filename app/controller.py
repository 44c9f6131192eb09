"""The app's behaviour: wires the node supervisor, the status, the windows, the tray, the wallet and claims.

Built by :func:`app.main.main` (the composition root). Everything slow — loading the wallet from the
keyring, chain reads, the claim, saving the history, the devnet — goes through background operations or
child processes; the GUI thread only reacts to their results.
"""
from __future__ import annotations

import logging
import socket
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from app.background import run_in_background
from app.chain_access import ChainAccess
from app.claim_dialog import ClaimDialog, ClaimOutcome
from app.dashboard import Dashboard
from app.devnet_runner import DevnetRunner, fund_from_faucet, node_flags_for_devnet
from app.earnings_history import EarningsHistory
from app.logs_view import LogsView, QtLogHandler
from app.main_window import AppActions, MainWindow
from app.money import format_plm_exact
from app.node_status import NodeStatus
from app.node_supervisor import NodeLaunch, NodeSupervisor, RunState
from app.tray import Tray

log = logging.getLogger(__name__)

QUIT_DEADLINE_MS = 75_000   # the node gets its graceful stop, the devnet its own; then we leave anyway
CHAIN_READ_INTERVAL_MS = 60_000
EXPLORER_TX_URLS: dict[str, str] = {}  # network → "https://…/tx/{tx_hash}"; no public explorer is documented yet


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_wallet_loader() -> Any:
    """Blocking (keyring access may wait on a D-Bus prompt): the wallet in the OS keyring, or None."""
    from chain.errors import NoKeyringAvailable
    from chain.wallet import KeyringStore

    try:
        return KeyringStore().load()
    except NoKeyringAvailable:
        return None


def keystore_files(keystore_dir: Path) -> list[Path]:
    return sorted(Path(keystore_dir).glob("keystore-*.json")) if Path(keystore_dir).is_dir() else []


class AppController(QObject):
    quit_finished = Signal()

    def __init__(
        self,
        settings: Any,
        data_dir: Path,
        tray_available: bool,
        launch_base: Optional[NodeLaunch] = None,
        settings_path: Optional[Path] = None,
        wallet_loader: Callable[[], Any] = default_wallet_loader,
        chain_access_factory: Optional[Callable[[Any, Optional[dict]], Any]] = None,
        keystore_dir: Optional[Path] = None,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.settings_path = settings_path
        self.launch_base = launch_base or NodeLaunch()
        self.wallet_loader = wallet_loader
        self.chain_access_factory = chain_access_factory or self._default_chain_access
        self.keystore_dir = keystore_dir
        self.wallet: Any = None
        self.chain_access: Any = None
        self.user_wants_node = False
        self.quitting = False
        self.devnet_info: Optional[dict] = None
        self.claim_dialog: Optional[ClaimDialog] = None
        self.wizard: Optional[QDialog] = None

        self.status = NodeStatus(self)
        self.history = EarningsHistory(self.data_dir / "earnings.json")
        self.supervisor = NodeSupervisor(self)
        self.actions = AppActions(self)
        self.dashboard = Dashboard(self.status, self.history)
        self.logs = LogsView()
        self.log_handler = QtLogHandler()
        self.log_handler.bridge.record.connect(self.logs.on_app_record)
        logging.getLogger().addHandler(self.log_handler)
        self.window = MainWindow(self.dashboard, self.logs, self.actions, on_close=self.on_window_close)
        self.tray: Optional[Tray] = Tray(self.status, self.actions, self) if tray_available else None
        self.devnet = DevnetRunner(self.data_dir / "devnet", self) if settings.network == "devnet" else None

        self.supervisor.event_received.connect(self.status.on_event)
        self.supervisor.log_line.connect(self.logs.on_node_line)
        self.supervisor.run_state_changed.connect(self.on_run_state_changed)
        self.supervisor.crashed.connect(self.on_node_crashed)
        self.supervisor.stopped.connect(self.on_node_stopped)
        self.status.changed.connect(self.on_status_changed)
        self.status.claim_finished.connect(self.on_node_claim_event)
        self.dashboard.start_requested.connect(self.on_start_requested)
        self.dashboard.stop_requested.connect(self.on_stop_requested)
        self.dashboard.claim_requested.connect(self.on_claim_requested)
        self.actions.start_stop.triggered.connect(self.on_start_stop_action)
        self.actions.open_dashboard.triggered.connect(self.show_window)
        self.actions.claim.triggered.connect(self.on_claim_requested)
        self.actions.settings.triggered.connect(self.on_settings_requested)
        self.actions.quit.triggered.connect(self.request_quit)
        if self.devnet is not None:
            self.devnet.ready.connect(self.on_devnet_ready)
            self.devnet.failed.connect(self.on_devnet_failed)
            self.devnet.log_line.connect(lambda level, text: self.logs.add(level, "devnet", text))
        self.chain_timer = QTimer(self)
        self.chain_timer.setInterval(CHAIN_READ_INTERVAL_MS)
        self.chain_timer.timeout.connect(self.refresh_chain)
        self._refresh_actions()

    # ------------------------------------------------------------------ showing up
    def show_initial(self, start_minimized: bool = False) -> None:
        """Tray icon, or (no tray) the window that holds every control. Nothing slow happens before this."""
        if self.tray is not None:
            self.tray.show()
            if not start_minimized:
                self.window.show()
        else:
            self.window.show()

    @Slot()
    def show_window(self) -> None:
        self.window.bring_forward()

    def on_window_close(self) -> bool:
        if self.quitting:
            return True  # Qt closes the windows as part of quitting; the node is already being stopped
        if self.tray is not None:
            self.window.hide()
            return True
        self.request_quit()
        return False

    # ------------------------------------------------------------------ wallet
    def begin(self, start_node: bool = True) -> None:
        """After the first paint: load the wallet off the GUI thread, then start the node."""
        self._start_after_wallet = start_node
        run_in_background(self.wallet_loader, self.on_wallet_loaded, self.on_wallet_failed)

    def on_wallet_loaded(self, wallet: Any) -> None:
        if wallet is None and self.keystore_dir is not None and keystore_files(self.keystore_dir):
            self._unlock_keystore(keystore_files(self.keystore_dir)[0])
            return
        if wallet is None:
            self.open_wizard()
            return
        self.set_wallet(wallet)
        if self._start_after_wallet:
            self.start_node()

    def on_wallet_failed(self, exc: BaseException) -> None:
        log.error("The wallet could not be loaded: %s", exc)
        self.status.set_crashed(self.tr("Your wallet could not be loaded."), str(exc))
        self.show_window()

    def _unlock_keystore(self, path: Path) -> None:
        password, ok = QInputDialog.getText(
            self.window, self.tr("Unlock your wallet"),
            self.tr("Your wallet is kept encrypted in %1.\nEnter its password:").replace("%1", str(path)),
            QLineEdit.EchoMode.Password)
        if not ok:
            return

        def load() -> Any:
            from chain.wallet import EncryptedKeystore

            return EncryptedKeystore(path).load(password)

        run_in_background(load, self.on_wallet_loaded, self.on_wallet_failed)

    def set_wallet(self, wallet: Any) -> None:
        self.wallet = wallet
        self.chain_access = None
        self.status.set_chain_reading(address=wallet.address)
        self.dashboard.set_wallet_ready(True)
        self._refresh_actions()

    def open_wizard(self) -> None:
        """Integration point with app-dialogs: app.wizard.FirstRunWizard (stores the wallet itself)."""
        from app.wizard import FirstRunWizard

        kwargs = {"keystore_dir": self.keystore_dir} if self.keystore_dir is not None else {}
        self.wizard = FirstRunWizard(**kwargs)
        self.wizard.accepted.connect(self.on_wizard_accepted)
        self.show_window()
        self.wizard.open()

    @Slot()
    def on_wizard_accepted(self) -> None:
        wizard, self.wizard = self.wizard, None
        wallet = getattr(wizard, "wallet", None)
        outcome = wizard.outcome() if hasattr(wizard, "outcome") else None
        if wallet is not None:
            self.set_wallet(wallet)
            if outcome is None or getattr(outcome, "start_now", True):
                self.start_node()

    # ------------------------------------------------------------------ node
    @Slot()
    def on_start_stop_action(self) -> None:
        if self.dashboard.node_wanted():
            self.on_stop_requested()
        else:
            self.on_start_requested()

    @Slot()
    def on_start_requested(self) -> None:
        if self.wallet is None:
            self.open_wizard()
            return
        self.start_node()

    @Slot()
    def on_stop_requested(self) -> None:
        self.user_wants_node = False
        self.supervisor.stop()
        self._refresh_actions()

    def start_node(self) -> None:
        if self.wallet is None or self.quitting:
            return
        self.user_wants_node = True
        if self.devnet is not None and self.devnet_info is None:
            if not self.devnet.is_running():
                self.devnet.start()
            self.status.state = "starting"
            self.status.message = self.tr("Starting the local devnet…")
            self.status.changed.emit()
            return  # on_devnet_ready starts the node
        self.status.reset_node()
        self.supervisor.start(self.node_launch(), self.wallet.export_private_key())
        self._refresh_actions()
        if not self.chain_timer.isActive():
            self.chain_timer.start()

    def node_launch(self) -> NodeLaunch:
        flags: list[str] = []
        if self.settings_path is not None:
            flags += ["--settings-file", str(self.settings_path)]
        if self.devnet_info is not None:
            flags += node_flags_for_devnet(self.devnet_info, free_port())
        else:
            flags += ["--network", self.settings.network]
        return replace(self.launch_base, flags=tuple(self.launch_base.flags) + tuple(flags))

    @Slot(str)
    def on_run_state_changed(self, run_state: str) -> None:
        self.dashboard.set_run_state(run_state)
        self._refresh_actions()

    @Slot(str, str, float)
    def on_node_crashed(self, reason: str, detail: str, restart_in: float) -> None:
        self.status.set_crashed(reason, detail)
        if restart_in < 0:
            self.user_wants_node = False
        if self.tray is not None:
            self.tray.notify(self.tr("The node stopped"), reason + (
                "" if restart_in < 0 else " " + self.tr("Restarting in %1 s.").replace("%1", f"{restart_in:g}")))
        self._refresh_actions()

    @Slot()
    def on_node_stopped(self) -> None:
        self.status.set_stopped()
        self._refresh_actions()
        if self.quitting:
            self._after_node_stopped_on_quit()

    # ------------------------------------------------------------------ devnet
    @Slot(object)
    def on_devnet_ready(self, info: dict) -> None:
        self.devnet_info = info
        if self.wallet is not None:
            address = self.wallet.address
            run_in_background(lambda: fund_from_faucet(info, address), lambda _r: self.refresh_chain(),
                              lambda exc: log.warning("The devnet faucet failed: %s", exc))
        if self.user_wants_node:
            self.start_node()

    @Slot(str)
    def on_devnet_failed(self, reason: str) -> None:
        self.devnet_info = None
        self.user_wants_node = False
        self.status.set_crashed(reason, "")
        self._refresh_actions()

    # ------------------------------------------------------------------ chain, claims, history
    def _default_chain_access(self, wallet: Any, devnet_info: Optional[dict]) -> ChainAccess:
        if devnet_info is not None:
            return ChainAccess(devnet_info["rpc_url"], int(devnet_info["chain_id"]), wallet,
                               reward_pool=devnet_info.get("reward_pool"), state_dir=self.data_dir / "chain")
        s = self.settings
        return ChainAccess(s.effective_rpc_url, s.effective_chain_id, wallet,
                           reward_pool=s.effective_reward_pool_address,
                           agent_registry=s.effective_agent_registry_address, state_dir=self.data_dir / "chain")

    def _chain(self) -> Any:
        if self.chain_access is None and self.wallet is not None:
            self.chain_access = self.chain_access_factory(self.wallet, self.devnet_info)
        return self.chain_access

    @Slot()
    def refresh_chain(self) -> None:
        """Read balance/pending/epoch ourselves (the node reports them too, but not while it is stopped)."""
        chain = self._chain()
        if chain is None or (self.devnet is not None and self.devnet_info is None):
            return
        run_in_background(chain.read, lambda values: self.status.set_chain_reading(**values),
                          lambda exc: log.info("Chain read failed: %s", exc))

    @Slot()
    def on_claim_requested(self) -> None:
        if not self.dashboard.claim_possible():
            return
        if self.claim_dialog is not None:
            self.claim_dialog.raise_()
            self.claim_dialog.activateWindow()
            return
        chain = self._chain()
        dialog = ClaimDialog(self.status.pending_wei or 0, self.wallet.address, chain.claim,
                             EXPLORER_TX_URLS.get(self.settings.network), parent=self.window)
        dialog.claim_succeeded.connect(self.on_claim_succeeded)
        dialog.claim_failed.connect(lambda reason, detail: self._claim_over())
        dialog.finished.connect(self.on_claim_dialog_closed)
        dialog.confirm_buttons.accepted.connect(lambda: self._set_claim_in_flight(True))
        self.claim_dialog = dialog
        self.show_window()
        dialog.open()

    def _set_claim_in_flight(self, value: bool) -> None:
        self.dashboard.set_claim_in_flight(value)
        self._refresh_actions()

    def _claim_over(self) -> None:
        self._set_claim_in_flight(False)

    @Slot(object)
    def on_claim_succeeded(self, outcome: ClaimOutcome) -> None:
        self._claim_over()
        if outcome.amount_wei is not None:
            self.history.record_claim(outcome.amount_wei, outcome.tx_hash)
            self.save_history()
            if self.tray is not None:
                self.tray.notify_claim(format_plm_exact(outcome.amount_wei))
        self.refresh_chain()

    @Slot(int)
    def on_claim_dialog_closed(self, _result: int) -> None:
        self.claim_dialog = None
        self._claim_over()

    @Slot(object)
    def on_node_claim_event(self, event: dict) -> None:
        """The node's auto-claim landed (or failed)."""
        if event.get("ok") and event.get("amount_wei") is not None:
            self.history.record_claim(int(event["amount_wei"]), event.get("tx_hash"))
            self.save_history()
            if self.tray is not None:
                self.tray.notify_claim(format_plm_exact(event["amount_wei"]))

    @Slot()
    def on_status_changed(self) -> None:
        if getattr(self, "_finished", False):
            return
        if self.status.pending_wei is not None and self.history.record_pending(self.status.pending_wei):
            self.save_history()
        self._refresh_actions()

    def save_history(self) -> None:
        run_in_background(self.history.save, None, lambda exc: log.error("Saving the earnings history failed: %s", exc))

    # ------------------------------------------------------------------ settings
    @Slot()
    def on_settings_requested(self) -> None:
        """app-dialogs' SettingsDialog(settings, parent); on OK: result_settings(), needs_restart()."""
        from app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, parent=self.window)
        dialog.accepted.connect(lambda: self.on_settings_applied(dialog))
        self.show_window()
        dialog.open()

    def on_settings_applied(self, dialog: Any) -> None:
        new = dialog.result_settings()
        if new is None or new == self.settings:
            return
        needs_restart = dialog.needs_restart()
        self.settings = new
        self.chain_access = None
        path = self.settings_path

        def save() -> None:
            from core.settings import save_settings

            save_settings(new, path)

        # Saved before the node restarts: the child reads the same settings file.
        run_in_background(save, lambda _r: self._restart_if(needs_restart),
                          lambda exc: self._settings_save_failed(exc))

    def _settings_save_failed(self, exc: BaseException) -> None:
        log.error("The settings could not be saved: %s", exc)
        QMessageBox.warning(self.window, self.tr("Settings"),
                            self.tr("The settings could not be saved: %1").replace("%1", str(exc)))

    def _restart_if(self, needs_restart: bool) -> None:
        if needs_restart and self.supervisor.is_active():
            self.supervisor.stopped.connect(self._restart_once)
            self.supervisor.stop()

    @Slot()
    def _restart_once(self) -> None:
        self.supervisor.stopped.disconnect(self._restart_once)
        self.start_node()

    # ------------------------------------------------------------------ quitting
    @Slot()
    def request_quit(self) -> None:
        """Stop the node cleanly (its final report, blocks announced offline), then the devnet, then exit."""
        if self.quitting:
            return
        self.quitting = True
        self.user_wants_node = False
        log.info("Quitting: stopping the node first.")
        if self.claim_dialog is not None:
            self.claim_dialog.reject()
        self.status.state = "stopping"
        self.status.changed.emit()
        QTimer.singleShot(QUIT_DEADLINE_MS, self._finish_quit)
        self.supervisor.stop()  # answers with stopped() even when no node runs

    def _after_node_stopped_on_quit(self) -> None:
        if self.devnet is not None and self.devnet.is_running():
            self.devnet.stopped.connect(self._finish_quit)
            self.devnet.stop()
        else:
            self._finish_quit()

    @Slot()
    def _finish_quit(self) -> None:
        if getattr(self, "_finished", False):
            return
        self._finished = True
        logging.getLogger().removeHandler(self.log_handler)
        self.supervisor.shutdown_thread()
        if self.tray is not None:
            self.tray.hide()
        self.quit_finished.emit()

    # ------------------------------------------------------------------ shared action state
    def _refresh_actions(self) -> None:
        if getattr(self, "_finished", False):
            return  # a late background result after quitting: the windows may be gone
        run_state = self.supervisor.run_state
        wanted = self.dashboard.node_wanted()
        self.actions.start_stop.setText(self.tr("Stop") if wanted else self.tr("Start"))
        self.actions.start_stop.setEnabled(run_state != RunState.STOPPING and not self.quitting)
        self.actions.claim.setEnabled(self.dashboard.claim_possible())
        if self.tray is not None:
            from app import state_text

            self.actions.state_line.setText(state_text.state_line(self.status, run_state))
            self.tray.set_run_state(run_state, self.user_wants_node)
        self.window.status_line.setText(self.dashboard.state_label.text())


