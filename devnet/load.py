"""A load client: real inference through the swarm at a steady pace, so the tokens servers count are real.

``python -m devnet.load --model DIR --dht-prefix P --initial-peers MADDR… --interval S --new-tokens N``
generates N tokens through the swarm every S seconds (greedy, prompts taken in turn) until SIGTERM or
SIGINT, then closes its Petals client completely (devnet/client.py). It prints JSON lines:
``load_started`` once, ``load_generated`` per generation (tokens, seconds) and ``load_waiting`` while the
swarm cannot serve (no server yet for some blocks); it keeps retrying, because servers come and go.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

PROMPTS = (
    "Plumise lends idle computers",
    "The quick brown fox jumps",
    "Every node serves a slice",
    "Blocks of a transformer",
)


def _emit(event: dict) -> None:
    print(json.dumps(event), flush=True)


class LoadClient:
    """Generates through the swarm every ``interval`` seconds until :meth:`stop`."""

    def __init__(
        self,
        model_dir: Path,
        initial_peers: Sequence[str],
        dht_prefix: str,
        interval: float,
        new_tokens: int,
        emit: Callable[[dict], None] = _emit,
    ) -> None:
        if interval <= 0 or new_tokens < 1:
            raise ValueError("interval must be positive and new_tokens at least 1")
        self.model_dir = Path(model_dir)
        self.initial_peers = list(initial_peers)
        self.dht_prefix = dht_prefix
        self.interval = interval
        self.new_tokens = new_tokens
        self.emit = emit
        self.generated_tokens = 0
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, max_generations: Optional[int] = None) -> int:
        """Run until stopped (or ``max_generations`` succeeded); returns the number of generations."""
        from devnet.client import SwarmClient

        client = SwarmClient(self.model_dir, self.initial_peers, self.dht_prefix)
        self.emit({"event": "load_started", "interval": self.interval, "new_tokens": self.new_tokens})
        done = 0
        try:
            while not self._stop.is_set():
                prompt = PROMPTS[done % len(PROMPTS)]
                started = time.monotonic()
                try:
                    client.generate_text(prompt, self.new_tokens)
                except Exception as exc:  # no server for some blocks yet, a server leaving: wait and retry
                    self.emit({"event": "load_waiting", "reason": f"{type(exc).__name__}: {exc}"[:300]})
                else:
                    took = time.monotonic() - started
                    done += 1
                    self.generated_tokens += self.new_tokens
                    self.emit({"event": "load_generated", "tokens": self.new_tokens, "seconds": round(took, 3)})
                    if max_generations is not None and done >= max_generations:
                        break
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))
        finally:
            client.close()
        return done


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devnet.load", description="Send inference through the swarm.")
    parser.add_argument("--model", required=True, help="the tiny model's folder")
    parser.add_argument("--dht-prefix", required=True)
    parser.add_argument("--initial-peers", nargs="+", required=True)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between generations")
    parser.add_argument("--new-tokens", type=int, default=8)
    parser.add_argument("--max-generations", type=int, default=None)
    args = parser.parse_args(argv)
    client = LoadClient(Path(args.model), args.initial_peers, args.dht_prefix, args.interval, args.new_tokens)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: client.stop())
    try:
        client.run(args.max_generations)
    except Exception as exc:
        _emit({"event": "error", "reason": f"The load client stopped: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
