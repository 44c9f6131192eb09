"""The settings dialog: every setting a person may change, checked as they type, applied on OK.

Tabs: Network (preset, RPC and oracle URLs, ports), Serving (model tier — automatic with the reason, or a
choice —, number of blocks, CPU thread limit), Rewards (auto-claim and its threshold), This computer (start
at login, pause on battery, pause while in use with its idle time, language).

Each field is checked on every edit and a sentence appears right under it when it is wrong. ``core.settings``
stays the authority on what is valid (each value is passed through ``Settings.replace``); this dialog adds
the words, in the person's language. OK with an error shown jumps to the first wrong field and keeps the
dialog open: nothing typed is lost.

On OK the dialog also applies what lives outside the settings file: the login entry is really installed or
removed (``app.autostart``), and a changed language is installed at once (``app.i18n``).

Interface for app-shell::

    dialog = SettingsDialog(settings, parent=None)        # settings: core.settings.Settings
    if dialog.exec() == QDialog.Accepted:
        new = dialog.result_settings()                     # validated Settings (save with core.settings.save_settings)
        if dialog.needs_restart(): ...                     # True only when a field the node uses changed

Optional arguments: ``hardware_probe`` (default: the real check in a child process, run off the GUI thread),
``autostart_entry`` and ``launch_command`` (tests point these at a fake home).
"""
from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import autostart, i18n
from app.background import run_in_background
from app.hardware_advice import HardwareAdvice, default_hardware_probe, tier_label
from app.pause_policy import IdleSource, idle_time_source
from core.settings import PRESETS, Settings, SettingsError

WEI_PER_PLM = 10**18
TIER_IDS = ("lite", "standard", "pro", "ultra")

# Settings the node child reads at start: changing one means a restart of the node. The others (start at
# login, pausing, language) are handled by the app itself while the node keeps running.
NODE_FIELDS = frozenset({
    "network", "rpc_url", "oracle_url", "chain_id", "agent_registry_address", "reward_pool_address",
    "report_interval", "model_name", "model_tier", "num_blocks", "block_indices", "petals_host", "petals_port",
    "announce_host", "initial_peers", "dht_prefix", "status_port", "claim_threshold_wei", "auto_claim", "device",
    "cpu_threads", "model_cache_dir",
})


def plm_text(wei: int) -> str:
    """Wei as a plain PLM number for editing: exact, no trailing zeros, no thousands separators."""
    whole, frac = divmod(int(wei), WEI_PER_PLM)
    frac_text = f"{frac:018d}".rstrip("0")
    return f"{whole}.{frac_text}" if frac_text else str(whole)


def parse_plm(text: str) -> Optional[int]:
    """"1.5" → 1500000000000000000 wei; None when it is not a non-negative amount with at most 18 decimals."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0:
        return None
    wei = value * WEI_PER_PLM
    if wei != wei.to_integral_value():
        return None
    return int(wei)


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def _note_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(mid);")
    return label


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: Optional[QWidget] = None,
        hardware_probe: Callable[[], HardwareAdvice] = default_hardware_probe,
        autostart_entry: Optional[Any] = None,
        launch_command: Optional[list[str]] = None,
        idle_source_probe: Callable[[], IdleSource] = idle_time_source,
    ) -> None:
        super().__init__(parent)
        self._original = settings
        self._idle_source: Optional[IdleSource] = None  # how this computer tells idle time, once known
        self._result: Optional[Settings] = None
        self._autostart_entry = autostart_entry
        self._launch_command = launch_command
        self._advice: Optional[HardwareAdvice] = None
        self._advice_failed = ""
        self._errors: dict[str, Callable[[], str]] = {}  # field → current message (re-made on language change)
        self._error_labels: dict[str, QLabel] = {}
        self._field_tabs: dict[str, int] = {}
        self._field_widgets: dict[str, QWidget] = {}

        self.tabs = QTabWidget()
        self._build_network_tab()
        self._build_serving_tab()
        self._build_rewards_tab()
        self._build_computer_tab()
        self.general_error = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

        self._load(settings)
        self.retranslate()
        self._validate_all()
        run_in_background(hardware_probe, self._while_alive(self.on_hardware_probed),
                          self._while_alive(self.on_hardware_probe_failed), owner=self)
        run_in_background(idle_source_probe, self._while_alive(self.on_idle_source_found), None, owner=self)

    # --- building ----------------------------------------------------------------------------------------

    def _form_tab(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return page, form

    def _add_field(self, form: QFormLayout, tab: int, name: str, label: QLabel, widget: QWidget,
                   note: Optional[QLabel] = None) -> None:
        # One row per field (widget, its note, its error) so a hidden error leaves no gap in the form.
        column = QWidget()
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.setSpacing(2)
        column_layout.addWidget(widget)
        if note is not None:
            column_layout.addWidget(note)
        error = _error_label()
        column_layout.addWidget(error)
        form.addRow(label, column)
        self._error_labels[name] = error
        self._field_tabs[name] = tab
        self._field_widgets[name] = widget

    def _build_network_tab(self) -> None:
        page, form = self._form_tab()
        tab = 0
        self.network_label = QLabel()
        self.network_box = QComboBox()
        for value in ("mainnet", "local", "devnet"):
            self.network_box.addItem("", value)
        self.network_box.currentIndexChanged.connect(self.on_network_changed)
        self._add_field(form, tab, "network", self.network_label, self.network_box)

        self.rpc_label = QLabel()
        self.rpc_field = QLineEdit()
        self.rpc_field.textChanged.connect(lambda _t: self._validate("rpc_url"))
        self._add_field(form, tab, "rpc_url", self.rpc_label, self.rpc_field)

        self.oracle_label = QLabel()
        self.oracle_field = QLineEdit()
        self.oracle_field.textChanged.connect(lambda _t: self._validate("oracle_url"))
        self.urls_note = _note_label()
        self._add_field(form, tab, "oracle_url", self.oracle_label, self.oracle_field, self.urls_note)

        self.petals_port_label = QLabel()
        self.petals_port_box = QSpinBox()
        self.petals_port_box.setRange(0, 65535)
        self.petals_port_box.valueChanged.connect(lambda _v: self._validate_ports())
        self._add_field(form, tab, "petals_port", self.petals_port_label, self.petals_port_box)

        self.status_port_label = QLabel()
        self.status_port_box = QSpinBox()
        self.status_port_box.setRange(1, 65535)
        self.status_port_box.valueChanged.connect(lambda _v: self._validate_ports())
        self.ports_note = _note_label()
        self._add_field(form, tab, "status_port", self.status_port_label, self.status_port_box, self.ports_note)
        self.tabs.addTab(page, "")

    def _build_serving_tab(self) -> None:
        page, form = self._form_tab()
        tab = 1
        self.tier_label_widget = QLabel()
        self.tier_box = QComboBox()
        self.tier_box.addItem("", "auto")
        for tier_id in TIER_IDS:
            self.tier_box.addItem(tier_id, tier_id)
        self.tier_box.currentIndexChanged.connect(lambda _i: self._on_model_changed())
        self.tier_reason = _note_label()
        self.tier_reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._add_field(form, tab, "model_tier", self.tier_label_widget, self.tier_box, self.tier_reason)

        self.blocks_label = QLabel()
        self.blocks_box = QSpinBox()
        self.blocks_box.setRange(0, 1000)
        self.blocks_box.valueChanged.connect(lambda _v: self._validate("num_blocks"))
        self.blocks_note = _note_label()
        self._add_field(form, tab, "num_blocks", self.blocks_label, self.blocks_box, self.blocks_note)

        self.threads_label = QLabel()
        self.threads_box = QSpinBox()
        self.threads_box.setRange(0, max(1, os.cpu_count() or 1))
        self.threads_box.valueChanged.connect(lambda _v: self._validate("cpu_threads"))
        self.threads_note = _note_label()
        self._add_field(form, tab, "cpu_threads", self.threads_label, self.threads_box, self.threads_note)
        self.tabs.addTab(page, "")

    def _build_rewards_tab(self) -> None:
        page, form = self._form_tab()
        tab = 2
        self.auto_claim_check = QCheckBox()
        self.auto_claim_check.toggled.connect(self.on_auto_claim_toggled)
        self._add_field(form, tab, "auto_claim", QLabel(), self.auto_claim_check)
        self.threshold_label = QLabel()
        self.threshold_field = QLineEdit()
        self.threshold_field.textChanged.connect(lambda _t: self._validate("claim_threshold_wei"))
        self.threshold_note = _note_label()
        self._add_field(form, tab, "claim_threshold_wei", self.threshold_label, self.threshold_field,
                        self.threshold_note)
        self.tabs.addTab(page, "")

    def _build_computer_tab(self) -> None:
        page, form = self._form_tab()
        tab = 3
        self.autostart_check = QCheckBox()
        self.autostart_check.toggled.connect(lambda _on: self._set_error("autostart", None))
        self.autostart_note = _note_label()
        self._add_field(form, tab, "autostart", QLabel(), self.autostart_check, self.autostart_note)
        self.battery_check = QCheckBox()
        self._add_field(form, tab, "pause_on_battery", QLabel(), self.battery_check)
        self.in_use_check = QCheckBox()
        self.in_use_check.toggled.connect(self.on_in_use_toggled)
        self.in_use_note = _note_label()  # says so where this computer cannot tell when it is in use
        self._add_field(form, tab, "pause_while_in_use", QLabel(), self.in_use_check, self.in_use_note)
        self.idle_label = QLabel()
        self.idle_box = QSpinBox()
        self.idle_box.setRange(1, 240)
        self.idle_box.valueChanged.connect(lambda _v: self._validate("idle_minutes"))
        self._add_field(form, tab, "idle_minutes", self.idle_label, self.idle_box)
        self.language_label = QLabel()
        self.language_box = QComboBox()
        for value, label in i18n.language_choices():
            self.language_box.addItem(label, value)
        self._add_field(form, tab, "language", self.language_label, self.language_box)
        self.tabs.addTab(page, "")

    # --- values in and out --------------------------------------------------------------------------------

    def _load(self, s: Settings) -> None:
        self.network_box.setCurrentIndex(max(0, self.network_box.findData(s.network)))
        self.rpc_field.setText(s.rpc_url or "")
        self.oracle_field.setText(s.oracle_url or "")
        self.petals_port_box.setValue(s.petals_port)
        self.status_port_box.setValue(s.status_port)
        self.tier_box.setCurrentIndex(max(0, self.tier_box.findData(s.model_tier)))
        self.blocks_box.setValue(s.num_blocks or 0)
        self.threads_box.setMaximum(max(self.threads_box.maximum(), s.cpu_threads or 0))
        self.threads_box.setValue(s.cpu_threads or 0)
        self.auto_claim_check.setChecked(s.auto_claim)
        self.threshold_field.setText(plm_text(s.claim_threshold_wei))
        self.threshold_field.setEnabled(s.auto_claim)
        # The OS entry is the truth (someone may have removed it by hand); the setting follows it.
        try:
            installed = autostart.is_installed(entry=self._autostart_entry)
        except Exception:  # noqa: BLE001 - an unreadable entry counts as not installed
            installed = False
        self.autostart_check.setChecked(installed)
        self.battery_check.setChecked(s.pause_on_battery)
        self.in_use_check.setChecked(s.pause_while_in_use)
        self.idle_box.setValue(s.idle_minutes)
        self.idle_box.setEnabled(s.pause_while_in_use)
        language = "auto" if s.language in i18n.FOLLOW_SYSTEM else s.language
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(language)))

    def _changes(self) -> dict[str, Any]:
        """The edited values, as core.settings field names (values still unchecked)."""
        threshold = parse_plm(self.threshold_field.text())
        return {
            "network": self.network_box.currentData(),
            "rpc_url": self.rpc_field.text().strip() or None,
            "oracle_url": self.oracle_field.text().strip() or None,
            "petals_port": self.petals_port_box.value(),
            "status_port": self.status_port_box.value(),
            "model_tier": self.tier_box.currentData(),
            "num_blocks": self.blocks_box.value() or None,
            "cpu_threads": self.threads_box.value() or None,
            "auto_claim": self.auto_claim_check.isChecked(),
            "claim_threshold_wei": threshold if threshold is not None else self._original.claim_threshold_wei,
            "autostart": self.autostart_check.isChecked(),
            "pause_on_battery": self.battery_check.isChecked(),
            "pause_while_in_use": self.in_use_check.isChecked(),
            "idle_minutes": self.idle_box.value(),
            "language": self.language_box.currentData(),
        }

    def result_settings(self) -> Settings:
        """The accepted settings (the original ones when the dialog was cancelled)."""
        return self._result if self._result is not None else self._original

    def needs_restart(self) -> bool:
        """Whether a field the node child reads has changed (then the node must restart to use it)."""
        new = self.result_settings()
        return any(getattr(new, name) != getattr(self._original, name) for name in NODE_FIELDS)

    # The names app-shell's controller looks up (app/controller.py on_settings_applied); same answers.
    def settings(self) -> Settings:
        return self.result_settings()

    def needs_node_restart(self) -> bool:
        return self.needs_restart()

    # --- checking -------------------------------------------------------------------------------------------

    def _core_accepts(self, **change: Any) -> bool:
        try:
            self._original.replace(**change)
            return True
        except SettingsError:
            return False

    def _set_error(self, name: str, message: Optional[Callable[[], str]]) -> None:
        if message is None:
            self._errors.pop(name, None)
        else:
            self._errors[name] = message
        label = self._error_labels[name]
        label.setText(message() if message else "")
        label.setVisible(message is not None)

    def _validate(self, name: str) -> None:
        check = getattr(self, f"_check_{name}", None)
        self._set_error(name, check() if check else None)
        if name in ("num_blocks", "model_tier"):
            self._render_blocks_note()

    def _validate_all(self) -> None:
        for name in ("rpc_url", "oracle_url", "num_blocks", "cpu_threads", "claim_threshold_wei", "idle_minutes"):
            self._validate(name)
        self._validate_ports()

    def _check_rpc_url(self) -> Optional[Callable[[], str]]:
        return self._check_url(self.rpc_field.text(), "rpc_url")

    def _check_oracle_url(self) -> Optional[Callable[[], str]]:
        return self._check_url(self.oracle_field.text(), "oracle_url")

    def _check_url(self, text: str, name: str) -> Optional[Callable[[], str]]:
        text = text.strip()
        if not text:
            if self.network_box.currentData() == "devnet" or PRESETS[self.network_box.currentData()].rpc_url:
                return None  # empty: the preset's address is used
            return lambda: self.tr("Enter an address for this network.")
        if not text.lower().startswith(("http://", "https://")):
            return lambda: self.tr("A web address starts with http:// or https://, for example "
                                   "https://plug.plumise.com/rpc.")
        if not self._core_accepts(**{name: text}):
            return lambda: self.tr("This is not a complete web address: it needs a host name after the "
                                   "http:// and no spaces, for example http://localhost:26902.")
        return None

    def _validate_ports(self) -> None:
        petals, status = self.petals_port_box.value(), self.status_port_box.value()
        petals_error: Optional[Callable[[], str]] = None
        status_error: Optional[Callable[[], str]] = None
        if petals == status:
            status_error = lambda: self.tr(  # noqa: E731
                "The status port must differ from the serving port ({0}).").format(petals)
        for port, setter in ((petals, "petals"), (status, "status")):
            if 0 < port < 1024:
                message = lambda p=port: self.tr(  # noqa: E731
                    "Port {0} needs administrator rights; use a port from 1024 to 65535.").format(p)
                if setter == "petals":
                    petals_error = message
                else:
                    status_error = status_error or message
        self._set_error("petals_port", petals_error)
        self._set_error("status_port", status_error)

    def _selected_tier(self):
        if self._advice is None:
            return None
        tier_id = self.tier_box.currentData()
        if tier_id == "auto":
            return self._advice.recommended
        return next((t for t in self._advice.tiers if t.tier_id == tier_id), None)

    def _check_num_blocks(self) -> Optional[Callable[[], str]]:
        blocks = self.blocks_box.value()
        tier = self._selected_tier()
        if blocks and tier is not None and tier.num_layers and blocks > tier.num_layers:
            return lambda: self.tr("{0} has only {1} blocks; choose at most {1}.").format(
                tier.name, tier.num_layers)
        if blocks and not self._core_accepts(num_blocks=blocks):
            return lambda: self.tr("Choose a number of blocks from 1 to 1000, or 0 for as many as fit.")
        return None

    def _check_cpu_threads(self) -> Optional[Callable[[], str]]:
        threads = self.threads_box.value()
        cores = os.cpu_count() or 1
        if threads > cores:
            return lambda: self.tr("This computer has {0} processor threads; choose at most {0}.").format(cores)
        return None

    def _check_claim_threshold_wei(self) -> Optional[Callable[[], str]]:
        text = self.threshold_field.text()
        wei = parse_plm(text)
        if wei is None:
            if not text.strip():
                return lambda: self.tr("Enter an amount of PLM, for example 1 or 0.5.")
            return lambda: self.tr("Enter an amount of PLM as a number, for example 1 or 0.5 "
                                   "(at most 18 digits after the point).")
        if wei == 0 and self.auto_claim_check.isChecked():
            return lambda: self.tr("Use an amount above 0: every claim costs a network fee.")
        if not self._core_accepts(claim_threshold_wei=wei):
            return lambda: self.tr("That amount is too large.")
        return None

    def _check_idle_minutes(self) -> Optional[Callable[[], str]]:
        if not self._core_accepts(idle_minutes=self.idle_box.value()):
            return lambda: self.tr("Choose from 1 to 240 minutes.")
        return None

    # --- slots ----------------------------------------------------------------------------------------------

    def on_network_changed(self, _index: int) -> None:
        self._render_url_placeholders()
        self._validate("rpc_url")
        self._validate("oracle_url")

    def on_auto_claim_toggled(self, on: bool) -> None:
        self.threshold_field.setEnabled(on)
        self._validate("claim_threshold_wei")

    def on_in_use_toggled(self, on: bool) -> None:
        self.idle_box.setEnabled(on)

    def _on_model_changed(self) -> None:
        self._render_tier_reason()
        self._validate("num_blocks")

    def on_hardware_probed(self, advice: HardwareAdvice) -> None:
        self._advice = advice
        self._render_tiers()
        self._validate("num_blocks")

    def on_idle_source_found(self, source: IdleSource) -> None:
        self._idle_source = source
        self._render_in_use_note()

    def _render_in_use_note(self) -> None:
        source = self._idle_source
        if source is not None and source.reader is None:
            self.in_use_note.setText(self.tr(
                "This computer does not tell Plumise Petals when it is in use, so the node will not pause for it."))
        else:
            self.in_use_note.setText("")

    def on_hardware_probe_failed(self, exc: BaseException) -> None:
        self._advice_failed = str(exc) or type(exc).__name__
        self._render_tier_reason()

    def on_ok_clicked(self) -> None:
        self._validate_all()
        if self._errors:
            self._show_first_error()
            return
        try:
            result = self._original.replace(**self._changes())
        except SettingsError as exc:
            # A rule only core.settings knows (it speaks English): shown whole, nothing closes.
            self.general_error.setText("\n".join(exc.problems))
            self.general_error.show()
            return
        if not self._apply_autostart(result.autostart):
            return
        if result.language != self._original.language:
            app = QCoreApplication.instance()
            if app is not None:
                i18n.install(app, result.language)
        self._result = result
        self.accept()

    def _apply_autostart(self, wanted: bool) -> bool:
        try:
            installed = autostart.is_installed(entry=self._autostart_entry)
            if wanted and not installed:
                command = self._launch_command if self._launch_command is not None else autostart.launch_command()
                autostart.install(command, entry=self._autostart_entry)
            elif not wanted and installed:
                autostart.remove(entry=self._autostart_entry)
        except autostart.AutostartError as exc:
            message = str(exc)
            self._set_error("autostart", lambda: self.tr("Starting at login could not be changed: {0}").format(message))
            self._show_first_error()
            return False
        return True

    def _show_first_error(self) -> None:
        order = list(self._field_widgets)
        first = min(self._errors, key=order.index)
        self.tabs.setCurrentIndex(self._field_tabs[first])
        self._field_widgets[first].setFocus()

    def _while_alive(self, callback: Callable[..., None]) -> Callable[..., None]:
        def guarded(*args: Any) -> None:
            if shiboken6.isValid(self):
                callback(*args)

        return guarded

    # --- texts ----------------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Plumise Petals — Settings"))
        self.tabs.setTabText(0, self.tr("Network"))
        self.tabs.setTabText(1, self.tr("Serving"))
        self.tabs.setTabText(2, self.tr("Rewards"))
        self.tabs.setTabText(3, self.tr("This computer"))

        self.network_label.setText(self.tr("Network:"))
        for index, text in enumerate((self.tr("Plumise mainnet"), self.tr("A Plumise chain on this computer (local)"),
                                      self.tr("Built-in test network (devnet)"))):
            self.network_box.setItemText(index, text)
        self.rpc_label.setText(self.tr("Chain address (RPC):"))
        self.oracle_label.setText(self.tr("Oracle address:"))
        self.urls_note.setText(self.tr("Leave an address empty to use the network's own."))
        self._render_url_placeholders()
        self.petals_port_label.setText(self.tr("Serving port:"))
        self.petals_port_box.setSpecialValueText(self.tr("Any free port"))
        self.status_port_label.setText(self.tr("Status port (this computer only):"))
        self.ports_note.setText(self.tr(
            "Other computers reach your node on the serving port; the status port is only for this app."))

        self.tier_label_widget.setText(self.tr("Model:"))
        self.blocks_label.setText(self.tr("Number of blocks:"))
        self.blocks_box.setSpecialValueText(self.tr("As many as fit"))
        self.threads_label.setText(self.tr("Processor threads:"))
        self.threads_box.setSpecialValueText(self.tr("All"))
        self.threads_note.setText(self.tr("Fewer threads leave more of the processor to you; serving gets slower."))
        self._render_tiers()

        self.auto_claim_check.setText(self.tr("Claim rewards automatically"))
        self.threshold_label.setText(self.tr("Claim when pending reaches (PLM):"))
        self.threshold_note.setText(self.tr("Each claim is a transaction; a higher amount means fewer network fees."))

        self.autostart_check.setText(self.tr("Start Plumise Petals when I log in"))
        self.autostart_note.setText(self.tr("It starts in the system tray. Where the entry is kept: {0}").format(
            autostart.describe(entry=self._autostart_entry)))
        self.battery_check.setText(self.tr("Pause while running on battery"))
        self.in_use_check.setText(self.tr("Pause while I use the computer"))
        self.idle_label.setText(self.tr("Resume after this long without keyboard or mouse use:"))
        self.idle_box.setSuffix(self.tr(" min"))
        self._render_in_use_note()
        self.language_label.setText(self.tr("Language:"))
        self.language_box.setItemText(0, QCoreApplication.translate("i18n", "Same as the system"))

        for name, message in self._errors.items():
            self._error_labels[name].setText(message())

    def _render_url_placeholders(self) -> None:
        preset = PRESETS[self.network_box.currentData()]
        for field, default in ((self.rpc_field, preset.rpc_url), (self.oracle_field, preset.oracle_url)):
            field.setPlaceholderText(self.tr("Default: {0}").format(default) if default
                                     else self.tr("Set when the test network starts"))

    def _render_tiers(self) -> None:
        advice = self._advice
        if advice is None:
            self.tier_box.setItemText(0, self.tr("Automatic (checking this computer…)") if not self._advice_failed
                                      else self.tr("Automatic"))
            names = {"lite": "Lite", "standard": "Standard", "pro": "Pro", "ultra": "Ultra"}
            for index, tier_id in enumerate(TIER_IDS, start=1):
                self.tier_box.setItemText(index, names[tier_id])
        else:
            self.tier_box.setItemText(0, self.tr("Automatic: {0}").format(tier_label(advice.recommended)))
            for index, tier_id in enumerate(TIER_IDS, start=1):
                tier = next((t for t in advice.tiers if t.tier_id == tier_id), None)
                if tier is not None:
                    self.tier_box.setItemText(index, tier_label(tier))
        self._render_tier_reason()
        self._render_blocks_note()

    def _render_tier_reason(self) -> None:
        advice = self._advice
        if advice is None:
            self.tier_reason.setText(self.tr("The hardware check did not finish ({0}).").format(self._advice_failed)
                                     if self._advice_failed else self.tr("Checking this computer…"))
            return
        if self.tier_box.currentData() == "auto":
            self.tier_reason.setText(advice.reason_text())
            self.tier_reason.setToolTip(advice.detail)
        else:
            tier = self._selected_tier()
            self.tier_reason.setText(
                self.tr("Recommended for this computer: {0}.").format(tier_label(advice.recommended))
                + ("" if tier is None or tier.suits else " " + self.tr(
                    "The model you chose is larger than this computer suits; it may run slowly or not start.")))

    def _render_blocks_note(self) -> None:
        tier = self._selected_tier()
        if tier is None or not tier.num_layers:
            self.blocks_note.setText("")
            return
        self.blocks_note.setText(self.tr("{0} has {1} blocks; about {2} fit in the memory free now.").format(
            tier.name, tier.num_layers, tier.blocks_fit))
