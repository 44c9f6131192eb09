"""The first-run wizard: a wallet (created or imported), where its key is kept, the hardware check, autostart.

Pages, in order: welcome (language; create or import) → new wallet (address + key shown for backup, an
explicit "I saved it" before going on) or import (64 hex digits, checked as typed) → where the key is kept
(the OS keyring, or — only where none exists, said plainly — an encrypted keystore file with a password
chosen here; never plaintext, never silently) → this computer (recommended model tier and why, or a choice)
→ start at login (asked once, off by default) → summary with "start now".

The key is stored when the person leaves the storage page (a commit page: there is no way back to a
different wallet after that). Everything slow — key generation (eth-account loads in about a second),
keyring access (may wait on a D-Bus prompt), scrypt, hardware detection — runs through
:func:`app.background.run_in_background`; the GUI thread never blocks.

Interface for app-shell::

    wizard = FirstRunWizard(parent=None,
                            hardware_probe=default_hardware_probe,   # () -> HardwareAdvice, run off the GUI thread
                            key_store_factory=KeyringStore,          # () -> chain.wallet.KeyringStore
                            keystore_factory=EncryptedKeystore,      # (path) -> chain.wallet.EncryptedKeystore
                            keystore_dir=None,                       # folder for keystore files (default: user data dir)
                            autostart_entry=None)                    # app.autostart entry (default: this OS)
    if wizard.exec() == QDialog.Accepted:
        outcome = wizard.outcome()   # WizardOutcome: address, storage ("keyring"|"keystore"),
                                     # storage_description, keystore_path, tier_choice ("auto"|tier),
                                     # autostart, start_now, language
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable, Optional

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import autostart, i18n
from app.background import run_in_background
from app.hardware_advice import HardwareAdvice, default_hardware_probe, tier_label
from chain.errors import ChainError, InvalidPrivateKey, KeystorePasswordWrong, KeyStorageFailed, NoKeyringAvailable

PAGE_WELCOME, PAGE_CREATE, PAGE_IMPORT, PAGE_STORAGE, PAGE_HARDWARE, PAGE_AUTOSTART, PAGE_FINISH = range(7)
MIN_PASSWORD_LENGTH = 8  # the same rule as chain.wallet.MIN_PASSWORD_LENGTH (checked there too)


@dataclasses.dataclass(frozen=True)
class WizardOutcome:
    """What the person chose. The wallet itself is already stored when this exists."""

    address: str
    storage: str  # "keyring" or "keystore"
    storage_description: str  # plain words, in the current language
    keystore_path: Optional[Path]  # the encrypted file, when storage == "keystore"
    tier_choice: str  # "auto" or one of core.settings.MODEL_TIERS
    autostart: bool
    start_now: bool
    language: str  # "auto", "en" or "ko" (core.settings values)


def default_keystore_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("plumise-petals", appauthor=False)


def _default_key_store():
    from chain.wallet import KeyringStore

    return KeyringStore()


def _default_keystore(path: Path):
    from chain.wallet import EncryptedKeystore

    return EncryptedKeystore(path)


def _while_alive(widget: QWidget, callback: Callable[..., None]) -> Callable[..., None]:
    """A background callback that does nothing once ``widget`` is gone (the wizard closed meanwhile)."""

    def guarded(*args: Any) -> None:
        if shiboken6.isValid(widget):
            callback(*args)

    return guarded


def _monospace() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return font


def _error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _TranslatedPage(QWizardPage):
    """A page whose texts are set in ``retranslate()``, run again whenever the language changes."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:  # pragma: no cover - every page overrides it
        raise NotImplementedError

    def flow(self) -> "FirstRunWizard":
        return self.wizard()  # type: ignore[return-value]


# --- welcome -----------------------------------------------------------------------------------------------


class WelcomePage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.intro = _wrapped()
        self.hot_wallet = _wrapped()
        self.create_choice = QRadioButton()
        self.import_choice = QRadioButton()
        self.create_choice.setChecked(True)
        self.choice_group = QButtonGroup(self)
        self.choice_group.addButton(self.create_choice)
        self.choice_group.addButton(self.import_choice)
        self.language_label = QLabel()
        self.language_box = QComboBox()
        for value, label in i18n.language_choices():
            self.language_box.addItem(label, value)
        self.language_box.currentIndexChanged.connect(self.on_language_chosen)

        language_row = QHBoxLayout()
        language_row.addWidget(self.language_label)
        language_row.addWidget(self.language_box)
        language_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.hot_wallet)
        layout.addSpacing(8)
        layout.addWidget(self.create_choice)
        layout.addWidget(self.import_choice)
        layout.addStretch(1)
        layout.addLayout(language_row)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome to Plumise Petals"))
        self.intro.setText(self.tr(
            "Plumise Petals lends part of this computer to the Plumise AI network and earns PLM for the work "
            "it does. First it needs a wallet: the account your rewards are paid to."))
        self.hot_wallet.setText(self.tr(
            "The wallet's private key is kept on this computer so that the app can sign its work (a \"hot "
            "wallet\"). Keep only small amounts in it, and keep a backup of the key."))
        self.create_choice.setText(self.tr("Create a new wallet"))
        self.import_choice.setText(self.tr("Use a wallet I already have (paste its private key)"))
        self.language_label.setText(self.tr("Language:"))
        self.language_box.setItemText(0, QCoreApplication.translate("i18n", "Same as the system"))

    def on_language_chosen(self, index: int) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            i18n.install(app, self.language_box.itemData(index))

    def language(self) -> str:
        return str(self.language_box.currentData())

    def nextId(self) -> int:
        return PAGE_CREATE if self.create_choice.isChecked() else PAGE_IMPORT


# --- a new wallet ------------------------------------------------------------------------------------------


class CreateWalletPage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.status = _wrapped()
        self.address_label = QLabel()
        self.address_field = QLineEdit()
        self.address_field.setReadOnly(True)
        self.address_field.setFont(_monospace())
        self.key_label = _wrapped()
        self.key_field = QLineEdit()
        self.key_field.setReadOnly(True)
        self.key_field.setFont(_monospace())
        self.copy_key_button = QPushButton()
        self.copy_key_button.clicked.connect(self.on_copy_key)
        self.backup_advice = _wrapped()
        self.saved_check = QCheckBox()
        self.saved_check.toggled.connect(self.completeChanged)
        self.error = _error_label()
        self._failed: Optional[str] = None

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.copy_key_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.address_label)
        layout.addWidget(self.address_field)
        layout.addSpacing(6)
        layout.addWidget(self.key_label)
        layout.addLayout(key_row)
        layout.addWidget(self.backup_advice)
        layout.addSpacing(6)
        layout.addWidget(self.saved_check)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Your new wallet"))
        self.address_label.setText(self.tr("Address (safe to share; rewards are paid to it):"))
        self.key_label.setText(self.tr(
            "Private key (never share it: whoever has it controls the wallet and its PLM):"))
        self.copy_key_button.setText(self.tr("Copy"))
        self.backup_advice.setText(self.tr(
            "Write the private key down or put it in a password manager now. If this computer is lost and "
            "there is no copy, the wallet and its PLM are lost too."))
        self.saved_check.setText(self.tr("I saved the private key somewhere safe"))
        self._render_status()

    def _render_status(self) -> None:
        wallet = self.flow().wallet if self.wizard() else None
        if self._failed:
            self.status.setText(self.tr("The wallet could not be created."))
            _show_error(self.error, self._failed)
        elif wallet is None:
            self.status.setText(self.tr("Creating a new key…"))
        else:
            self.status.setText(self.tr("A new wallet was created on this computer."))

    def initializePage(self) -> None:
        flow = self.flow()
        if flow.wallet is not None and flow.wallet_origin == "created":
            self._show_wallet()
            return
        # Coming back from the import path: a created wallet replaces the imported one.
        flow.set_wallet(None, "")
        self.saved_check.setChecked(False)
        self.address_field.clear()
        self.key_field.clear()
        self._failed = None
        self._render_status()
        run_in_background(_generate_wallet, _while_alive(self, self.on_wallet_created),
                          _while_alive(self, self.on_wallet_failed))

    def on_wallet_created(self, wallet: Any) -> None:
        self.flow().set_wallet(wallet, "created")
        self._show_wallet()

    def on_wallet_failed(self, exc: BaseException) -> None:
        self._failed = self.tr("Something went wrong while creating the key: {0}").format(exc)
        self._render_status()

    def _show_wallet(self) -> None:
        wallet = self.flow().wallet
        self.address_field.setText(wallet.address)
        self.key_field.setText(wallet.export_private_key())
        self.key_field.setCursorPosition(0)
        self._render_status()
        self.completeChanged.emit()

    def on_copy_key(self) -> None:
        if self.key_field.text():
            QGuiApplication.clipboard().setText(self.key_field.text())

    def isComplete(self) -> bool:
        return self.flow().wallet is not None and self.saved_check.isChecked()

    def cleanupPage(self) -> None:
        # Going back: keep the wallet (the person may already have written this key down).
        pass

    def nextId(self) -> int:
        return PAGE_STORAGE


def _generate_wallet():
    from chain.wallet import Wallet

    return Wallet.generate()


def _import_wallet(text: str):
    from chain.wallet import Wallet

    return Wallet.from_private_key(text)


# --- an existing wallet ------------------------------------------------------------------------------------


class ImportWalletPage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.explanation = _wrapped()
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setFont(_monospace())
        self.key_field.textChanged.connect(self.on_key_edited)
        self.show_key = QCheckBox()
        self.show_key.toggled.connect(self.on_show_key_toggled)
        self.error = _error_label()
        self.address_label = _wrapped()
        self._checking_text: Optional[str] = None
        self._error_text: Callable[[], str] = lambda: ""

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.key_field)
        layout.addWidget(self.show_key)
        layout.addWidget(self.error)
        layout.addWidget(self.address_label)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Use your wallet"))
        self.explanation.setText(self.tr(
            "Paste the wallet's private key: 64 characters, each 0-9 or a-f, with or without 0x at the start."))
        self.key_field.setPlaceholderText(self.tr("Private key"))
        self.show_key.setText(self.tr("Show the key"))
        _show_error(self.error, self._error_text())
        self._render_address()

    def _render_address(self) -> None:
        wallet = self.flow().wallet if self.wizard() else None
        if self._checking_text is not None and wallet is None:
            self.address_label.setText(self.tr("Checking the key…"))
        elif wallet is not None and self.flow().wallet_origin == "imported":
            self.address_label.setText(self.tr("Wallet address: {0}").format(wallet.address))
        else:
            self.address_label.setText("")

    def initializePage(self) -> None:
        if self.flow().wallet_origin != "imported":
            self.flow().set_wallet(None, "")
        self.on_key_edited(self.key_field.text())

    def on_show_key_toggled(self, shown: bool) -> None:
        self.key_field.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    def on_key_edited(self, text: str) -> None:
        from chain.wallet import normalize_private_key  # stdlib only: instant, no eth-account

        self.flow().set_wallet(None, "")
        self._checking_text = None
        if not text.strip():
            self._error_text = lambda: ""
        else:
            try:
                normalize_private_key(text)
            except InvalidPrivateKey as exc:
                self._error_text = self._invalid_key_message(text, exc)
            else:
                self._error_text = lambda: ""
                self._checking_text = text
                run_in_background(lambda: _import_wallet(text),
                                  _while_alive(self, lambda wallet, t=text: self.on_key_imported(t, wallet)),
                                  _while_alive(self, lambda exc, t=text: self.on_key_refused(t, exc)))
        _show_error(self.error, self._error_text())
        self._render_address()
        self.completeChanged.emit()

    def _invalid_key_message(self, text: str, exc: InvalidPrivateKey) -> Callable[[], str]:
        raw = text.strip()
        raw = raw[2:] if raw[:2] in ("0x", "0X") else raw
        if len(raw) == 64 and all(c in "0123456789abcdefABCDEF" for c in raw):
            return lambda: self.tr(
                "That number is outside the range a private key can take. Check that it was copied completely.")
        if len(raw) == 40 and all(c in "0123456789abcdefABCDEF" for c in raw):
            return lambda: self.tr(
                "That looks like a wallet address (40 characters). The private key is needed here: 64 characters.")
        count = len(raw)
        return lambda: self.tr(
            "That is not a private key. A private key has 64 characters, each 0-9 or a-f "
            "(this has {0}).").format(count)

    def on_key_imported(self, text: str, wallet: Any) -> None:
        if text != self.key_field.text():
            return  # typed on since: a newer check is under way
        self._checking_text = None
        self.flow().set_wallet(wallet, "imported")
        self._render_address()
        self.completeChanged.emit()

    def on_key_refused(self, text: str, exc: BaseException) -> None:
        if text != self.key_field.text():
            return
        self._checking_text = None
        message = str(exc)
        self._error_text = lambda: self.tr("This key cannot be used: {0}").format(message)
        _show_error(self.error, self._error_text())
        self._render_address()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.flow().wallet is not None and self.flow().wallet_origin == "imported"

    def nextId(self) -> int:
        return PAGE_STORAGE


# --- where the key is kept ---------------------------------------------------------------------------------


class StoragePage(_TranslatedPage):
    """Decides keyring or encrypted file, then stores the key when the person clicks "Save wallet"."""

    def __init__(self) -> None:
        super().__init__()
        self.setCommitPage(True)
        self.explanation = _wrapped()
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password_label = QLabel()
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_error = _error_label()
        self.confirm_label = QLabel()
        self.confirm_field = QLineEdit()
        self.confirm_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_error = _error_label()
        self.password_field.textChanged.connect(self.on_password_edited)
        self.confirm_field.textChanged.connect(self.on_password_edited)
        self.password_form = QWidget()
        form = QFormLayout(self.password_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.password_label, self.password_field)
        form.addRow("", self.password_error)
        form.addRow(self.confirm_label, self.confirm_field)
        form.addRow("", self.confirm_error)
        self.use_file_button = QPushButton()
        self.use_file_button.clicked.connect(self.on_use_file_instead)
        self.status = _wrapped()
        self.error = _error_label()

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.password_form)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.use_file_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

        self.mode = "checking"  # "checking" | "keyring" | "keystore"
        self.keyring_location = ""
        self.keyring_missing = False  # True: there is no keyring at all (said on the page)
        self.busy = False
        self.saved = False
        self._error_text: Callable[[], str] = lambda: ""
        self.retranslate()

    # texts

    def retranslate(self) -> None:
        self.setTitle(self.tr("Where your key is kept"))
        self.password_label.setText(self.tr("Password:"))
        self.confirm_label.setText(self.tr("Password again:"))
        self.use_file_button.setText(self.tr("Keep it in an encrypted file instead"))
        self._render()

    def _render(self) -> None:
        flow = self.flow() if self.wizard() else None
        path = flow.keystore_path() if flow and flow.wallet is not None else None
        if self.mode == "checking":
            self.explanation.setText(self.tr("Looking for this computer's password store…"))
        elif self.mode == "keyring":
            self.explanation.setText(self.tr(
                "Your key will be kept in your system's password store: {0}. Only your user account can read "
                "it, and the app asks for it when it starts serving.").format(self.keyring_location))
        else:
            lead = self.tr(
                "This computer has no system password store (keyring) the app can use.") if self.keyring_missing \
                else self.tr("You chose to keep the key in an encrypted file.")
            self.explanation.setText(lead + " " + self.tr(
                "The key will be kept in an encrypted file, protected by a password you choose now:\n{0}\n"
                "Write the password down: without it the file cannot be opened. The key is never written "
                "anywhere unencrypted.").format(str(path) if path else "…"))
        self.password_form.setVisible(self.mode == "keystore")
        self.use_file_button.setVisible(self.mode == "keyring" and bool(self._error_text()))
        if self.busy:
            self.status.setText(self.tr("Encrypting and saving the key…") if self.mode == "keystore"
                                else self.tr("Saving the key in the password store…"))
        elif self.saved:
            self.status.setText(self.tr("The wallet is saved."))
        else:
            self.status.setText("")
        self._validate_passwords()
        _show_error(self.error, self._error_text())
        if flow is not None:
            flow.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Save wallet"))

    # flow

    def initializePage(self) -> None:
        if self.saved:
            return
        self.mode = "checking"
        self._error_text = lambda: ""
        self._render()
        store = self.flow().key_store_factory()
        run_in_background(lambda: (store.available(), store.location()),
                          _while_alive(self, self.on_keyring_checked), _while_alive(self, self.on_keyring_check_failed))

    def on_keyring_checked(self, result: tuple[bool, str]) -> None:
        available, location = result
        if available:
            self.mode, self.keyring_location = "keyring", location
        else:
            self.mode, self.keyring_missing = "keystore", True
        self._render()
        self.completeChanged.emit()

    def on_keyring_check_failed(self, exc: BaseException) -> None:
        self.mode, self.keyring_missing = "keystore", True
        self._render()
        self.completeChanged.emit()

    def on_use_file_instead(self) -> None:
        self.mode = "keystore"
        self.keyring_missing = False
        self._error_text = lambda: ""
        self._render()
        self.completeChanged.emit()
        self.password_field.setFocus()

    def on_password_edited(self) -> None:
        self._render()
        self.completeChanged.emit()

    def _validate_passwords(self) -> bool:
        password, confirm = self.password_field.text(), self.confirm_field.text()
        ok = True
        if password and len(password) < MIN_PASSWORD_LENGTH:
            _show_error(self.password_error, self.tr("Use at least {0} characters.").format(MIN_PASSWORD_LENGTH))
            ok = False
        else:
            _show_error(self.password_error, "")
        if confirm and confirm != password:
            _show_error(self.confirm_error, self.tr("The two passwords are not the same."))
            ok = False
        else:
            _show_error(self.confirm_error, "")
        return ok and len(password) >= MIN_PASSWORD_LENGTH and confirm == password

    def isComplete(self) -> bool:
        if self.saved:
            return True
        if self.busy or self.mode == "checking":
            return False
        return self.mode == "keyring" or self._validate_passwords()

    def validatePage(self) -> bool:
        """Start saving and stay; the success callback moves on. Saving may take a second or a prompt."""
        if self.saved:
            return True
        if self.busy:
            return False
        flow = self.flow()
        wallet = flow.wallet
        self.busy = True
        self._error_text = lambda: ""
        if self.mode == "keyring":
            store = flow.key_store_factory()
            op = lambda: store.save(wallet)  # noqa: E731
        else:
            keystore = flow.keystore_factory(flow.keystore_path())
            password = self.password_field.text()
            op = lambda: keystore.save(wallet, password)  # noqa: E731
        self._render()
        self.completeChanged.emit()
        run_in_background(op, _while_alive(self, self.on_saved), _while_alive(self, self.on_save_failed))
        return False

    def on_saved(self, _result: Any) -> None:
        self.busy = False
        self.saved = True
        flow = self.flow()
        flow.storage = self.mode
        self.password_field.clear()
        self.confirm_field.clear()
        self._render()
        self.completeChanged.emit()
        flow.next()

    def on_save_failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, NoKeyringAvailable):
            self.mode, self.keyring_missing = "keystore", True
            self._error_text = lambda: ""
        elif isinstance(exc, KeyStorageFailed) and self.mode == "keyring":
            detail = getattr(exc, "detail", "")
            self._error_text = lambda: self.tr(
                "The system password store refused the key (it may be locked). Unlock it and click "
                "\"Save wallet\" again, or keep the key in an encrypted file instead.") + (
                f"\n{detail}" if detail else "")
        elif isinstance(exc, OSError):
            self._error_text = lambda: self.tr(
                "The wallet file could not be written: {0}. Check that there is free disk space.").format(
                exc.strerror or exc)
        else:
            message = str(exc) if isinstance(exc, ChainError) else repr(exc)
            self._error_text = lambda: self.tr("The wallet could not be saved: {0}").format(message)
        self._render()
        self.completeChanged.emit()

    def storage_description(self) -> str:
        if self.mode == "keyring":
            return self.tr("in the system password store: {0}").format(self.keyring_location)
        return self.tr("in an encrypted file: {0}").format(self.flow().keystore_path())

    def nextId(self) -> int:
        return PAGE_HARDWARE


# --- this computer -----------------------------------------------------------------------------------------


class HardwarePage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.status = _wrapped()
        self.summary = _wrapped()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recommendation = _wrapped()
        self.auto_choice = QRadioButton()
        self.manual_choice = QRadioButton()
        self.auto_choice.setChecked(True)
        self.choice_group = QButtonGroup(self)
        self.choice_group.addButton(self.auto_choice)
        self.choice_group.addButton(self.manual_choice)
        self.tier_box = QComboBox()
        self.tier_box.setEnabled(False)
        self.manual_choice.toggled.connect(self.tier_box.setEnabled)
        self.error = _error_label()
        self.advice: Optional[HardwareAdvice] = None
        self._failed: Optional[str] = None
        self._probing = False

        manual_row = QHBoxLayout()
        manual_row.addWidget(self.manual_choice)
        manual_row.addWidget(self.tier_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.recommendation)
        layout.addSpacing(6)
        layout.addWidget(self.auto_choice)
        layout.addLayout(manual_row)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("This computer"))
        self.auto_choice.setText(self.tr("Choose automatically (recommended)"))
        self.manual_choice.setText(self.tr("Let me choose:"))
        self._render()

    def _render(self) -> None:
        current = self.tier_box.currentData()
        self.tier_box.clear()
        for tier in (self.advice.tiers if self.advice else ()):
            self.tier_box.addItem(tier_label(tier), tier.tier_id)
        if current is not None and self.tier_box.findData(current) >= 0:
            self.tier_box.setCurrentIndex(self.tier_box.findData(current))
        elif self.advice is not None:
            self.tier_box.setCurrentIndex(max(0, self.tier_box.findData(self.advice.recommended.tier_id)))
        if self._probing:
            self.status.setText(self.tr("Checking this computer's memory, graphics card and disk…"))
        elif self._failed:
            self.status.setText(self.tr("The hardware check did not finish."))
        else:
            self.status.setText(self.tr("The model this computer can serve depends on its memory and graphics card."))
        _show_error(self.error, self._failed or "")
        if self.advice is None:
            self.summary.setText("")
            self.recommendation.setText("")
            return
        self.summary.setText("\n".join(self.advice.summary_lines()))
        self.recommendation.setText(self.tr("Recommended: {0}. {1}").format(
            tier_label(self.advice.recommended), self.advice.reason_text()))

    def initializePage(self) -> None:
        if self.advice is not None or self._probing:
            return
        self._probing = True
        self._failed = None
        self._render()
        run_in_background(self.flow().hardware_probe, _while_alive(self, self.on_probed),
                          _while_alive(self, self.on_probe_failed))

    def on_probed(self, advice: HardwareAdvice) -> None:
        self._probing = False
        self.advice = advice
        self._render()
        self.completeChanged.emit()

    def on_probe_failed(self, exc: BaseException) -> None:
        self._probing = False
        detail = str(exc) or type(exc).__name__
        self._failed = self.tr(
            "The hardware could not be checked ({0}). The app will choose the model when it starts; "
            "you can change it later in Settings.").format(detail)
        self.manual_choice.setEnabled(False)
        self._render()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self._probing and (self.advice is not None or self._failed is not None)

    def tier_choice(self) -> str:
        if self.manual_choice.isChecked() and self.tier_box.currentData():
            return str(self.tier_box.currentData())
        return "auto"

    def nextId(self) -> int:
        return PAGE_AUTOSTART


# --- start at login ----------------------------------------------------------------------------------------


class AutostartPage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.explanation = _wrapped()
        self.autostart_check = QCheckBox()
        self.autostart_check.setChecked(False)  # off unless the person turns it on (UX.md: never hidden)
        self.autostart_check.toggled.connect(lambda _on: _show_error(self.error, ""))
        self.error = _error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addSpacing(6)
        layout.addWidget(self.autostart_check)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Start when you log in?"))
        self.explanation.setText(self.tr(
            "Plumise Petals can start by itself when you log in to this computer, straight into the system "
            "tray, so that it keeps earning without you opening it. You can turn this off at any time in "
            "Settings."))
        self.autostart_check.setText(self.tr("Start Plumise Petals when I log in"))

    def validatePage(self) -> bool:
        """Write or remove the login entry now: a small file (or registry value), so done right here."""
        entry = self.flow().autostart_entry
        try:
            if self.autostart_check.isChecked():
                autostart.install(self.flow().launch_command, entry=entry)
            elif autostart.is_installed(entry=entry):
                autostart.remove(entry=entry)  # an entry left from an earlier install: the answer is no
        except autostart.AutostartError as exc:
            _show_error(self.error, self.tr(
                "Starting at login could not be set up: {0}. Untick the box to go on without it.").format(exc))
            return False
        return True

    def nextId(self) -> int:
        return PAGE_FINISH


# --- summary -----------------------------------------------------------------------------------------------


class FinishPage(_TranslatedPage):
    def __init__(self) -> None:
        super().__init__()
        self.summary = _wrapped()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.start_now = QCheckBox()
        self.start_now.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addSpacing(6)
        layout.addWidget(self.start_now)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Ready"))
        self.start_now.setText(self.tr("Start serving now"))
        self._render()

    def _render(self) -> None:
        if not self.wizard() or self.flow().wallet is None:
            self.summary.setText("")
            return
        flow = self.flow()
        tier = flow.hardware_page.tier_choice()
        advice = flow.hardware_page.advice
        if tier == "auto":
            tier_text = self.tr("chosen automatically") if advice is None else self.tr(
                "chosen automatically ({0})").format(tier_label(advice.recommended))
        else:
            tier_text = next((tier_label(t) for t in advice.tiers if t.tier_id == tier), tier) if advice else tier
        lines = [
            self.tr("Wallet: {0}").format(flow.wallet.address),
            self.tr("Key kept {0}").format(flow.storage_page.storage_description()),
            self.tr("Model: {0}").format(tier_text),
            self.tr("Starts when you log in: {0}").format(
                self.tr("yes") if flow.autostart_page.autostart_check.isChecked() else self.tr("no")),
        ]
        self.summary.setText("\n".join(lines))

    def initializePage(self) -> None:
        self._render()


# --- the wizard --------------------------------------------------------------------------------------------


class FirstRunWizard(QWizard):
    def __init__(
        self,
        parent: Optional[QWidget] = None,
        hardware_probe: Callable[[], HardwareAdvice] = default_hardware_probe,
        key_store_factory: Callable[[], Any] = _default_key_store,
        keystore_factory: Callable[[Path], Any] = _default_keystore,
        keystore_dir: Optional[Path] = None,
        autostart_entry: Optional[Any] = None,
        launch_command: Optional[list[str]] = None,
    ) -> None:
        super().__init__(parent)
        self.hardware_probe = hardware_probe
        self.key_store_factory = key_store_factory
        self.keystore_factory = keystore_factory
        self.keystore_dir = Path(keystore_dir) if keystore_dir is not None else default_keystore_dir()
        self.autostart_entry = autostart_entry
        self.launch_command = launch_command if launch_command is not None else autostart.launch_command()
        self.wallet: Any = None
        self.wallet_origin = ""  # "created" | "imported"
        self.storage = ""

        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(640, 500)
        self.welcome_page = WelcomePage()
        self.create_page = CreateWalletPage()
        self.import_page = ImportWalletPage()
        self.storage_page = StoragePage()
        self.hardware_page = HardwarePage()
        self.autostart_page = AutostartPage()
        self.finish_page = FinishPage()
        for page_id, page in [
            (PAGE_WELCOME, self.welcome_page), (PAGE_CREATE, self.create_page), (PAGE_IMPORT, self.import_page),
            (PAGE_STORAGE, self.storage_page), (PAGE_HARDWARE, self.hardware_page),
            (PAGE_AUTOSTART, self.autostart_page), (PAGE_FINISH, self.finish_page),
        ]:
            self.setPage(page_id, page)
        self.setStartId(PAGE_WELCOME)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Plumise Petals — first start"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Save wallet"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Finish"))

    def set_wallet(self, wallet: Any, origin: str) -> None:
        self.wallet = wallet
        self.wallet_origin = origin if wallet is not None else ""

    def keystore_path(self) -> Path:
        """One file per address, so a new wallet never overwrites the file of another."""
        return self.keystore_dir / f"keystore-{self.wallet.address}.json"

    def done(self, result: int) -> None:
        # The raw key stays on screen only as long as the wizard does (signals blocked: clearing the
        # import field must not forget the wallet that was just stored).
        for field in (self.create_page.key_field, self.import_page.key_field):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        super().done(result)

    def outcome(self) -> WizardOutcome:
        if self.wallet is None or not self.storage_page.saved:
            raise RuntimeError("the wizard has not stored a wallet")
        return WizardOutcome(
            address=self.wallet.address,
            storage=self.storage,
            storage_description=self.storage_page.storage_description(),
            keystore_path=self.keystore_path() if self.storage == "keystore" else None,
            tier_choice=self.hardware_page.tier_choice(),
            autostart=self.autostart_page.autostart_check.isChecked(),
            start_now=self.finish_page.start_now.isChecked(),
            language=self.welcome_page.language(),
        )
