"""Helpers to run the real supervisor against the scripted node."""
from __future__ import annotations

import sys
from pathlib import Path

from app.node_supervisor import NodeLaunch

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def scripted_launch(scenario: str = "serve", *extra: str, graceful_stop_s: float = 6.0) -> NodeLaunch:
    return NodeLaunch(
        flags=("--scenario", scenario, *extra),
        python=sys.executable,
        module="tests.app_shell.scripted_node",
        cwd=str(REPO_ROOT),
        graceful_stop_s=graceful_stop_s,
    )
