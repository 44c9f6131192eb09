"""Fixtures for the app-shell tests: a controller whose node is the scripted node (a real child process).

Every controller a test makes is quit (the graceful path) and then shut down in the fixture's teardown,
and an autouse guard fails the test if anything it started — a node child, a devnet process, a supervisor
thread, a background operation — is still running afterwards, so nothing of it can fire into a later test.
"""
from __future__ import annotations

import pytest

from core.settings import Settings

from .leftovers import LeftoverGuard
from .node_helpers import scripted_launch


class FakeWalletForScriptedNode:
    """A wallet stand-in for tests whose node is the scripted one (it never signs anything).

    Named here as a mock: the chain is not involved in these tests; the devnet tests use a real Wallet.
    """

    address = "0x" + "ab" * 20

    def export_private_key(self) -> str:
        from .node_helpers import TEST_KEY

        return TEST_KEY


@pytest.fixture(autouse=True)
def nothing_left_running(qapp):
    guard = LeftoverGuard()
    yield
    problems = guard.problems()
    assert not problems, "; ".join(problems)


def quit_and_shut_down(qtbot, controller, timeout_ms: int = 60000) -> None:
    """The app's own quit (node stopped gracefully, devnet stopped), then the synchronous shutdown."""
    if not controller._finished:
        with qtbot.waitSignal(controller.quit_finished, timeout=timeout_ms):
            controller.request_quit()
    controller.shutdown()


@pytest.fixture
def make_controller(qtbot, tmp_path):
    from app.controller import AppController

    made = []

    def make(scenario: str = "serve", *extra: str, tray: bool = False, wallet=None, chain_access=None,
             settings: Settings | None = None, **kwargs):
        controller = AppController(
            settings or Settings(network="local"),
            tmp_path / "data",
            tray_available=tray,
            launch_base=scripted_launch(scenario, *extra),
            settings_path=kwargs.pop("settings_path", tmp_path / "settings.json"),
            wallet_loader=lambda: wallet if wallet is not None else FakeWalletForScriptedNode(),
            chain_access_factory=(lambda w, info: chain_access) if chain_access is not None else None,
            **kwargs,
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        quit_and_shut_down(qtbot, controller)
