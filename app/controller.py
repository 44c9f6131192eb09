"""The app's behaviour: wires the node supervisor, the status, the windows, the tray, the wallet and claims.

Built by :func:`app.main.main` (the composition root). Everything slow — loading the wallet from the
keyring, chain reads, the claim, saving the history, the devnet — goes through background operations or
child processes; the GUI thread only reacts to their results.
"""
from __future__ import annotations

import logging
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Optional

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QMessageBox

from app import state_text
from app.background import run_in_background
from app.chain_access import ChainAccess
from app.claim_dialog import ClaimDialog, ClaimOutcome
from app.dashboard import Dashboard
from app.devnet_runner import DevnetRunner
from devnet.preset import fund_from_faucet, node_flags
from app.earnings_history import EarningsHistory
from app.logs_view import LogsView, QtLogHandler
from app.main_window import AppActions, MainWindow
from app.money import format_plm_exact
from app.node_status import NodeStatus
from app.node_supervisor import NodeLaunch, NodeSupervisor, RunState
from app.pause_policy import PauseDriver, PausePolicy
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


def save_setting_changes(changes: dict[str, Any], path: Optional[Path]) -> None:
    """Write ``changes`` into the settings file, keeping what else it holds. Blocking: run it off the GUI thread.

    Only the changed fields are written over the file's own values, so what this run was started with
    (``--network devnet``, PLUMISE_* variables) never ends up in the file behind the person's back.
    """
    import tempfile

    from core.settings import load_settings, save_settings

    with tempfile.TemporaryDirectory() as empty:
        no_env = Path(empty) / ".env"  # the file's values alone: no .env, no environment
        no_env.touch()
        stored = load_settings(settings_path=path, environ={}, env_file=no_env).settings
    save_settings(stored.replace(**changes), path)


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
        pause_driver_factory: Optional[Callable[[PausePolicy], PauseDriver]] = None,
        parent: Optional[QObject] = None,
    ) -> None:
        super().__init__(parent)
        # Owns this controller's background operations: deleted by shutdown(), so a result that arrives
        # later is dropped instead of reaching windows that are gone.
        self._ops = QObject()
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
        self._asked_to_run = False  # the last request to the supervisor was start (not stop)
        self.quitting = False
        self._finished = False
        self.devnet_info: Optional[dict] = None
        self.claim_dialog: Optional[ClaimDialog] = None
        self._model_names_asked: set[str] = set()
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
        policy = PausePolicy.from_settings(settings)
        self.pause = pause_driver_factory(policy) if pause_driver_factory else PauseDriver(policy)
        self.pause.setParent(self)

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
        self.actions.pause_resume.triggered.connect(self.on_pause_resume_action)
        self.pause.reason_changed.connect(self.on_pause_reason_changed)
        self.actions.retranslated.connect(self._refresh_actions)
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
        self.quit_deadline = QTimer(self)
        self.quit_deadline.setSingleShot(True)
        self.quit_deadline.setInterval(QUIT_DEADLINE_MS)
        self.quit_deadline.timeout.connect(self._finish_quit)
        self._refresh_actions()

    def _background(self, op: Callable[[], Any], on_success: Optional[Callable[[Any], None]] = None,
                    on_failure: Optional[Callable[[BaseException], None]] = None) -> None:
        """run_in_background whose results are dropped once this controller has shut down."""
        run_in_background(op, on_success, on_failure, owner=self._ops)

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
        self.pause.start()
        self._background(self.wallet_loader, self.on_wallet_loaded, self.on_wallet_failed)

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

        self._background(load, self.on_wallet_loaded, self.on_wallet_failed)

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
        """The wallet is stored; the choices (tier, start at login, language) go into the settings file
        before the node starts, because the node reads that file."""
        wizard, self.wizard = self.wizard, None
        wallet = wizard.wallet
        if wallet is None:
            return
        outcome = wizard.outcome()
        self.set_wallet(wallet)
        changes = {"model_tier": outcome.tier_choice, "autostart": outcome.autostart, "language": outcome.language}
        self.apply_settings(self.settings.replace(**changes), changes, restart=False,
                            then=self.start_node if outcome.start_now else None)

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
        self.pause.clear_user_choices()  # a stop is not a pause: the next Start follows the rules again
        self._stop_child()
        self._show_pause()

    def _stop_child(self) -> None:
        self._asked_to_run = False
        self.supervisor.stop()
        self._refresh_actions()

    def start_node(self) -> None:
        if self.wallet is None or self.quitting:
            return
        self.user_wants_node = True
        if self.pause.reason is not None:
            self._show_pause()  # wanted, but paused: it starts when the reason clears
            return
        if self.devnet is not None and self.devnet_info is None:
            if not self.devnet.is_running():
                self.devnet.start()
            self.status.state = "starting"
            self.status.message = self.tr("Starting the local devnet…")
            self.status.changed.emit()
            return  # on_devnet_ready starts the node
        self.status.reset_node()
        self._asked_to_run = True
        self.supervisor.start(self.node_launch(), self.wallet.export_private_key())
        self._show_pause()
        if not self.chain_timer.isActive():
            self.chain_timer.start()

    # ------------------------------------------------------------------ pausing
    @Slot(object)
    def on_pause_reason_changed(self, reason: Optional[str]) -> None:
        """Paused: the node child is stopped (its memory goes back). Reason gone: it starts again."""
        if self._finished:
            return
        if reason is not None:
            if self._asked_to_run:
                log.info("Pausing the node (%s).", reason)
                self._stop_child()
        elif self.user_wants_node and not self._asked_to_run:
            log.info("Resuming the node.")
            self.start_node()
        self._show_pause()

    @Slot()
    def on_pause_resume_action(self) -> None:
        if self.pause.reason is not None:
            self.pause.resume_by_user()
        else:
            self.pause.pause_by_user()

    def _show_pause(self) -> None:
        reason = self.pause.reason if self.user_wants_node else None
        self.dashboard.set_paused_reason(reason)
        if self.tray is not None:
            self.tray.set_paused_reason(reason)
        self._refresh_actions()

    def node_launch(self) -> NodeLaunch:
        flags: list[str] = []
        if self.settings_path is not None:
            flags += ["--settings-file", str(self.settings_path)]
        if self.devnet_info is not None:
            flags += node_flags(self.devnet_info, free_port())
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
            self._asked_to_run = False
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
            self._background(lambda: fund_from_faucet(info, address), lambda _r: self.refresh_chain(),
                             lambda exc: log.warning("The devnet faucet failed: %s", exc))
        if self.user_wants_node:
            self.start_node()

    @Slot(str)
    def on_devnet_failed(self, reason: str) -> None:
        self.devnet_info = None
        self.user_wants_node = False
        self._asked_to_run = False
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
        self._background(chain.read, lambda values: self.status.set_chain_reading(**values),
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
        if self._finished:
            return
        if self.status.pending_wei is not None and self.history.record_pending(self.status.pending_wei):
            self.save_history()
        self._resolve_model_name(self.status.model)
        self._refresh_actions()

    def _resolve_model_name(self, reported: Optional[str]) -> None:
        """A model given as a folder is shown by its id (read from the folder, off the GUI thread)."""
        if not reported or reported in self._model_names_asked:
            return
        self._model_names_asked.add(reported)
        from app.model_name import display_name

        self._background(lambda: display_name(reported), lambda name: self.dashboard.set_model_name(reported, name),
                         lambda exc: log.info("The model's name could not be read: %s", exc))

    def save_history(self) -> None:
        self._background(self.history.save, None, lambda exc: log.error("Saving the earnings history failed: %s", exc))

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
        """After OK: save (off the GUI thread), then restart the node only when a field it reads changed."""
        new = dialog.result_settings()
        if new == self.settings:
            return
        changes = {name: getattr(new, name) for name in new.to_file_dict() if name != "version"
                   and getattr(new, name) != getattr(self.settings, name)}
        self.apply_settings(new, changes, restart=dialog.needs_restart())

    def apply_settings(self, new: Any, changes: dict[str, Any], restart: bool,
                       then: Optional[Callable[[], None]] = None) -> None:
        """Use ``new`` now, write ``changes`` to the settings file, then restart the node if ``restart``
        (the child reads the same file, so it starts only after the file is written) and call ``then``."""
        self.settings = new
        self.chain_access = None
        self.pause.apply_settings(new)
        path = self.settings_path

        def saved(_result: Any) -> None:
            if restart:
                self._restart_node()
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            self._settings_save_failed(exc)
            if then is not None:
                then()  # the node still starts, with what the file held

        self._background(lambda: save_setting_changes(changes, path), saved, failed)

    def _settings_save_failed(self, exc: BaseException) -> None:
        log.error("The settings could not be saved: %s", exc)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Settings"),
                          self.tr("The settings could not be saved: %1").replace("%1", str(exc)),
                          QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): a nested event loop here would hold up everything behind it

    def _restart_node(self) -> None:
        if self._asked_to_run:
            self.supervisor.stopped.connect(self._restart_once)
            self._stop_child()

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
        self.pause.stop()
        self.chain_timer.stop()
        self.status.state = "stopping"
        self.status.changed.emit()
        self.quit_deadline.start()
        self._asked_to_run = False
        self.supervisor.stop()  # answers with stopped() even when no node runs

    def _after_node_stopped_on_quit(self) -> None:
        if self.devnet is not None and self.devnet.is_running():
            self.devnet.stopped.connect(self._finish_quit)
            self.devnet.stop()
        else:
            self._finish_quit()

    @Slot()
    def _finish_quit(self) -> None:
        if self._finished:
            return
        self.shutdown()
        self.quit_finished.emit()

    def shutdown(self) -> None:
        """Make this controller inert for good: timers stopped, signals disconnected, the node child and the
        devnet gone (killed if a graceful stop did not happen or did not finish), late background results
        dropped, windows closed. Idempotent and synchronous; called at the end of a quit and by tests'
        teardown, after which nothing of this controller runs or fires."""
        if getattr(self, "_shut_down", False):
            return
        self._shut_down = True
        self._finished = True
        self.quitting = True
        self.user_wants_node = False
        logging.getLogger().removeHandler(self.log_handler)
        for timer in (self.chain_timer, self.quit_deadline):
            timer.stop()
        self.pause.stop()
        if self.tray is not None:
            self.tray.shutdown()
        for signal in (self.pause.reason_changed, self.actions.retranslated, self.status.changed, self.status.claim_finished,
                       self.supervisor.event_received, self.supervisor.log_line, self.supervisor.run_state_changed,
                       self.supervisor.crashed, self.supervisor.stopped, self.log_handler.bridge.record):
            _disconnect_all(signal)
        self.supervisor.shutdown_thread()
        if self.devnet is not None:
            _disconnect_all(self.devnet.ready)
            _disconnect_all(self.devnet.failed)
            _disconnect_all(self.devnet.log_line)
            self.devnet.shutdown()
        if shiboken6.isValid(self._ops):
            shiboken6.delete(self._ops)  # every pending result of ours is dropped from now on
        for dialog in (self.claim_dialog, self.wizard):
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.reject()
        self.claim_dialog = self.wizard = None
        self.window.hide()

    # ------------------------------------------------------------------ shared action state
    def _refresh_actions(self) -> None:
        if self._finished:
            return  # a late signal after quitting: nothing to show any more
        run_state = self.supervisor.run_state
        wanted = self.dashboard.node_wanted()
        self.actions.start_stop.setText(self.tr("Stop") if wanted else self.tr("Start"))
        self.actions.start_stop.setEnabled(run_state != RunState.STOPPING and not self.quitting)
        paused = self.dashboard.paused_reason is not None
        self.actions.pause_resume.setText(self.tr("Resume") if paused else self.tr("Pause"))
        self.actions.pause_resume.setVisible(self.user_wants_node)
        self.actions.pause_resume.setEnabled(not self.quitting)
        self.actions.claim.setEnabled(self.dashboard.claim_possible())
        self.actions.state_line.setText(state_text.state_line(self.status, run_state, self.dashboard.paused_reason))
        if self.tray is not None:
            self.tray.set_run_state(run_state, self.user_wants_node)
        self.window.status_line.setText(self.dashboard.state_label.text())


def _disconnect_all(signal: Any) -> None:
    try:
        signal.disconnect()
    except (RuntimeError, TypeError):  # nothing connected, or the sender is already gone
        pass
