"""The first-run wizard's paths: create (backup gate), import (refusals, then a key), keyring or encrypted
file, a locked keyring, the hardware check (real, and failing), autostart asked once and off by default."""
from __future__ import annotations

import json
import stat

import pytest
from PySide6.QtWidgets import QWizard

from app.autostart import LinuxAutostart
from app.wizard import (
    PAGE_AUTOSTART,
    PAGE_CREATE,
    PAGE_FINISH,
    PAGE_HARDWARE,
    PAGE_IMPORT,
    PAGE_STORAGE,
    FirstRunWizard,
)

# A fixed test key (never used anywhere real) and its address.
TEST_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
TEST_ADDRESS = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
FAST_SCRYPT_N = 2**10  # tests only: the real cost (2^18) takes a second per try


def make_wizard(qtbot, tmp_path, hardware_advice, **kwargs):
    from chain.wallet import EncryptedKeystore

    kwargs.setdefault("hardware_probe", lambda: hardware_advice)
    wizard = FirstRunWizard(
        keystore_factory=lambda path: EncryptedKeystore(path, scrypt_n=FAST_SCRYPT_N),
        keystore_dir=tmp_path / "data",
        autostart_entry=LinuxAutostart(home=tmp_path / "home"),
        launch_command=["/opt/plumise/plumise-petals-app"],
        **kwargs,
    )
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def next_enabled(wizard) -> bool:
    page = wizard.currentPage()
    button = QWizard.WizardButton.CommitButton if page.isCommitPage() else QWizard.WizardButton.NextButton
    return wizard.button(button).isEnabled()


def go_next(qtbot, wizard, expected_page):
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == expected_page, timeout=15000)


def test_create_wallet_needs_saved_confirmation_and_lands_in_keyring(qtbot, tmp_path, memory_keyring,
                                                                     real_hardware_advice):
    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice)
    go_next(qtbot, wizard, PAGE_CREATE)
    page = wizard.create_page
    qtbot.waitUntil(lambda: bool(page.address_field.text()), timeout=10000)
    address, key = page.address_field.text(), page.key_field.text()
    assert address.startswith("0x") and len(address) == 42
    assert key.startswith("0x") and len(key) == 66
    # The backup gate: no way on until "I saved it" is ticked.
    assert not next_enabled(wizard)
    page.saved_check.setChecked(True)
    assert next_enabled(wizard)
    go_next(qtbot, wizard, PAGE_STORAGE)

    storage = wizard.storage_page
    qtbot.waitUntil(lambda: storage.mode == "keyring", timeout=5000)
    assert "MemoryKeyring" in storage.explanation.text() or "plumise-petals" in storage.explanation.text()
    assert not storage.password_form.isVisible()
    go_next(qtbot, wizard, PAGE_HARDWARE)
    assert memory_keyring.entries[("plumise-petals", address)] == key
    assert memory_keyring.entries[("plumise-petals", "active-wallet")] == address
    # A commit page: the stored wallet cannot be swapped by going back.
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled() or \
        not wizard.button(QWizard.WizardButton.BackButton).isVisible()

    hardware = wizard.hardware_page
    qtbot.waitUntil(hardware.isComplete, timeout=10000)
    assert real_hardware_advice.recommended.name in hardware.recommendation.text()
    assert "GiB" in hardware.summary.text()
    go_next(qtbot, wizard, PAGE_AUTOSTART)
    assert not wizard.autostart_page.autostart_check.isChecked()  # off by default
    go_next(qtbot, wizard, PAGE_FINISH)
    assert address in wizard.finish_page.summary.text()
    wizard.accept()

    outcome = wizard.outcome()
    assert outcome.address == address
    assert outcome.storage == "keyring" and outcome.keystore_path is None
    assert outcome.tier_choice == "auto"
    assert outcome.autostart is False and outcome.start_now is True
    assert not LinuxAutostart(home=tmp_path / "home").is_installed()
    assert page.key_field.text() == ""  # the key left the screen with the wizard
    from chain.wallet import KeyringStore

    assert KeyringStore().load().address == address


def test_import_refuses_bad_keys_then_stores_an_encrypted_file_without_keyring(qtbot, tmp_path, no_keyring,
                                                                             real_hardware_advice):
    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice)
    wizard.welcome_page.import_choice.setChecked(True)
    go_next(qtbot, wizard, PAGE_IMPORT)
    page = wizard.import_page

    page.key_field.setText("hello")
    assert page.error.isVisible() and "64 characters" in page.error.text() and "(this has 5)" in page.error.text()
    assert not next_enabled(wizard)
    page.key_field.setText(TEST_ADDRESS)
    assert "wallet address" in page.error.text()
    assert not next_enabled(wizard)
    page.key_field.setText("0" * 64)
    assert "outside the range" in page.error.text()
    assert not next_enabled(wizard)

    page.key_field.setText(f"  0x{TEST_KEY}\n")
    assert not page.error.isVisible()
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10000)
    assert TEST_ADDRESS in page.address_label.text()
    go_next(qtbot, wizard, PAGE_STORAGE)

    storage = wizard.storage_page
    qtbot.waitUntil(lambda: storage.mode == "keystore", timeout=5000)
    expected_path = tmp_path / "data" / f"keystore-{TEST_ADDRESS}.json"
    assert "no system password store" in storage.explanation.text()
    assert str(expected_path) in storage.explanation.text()
    assert storage.password_form.isVisible()
    assert not next_enabled(wizard)
    storage.password_field.setText("short")
    assert storage.password_error.isVisible() and "at least 8" in storage.password_error.text()
    storage.password_field.setText("correct horse battery")
    storage.confirm_field.setText("correct horse batterx")
    assert storage.confirm_error.isVisible() and not next_enabled(wizard)
    storage.confirm_field.setText("correct horse battery")
    assert not storage.confirm_error.isVisible()
    go_next(qtbot, wizard, PAGE_HARDWARE)

    assert stat.S_IMODE(expected_path.stat().st_mode) == 0o600
    text = expected_path.read_text()
    assert TEST_KEY not in text.lower()  # never plaintext
    assert json.loads(text)["crypto"]["kdf"] == "scrypt"
    from chain.wallet import EncryptedKeystore

    assert EncryptedKeystore(expected_path).load("correct horse battery").address == TEST_ADDRESS

    go_next(qtbot, wizard, PAGE_AUTOSTART)
    wizard.autostart_page.autostart_check.setChecked(True)
    go_next(qtbot, wizard, PAGE_FINISH)
    entry = LinuxAutostart(home=tmp_path / "home")
    assert entry.is_installed()
    assert entry.exec_line() == "/opt/plumise/plumise-petals-app --minimized"
    wizard.finish_page.start_now.setChecked(False)
    wizard.accept()
    outcome = wizard.outcome()
    assert outcome.address == TEST_ADDRESS
    assert outcome.storage == "keystore" and outcome.keystore_path == expected_path
    assert str(expected_path) in outcome.storage_description
    assert outcome.autostart is True and outcome.start_now is False


def test_locked_keyring_offers_the_encrypted_file(qtbot, tmp_path, locked_keyring, real_hardware_advice):
    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice)
    wizard.welcome_page.import_choice.setChecked(True)
    go_next(qtbot, wizard, PAGE_IMPORT)
    wizard.import_page.key_field.setText(TEST_KEY)
    go_next(qtbot, wizard, PAGE_STORAGE)
    storage = wizard.storage_page
    qtbot.waitUntil(lambda: storage.mode == "keyring", timeout=5000)
    wizard.next()  # "Save wallet": the store refuses
    qtbot.waitUntil(lambda: storage.error.isVisible(), timeout=5000)
    assert wizard.currentId() == PAGE_STORAGE
    assert "refused" in storage.error.text()
    assert storage.use_file_button.isVisible()
    assert locked_keyring.entries == {}
    storage.use_file_button.click()
    assert storage.mode == "keystore" and storage.password_form.isVisible()
    assert "You chose" in storage.explanation.text()
    storage.password_field.setText("a long enough password")
    storage.confirm_field.setText("a long enough password")
    go_next(qtbot, wizard, PAGE_HARDWARE)
    assert (tmp_path / "data" / f"keystore-{TEST_ADDRESS}.json").is_file()


def test_hardware_check_failure_still_lets_the_person_go_on(qtbot, tmp_path, memory_keyring,
                                                            real_hardware_advice):
    from app.hardware_advice import HardwareProbeFailed

    def failing_probe():
        raise HardwareProbeFailed("the hardware check stopped: psutil is missing")

    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice, hardware_probe=failing_probe)
    wizard.welcome_page.import_choice.setChecked(True)
    go_next(qtbot, wizard, PAGE_IMPORT)
    wizard.import_page.key_field.setText(TEST_KEY)
    go_next(qtbot, wizard, PAGE_STORAGE)
    go_next(qtbot, wizard, PAGE_HARDWARE)
    hardware = wizard.hardware_page
    qtbot.waitUntil(hardware.isComplete, timeout=5000)
    assert "psutil is missing" in hardware.error.text() and hardware.error.isVisible()
    assert not hardware.manual_choice.isEnabled()
    assert hardware.tier_choice() == "auto"


def test_a_tier_can_be_chosen_by_hand(qtbot, tmp_path, memory_keyring, real_hardware_advice):
    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice)
    wizard.welcome_page.import_choice.setChecked(True)
    go_next(qtbot, wizard, PAGE_IMPORT)
    wizard.import_page.key_field.setText(TEST_KEY)
    go_next(qtbot, wizard, PAGE_STORAGE)
    go_next(qtbot, wizard, PAGE_HARDWARE)
    hardware = wizard.hardware_page
    qtbot.waitUntil(hardware.isComplete, timeout=10000)
    assert not hardware.tier_box.isEnabled()
    hardware.manual_choice.setChecked(True)
    assert hardware.tier_box.isEnabled()
    assert [hardware.tier_box.itemData(i) for i in range(hardware.tier_box.count())] == \
        ["lite", "standard", "pro", "ultra"]
    hardware.tier_box.setCurrentIndex(hardware.tier_box.findData("lite"))
    go_next(qtbot, wizard, PAGE_AUTOSTART)
    go_next(qtbot, wizard, PAGE_FINISH)
    assert "bloom-560m" in wizard.finish_page.summary.text()
    wizard.accept()
    assert wizard.outcome().tier_choice == "lite"


def test_outcome_before_a_wallet_is_stored_is_refused(qtbot, tmp_path, memory_keyring, real_hardware_advice):
    wizard = make_wizard(qtbot, tmp_path, real_hardware_advice)
    with pytest.raises(RuntimeError):
        wizard.outcome()
