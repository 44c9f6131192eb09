"""A Petals swarm on 127.0.0.1: a bootstrap peer and block servers, each its own process.

Processes are started in their own session so that stopping one also reaches what it spawned
(p2pd daemons, forked connection handlers); :func:`stop_process_tree` makes sure nothing is left.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import psutil


class SwarmError(RuntimeError):
    """A swarm process failed to start; the message says which and why."""


@dataclass
class ManagedProcess:
    """A child process whose stdout carries JSON-lines events."""

    name: str
    popen: subprocess.Popen
    events: "queue.Queue[dict]" = field(default_factory=queue.Queue)
    log_tail: list[str] = field(default_factory=list)

    def wait_event(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        """Return the first event matching ``predicate``; raise if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SwarmError(f"{self.name} did not get ready within {timeout:.0f} s:\n{self.tail()}")
            try:
                event = self.events.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self.popen.poll() is not None:
                    time.sleep(0.2)  # let the reader thread drain the last lines
                    raise SwarmError(f"{self.name} exited with code {self.popen.returncode}:\n{self.tail()}")
                continue
            if event.get("event") == "error":
                raise SwarmError(f"{self.name}: {event.get('reason')}\n{self.tail()}")
            if predicate(event):
                return event

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_tail[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        stop_process_tree(self.popen.pid, timeout=timeout)
        try:
            self.popen.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass


def spawn(
    name: str,
    args: Sequence[str],
    env: Optional[dict] = None,
    cwd: Optional[Path] = None,
    stdin_text: Optional[str] = None,
) -> ManagedProcess:
    """Start ``python <args>`` with JSON-lines stdout collected on a reader thread.

    ``stdin_text`` (a node's key, for ``--key-stdin``) is written to the child's stdin, which then stays
    open: a node takes its closing as the parent's death.
    """
    child_env = dict(os.environ)
    child_env.setdefault("TOKENIZERS_PARALLELISM", "false")
    child_env["PYTHONUNBUFFERED"] = "1"
    if env:
        child_env.update(env)
    popen = subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=child_env,
        cwd=str(cwd) if cwd else None,
        start_new_session=True,
    )
    if stdin_text is not None:
        assert popen.stdin is not None
        popen.stdin.write(stdin_text)
        popen.stdin.flush()
    proc = ManagedProcess(name=name, popen=popen)

    def read() -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            line = line.rstrip("\n")
            proc.log_tail.append(line)
            del proc.log_tail[:-200]
            if line.startswith("{"):
                try:
                    proc.events.put(json.loads(line))
                except ValueError:
                    pass

    threading.Thread(target=read, name=f"{name}-stdout", daemon=True).start()
    return proc


def stop_process_tree(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM a process and all its descendants, then SIGKILL whatever is left after ``timeout``."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    # Collect the tree first: once the root exits its children are re-parented and lost to us.
    family = [root, *root.children(recursive=True)]
    try:
        root.send_signal(signal.SIGTERM)
    except psutil.NoSuchProcess:
        pass
    _, alive = psutil.wait_procs([root], timeout=timeout)
    family += [c for p in family if p.is_running() for c in _safe_children(p)]
    for proc in family:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=3)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=3)


def _safe_children(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


class LocalSwarm:
    """A bootstrap peer plus block servers for one model, all on 127.0.0.1.

    Use as a context manager; ``initial_peers`` is what clients and further servers join through.
    """

    def __init__(self, model_dir: Path, dht_prefix: str, splits: Sequence[str], state_dir: Path) -> None:
        self.model_dir = Path(model_dir)
        self.dht_prefix = dht_prefix
        self.splits = list(splits)
        self.state_dir = Path(state_dir)
        self.bootstrap: Optional[ManagedProcess] = None
        self.servers: list[ManagedProcess] = []
        self.initial_peers: list[str] = []

    def start(self, timeout: float = 120.0) -> "LocalSwarm":
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.bootstrap = spawn(
                "bootstrap", ["-m", "devnet.bootstrap", "--identity", str(self.state_dir / "bootstrap.id")]
            )
            ready = self.bootstrap.wait_event(lambda e: e.get("event") == "bootstrap_ready", timeout)
            self.initial_peers = ready["maddrs"]
            for i, blocks in enumerate(self.splits):
                self.servers.append(self.start_server(f"server{i}", blocks))
            for server in self.servers:
                server.wait_event(lambda e: e.get("state") == "serving", timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def start_server(self, name: str, blocks: str, extra_args: Sequence[str] = ()) -> ManagedProcess:
        """Start one more block server that joins this swarm (not waited for)."""
        return spawn(
            name,
            [
                "-m", "core", "serve",
                "--model", str(self.model_dir),
                "--dht-prefix", self.dht_prefix,
                "--block-indices", blocks,
                "--initial-peers", *self.initial_peers,
                "--num-handlers", "2",
                # Loopback, any free ports and no wallet: several servers share this machine, and the
                # settings' defaults (0.0.0.0:31330, status API 31331) are for one real node.
                "--host", "127.0.0.1",
                "--port", "0",
                "--status-port", "0",
                "--no-agent",
                "--events", "jsonl",
                *extra_args,
            ],
        )

    def stop(self) -> None:
        for server in reversed(self.servers):
            server.stop()
        self.servers.clear()
        if self.bootstrap is not None:
            self.bootstrap.stop()
            self.bootstrap = None

    def __enter__(self) -> "LocalSwarm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
