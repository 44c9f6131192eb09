"""Vanilla ``petals.cli.run_server``, started the only way it starts here, plus one line saying it is ready.

``python -m bench.vanilla_server <run_server arguments>``. petals 2.2.0.post1 needs the hivemind
re-export shim (core/petals_compat.py, PETALS.md §2) to import at all; nothing else of ours is loaded.
To know when it serves, the same test our node applies (``module_container.ready`` is set, see
core/shard_server.py ``ShardServer.is_ready``) is polled every 50 ms from a watcher thread, and
``{"event": "state", "state": "serving"}`` is printed on stdout, the shape of our node's event. The
watcher only reads; the serving path is petals' own, untouched.
"""
from __future__ import annotations

import json
import runpy
import signal
import sys
import threading
import time


def _announce_when_ready(server) -> None:
    while True:
        container = getattr(server, "module_container", None)
        if container is not None and container.ready.is_set():
            print(json.dumps({"event": "state", "state": "serving", "ts": time.time()}), flush=True)
            return
        if server.stop.is_set():
            return
        time.sleep(0.05)


def main(argv: list[str]) -> None:
    # A process started from a background job inherits SIGINT ignored; run_server stops cleanly (blocks
    # announced offline) only on KeyboardInterrupt, so Ctrl-C's usual meaning is restored. Without it a
    # stopped server would stay in the DHT as a dead route until its entries expire.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from core.petals_compat import import_petals

    import_petals()
    from petals.server.server import Server

    original_run = Server.run

    def run(self):
        threading.Thread(target=_announce_when_ready, args=(self,), name="bench-ready", daemon=True).start()
        return original_run(self)

    Server.run = run
    sys.argv = ["run_server", *argv]
    runpy.run_module("petals.cli.run_server", run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
