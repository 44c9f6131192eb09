"""Bad input ends with a clear sentence (an error event and a stderr line), a non-zero exit, nothing left running."""
from __future__ import annotations

import json
import shutil
import socket

import pytest

from devnet.models import read_model_info
from tests.core_serving.conftest import free_port, node_args


def _assert_refused(node, *words: str, timeout: float = 90) -> dict:
    code = node.wait_exit(timeout)
    assert code != 0, node.stderr_tail()
    assert node.events, "no event at all"
    last = node.events[-1]
    assert last["event"] == "error" and last["fatal"] is True, last
    for word in words:
        assert word.lower() in last["reason"].lower(), (word, last["reason"])
    assert last["reason"] in node.stderr_path.read_text(), "the reason is also logged on stderr"
    for line in node.lines:  # stdout held events only, even on the way out
        assert "event" in json.loads(line)
    assert not node.leftovers(), node.leftovers()
    return last


def test_unknown_model_folder(start_node, tmp_path):
    node = start_node(node_args(tmp_path / "no-such-model", "x", "0:1", [], free_port()))
    _assert_refused(node, "unknown model", "no-such-model")


def test_unknown_hub_model(start_node):
    node = start_node(node_args("nobody-knows/this-model-xyz", "x", "0:1", [], free_port()))
    _assert_refused(node, "unknown model", "this-model-xyz")


def test_model_folder_with_missing_files(start_node, tiny_bloom, tmp_path):
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_bloom, broken)
    (broken / "model.safetensors").unlink()
    node = start_node(node_args(broken, "x", "0:4", [], free_port()))
    _assert_refused(node, "no weight files", "download the model again")


def test_too_many_blocks_for_the_model(start_node, tiny_bloom):
    node = start_node(node_args(tiny_bloom, "x", "0:9", [], free_port()))
    _assert_refused(node, "8 blocks")


def test_too_many_blocks_for_the_memory(start_node, tiny_bloom, tmp_path):
    # The same architecture, sized so that 8 blocks need far more memory than any test machine has
    # (hidden 32768: ~50 GB of float32 weights per block). Only config.json is read before refusing.
    huge = tmp_path / "huge-model"
    huge.mkdir()
    config = json.loads((tiny_bloom / "config.json").read_text())
    config.update(hidden_size=32768, n_embed=32768, n_head=256)
    (huge / "config.json").write_text(json.dumps(config))
    node = start_node(node_args(huge, "x", "0:8", [], free_port()))
    last = _assert_refused(node, "memory", "block")
    assert "GiB" in last["reason"]


@pytest.mark.parametrize("which", ["status", "swarm"])
def test_port_in_use(which, start_node, tiny_bloom):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        if which == "status":
            args = node_args(tiny_bloom, "x", "0:4", [], port)
        else:
            args = node_args(tiny_bloom, "x", "0:4", [], free_port()) + ["--port", str(port)]
        node = start_node(args)
        _assert_refused(node, f"port {port}", "already in use")


def test_no_initial_peer_reachable(start_node, tiny_bloom):
    # A closed port on loopback, with a well-formed peer id.
    dead = f"/ip4/127.0.0.1/tcp/{free_port()}/p2p/12D3KooWAMPaGEX6GbamvppXHBsNBFK6ar9rhsvXFFNuF763FNV7"
    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    node = start_node(node_args(tiny_bloom, prefix, "0:4", [dead], free_port()))
    _assert_refused(node, "initial peers", "could be reached")


def test_invalid_key_on_stdin(start_node, tiny_bloom):
    node = start_node(node_args(tiny_bloom, "x", "0:4", [], free_port()), key_stdin=True, key="0x1234-not-a-key")
    last = _assert_refused(node, "wallet key", "not a valid")
    assert node.popen.returncode == 2
    assert "0x1234-not-a-key" not in last["reason"]
