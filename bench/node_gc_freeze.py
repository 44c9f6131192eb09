"""Prototype, for node_memory only: our node with ``gc.freeze()`` before Petals forks.

``python bench/node_gc_freeze.py serve …`` runs ``core.cli.main`` unchanged except that
``ShardServer.connect`` (which creates the DHT process) and ``ShardServer._run`` (whose ``Server.run()``
forks the connection handlers) first collect and freeze the objects that exist at that moment. Frozen
objects are never traversed by the cyclic collector again, so neither the children nor the parent write
to their headers, and the pages the children inherited stay shared (copy-on-write) instead of being
copied. It measures the change proposed for core/shard_server.py; the product does not run this file.
"""
from __future__ import annotations

import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core.shard_server as shard_server  # noqa: E402  (petals is imported later, by connect())

_connect, _run = shard_server.ShardServer.connect, shard_server.ShardServer._run


def connect(self):
    shard_server.import_petals()
    gc.collect()
    gc.freeze()
    return _connect(self)


def run(self):
    gc.collect()
    gc.freeze()
    return _run(self)


shard_server.ShardServer.connect = connect
shard_server.ShardServer._run = run

if __name__ == "__main__":
    from core.cli import main

    sys.exit(main())
