"""The dashboard, tray texts and claim dialog in Korean: every string the person sees, units and durations
included, comes from the catalogue, and long-lived windows switch language in place."""
from __future__ import annotations

import re

import pytest

from app import i18n
from app.claim_dialog import ClaimDialog

TX = "0x" + "3f" * 32
LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def korean(qapp):
    i18n.install(qapp, "ko")
    yield
    i18n.install(qapp, "en")


def test_serving_dashboard_speaks_korean(qtbot, make_controller, korean):
    controller = make_controller("serve", tray=True)
    controller.show_initial()
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.state == "serving" and controller.status.last_report is not None,
                    timeout=15000)
    values = {key: label.text() for key, label in controller.dashboard.values.items()}
    assert controller.dashboard.state_label.text() == "서빙 중"
    assert controller.actions.state_line.text() == "서빙 중"
    assert values["tokens_per_s"].startswith("초당 ") and values["tokens_per_s"].endswith(" 토큰")
    assert values["avg_latency"].endswith("ms")
    assert re.fullmatch(r"\d+초|\d+분 \d+초", values["uptime"]), values["uptime"]
    assert values["blocks"] == "0–3 (블록 4개)"
    assert values["registered"] == "예 / 예"
    assert values["last_report"].startswith("수락됨")
    # Nothing English is left but the model id and the PLM/ms units.
    for key, text in values.items():
        if key != "model":
            assert not (set(LATIN_WORDS.findall(text)) - {"PLM", "ms"}), (key, text)
    assert "서빙 중" in controller.tray.icon.toolTip()
    assert controller.actions.pause_resume.text() == "일시 중지"


def test_state_line_follows_a_language_switch_in_place(qtbot, make_controller, qapp):
    controller = make_controller("serve")
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=15000)
    assert controller.dashboard.state_label.text() == "Serving"
    try:
        i18n.install(qapp, "ko")
        qtbot.waitUntil(lambda: controller.dashboard.state_label.text() == "서빙 중", timeout=3000)
        qtbot.waitUntil(lambda: controller.actions.start_stop.text() == "중지", timeout=3000)
    finally:
        i18n.install(qapp, "en")
    qtbot.waitUntil(lambda: controller.dashboard.state_label.text() == "Serving", timeout=3000)


def test_claim_dialog_retranslates_and_shows_the_whole_hash(qtbot, qapp):
    dialog = ClaimDialog(10**18, "0x" + "ab" * 20, lambda: {"tx_hash": TX, "amount_wei": 10**18})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.claim_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == ClaimDialog.PAGE_RESULT, timeout=5000)
    assert dialog.windowTitle() == "Claim your PLM"
    try:
        i18n.install(qapp, "ko")
        qtbot.waitUntil(lambda: dialog.windowTitle() == "PLM 청구", timeout=3000)
        assert "1 PLM" in dialog.result_label.text() and "Claimed" not in dialog.result_label.text()
        assert dialog.copy_button.text() == "트랜잭션 해시 복사"
    finally:
        i18n.install(qapp, "en")
    # The full 66-character hash fits on its line: nothing cut, nothing wrapped.
    assert dialog.tx_label.text() == TX
    qtbot.waitUntil(lambda: dialog.tx_label.width() >= dialog.tx_label.fontMetrics().horizontalAdvance(TX),
                    timeout=3000)
    dialog.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == TX
