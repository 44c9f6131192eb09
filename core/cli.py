"""The headless command line: ``plumise-petals serve | status | devnet``."""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from typing import Optional, Sequence


def _serve(args: argparse.Namespace) -> int:
    from core.shard_server import ShardConfig, ShardServer, ShardServerError

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    def emit(event: dict) -> None:
        if args.events == "jsonl":
            print(json.dumps(event), flush=True)

    server = ShardServer(
        ShardConfig(
            model=args.model,
            dht_prefix=args.dht_prefix,
            initial_peers=args.initial_peers,
            block_indices=args.block_indices,
            num_blocks=args.num_blocks,
            host=args.host,
            port=args.port,
            num_handlers=args.num_handlers,
        )
    )
    emit({"event": "state", "state": "starting"})
    try:
        server.start()
        server.wait_ready()
    except ShardServerError as exc:
        emit({"event": "error", "reason": str(exc)})
        server.stop()
        return 1
    emit({"event": "state", "state": "serving", "blocks": list(server.block_range or ()), "peer_id": server.peer_id})
    try:
        while not stop.wait(0.5):
            if server.error is not None:
                emit({"event": "error", "reason": f"The model server stopped: {server.error}"})
                return 1
    finally:
        emit({"event": "state", "state": "stopping"})
        server.stop()
        emit({"event": "state", "state": "stopped"})
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plumise-petals", description="Plumise Petals node")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve transformer blocks in a Petals swarm")
    serve.add_argument("--model", required=True, help="model folder or Hugging Face id")
    serve.add_argument("--dht-prefix", default=None)
    serve.add_argument("--initial-peers", nargs="*", default=[])
    serve.add_argument("--block-indices", default=None, help='e.g. "0:4"')
    serve.add_argument("--num-blocks", type=int, default=None)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--num-handlers", type=int, default=4)
    serve.add_argument("--events", choices=["jsonl", "none"], default="none")
    serve.set_defaults(func=_serve)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from chain.redact import install_on_root

    install_on_root()
    args = build_parser().parse_args(argv)
    return args.func(args)
