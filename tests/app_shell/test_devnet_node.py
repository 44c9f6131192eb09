"""The dashboard fed by a real node on the devnet: the real `python -m core serve` child under the
supervisor, serving the tiny BLOOM's blocks 4:8 in a local swarm whose other blocks (0:4) a LocalSwarm
server holds, with the devnet load client sending real inference through both. Every number the
dashboard shows must be the node's own."""
from __future__ import annotations

import socket
import sys

import pytest

from app.money import UNKNOWN, format_plm
from app.node_supervisor import NodeLaunch, RunState

from .node_helpers import REPO_ROOT

pytestmark = [pytest.mark.timeout(240), pytest.mark.swarm]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_dashboard_shows_a_real_node_serving_on_the_devnet(qtbot, make_controller, devnet, tiny_bloom, tmp_path):
    from devnet.models import read_model_info
    from devnet.swarm import LocalSwarm, spawn
    from tests.chain.support import new_wallet

    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    wallet = new_wallet(devnet)
    with LocalSwarm(tiny_bloom, prefix, ["0:4"], tmp_path / "swarm") as swarm:
        launch = NodeLaunch(
            flags=(
                "--network", "local", "--rpc-url", devnet.rpc_url, "--oracle-url", devnet.oracle_url,
                "--chain-id", str(devnet.chain_id), "--model", str(tiny_bloom), "--dht-prefix", prefix,
                "--block-indices", "4:8", "--host", "127.0.0.1", "--port", "0",
                "--status-port", str(_free_port()), "--report-interval", "10", "--num-handlers", "2",
                "--initial-peers", *swarm.initial_peers,
            ),
            python=sys.executable, cwd=str(REPO_ROOT), graceful_stop_s=20.0,
        )
        controller = make_controller(wallet=wallet)
        controller.launch_base = launch
        controller.show_initial()
        controller.begin()
        qtbot.waitUntil(lambda: controller.status.state == "serving", timeout=150000)
        assert controller.dashboard.state_label.text() == "Serving"
        load = spawn("load", ["-m", "devnet.load", "--model", str(tiny_bloom), "--dht-prefix", prefix,
                              "--initial-peers", *swarm.initial_peers, "--interval", "0.5", "--new-tokens", "4"])
        try:
            qtbot.waitUntil(lambda: (controller.status.tokens or 0) > 0 and controller.status.balance_wei is not None,
                            timeout=120000)
        finally:
            load.stop()
        s = controller.status
        values = controller.dashboard.values
        assert values["tokens"].text() == f"{s.tokens:,}" and s.tokens > 0
        assert values["requests"].text() == f"{s.requests:,}"
        assert values["avg_latency"].text() != UNKNOWN  # a request was served, so there is a latency
        assert values["blocks"].text() == "4–7 (4 blocks)"
        # The node names its model by the folder it was given; the dashboard shows the model's id instead.
        assert s.model == str(tiny_bloom)
        qtbot.waitUntil(lambda: values["model"].text() == read_model_info(tiny_bloom)["model_id"], timeout=5000)
        assert values["balance"].text() == format_plm(s.balance_wei)
        assert s.address.lower() == wallet.address.lower()
        assert len(s.tps_samples) >= 2  # the chart has real samples
        with qtbot.waitSignal(controller.supervisor.stopped, timeout=40000):
            controller.dashboard.start_stop_button.click()
        assert controller.supervisor.run_state == RunState.IDLE
        # A clean stop: the node said stopped, nothing had to be killed.
        forced = [e.line() for e in controller.logs.entries if e.text.startswith("The node did not stop")]
        assert not forced, "\n".join(e.line() for e in list(controller.logs.entries)[-40:])
