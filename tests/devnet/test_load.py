"""The devnet's swarm parts: a block server and the load client sending real inference through it."""
from __future__ import annotations

import psutil
import pytest

from devnet.network import Devnet, DevnetConfig

pytestmark = pytest.mark.swarm


def test_load_client_generates_through_the_swarm_and_stops_cleanly(tmp_path, tiny_bloom):
    net = Devnet(
        DevnetConfig(
            state_dir=tmp_path / "devnet",
            block_time=1.0,
            with_oracle=False,
            server_blocks=("0:8",),
            load_interval=0.5,
            load_new_tokens=4,
        )
    )
    net.start(timeout=180)
    try:
        assert net.bootstrap_maddrs and net.dht_prefix
        started = [psutil.Process(p.popen.pid) for p in (net.bootstrap, *net.servers, net.load)]
        family = started + [c for p in started for c in p.children(recursive=True)]
        first = net.load.wait_event(lambda e: e.get("event") == "load_generated", 120)
        assert first["tokens"] == 4
        second = net.load.wait_event(lambda e: e.get("event") == "load_generated", 60)
        assert second["seconds"] > 0
    finally:
        net.stop()
    _, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"
