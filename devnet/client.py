"""A Petals client for a local swarm: load the distributed model, generate, and close it completely.

Petals' client starts a DHT process (and its p2pd) that outlives the model object unless shut down;
:class:`SwarmClient` closes both, so tests and the load client leave no process behind.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence


class SwarmClient:
    """The distributed model of ``model_dir`` served by the swarm reachable through ``initial_peers``."""

    def __init__(self, model_dir: Path, initial_peers: Sequence[str], dht_prefix: str) -> None:
        from core.petals_compat import import_petals

        import_petals()
        import torch
        from petals import AutoDistributedModelForCausalLM
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.model = AutoDistributedModelForCausalLM.from_pretrained(
            model_dir, initial_peers=list(initial_peers), dht_prefix=dht_prefix, torch_dtype=torch.float32
        )

    def generate_ids(self, input_ids, new_tokens: int):
        """Greedy generation of exactly ``new_tokens`` tokens through the swarm."""
        return self.model.generate(input_ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False)

    def generate_text(self, prompt: str, new_tokens: int) -> str:
        ids = self.tokenizer(prompt, return_tensors="pt")["input_ids"]
        out = self.generate_ids(ids, new_tokens)
        return self.tokenizer.decode(out[0][ids.shape[1]:], skip_special_tokens=True)

    def close(self) -> None:
        from petals.client.remote_sequential import RemoteSequential

        model, self.model = self.model, None
        if model is None:
            return
        for module in model.modules():
            if isinstance(module, RemoteSequential):
                module.sequence_manager.shutdown()
                dht = module.sequence_manager.dht
                dht.shutdown()
                dht.join(5)

    def __enter__(self) -> "SwarmClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
