"""Fixtures for the serving half of the node: a real swarm on 127.0.0.1 and node processes watched closely.

A node process here is ``python -m core serve`` with stdout (events only) and stderr (logs) kept apart, so
the tests can check that stdout carries nothing but events. Each node gets a unique marker in its
environment; every process it starts (forked handlers, the DHT, p2pd) inherits it, so a scan of the
process table finds anything left behind.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Optional, Sequence

import psutil
import pytest

from tests.helpers import REPO_ROOT

MARKER_ENV = "PLUMISE_TEST_NODE_MARKER"
# A throwaway key: any 0x+64 hex is a valid private key; this one holds nothing.
DUMMY_KEY = "0x" + "11" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NodeProcess:
    """One ``python -m core serve --events jsonl`` process."""

    def __init__(self, args: Sequence[str], tmp_path: Path, key_stdin: bool = False, key: str = DUMMY_KEY,
                 env: Optional[dict] = None) -> None:
        self.marker = uuid.uuid4().hex
        self.stderr_path = tmp_path / f"node-{self.marker[:8]}.stderr"
        # The node's own state (report outbox, registration record) stays in this test's folder, never the
        # user's (platformdirs follows XDG_STATE_HOME).
        extra_env = env or {}
        env = dict(os.environ, PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false",
                   XDG_STATE_HOME=str(tmp_path / f"state-{self.marker[:8]}"))
        env.update(extra_env)
        env[MARKER_ENV] = self.marker
        # The tests' settings never come from the user's own settings file.
        settings_file = tmp_path / f"settings-{self.marker[:8]}.json"
        cmd = [sys.executable, "-m", "core", "serve", "--events", "jsonl", "--settings-file", str(settings_file), *args]
        if key_stdin:
            cmd.append("--key-stdin")
        self._stderr = open(self.stderr_path, "w")
        self.popen = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=env,
            start_new_session=True,
        )
        if key_stdin:
            self.popen.stdin.write(key + "\n")
            self.popen.stdin.flush()
        self.lines: list[str] = []
        self.events: list[dict] = []
        self._queue: "queue.Queue[dict]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            self.events.append(event)
            self._queue.put(event)

    def wait_event(self, predicate: Callable[[dict], bool], timeout: float = 120.0) -> dict:
        """The first (not yet consumed) event matching ``predicate``; fails on exit, a fatal error or timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self.popen.poll() is not None and self._queue.empty():
                    time.sleep(0.3)
                    if self._queue.empty():
                        raise AssertionError(f"node exited with {self.popen.returncode}:\n{self.stderr_tail()}")
                continue
            if predicate(event):
                return event
            if event.get("event") == "error" and event.get("fatal"):
                raise AssertionError(f"node failed: {event}\n{self.stderr_tail()}")
        raise AssertionError(f"no matching event within {timeout} s:\n{self.stderr_tail()}")

    def wait_exit(self, timeout: float = 60.0) -> int:
        code = self.popen.wait(timeout=timeout)
        time.sleep(0.2)  # let the reader thread take the last lines
        return code

    def stderr_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.stderr_path.read_text().splitlines()[-n:])
        except OSError:
            return ""

    def leftovers(self) -> list[psutil.Process]:
        """Live processes (not zombies) that carry this node's marker."""
        found = []
        for proc in psutil.process_iter(["pid", "status"]):
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            try:
                if proc.environ().get(MARKER_ENV) == self.marker:
                    found.append(proc)
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess, OSError):
                continue
        return found

    def kill_all(self) -> None:
        """Test clean-up: whatever is left of this node, killed."""
        try:
            if self.popen.poll() is None:
                os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for proc in self.leftovers():
            try:
                proc.kill()
            except psutil.Error:
                pass
        self._stderr.close()


@pytest.fixture
def start_node(tmp_path):
    """Factory: start a node process; every one started is killed (with all it left) at the end."""
    started: list[NodeProcess] = []

    def start(args: Sequence[str], key_stdin: bool = False, key: str = DUMMY_KEY,
              env: Optional[dict] = None) -> NodeProcess:
        node = NodeProcess(args, tmp_path, key_stdin=key_stdin, key=key, env=env)
        started.append(node)
        return node

    yield start
    for node in started:
        node.kill_all()


@pytest.fixture(scope="session")
def serving_swarm(tiny_bloom, tmp_path_factory):
    """A bootstrap peer and one server of blocks 0:4 of the tiny BLOOM (the node under test adds 4:8)."""
    from devnet.models import read_model_info
    from devnet.swarm import LocalSwarm

    prefix = read_model_info(tiny_bloom)["dht_prefix"]
    swarm = LocalSwarm(tiny_bloom, prefix, ["0:4"], tmp_path_factory.mktemp("swarm"))
    swarm.start()
    try:
        yield swarm
    finally:
        swarm.stop()


def http_json(url: str, timeout: float = 5.0) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def node_args(model_dir: Path, prefix: str, blocks: str, initial_peers: Sequence[str], status_port: int,
              extra: Optional[Sequence[str]] = None) -> list[str]:
    """Flags for a loopback test node without a wallet."""
    return [
        "--model", str(model_dir),
        "--dht-prefix", prefix,
        "--block-indices", blocks,
        "--initial-peers", *initial_peers,
        "--host", "127.0.0.1",
        "--port", "0",
        "--status-port", str(status_port),
        "--num-handlers", "2",
        "--no-agent",
        "--network", "local",
        *(extra or ()),
    ]
