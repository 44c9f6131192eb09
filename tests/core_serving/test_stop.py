"""Stopping: SIGTERM/SIGINT or the supervisor closing stdin → blocks offline, exit 0 within 10 s, nothing left."""
from __future__ import annotations

import os
import signal
import time

import pytest

from devnet.models import read_model_info
from tests.core_serving.conftest import free_port, http_json, node_args

pytestmark = pytest.mark.swarm


def _start_alone(start_node, tiny_bloom, key_stdin: bool, default_host: bool = False):
    """A node that is its own swarm (no initial peers), with a key on stdin like the GUI gives it.
    ``default_host``: leave PETALS_HOST at its default (0.0.0.0) instead of the tests' 127.0.0.1."""
    prefix = read_model_info(tiny_bloom)["dht_prefix"] + "-stop"
    port = free_port()
    args = node_args(tiny_bloom, prefix, "0:8", [], port, extra=["--new-model"])
    if default_host:
        i = args.index("--host")
        del args[i:i + 2]
    node = start_node(args, key_stdin=key_stdin)
    node.wait_event(lambda e: e.get("state") == "serving", timeout=120)
    return node, port


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGINT to the group"])
def test_signal_stops_cleanly_within_10s(how, start_node, tiny_bloom):
    node, port = _start_alone(start_node, tiny_bloom, key_stdin=True)
    assert http_json(f"http://127.0.0.1:{port}/health")[1]["status"] == "ok"
    assert len(node.leftovers()) >= 3  # the node, its handlers, the DHT (and p2pd)
    began = time.monotonic()
    if how == "SIGINT to the group":  # Ctrl-C in a terminal reaches the handlers, the DHT and p2pd too
        os.killpg(node.popen.pid, signal.SIGINT)
    else:
        os.kill(node.popen.pid, getattr(signal, how))
    code = node.wait_exit(30)
    took = time.monotonic() - began
    assert code == 0, node.stderr_tail()
    assert took < 10, f"stopping took {took:.1f} s"
    states = [e["state"] for e in node.events if e.get("event") == "state"]
    assert states[-2:] == ["stopping", "stopped"]
    assert node.events[-1]["state"] == "stopped"
    assert "are offline" in node.stderr_path.read_text()  # petals: "Announced that blocks [...] are offline"
    assert not node.leftovers()


def test_stdin_closed_means_parent_died(start_node, tiny_bloom):
    node, _ = _start_alone(start_node, tiny_bloom, key_stdin=True)
    began = time.monotonic()
    node.popen.stdin.close()
    code = node.wait_exit(30)
    assert code == 0
    assert time.monotonic() - began < 10
    stopping = [e for e in node.events if e.get("state") == "stopping"]
    assert stopping and "stdin" in stopping[0]["message"]
    assert not node.leftovers()


def _listeners(node) -> list[tuple[int, str, int]]:
    """(pid, ip, port) of every TCP socket listening in the node's processes (itself, handlers, DHT, p2pd)."""
    import psutil

    found = []
    for proc in node.leftovers():
        try:
            conns = proc.net_connections(kind="tcp")
        except psutil.Error:
            continue
        found += [(proc.pid, c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN]
    return found


def test_key_stays_secret_and_only_libp2p_listens_beyond_loopback(start_node, tiny_bloom):
    """With PETALS_HOST at its default 0.0.0.0, the swarm (libp2p) listener takes all interfaces, while the
    status API stays on 127.0.0.1; and the key given on stdin never reaches stdout or the logs."""
    from tests.core_serving.conftest import DUMMY_KEY

    node, status_port = _start_alone(start_node, tiny_bloom, key_stdin=True, default_host=True)
    listeners = _listeners(node)
    # (The forked handlers inherit the status socket, hence a set: every holder listens on loopback only.)
    assert {ip for _, ip, port in listeners if port == status_port} == {"127.0.0.1"}, listeners
    assert [pid for pid, ip, _ in listeners if ip in ("0.0.0.0", "::")], listeners  # libp2p on every interface
    # Nothing of the node's own process (status API, compute) is open beyond loopback.
    assert not [l for l in listeners if l[0] == node.popen.pid and l[1] not in ("127.0.0.1", "::1")], listeners
    os.kill(node.popen.pid, signal.SIGTERM)
    node.wait_exit(30)
    assert DUMMY_KEY[2:] not in "\n".join(node.lines)
    assert DUMMY_KEY[2:] not in node.stderr_path.read_text()
