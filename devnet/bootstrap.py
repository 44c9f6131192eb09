"""The swarm's bootstrap peer: a DHT-only hivemind node with a persistent identity.

``python -m devnet.bootstrap --port P --identity FILE`` prints one JSON line with its multiaddrs and
runs until SIGTERM/SIGINT. The identity file keeps the peer id, so the multiaddr stays the same
across restarts and can be written into settings once.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devnet.bootstrap")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--identity", required=True, help="private key file; created on first use")
    args = parser.parse_args(argv)

    from core.petals_compat import apply

    apply()
    from hivemind import DHT

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    dht = DHT(
        start=True,
        initial_peers=[],
        host_maddrs=[f"/ip4/{args.host}/tcp/{args.port}"],
        identity_path=args.identity,
        use_relay=False,
        use_auto_relay=False,
    )
    maddrs = [str(m) for m in dht.get_visible_maddrs()]
    print(json.dumps({"event": "bootstrap_ready", "peer_id": str(dht.peer_id), "maddrs": maddrs}), flush=True)
    try:
        stop.wait()
    finally:
        dht.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
