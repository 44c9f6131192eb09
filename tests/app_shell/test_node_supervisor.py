"""The supervisor against a real child process (the scripted node): key on stdin, events, stop, crash-restart."""
from __future__ import annotations

import hashlib

import pytest

from app import node_supervisor
from app.node_supervisor import NodeSupervisor, RunState

from .node_helpers import TEST_KEY, scripted_launch


@pytest.fixture
def supervisor(qtbot):
    sup = NodeSupervisor()
    events: list[dict] = []
    states: list[str] = []
    logs: list[tuple[str, str]] = []
    crashes: list[tuple[str, str, float]] = []
    sup.event_received.connect(events.append)
    sup.run_state_changed.connect(states.append)
    sup.log_line.connect(lambda level, text: logs.append((level, text)))
    sup.crashed.connect(lambda r, d, s: crashes.append((r, d, s)))
    sup.events, sup.states, sup.logs, sup.crashes = events, states, logs, crashes
    yield sup
    if sup.is_active():
        with qtbot.waitSignal(sup.stopped, timeout=15000):
            sup.stop()
    sup.shutdown_thread()


def test_key_goes_on_stdin_only_and_events_arrive(qtbot, supervisor):
    supervisor.start(scripted_launch("serve"), TEST_KEY)
    qtbot.waitUntil(lambda: any(e["event"] == "metrics" for e in supervisor.events), timeout=15000)
    debug = next(e for e in supervisor.events if e["event"] == "debug")
    assert debug["key_sha256"] == hashlib.sha256(TEST_KEY.encode()).hexdigest()
    assert debug["key_in_argv"] is False and debug["key_in_env"] is False
    assert supervisor.run_state == RunState.RUNNING
    kinds = [e["event"] for e in supervisor.events]
    assert "state" in kinds and "chain" in kinds
    # Nothing the supervisor logged holds the key.
    assert all(TEST_KEY[2:] not in text for _, text in supervisor.logs)

    with qtbot.waitSignal(supervisor.stopped, timeout=15000):
        supervisor.stop()
    assert supervisor.run_state == RunState.IDLE
    # The child stopped itself when stdin closed: its last words arrived, nothing was killed.
    assert supervisor.events[-1] == {**supervisor.events[-1], "event": "state", "state": "stopped"}
    assert not any("killing" in text for _, text in supervisor.logs)


def test_stubborn_child_is_killed_after_the_grace_period(qtbot, supervisor):
    supervisor.start(scripted_launch("stubborn", graceful_stop_s=1.0), TEST_KEY)
    qtbot.waitUntil(lambda: supervisor.run_state == RunState.RUNNING, timeout=15000)
    with qtbot.waitSignal(supervisor.stopped, timeout=10000):
        supervisor.stop()
    assert any("killing" in text for _, text in supervisor.logs)
    assert supervisor.run_state == RunState.IDLE


def test_crash_is_explained_and_restarted_with_backoff(qtbot, supervisor, tmp_path, monkeypatch):
    monkeypatch.setattr(node_supervisor, "RESTART_BACKOFF_S", (0.3, 1.0))
    marker = tmp_path / "crashed-once"
    supervisor.start(scripted_launch("crash-once", "--marker", str(marker)), TEST_KEY)
    qtbot.waitUntil(lambda: bool(supervisor.crashes), timeout=15000)
    reason, detail, restart_in = supervisor.crashes[0]
    assert reason == "The GPU ran out of memory."
    assert "CUDA OOM" in detail and "exit code 3" in detail
    assert restart_in == pytest.approx(0.3)
    assert RunState.RESTART_WAIT in supervisor.states
    # The restarted child serves again, with the key handed over again.
    qtbot.waitUntil(lambda: supervisor.run_state == RunState.RUNNING and
                    sum(e["event"] == "debug" for e in supervisor.events) == 2, timeout=15000)
    debugs = [e for e in supervisor.events if e["event"] == "debug"]
    assert debugs[0]["pid"] != debugs[1]["pid"]
    assert debugs[1]["key_sha256"] == hashlib.sha256(TEST_KEY.encode()).hexdigest()


def test_configuration_error_is_not_restarted(qtbot, supervisor):
    supervisor.start(scripted_launch("bad-config"), TEST_KEY)
    qtbot.waitUntil(lambda: bool(supervisor.crashes), timeout=15000)
    reason, _detail, restart_in = supervisor.crashes[0]
    assert reason == "The model 'nope' does not exist."
    assert restart_in == -1
    qtbot.waitUntil(lambda: supervisor.run_state == RunState.FAILED, timeout=5000)


def test_missing_program_fails_with_a_reason(qtbot, supervisor):
    launch = scripted_launch("serve")
    from dataclasses import replace

    supervisor.start(replace(launch, python="/nonexistent/python"), TEST_KEY)
    qtbot.waitUntil(lambda: bool(supervisor.crashes), timeout=10000)
    reason, detail, restart_in = supervisor.crashes[0]
    assert "could not be started" in reason and "/nonexistent/python" in detail
    assert restart_in == -1
