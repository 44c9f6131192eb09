"""Logs view (mask, search, level filter, export) and the earnings history file."""
from __future__ import annotations

import datetime as dt
import json
import logging

from app.earnings_history import EarningsHistory
from app.logs_view import LogsView, QtLogHandler
from app.money import format_plm, format_plm_exact

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def test_logs_mask_keys_filter_and_export(qtbot, tmp_path):
    view = LogsView()
    qtbot.addWidget(view)
    view.on_node_line("INFO", "loaded block 3")
    view.on_node_line("WARNING", f"someone printed 0x{KEY} here")
    view.on_node_line("ERROR", "the swarm is unreachable")
    handler = QtLogHandler()
    handler.bridge.record.connect(view.on_app_record)
    logger = logging.getLogger("test.app_shell.logs")
    logger.addHandler(handler)
    try:
        logger.warning("bare key %s", KEY)
    finally:
        logger.removeHandler(handler)
    qtbot.waitUntil(lambda: len(view.entries) == 4, timeout=2000)
    assert KEY not in view.text.toPlainText()
    assert "[redacted]" in view.text.toPlainText()

    view.level_combo.setCurrentIndex(view.level_combo.findData("WARNING"))
    assert [e.level for e in view.visible_entries()] == ["WARNING", "ERROR", "WARNING"]
    view.search_edit.setText("SWARM")
    assert [e.text for e in view.visible_entries()] == ["the swarm is unreachable"]
    assert view.text.toPlainText().count("\n") == 0
    view.search_edit.setText("")
    view.level_combo.setCurrentIndex(0)
    out = tmp_path / "export.log"
    assert view.export_to(out) == 4
    exported = out.read_text()
    assert KEY not in exported and "loaded block 3" in exported and "[node]" in exported and "[app]" in exported


def test_history_daily_pending_claims_and_atomic_file(tmp_path):
    path = tmp_path / "earnings.json"
    history = EarningsHistory(path)
    day1 = dt.datetime(2026, 3, 1, 10).timestamp()
    day2 = dt.datetime(2026, 3, 2, 10).timestamp()
    assert history.record_pending(10**18, day1)
    assert history.record_pending(2 * 10**18, day1 + 3600)  # the day's latest sample wins
    assert not history.record_pending(2 * 10**18, day1 + 7200)  # unchanged: nothing to write
    history.record_claim(2 * 10**18 + 1, "0xaa", day2)
    history.record_claim(2 * 10**18 + 1, "0xaa", day2)  # the same claim reported twice counts once
    history.record_pending(0, day2)
    history.save()
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind
    assert (path.stat().st_mode & 0o777) == 0o600

    again = EarningsHistory(path)
    points = again.daily_points(days=30, today=dt.date(2026, 3, 2))
    assert [(p.day.isoformat(), p.pending_wei, p.claimed_wei) for p in points] == [
        ("2026-03-01", 2 * 10**18, 0),
        ("2026-03-02", 0, 2 * 10**18 + 1),
    ]
    assert again.total_claimed_wei() == 2 * 10**18 + 1
    assert json.loads(path.read_text())["claims"][0]["amount_wei"] == str(2 * 10**18 + 1)  # a string: exact


def test_corrupt_history_is_moved_aside_not_lost(tmp_path):
    path = tmp_path / "earnings.json"
    path.write_text("{not json")
    history = EarningsHistory(path)
    assert history.warning and "moved to" in history.warning
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("earnings.json.corrupt-")]


def test_plm_formatting_is_exact():
    assert format_plm(None) == "—"
    assert format_plm("1250000000000000000") == "1.25 PLM"
    assert format_plm(10**18 * 1234567) == "1,234,567 PLM"
    assert format_plm(1) == "< 0.0001 PLM"
    assert format_plm(0) == "0 PLM"
    assert format_plm(19_999_999_999_999_999) == "0.0199 PLM"  # rounded down, never up
    assert format_plm_exact(10**18 + 1) == "1.000000000000000001 PLM"
    assert format_plm("-5") == "—" and format_plm("1e18") == "—"


def test_shown_count_follows_the_filter_as_old_lines_fall_out(qtbot, monkeypatch):
    import app.logs_view as logs_view

    monkeypatch.setattr(logs_view, "MAX_ENTRIES", 4)
    view = LogsView()
    qtbot.addWidget(view)
    view.level_combo.setCurrentIndex(view.level_combo.findData("WARNING"))
    for level in ("WARNING", "INFO", "ERROR", "INFO", "WARNING", "INFO", "INFO"):
        view.on_node_line(level, f"a {level.lower()} line")
        assert view.count_label.text().startswith(f"{len(view.visible_entries())} of {len(view.entries)}")
    assert len(view.entries) == 4 and len(view.visible_entries()) == 1
