"""The settings dialog: inline validation with a sentence under the field, nothing lost on a bad OK, the
restart flag only for node fields, autostart really written/removed (in a fake home), language applied."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog

from app import i18n
from app.autostart import LinuxAutostart
from app.settings_dialog import SettingsDialog, parse_plm, plm_text
from core.settings import Settings


@pytest.fixture
def make_dialog(qtbot, tmp_path, real_hardware_advice):
    def make(settings=None, **kwargs):
        kwargs.setdefault("hardware_probe", lambda: real_hardware_advice)
        dialog = SettingsDialog(settings or Settings(), autostart_entry=LinuxAutostart(home=tmp_path / "home"),
                                launch_command=["/opt/plumise/plumise-petals-app"], **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog._advice is not None or bool(dialog._advice_failed), timeout=5000)
        return dialog

    return make


def test_plm_amounts_are_exact():
    assert parse_plm("1") == 10**18
    assert parse_plm(" 0.5 ") == 5 * 10**17
    assert parse_plm("0.000000000000000001") == 1
    assert parse_plm("1,000") == 1000 * 10**18
    for bad in ("", "abc", "-1", "0.0000000000000000001", "nan", "inf", "1.2.3"):
        assert parse_plm(bad) is None, bad
    assert plm_text(1500000000000000000) == "1.5" and plm_text(10**18) == "1" and plm_text(1) == "0.000000000000000001"


def test_unchanged_ok_keeps_settings_and_needs_no_restart(make_dialog):
    original = Settings(network="local", num_blocks=4, claim_threshold_wei=2 * 10**18)
    dialog = make_dialog(original)
    assert dialog.threshold_field.text() == "2"
    assert dialog.blocks_box.value() == 4
    dialog.buttons.accepted.emit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_settings() == original
    assert not dialog.needs_restart()


def test_bad_urls_are_explained_next_to_the_field_and_ok_keeps_the_dialog_open(make_dialog):
    dialog = make_dialog()
    dialog.rpc_field.setText("plug.plumise.com/rpc")
    assert dialog._error_labels["rpc_url"].isVisible()
    assert "http://" in dialog._error_labels["rpc_url"].text()
    dialog.oracle_field.setText("http://has space/oracle")
    assert "complete web address" in dialog._error_labels["oracle_url"].text()
    dialog.tabs.setCurrentIndex(3)
    dialog.buttons.accepted.emit()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.tabs.currentIndex() == 0  # jumped to the first wrong field
    assert dialog.rpc_field.text() == "plug.plumise.com/rpc"  # nothing typed is lost
    dialog.rpc_field.setText("http://127.0.0.1:8545")
    dialog.oracle_field.setText("http://127.0.0.1:15481/")
    assert not dialog._errors
    dialog.buttons.accepted.emit()
    new = dialog.result_settings()
    assert new.rpc_url == "http://127.0.0.1:8545" and new.oracle_url == "http://127.0.0.1:15481"
    assert dialog.needs_restart()


def test_ports_must_differ_and_avoid_privileged_ones(make_dialog):
    dialog = make_dialog()
    dialog.status_port_box.setValue(dialog.petals_port_box.value())
    assert "must differ" in dialog._error_labels["status_port"].text()
    dialog.status_port_box.setValue(31339)
    assert not dialog._error_labels["status_port"].isVisible()
    dialog.petals_port_box.setValue(80)
    assert "administrator" in dialog._error_labels["petals_port"].text()
    dialog.buttons.accepted.emit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.petals_port_box.setValue(40000)
    dialog.buttons.accepted.emit()
    assert dialog.result_settings().petals_port == 40000 and dialog.result_settings().status_port == 31339
    assert dialog.needs_restart()


def test_claim_threshold_in_plm(make_dialog):
    dialog = make_dialog()
    dialog.threshold_field.setText("lots")
    assert "as a number" in dialog._error_labels["claim_threshold_wei"].text()
    dialog.threshold_field.setText("0")
    assert "above 0" in dialog._error_labels["claim_threshold_wei"].text()
    dialog.auto_claim_check.setChecked(False)  # no auto-claim: a 0 threshold is harmless
    assert not dialog._error_labels["claim_threshold_wei"].isVisible()
    assert not dialog.threshold_field.isEnabled()
    dialog.auto_claim_check.setChecked(True)
    dialog.threshold_field.setText("2.5")
    dialog.buttons.accepted.emit()
    assert dialog.result_settings().claim_threshold_wei == 2_500_000_000_000_000_000
    assert dialog.needs_restart()  # the node's agent loop does the auto-claim


def test_blocks_beyond_the_model_are_refused(make_dialog, real_hardware_advice):
    dialog = make_dialog()
    dialog.tier_box.setCurrentIndex(dialog.tier_box.findData("lite"))
    lite = next(t for t in real_hardware_advice.tiers if t.tier_id == "lite")
    dialog.blocks_box.setValue(lite.num_layers + 1)
    assert f"only {lite.num_layers} blocks" in dialog._error_labels["num_blocks"].text()
    assert f"has {lite.num_layers} blocks" in dialog.blocks_note.text()
    dialog.blocks_box.setValue(2)
    assert not dialog._error_labels["num_blocks"].isVisible()
    dialog.buttons.accepted.emit()
    new = dialog.result_settings()
    assert new.model_tier == "lite" and new.num_blocks == 2


def test_automatic_tier_shows_the_reason(make_dialog, real_hardware_advice):
    dialog = make_dialog()
    assert dialog.tier_box.currentData() == "auto"
    assert real_hardware_advice.recommended.name in dialog.tier_box.currentText()
    assert "blocks fit" in dialog.tier_reason.text()


def test_app_only_fields_do_not_restart_the_node_and_autostart_is_really_written(make_dialog, tmp_path):
    dialog = make_dialog(Settings())
    entry = LinuxAutostart(home=tmp_path / "home")
    assert not dialog.autostart_check.isChecked() and dialog.battery_check.isChecked()  # the defaults
    dialog.autostart_check.setChecked(True)
    dialog.battery_check.setChecked(False)
    dialog.in_use_check.setChecked(True)
    dialog.idle_box.setValue(10)
    dialog.buttons.accepted.emit()
    new = dialog.result_settings()
    assert new.autostart and not new.pause_on_battery and new.pause_while_in_use and new.idle_minutes == 10
    assert not dialog.needs_restart()
    assert entry.is_installed() and entry.exec_line() == "/opt/plumise/plumise-petals-app --minimized"

    again = make_dialog(new)
    assert again.autostart_check.isChecked()
    again.autostart_check.setChecked(False)
    again.buttons.accepted.emit()
    assert not again.result_settings().autostart and not entry.is_installed()


def test_autostart_failure_is_shown_and_keeps_the_dialog(make_dialog, tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".config").write_text("a file where the config folder should be")
    dialog = make_dialog()
    dialog.autostart_check.setChecked(True)
    dialog.buttons.accepted.emit()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "could not be changed" in dialog._error_labels["autostart"].text()
    assert dialog.tabs.currentIndex() == 3


def test_language_choice_is_applied_on_ok(make_dialog, qapp):
    dialog = make_dialog(Settings(language="en"))
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("ko"))
    dialog.buttons.accepted.emit()
    assert dialog.result_settings().language == "ko"
    assert not dialog.needs_restart()
    assert i18n.current_language() == "ko"
    assert QCoreApplication.translate("i18n", "Same as the system") != "Same as the system"


def test_cancel_returns_the_original(make_dialog):
    original = Settings()
    dialog = make_dialog(original)
    dialog.rpc_field.setText("http://example.org:1")
    dialog.reject()
    assert dialog.result_settings() is original and not dialog.needs_restart()
