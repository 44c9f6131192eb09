"""Fixtures for the app-shell tests: a controller whose node is the scripted node (a real child process)."""
from __future__ import annotations

import pytest

from core.settings import Settings

from .node_helpers import scripted_launch


class FakeWalletForScriptedNode:
    """A wallet stand-in for tests whose node is the scripted one (it never signs anything).

    Named here as a mock: the chain is not involved in these tests; the devnet tests use a real Wallet.
    """

    address = "0x" + "ab" * 20

    def export_private_key(self) -> str:
        from .node_helpers import TEST_KEY

        return TEST_KEY


@pytest.fixture
def make_controller(qtbot, tmp_path):
    from app.controller import AppController

    made = []

    def make(scenario: str = "serve", *extra: str, tray: bool = False, wallet=None, chain_access=None,
             settings: Settings | None = None):
        controller = AppController(
            settings or Settings(network="local"),
            tmp_path / "data",
            tray_available=tray,
            launch_base=scripted_launch(scenario, *extra),
            wallet_loader=lambda: wallet if wallet is not None else FakeWalletForScriptedNode(),
            chain_access_factory=(lambda w, info: chain_access) if chain_access is not None else None,
        )
        made.append(controller)
        return controller

    yield make
    for controller in made:
        if not getattr(controller, "_finished", False):
            with qtbot.waitSignal(controller.quit_finished, timeout=20000):
                controller.request_quit()
        controller.window.hide()
