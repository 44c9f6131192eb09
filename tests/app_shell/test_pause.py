"""Pausing (UX.md #1, #2, #5): the rules with injected battery and idle readings, the machine readers'
parsers, and the real node child stopped and started again by the controller.

The battery and idle readers are named stand-ins: this machine has no battery and no desktop session, so
the tests set the readings the real readers (psutil, GetLastInputInfo, ioreg, libXss, logind) would give.
"""
from __future__ import annotations

import psutil
import pytest

from app import pause_policy
from app.node_supervisor import RunState
from app.pause_policy import BATTERY, BY_USER, IN_USE, IdleSource, PauseDriver, PausePolicy, Readings


# ------------------------------------------------------------------------------------------ the rules


def test_battery_pauses_by_default_and_a_desktop_never_does():
    policy = PausePolicy()  # the defaults: pause on battery on, pause while in use off
    assert policy.update(Readings(on_battery=True, idle_s=0.0)) == BATTERY
    assert policy.update(Readings(on_battery=False, idle_s=0.0)) is None
    assert policy.update(Readings(on_battery=None, idle_s=0.0)) is None  # no battery: a desktop
    policy.pause_on_battery = False
    assert policy.update(Readings(on_battery=True, idle_s=0.0)) is None


def test_in_use_means_idle_below_the_threshold_and_unknown_idle_never_pauses():
    policy = PausePolicy(pause_on_battery=False, pause_while_in_use=True, idle_minutes=3)
    assert policy.update(Readings(None, idle_s=5.0)) == IN_USE
    assert policy.update(Readings(None, idle_s=179.0)) == IN_USE
    assert policy.update(Readings(None, idle_s=180.0)) is None  # three idle minutes: serve again
    assert policy.update(Readings(None, idle_s=None)) is None   # idle time cannot be known here
    policy.pause_while_in_use = False
    assert policy.update(Readings(None, idle_s=5.0)) is None


def test_the_persons_pause_wins_over_every_automatic_resume():
    policy = PausePolicy(pause_on_battery=True)
    policy.update(Readings(on_battery=True, idle_s=None))
    assert policy.pause_by_user() == BY_USER
    assert policy.update(Readings(on_battery=False, idle_s=None)) == BY_USER  # plugged in: still paused
    assert policy.resume_by_user() is None


def test_resume_overrides_the_reasons_holding_now_until_each_clears_once():
    policy = PausePolicy(pause_on_battery=True)
    assert policy.update(Readings(on_battery=True, idle_s=None)) == BATTERY
    assert policy.resume_by_user() is None                                   # runs on battery, as asked
    assert policy.update(Readings(on_battery=True, idle_s=None)) is None
    assert policy.update(Readings(on_battery=False, idle_s=None)) is None    # plugged in: the override ends
    assert policy.update(Readings(on_battery=True, idle_s=None)) == BATTERY  # unplugged again: paused again
    policy.resume_by_user()
    policy.clear_user_choices()  # Stop then Start follows the rules again
    assert policy.reason() == BATTERY


def test_idle_readers_parse_what_the_os_says(monkeypatch):
    assert pause_policy.parse_ioreg_idle('  |   "HIDIdleTime" = 12500000000\n') == pytest.approx(12.5)
    assert pause_policy.parse_ioreg_idle("no such key") is None
    now_us = 1_000_000_000
    idle = "IdleHint=yes\nIdleSinceHintMonotonic=%d\n" % (now_us - 240_000_000)
    assert pause_policy.parse_logind_idle(idle, now_us) == pytest.approx(240.0)
    assert pause_policy.parse_logind_idle("IdleHint=no\nIdleSinceHintMonotonic=5\n", now_us) == 0.0
    # A desktop that never reports idleness: unknown, not "in use forever".
    assert pause_policy.parse_logind_idle("IdleHint=no\nIdleSinceHintMonotonic=0\n", now_us) is None
    assert pause_policy.idle_time_source("linux").name in ("x11", "logind", "none")


def test_battery_reader(monkeypatch):
    from collections import namedtuple

    Battery = namedtuple("Battery", "percent secsleft power_plugged")
    monkeypatch.setattr(psutil, "sensors_battery", lambda: None)
    assert pause_policy.read_on_battery() is None
    monkeypatch.setattr(psutil, "sensors_battery", lambda: Battery(80, 3600, False))
    assert pause_policy.read_on_battery() is True
    monkeypatch.setattr(psutil, "sensors_battery", lambda: Battery(80, 3600, True))
    assert pause_policy.read_on_battery() is False
    monkeypatch.setattr(psutil, "sensors_battery", lambda: Battery(80, 3600, None))
    assert pause_policy.read_on_battery() is None


# ------------------------------------------------------------------------------ the real node child


class Machine:
    """Battery and idle readings the test sets (stand-in for the OS readers)."""

    def __init__(self) -> None:
        self.on_battery: bool | None = False
        self.idle_s: float | None = 3600.0

    def driver(self, policy: PausePolicy) -> PauseDriver:
        return PauseDriver(policy, battery_reader=lambda: self.on_battery,
                           idle_source=lambda: IdleSource("test", lambda: self.idle_s), interval_ms=100)


def _node_pids(controller) -> list[int]:
    pids: list[int] = []
    controller.supervisor.event_received.connect(
        lambda event: pids.append(event["pid"]) if event.get("event") == "debug" else None)
    return pids


def _wait_serving(qtbot, controller, pids, count):
    qtbot.waitUntil(lambda: len(pids) == count and controller.status.state == "serving"
                    and controller.supervisor.run_state == RunState.RUNNING, timeout=15000)
    assert psutil.pid_exists(pids[-1])


def _wait_paused(qtbot, controller, pid, line):
    qtbot.waitUntil(lambda: controller.supervisor.run_state == RunState.IDLE, timeout=15000)
    qtbot.waitUntil(lambda: not _alive(pid), timeout=5000)  # the child is gone: its memory is back
    assert controller.dashboard.state_label.text() == line
    assert controller.actions.state_line.text() == line


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_battery_stops_the_node_child_and_mains_power_starts_it_again(qtbot, make_controller):
    machine = Machine()
    controller = make_controller("serve", tray=True, pause_driver_factory=machine.driver)
    pids = _node_pids(controller)
    controller.show_initial()
    controller.begin()
    _wait_serving(qtbot, controller, pids, 1)
    assert controller.actions.pause_resume.isVisible() and controller.actions.pause_resume.text() == "Pause"

    machine.on_battery = True
    _wait_paused(qtbot, controller, pids[0], "Paused — on battery")
    assert controller.dashboard.start_stop_button.text() == "Stop"  # still wanted, only paused
    assert controller.tray.icon.toolTip().startswith("Plumise Petals — Paused — on battery")

    machine.on_battery = False  # plugged in: it resumes by itself, a new child
    _wait_serving(qtbot, controller, pids, 2)
    assert pids[1] != pids[0]
    assert controller.dashboard.state_label.text() == "Serving"


def test_using_the_computer_pauses_and_three_idle_minutes_resume(qtbot, make_controller):
    machine = Machine()
    from core.settings import Settings

    controller = make_controller("serve", settings=Settings(network="local", pause_while_in_use=True, idle_minutes=3),
                                 pause_driver_factory=machine.driver)
    pids = _node_pids(controller)
    controller.begin()
    _wait_serving(qtbot, controller, pids, 1)
    machine.idle_s = 4.0  # someone typed four seconds ago
    _wait_paused(qtbot, controller, pids[0], "Paused — you are using the computer")
    machine.idle_s = 181.0
    _wait_serving(qtbot, controller, pids, 2)


def test_the_persons_pause_is_instant_and_wins_over_automatic_resume(qtbot, make_controller):
    machine = Machine()
    controller = make_controller("serve", tray=True, pause_driver_factory=machine.driver)
    pids = _node_pids(controller)
    controller.begin()
    _wait_serving(qtbot, controller, pids, 1)

    controller.actions.pause_resume.trigger()  # from the tray menu
    _wait_paused(qtbot, controller, pids[0], "Paused by you")
    assert controller.actions.pause_resume.text() == "Resume"
    machine.on_battery = True
    qtbot.wait(400)
    machine.on_battery = False  # the battery reason came and went: the person's pause holds
    qtbot.wait(400)
    assert controller.supervisor.run_state == RunState.IDLE and len(pids) == 1
    assert controller.dashboard.state_label.text() == "Paused by you"

    controller.actions.pause_resume.trigger()
    _wait_serving(qtbot, controller, pids, 2)
    assert controller.actions.pause_resume.text() == "Pause"

    # Stop is not a pause: the node is no longer wanted, and nothing restarts it.
    with qtbot.waitSignal(controller.supervisor.stopped, timeout=15000):
        controller.dashboard.start_stop_button.click()
    machine.on_battery = True
    qtbot.wait(300)
    machine.on_battery = False
    qtbot.wait(300)
    assert controller.dashboard.state_label.text() == "Stopped" and len(pids) == 2
    assert not controller.actions.pause_resume.isVisible()
