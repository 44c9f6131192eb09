"""`make run` end to end: the app controller with the devnet preset, as `python -m app.main --network devnet`
builds it, with nothing scripted. The embedded devnet starts (chain, oracle, swarm serving the tiny model's
first half, load client), the app's real node serves the rest, the dashboard shows Serving with tokens
from the load client and an accepted report; then Quit stops everything, quickly, leaving no process.

Named stand-ins: the OS keyring is a keyring backend class holding entries in memory (this machine has no
keyring daemon), and the battery/idle readers report a desktop in use by nobody (so a laptop on battery
running this test would not pause the node).
"""
from __future__ import annotations

import time

import keyring
import psutil
import pytest

from app.money import UNKNOWN
from app.pause_policy import IdleSource, PauseDriver
from core.settings import Settings
from devnet.memory_keyring import MemoryKeyring

pytestmark = [pytest.mark.swarm, pytest.mark.timeout(300)]

QUIT_BUDGET_S = 15.0  # the node's graceful stop plus the devnet's; it took ~22 s before the load client fix


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()  # the stand-in for the OS keyring
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _desktop_nobody_uses(policy):
    return PauseDriver(policy, battery_reader=lambda: None, idle_source=lambda: IdleSource("test", lambda: None))


def test_make_run_devnet_serves_reports_and_quits_clean(qtbot, memory_keyring, tmp_path):
    from app.controller import AppController
    from chain.wallet import KeyringStore, Wallet
    from devnet.network import leftover_processes

    from .conftest import quit_and_shut_down

    wallet = Wallet.generate()
    KeyringStore().save(wallet)  # a wallet made earlier, kept in the (stand-in) OS keyring
    data_dir = tmp_path / "data"
    controller = AppController(Settings(network="devnet"), data_dir, tray_available=False,
                               settings_path=tmp_path / "settings.json", keystore_dir=tmp_path / "keys",
                               pause_driver_factory=_desktop_nobody_uses)
    try:
        controller.show_initial()
        controller.begin()
        values = controller.dashboard.values
        qtbot.waitUntil(lambda: controller.devnet_info is not None, timeout=120_000)
        qtbot.waitUntil(lambda: controller.dashboard.state_label.text() == "Serving", timeout=120_000)
        assert controller.wallet.address == wallet.address
        # Tokens the devnet's load client sent through the app's node, and a report the oracle accepted.
        qtbot.waitUntil(lambda: (controller.status.tokens or 0) > 0, timeout=90_000)
        qtbot.waitUntil(lambda: values["last_report"].text().startswith("accepted"), timeout=90_000)
        assert values["tokens"].text() == f"{controller.status.tokens:,}"
        assert values["blocks"].text() == "4–7 (4 blocks)"  # the half the devnet does not serve
        assert values["model"].text().startswith("plumise-devnet/tiny-bloom-")
        assert values["balance"].text() != UNKNOWN  # funded by the devnet faucet, read from the chain
        node_pid = _node_pid(controller)
    except BaseException:
        quit_and_shut_down(qtbot, controller, timeout_ms=90_000)
        raise

    started = time.monotonic()
    with qtbot.waitSignal(controller.quit_finished, timeout=60_000):
        controller.actions.quit.trigger()
    took = time.monotonic() - started
    controller.shutdown()
    assert leftover_processes(data_dir / "devnet") == []
    assert not psutil.pid_exists(node_pid) or psutil.Process(node_pid).status() == psutil.STATUS_ZOMBIE
    forced = [e.text for e in controller.logs.entries if e.text.startswith("The node did not stop")]
    assert not forced, forced
    print(f"quit took {took:.1f} s")
    assert took < QUIT_BUDGET_S, f"quitting took {took:.1f} s"


def _node_pid(controller) -> int:
    # Our direct child (Petals forks handler processes below it, with the same command line).
    children = psutil.Process().children(recursive=False)
    nodes = [p for p in children if "core" in p.cmdline() and "--key-stdin" in p.cmdline()]
    assert len(nodes) == 1, [p.cmdline()[:6] for p in children]
    return nodes[0].pid
