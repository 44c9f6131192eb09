"""``python -m devnet.oracle``: start the devnet Oracle.

Contract with the rest of the devnet:
- ``--rpc-url URL --db PATH --port PORT [--host 127.0.0.1] [--sponsor-claims-every SECONDS]
  [--job-interval SECONDS]``; the oracle's private key comes from the environment variable
  ``DEVNET_ORACLE_KEY`` (never argv, which other users can read);
- once listening, exactly one line on stdout: ``{"event":"oracle_ready","url":"http://HOST:PORT"}`` (port 0
  picks a free port and the line names the real one); logs go to stderr, secrets masked;
- SIGTERM or SIGINT: stop the jobs, finish requests, close the database, exit 0.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
from types import FrameType

from chain.redact import RedactingFormatter

from . import ORACLE_KEY_ENV

log = logging.getLogger("devnet.oracle")


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m devnet.oracle", description="Local Plumise Oracle for the devnet")
    p.add_argument("--rpc-url", required=True, help="JSON-RPC URL of the chain (the devnet's RPC front)")
    p.add_argument("--db", required=True, help="SQLite file holding all oracle state")
    p.add_argument("--port", type=int, required=True, help="TCP port; 0 picks a free one")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--sponsor-claims-every", type=float, default=0.0, metavar="SECONDS",
                   help="sponsor a 0x…23 claim for agents with pending rewards this often (0: never)")
    p.add_argument("--job-interval", type=float, default=5.0, metavar="SECONDS",
                   help="how often the epoch jobs run (the real oracle: 60 s)")
    p.add_argument("--log-level", default=os.environ.get("DEVNET_ORACLE_LOG_LEVEL", "INFO"))
    return p.parse_args(argv)


def _logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    _logging(args.log_level)
    key = os.environ.get(ORACLE_KEY_ENV, "").strip()
    if not key:
        print(f"error: set {ORACLE_KEY_ENV} to the oracle's private key (0x + 64 hex)", file=sys.stderr)
        return 2

    # Imported here so `--help` and a missing key answer at once (web3-era imports take a second).
    import uvicorn

    from .app import OracleContext, create_app
    from .chain_access import Chain, Rpc, TxSender
    from .jobs import EpochClock, EpochJobs
    from .store import Store

    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]

    store = Store(args.db)
    chain = Chain(Rpc(args.rpc_url))
    try:
        sender = TxSender(chain, store, key)
    except Exception:
        print(f"error: {ORACLE_KEY_ENV} is not a valid private key", file=sys.stderr)
        return 2
    clock = EpochClock(chain, store)
    jobs = EpochJobs(store, chain, sender, clock, args.job_interval, args.sponsor_claims_every)
    app = create_app(OracleContext(store, chain, sender, clock))

    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    # uvicorn re-raises a captured signal once it has shut down; with the default SIGTERM disposition that
    # would kill us with status -15. Our own handler makes the re-raise harmless, so we exit 0.
    def _stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    url_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{url_host}:{port}"

    def _announce() -> None:
        while not server.started and not server.should_exit:
            threading.Event().wait(0.02)
        if server.started:
            sys.stdout.write(json.dumps({"event": "oracle_ready", "url": url}, separators=(",", ":")) + "\n")
            sys.stdout.flush()
            log.info("oracle %s (key %s) on %s, chain %s", url, sender.address, args.db, args.rpc_url)

    threading.Thread(target=_announce, name="oracle-ready", daemon=True).start()
    jobs.start()
    try:
        server.run(sockets=[sock])
    finally:
        jobs.stop()
        jobs.join(timeout=10)
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
