"""A node-like process for the crash tests: counts work steadily and reports it with :class:`Reporter`.

``python -m tests.chain.reporter_child --oracle URL --db PATH [--tokens N --tick S --interval S]``; the
private key arrives on stdin (never argv or environment, as in the real node). Prints one JSON line per
report result; SIGTERM stops it gracefully (final report), SIGKILL is what the tests use to crash it.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from chain.outbox import Reporter
from chain.wallet import Wallet


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--oracle", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--tokens", type=int, default=5, help="tokens recorded per tick (0: record nothing)")
    parser.add_argument("--tick", type=float, default=0.01)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    wallet = Wallet.from_private_key(sys.stdin.readline())
    reporter = Reporter(wallet, args.oracle, args.db, interval=args.interval, flush_interval=0.2, max_backoff=1.0)
    lock = threading.Lock()

    def emit(event: dict) -> None:
        with lock:
            sys.stdout.write(json.dumps(event) + "\n")
            sys.stdout.flush()

    reporter.on_result = lambda r: emit({"event": "report", "ok": r.ok, "tokens": r.tokens_processed,
                                         "accepted": r.accepted_tokens, "period": r.period,
                                         "error": None if r.error is None else str(r.error)})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    reporter.start()
    emit({"event": "started"})
    while not stop.wait(args.tick):
        if args.tokens:
            reporter.record(args.tokens, 1, 12.5)
    final = reporter.stop(final_report=True)
    totals = reporter.totals()
    reporter.close()
    emit({"event": "stopped", "final_ok": bool(final and final.ok), "counted": totals.counted_tokens,
          "accepted": totals.accepted_tokens})
    return 0


if __name__ == "__main__":
    sys.exit(main())
