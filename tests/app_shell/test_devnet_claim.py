"""The claim flow end to end on the devnet: a real reward pending → click → balance rises by the claim.

Real parts only: anvil with the RewardPool emulation, the oracle distributing rewards per epoch, the
GUI's own ChainClient (web3 loaded off the GUI thread). The wallet earns through real signed reports.
"""
from __future__ import annotations

import time

import pytest

from app.chain_access import ChainAccess
from app.claim_dialog import ClaimDialog
from app.money import format_plm

pytestmark = pytest.mark.timeout(180)


def _earn_until_pending(devnet, tmp_path):
    from chain.outbox import Reporter
    from tests.chain.support import MODEL_ID, client_for, new_wallet, wait_for

    wallet = new_wallet(devnet)
    client = client_for(devnet, wallet, tmp_path / "client")
    client.register(MODEL_ID)
    client.heartbeat()
    reporter = Reporter(wallet, devnet.oracle_url, tmp_path / "reports.sqlite3", interval=1.0, flush_interval=0.2)
    reporter.set_serving(True)

    def pending():
        reporter.record(40, 2, 25.0)
        try:
            reporter.report_now()
        except Exception:  # noqa: BLE001 - a timestamp that must wait a second: the next round reports
            pass
        time.sleep(0.5)
        return client.pending_reward()

    try:
        wait_for(pending, 90, interval=0.0, what="a pending reward")
    finally:
        reporter.close()
    return wallet, client


def test_claim_end_to_end_on_the_devnet(qtbot, make_controller, devnet, tmp_path):
    wallet, client = _earn_until_pending(devnet, tmp_path)
    access = ChainAccess(devnet.rpc_url, devnet.chain_id, wallet, reward_pool=devnet.reward_pool,
                         agent_registry=devnet.agent_registry, state_dir=tmp_path / "gui-chain")
    controller = make_controller("serve", wallet=wallet, chain_access=access)
    controller.show_initial()
    controller.begin(start_node=False)  # the GUI's own chain reads only: no scripted numbers here
    qtbot.waitUntil(lambda: controller.wallet is not None, timeout=10000)
    controller.refresh_chain()
    qtbot.waitUntil(controller.dashboard.claim_button.isEnabled, timeout=30000)
    shown_pending = controller.status.pending_wei
    assert shown_pending > 0
    assert controller.dashboard.values["pending"].text() == format_plm(shown_pending)
    balance_before = client.balance()

    controller.dashboard.claim_button.click()
    dialog = controller.claim_dialog
    dialog.claim_button.click()
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == ClaimDialog.PAGE_RESULT, timeout=60000)
    assert dialog.error is None, dialog.error
    outcome = dialog.outcome
    assert outcome.amount_wei >= shown_pending  # more may have been distributed since the read

    receipt = client.rpc.call("eth_getTransactionReceipt", [outcome.tx_hash])
    fee = int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16)
    balance_after = client.balance()
    assert balance_after - balance_before == outcome.amount_wei - fee
    # The dashboard catches up with the chain by itself, and the history keeps the claim.
    qtbot.waitUntil(lambda: controller.status.balance_wei is not None
                    and controller.status.balance_wei >= balance_after, timeout=30000)
    assert controller.history.claims[-1].tx_hash == outcome.tx_hash
    assert controller.history.claims[-1].amount_wei == outcome.amount_wei
    dialog.accept()
