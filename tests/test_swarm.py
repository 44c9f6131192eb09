"""A real Petals swarm on 127.0.0.1: distributed greedy generation equals plain transformers."""
import psutil
import pytest
import torch

from devnet.models import read_model_info
from devnet.swarm import LocalSwarm

pytestmark = pytest.mark.swarm


def _own_descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.mark.parametrize("model_fixture", ["tiny_bloom", "tiny_llama"])
def test_distributed_generate_matches_transformers(model_fixture, request, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from devnet.client import SwarmClient

    model_dir = request.getfixturevalue(model_fixture)
    prefix = read_model_info(model_dir)["dht_prefix"]
    before = _own_descendants()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ids = tokenizer("Plumise lends idle", return_tensors="pt")["input_ids"]
    local = AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32)
    expected = local.generate(ids, max_new_tokens=12, min_new_tokens=12, do_sample=False)

    with LocalSwarm(model_dir, prefix, ["0:4", "4:8"], tmp_path) as swarm:
        servers = {p.popen.pid for p in swarm.servers}
        assert len(servers) == 2
        with SwarmClient(model_dir, swarm.initial_peers, prefix) as client:
            got = client.generate_ids(ids, 12)
            # The whole distribution, not only the argmax, must match: a forward pass through both servers.
            with torch.no_grad():
                remote_logits = client.model(ids).logits
                local_logits = local(ids).logits

    assert got.tolist() == expected.tolist()
    assert len(set(expected[0, ids.shape[1]:].tolist())) > 1, "a weak model: one token repeated"
    assert torch.allclose(remote_logits, local_logits, atol=1e-4)
    leftovers = [p for p in psutil.process_iter(["pid", "ppid", "cmdline"]) if p.info["pid"] in servers]
    assert not leftovers
    _, alive = psutil.wait_procs([psutil.Process(pid) for pid in _own_descendants() - before], timeout=5)
    # torch_shm_manager is torch's per-process shared-memory daemon of this pytest process itself.
    left = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE and p.name() != "torch_shm_manager"]
    assert not left, left
