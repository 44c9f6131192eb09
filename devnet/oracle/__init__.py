"""A local Plumise Oracle for the devnet (PROTOCOL.md §2, §6): FastAPI over SQLite, plus epoch jobs.

Run it with ``python -m devnet.oracle --rpc-url URL --db PATH --port PORT`` and the oracle key in
``DEVNET_ORACLE_KEY``; see :mod:`devnet.oracle.__main__` for the whole contract.
"""
from __future__ import annotations

ORACLE_KEY_ENV = "DEVNET_ORACLE_KEY"
