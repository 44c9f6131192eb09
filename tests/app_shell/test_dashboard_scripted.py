"""The dashboard and tray fed by a scripted event stream from a real child process (the scripted node)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from app.money import UNKNOWN
from app.node_supervisor import RunState


def _value(controller, key: str) -> str:
    return controller.dashboard.values[key].text()


def test_every_number_is_unknown_before_the_node_speaks(make_controller):
    controller = make_controller()
    for key, label in controller.dashboard.values.items():
        assert label.text() == UNKNOWN, key
    assert not controller.dashboard.claim_button.isEnabled()
    assert controller.dashboard.rate_chart.plotted_points() == []


def test_progress_then_serving_numbers_from_the_stream(qtbot, make_controller):
    controller = make_controller("serve", "--interval", "0.3")
    controller.show_initial()
    seen_progress = []
    controller.status.changed.connect(
        lambda: seen_progress.append((controller.status.state, controller.dashboard.progress_bar.isVisible(),
                                      controller.dashboard.progress_bar.format()))
    )
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.tokens is not None and controller.status.tokens >= 48, timeout=15000)

    # Real progress was shown while downloading (bytes) and loading (blocks).
    assert ("downloading", True, "2.4 MB of 3.8 MB") in seen_progress
    assert any(state == "loading" and visible and fmt == "block 2 of 4" for state, visible, fmt in seen_progress)
    assert not controller.dashboard.progress_bar.isVisible()  # serving: no progress bar

    s = controller.status
    assert _value(controller, "tokens") == f"{s.tokens:,}"
    assert _value(controller, "requests") == f"{s.requests:,}"
    assert _value(controller, "tokens_per_s") == f"{s.tokens_per_s:,.1f} tokens/s"
    assert _value(controller, "avg_latency") == f"{s.avg_latency_ms:,.1f} ms"
    assert _value(controller, "model") == "bigscience/bloom-560m"
    assert _value(controller, "blocks") == "0–3 (4 blocks)"
    assert _value(controller, "peers") == "3"
    assert _value(controller, "balance") == "5 PLM"
    assert _value(controller, "pending") == "1.25 PLM"
    assert _value(controller, "epoch") == "7"
    assert _value(controller, "registered") == "yes / yes"
    assert controller.dashboard.state_label.text() == "Serving"
    assert controller.dashboard.start_stop_button.text() == "Stop"
    assert controller.dashboard.claim_button.isEnabled()  # pending > 0 and a wallet

    # The rate chart draws exactly the samples received, newest at the right edge.
    qtbot.waitUntil(lambda: len(s.tps_samples) >= 3, timeout=10000)
    chart = controller.dashboard.rate_chart
    assert chart.samples() == list(s.tps_samples)
    points = chart.plotted_points()
    assert len(points) == len(s.tps_samples)
    assert points[-1].x() == pytest.approx(chart.plot_rect().right())
    values = [v for _, v in s.tps_samples]
    # Higher rate → higher on screen (smaller y): the drawing follows the data.
    assert [p.y() for p in points] == sorted([p.y() for p in points], reverse=True) if values == sorted(values) else True
    qtbot.waitUntil(lambda: s.last_report is not None, timeout=10000)
    assert _value(controller, "last_report").startswith("accepted")

    # The pending amount was sampled into today's history.
    points = controller.history.daily_points()
    assert points and points[-1].pending_wei == 1_250_000_000_000_000_000

    with qtbot.waitSignal(controller.supervisor.stopped, timeout=15000):
        controller.dashboard.start_stop_button.click()
    assert controller.dashboard.state_label.text() == "Stopped"
    assert _value(controller, "tokens") == UNKNOWN  # no node, no live numbers
    assert _value(controller, "pending") == "1.25 PLM"  # the wallet's standing stays


def test_crash_restart_shows_the_reason_then_serves_again(qtbot, make_controller, tmp_path, monkeypatch):
    from app import node_supervisor

    monkeypatch.setattr(node_supervisor, "RESTART_BACKOFF_S", (0.5,))
    controller = make_controller("crash-once", "--marker", str(tmp_path / "marker"))
    controller.show_initial()
    controller.begin()
    qtbot.waitUntil(lambda: controller.supervisor.run_state == RunState.RESTART_WAIT, timeout=15000)
    assert controller.dashboard.state_label.text() == "Restarting after an error…"
    assert controller.dashboard.error_label.isVisible()
    assert "The GPU ran out of memory." in controller.dashboard.error_label.text()
    assert "CUDA OOM" in controller.dashboard.error_label.text()
    qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=15000)
    assert not controller.dashboard.error_label.isVisible()
    assert any("Restarting in 0.5 s" in e.text for e in controller.logs.entries)


def test_tray_menu_tooltip_and_notifications(qtbot, make_controller):
    controller = make_controller("serve", tray=True)
    controller.show_initial()
    tray = controller.tray
    menu_texts = [a.text() for a in tray.menu.actions() if not a.isSeparator() and a.isVisible()]
    assert menu_texts == ["Stopped", "Start", "Open dashboard", "Claim…", "Settings…", "Quit"]
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.tokens_per_s is not None, timeout=15000)
    menu_texts = [a.text() for a in tray.menu.actions() if not a.isSeparator() and a.isVisible()]
    assert menu_texts[0] == "Serving" and menu_texts[1] == "Stop"
    assert controller.actions.claim.isEnabled()
    tooltip = tray.icon.toolTip()
    assert "Serving" in tooltip and "tokens/s" in tooltip and "pending 1.25 PLM" in tooltip
    # An error event from the node becomes a notification with its human reason.
    controller.status.on_event({"event": "error", "reason": "The swarm cannot reach you.", "detail": "x", "fatal": False})
    assert tray.last_notification == ("Plumise Petals: a problem", "The swarm cannot reach you.")


def test_stopped_earning_watch_tells_once():
    from app.tray import StoppedEarningWatch

    now = [0.0]
    watch = StoppedEarningWatch(minutes=10, clock=lambda: now[0])
    watch.update(wanted=True, serving=True)
    now[0] = 3600
    assert watch.minutes_not_earning() is None  # serving all along
    watch.update(wanted=True, serving=False)
    now[0] += 9 * 60
    assert watch.minutes_not_earning() is None
    now[0] += 2 * 60
    assert watch.minutes_not_earning() == 11
    assert watch.minutes_not_earning() is None  # said once
    watch.update(wanted=False, serving=False)  # the person stopped it: nothing to tell
    now[0] += 3600
    assert watch.minutes_not_earning() is None


def test_applied_settings_are_saved_then_the_node_restarts(qtbot, make_controller, tmp_path):
    import json

    from core.settings import Settings

    class AppliedDialog:
        """The two answers app.settings_dialog.SettingsDialog gives after OK (its own tests cover the dialog)."""

        def result_settings(self):
            return Settings(network="local", report_interval=30)

        def needs_restart(self):
            return True

    controller = make_controller("serve")
    controller.settings_path = tmp_path / "settings.json"
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=15000)
    states: list[str] = []
    controller.supervisor.run_state_changed.connect(states.append)
    controller.on_settings_applied(AppliedDialog())
    qtbot.waitUntil(lambda: controller.settings_path.exists(), timeout=5000)
    assert json.loads(controller.settings_path.read_text())["report_interval"] == 30
    qtbot.waitUntil(lambda: RunState.IDLE in states and controller.status.state == "serving", timeout=20000)
    assert states[:2] == [RunState.STOPPING, RunState.IDLE] and RunState.RUNNING in states[2:]
    assert controller.settings.report_interval == 30


def test_wizard_choices_are_saved_before_the_node_starts(qtbot, make_controller, tmp_path):
    import json

    from app.wizard import WizardOutcome
    from core.settings import Settings

    from .conftest import FakeWalletForScriptedNode

    class FinishedWizard:
        """What app.wizard.FirstRunWizard answers once accepted (its own tests cover the pages)."""

        wallet = FakeWalletForScriptedNode()

        def outcome(self):
            return WizardOutcome(address=self.wallet.address, storage="keyring", storage_description="",
                                 keystore_path=None, tier_choice="lite", autostart=True, start_now=True,
                                 language="ko")

    settings_path = tmp_path / "wizard-settings.json"
    settings_path.write_text(json.dumps({"version": 1, "report_interval": 45}))
    # This run was started with a network flag: it must not end up in the file.
    controller = make_controller("serve", settings=Settings(network="local", report_interval=45),
                                 settings_path=settings_path)
    controller.wizard = FinishedWizard()
    controller.on_wizard_accepted()
    qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=15000)
    saved = json.loads(settings_path.read_text())
    assert (saved["model_tier"], saved["autostart"], saved["language"]) == ("lite", True, "ko")
    assert saved["report_interval"] == 45 and saved["network"] != "local"
    assert (controller.settings.model_tier, controller.settings.language) == ("lite", "ko")


def test_applied_settings_the_node_does_not_read_are_saved_without_a_restart(qtbot, make_controller, tmp_path):
    import json

    from core.settings import Settings

    class AppliedDialog:
        """SettingsDialog's two answers after OK for a change only the app uses (pausing)."""

        def result_settings(self):
            return Settings(network="local", pause_on_battery=False)

        def needs_restart(self):
            return False

    controller = make_controller("serve")
    controller.begin()
    qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=15000)
    states: list[str] = []
    controller.supervisor.run_state_changed.connect(states.append)
    controller.on_settings_applied(AppliedDialog())
    qtbot.waitUntil(lambda: controller.settings_path.exists(), timeout=5000)
    assert json.loads(controller.settings_path.read_text())["pause_on_battery"] is False
    assert controller.pause.policy.pause_on_battery is False  # the app applies it at once
    qtbot.wait(500)
    assert states == [] and controller.supervisor.run_state == RunState.RUNNING
