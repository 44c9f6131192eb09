"""A scripted stand-in for ``python -m core serve --events jsonl --key-stdin``, used by the app-shell tests.

It speaks the node's real protocol (key on the first stdin line, JSON lines on stdout, stop when stdin
closes) and plays a scenario, so the supervisor and the dashboard are tested against a real child process
whose output is known exactly. Run as ``python -m tests.app_shell.scripted_node serve --events jsonl
--key-stdin --scenario NAME [--marker FILE] [--interval S]``.

Scenarios: ``serve`` (start with real-looking progress, then metrics until stdin closes), ``crash`` (serve
briefly, report a fatal error, exit 3), ``crash-once`` (crash the first time, when ``--marker`` does not
exist yet, then serve), ``stubborn`` (ignore stdin EOF and SIGTERM: must be killed), ``bad-config`` (exit 2).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import sys
import threading
import time


def emit(event: dict) -> None:
    event.setdefault("ts", time.time())
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--events")
    parser.add_argument("--key-stdin", action="store_true")
    parser.add_argument("--scenario", default="serve")
    parser.add_argument("--marker", default=None)
    parser.add_argument("--interval", type=float, default=0.1)
    args, _unknown = parser.parse_known_args()

    key = sys.stdin.readline().strip()
    # Tell the test what arrived, and whether the key leaked anywhere other than stdin.
    emit({
        "event": "debug",
        "key_sha256": hashlib.sha256(key.encode()).hexdigest(),
        "key_in_argv": any(key and key in part for part in sys.argv),
        "key_in_env": any(key and key in value for value in os.environ.values()),
        "pid": os.getpid(),
    })
    if args.scenario == "bad-config":
        emit({"event": "error", "reason": "The model 'nope' does not exist.", "detail": "--model nope", "fatal": True})
        return 2
    if args.scenario == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    stdin_closed = threading.Event()

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the supervisor closed our stdin
        stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    emit({"event": "state", "state": "starting", "message": "Starting", "progress": None})
    total = 4_000_000
    for done in (0, 1_000_000, 2_500_000, total):
        emit({"event": "state", "state": "downloading", "message": "Downloading the model",
              "progress": {"done": done, "total": total, "unit": "bytes"}})
        time.sleep(args.interval / 4)
    for done in range(0, 5):
        emit({"event": "state", "state": "loading", "message": "Loading blocks",
              "progress": {"done": done, "total": 4, "unit": "blocks"}})
        time.sleep(args.interval / 4)
    emit({"event": "state", "state": "connecting", "message": "Joining the swarm", "progress": None})
    emit({"event": "state", "state": "serving", "message": "Serving", "progress": None})
    emit({"event": "chain", "address": "0x" + "ab" * 20, "registered": True, "active": True,
          "balance_wei": "5000000000000000000", "pending_wei": "1250000000000000000", "epoch": 7})

    crash = args.scenario == "crash" or (
        args.scenario == "crash-once" and args.marker and not os.path.exists(args.marker)
    )
    if crash and args.marker:
        open(args.marker, "w").close()
    tokens = requests = 0
    started = time.time()
    tick = 0
    while not (stdin_closed.is_set() and args.scenario != "stubborn"):
        tick += 1
        tokens += 16 * tick
        requests += 2
        emit({"event": "metrics", "tokens": tokens, "requests": requests, "sessions": 1,
              "avg_latency_ms": 12.5 + tick, "tokens_per_s": 160.0 * tick, "uptime_s": time.time() - started,
              "peers": 3, "model": "bigscience/bloom-560m", "blocks": [0, 4]})
        if tick == 2:
            emit({"event": "report", "ok": True, "message": "Report accepted", "tokens": tokens,
                  "at": time.time()})
        if crash and tick == 3:
            emit({"event": "error", "reason": "The GPU ran out of memory.", "detail": "CUDA OOM in block 2",
                  "fatal": True})
            return 3
        time.sleep(args.interval)
    emit({"event": "state", "state": "stopping", "message": "Stopping", "progress": None})
    emit({"event": "state", "state": "stopped", "message": "Stopped", "progress": None})
    return 0


if __name__ == "__main__":
    sys.exit(main())
