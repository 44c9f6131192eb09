"""``make run`` until the desktop app exists: a local swarm serving a tiny model, text generated through it.

Starts a bootstrap peer and two block servers on 127.0.0.1, then generates text through the swarm
every few seconds and prints it, until Ctrl-C; everything started is stopped on the way out.
"""
from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

from devnet.models import TINY_BLOOM, build_model, read_model_info
from devnet.swarm import LocalSwarm

PROMPTS = ["Plumise lends idle", "The quick brown fox", "Every node serves"]


def main() -> int:
    # A backgrounded shell job starts with SIGINT ignored; Ctrl-C must still stop the demo.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    model_dir = build_model(TINY_BLOOM)
    info = read_model_info(model_dir)
    print(f"Model: {info['model_id']} ({model_dir})", flush=True)
    with tempfile.TemporaryDirectory(prefix="plumise-demo-") as tmp:
        swarm = LocalSwarm(model_dir, info["dht_prefix"], ["0:4", "4:8"], Path(tmp))
        try:
            print("Starting a bootstrap peer and two servers (blocks 0:4 and 4:8)…", flush=True)
            swarm.start()
            print(f"Swarm ready; initial peer: {swarm.initial_peers[0]}", flush=True)
            from core.petals_compat import import_petals

            import_petals()
            import torch
            from petals import AutoDistributedModelForCausalLM
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(model_dir)
            model = AutoDistributedModelForCausalLM.from_pretrained(
                model_dir, initial_peers=swarm.initial_peers, dht_prefix=info["dht_prefix"], torch_dtype=torch.float32
            )
            print("Generating through the swarm; Ctrl-C stops everything.", flush=True)
            n = 0
            while True:
                prompt = PROMPTS[n % len(PROMPTS)]
                ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
                started = time.monotonic()
                out = model.generate(ids, max_new_tokens=16, min_new_tokens=16, do_sample=False)
                took = time.monotonic() - started
                text = tokenizer.decode(out[0][ids.shape[1]:], skip_special_tokens=True)
                print(f"[{n}] {prompt!r} -> {text!r}  ({16 / took:.1f} tok/s)", flush=True)
                n += 1
                time.sleep(2)
        except KeyboardInterrupt:
            print("\nStopping the swarm…", flush=True)
        finally:
            swarm.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
