"""Processes the benchmarks start: the devnet, our node, vanilla Petals' server, and their memory.

Every process is started in its own session (so its forked handlers, DHT process and p2pd can be found
and stopped with it), logs to a file under the run's work folder, and, for our node and the vanilla
wrapper, reports "serving" as a JSON line on stdout. Both servers get the same serving options
(:class:`ServeSpec`); what differs is only what each program adds on top.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import psutil

from bench.common import REPO_ROOT


class BenchError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Proc:
    """A child process: JSON events from stdout on a reader thread, stderr into a log file."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path, env: Optional[dict] = None,
                 stdin_line: Optional[str] = None) -> None:
        self.name = name
        self.log_path = Path(log_path)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        child_env = dict(os.environ, PYTHONUNBUFFERED="1", TOKENIZERS_PARALLELISM="false")
        child_env.update(env or {})
        self._log = open(self.log_path, "w")
        self.started_at = time.perf_counter()
        self.popen = subprocess.Popen(
            [sys.executable, *argv],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE if stdin_line is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=child_env,
            start_new_session=True,
        )
        if stdin_line is not None:
            # The key travels on stdin, as the app sends it; stdin stays open (EOF would mean "stop").
            self.popen.stdin.write(stdin_line + "\n")
            self.popen.stdin.flush()
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.seen: list[dict] = []
        self.other_lines: list[str] = []
        threading.Thread(target=self._read, name=f"{name}-stdout", daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            line = line.strip()
            try:
                event = json.loads(line) if line.startswith("{") else None
            except ValueError:
                event = None
            if isinstance(event, dict):
                event.setdefault("_received", time.perf_counter())
                self.seen.append(event)
                self.events.put(event)
            elif line:
                self.other_lines.append(line)
                del self.other_lines[:-50]

    def wait_event(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"{self.name}: no expected event within {timeout:.0f} s\n{self.tail()}")
            try:
                event = self.events.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self.popen.poll() is not None:
                    time.sleep(0.2)
                    if self.events.empty():
                        raise BenchError(f"{self.name} exited with {self.popen.returncode}\n{self.tail()}")
                continue
            if event.get("event") == "error" and event.get("fatal"):
                raise BenchError(f"{self.name}: {event.get('reason')} ({event.get('detail')})\n{self.tail()}")
            if predicate(event):
                return event

    def count(self, kind: str, **match) -> int:
        return sum(1 for e in list(self.seen) if e.get("event") == kind and all(e.get(k) == v for k, v in match.items()))

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        return "\n".join(text + self.other_lines[-5:])

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.popen.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Ask the process to stop with ``sig``; after ``timeout`` kill its whole session."""
        family = self.tree()
        try:
            os.kill(self.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        survivors = [p for p in family if _alive(p)]
        for p in survivors:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(survivors, timeout=5)
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # anything it started that we never saw
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.popen.stdin:
            try:
                self.popen.stdin.close()
            except OSError:
                pass
        self._log.close()


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


# ---------------------------------------------------------------------------------------------- the devnet
@dataclasses.dataclass
class DevnetInfo:
    rpc_url: str
    anvil_url: str
    oracle_url: str
    chain_id: int
    bootstrap_maddrs: list[str]
    raw: dict


class DevnetProcess:
    """``python -m devnet.network``: chain, RPC front, oracle and the swarm's bootstrap peer in their own
    processes, so none of their threads competes for the benchmark client's interpreter lock."""

    def __init__(self, work: Path, block_time: float = 1.0, blocks_per_epoch: int = 20) -> None:
        state = Path(work) / "devnet"
        self.proc = Proc("devnet", [
            "-m", "devnet.network", "--state-dir", str(state), "--fresh-chain",
            "--block-time", str(block_time), "--blocks-per-epoch", str(blocks_per_epoch),
            "--oracle-job-interval", "1",
        ], Path(work) / "logs" / "devnet.log")
        try:
            ready = self.proc.wait_event(lambda e: e.get("event") == "devnet_ready", timeout=180)
        except BaseException:
            self.proc.stop()
            raise
        self.info = DevnetInfo(ready["rpc_url"], ready["anvil_url"], ready["oracle_url"], int(ready["chain_id"]),
                               list(ready["bootstrap_maddrs"]), ready)

    def fresh_account(self, wei: int = 10 * 10**18) -> tuple[str, str]:
        """A new random wallet with gas money (anvil_setBalance), so every node run registers anew."""
        from eth_account import Account

        from devnet.jsonrpc import RpcClient

        acct = Account.create()
        RpcClient(self.info.anvil_url).call("anvil_setBalance", [acct.address, hex(wei)])
        return acct.address, "0x" + bytes(acct.key).hex()

    def stop(self) -> None:
        self.proc.stop(timeout=60)


# ---------------------------------------------------------------------------------------------- the servers
@dataclasses.dataclass
class ServeSpec:
    """The serving options both programs get, so the comparison is like for like."""

    model_dir: Path
    dht_prefix: str
    blocks: str  # "start:end"
    initial_peers: Sequence[str]
    num_handlers: int = 4  # our node's default; vanilla's would be 8
    torch_dtype: str = "float32"
    device: str = "cpu"


def vanilla_argv(spec: ServeSpec) -> list[str]:
    """``petals.cli.run_server`` with the options PETALS.md §3 lists; the same blocks, dtype and handlers."""
    return [
        "-m", "bench.vanilla_server",
        str(spec.model_dir),
        "--dht_prefix", spec.dht_prefix,
        "--block_indices", spec.blocks,
        "--initial_peers", *spec.initial_peers,
        "--throughput", "1.0",
        "--torch_dtype", spec.torch_dtype,
        "--device", spec.device,
        "--host_maddrs", "/ip4/127.0.0.1/tcp/0",
        "--skip_reachability_check",
        "--num_handlers", str(spec.num_handlers),
        "--no_auto_relay",
    ]


def start_vanilla(spec: ServeSpec, log_path: Path) -> Proc:
    return Proc("vanilla", vanilla_argv(spec), log_path)


def node_argv(spec: ServeSpec, devnet: Optional[DevnetInfo], settings_file: Path, new_model: bool = False,
              report_interval: int = 10) -> list[str]:
    """Our node as the app starts it on the devnet (devnet/preset.py ``node_flags``)."""
    argv = [
        "-m", "core", "serve", "--events", "jsonl",
        "--settings-file", str(settings_file),
        "--model", str(spec.model_dir),
        "--dht-prefix", spec.dht_prefix,
        "--block-indices", spec.blocks,
        "--initial-peers", *spec.initial_peers,
        "--host", "127.0.0.1", "--port", "0", "--status-port", "0",
        "--num-handlers", str(spec.num_handlers),
        "--torch-dtype", spec.torch_dtype,
        "--device", spec.device,
    ]
    if devnet is None:
        argv += ["--no-agent", "--network", "local"]
    else:
        argv += [
            "--key-stdin", "--network", "devnet",
            "--rpc-url", devnet.rpc_url, "--chain-id", str(devnet.chain_id), "--oracle-url", devnet.oracle_url,
            "--report-interval", str(report_interval),
        ]
    if new_model:
        argv.append("--new-model")
    return argv


def start_node(spec: ServeSpec, work: Path, log_path: Path, devnet: Optional[DevnetProcess],
               new_model: bool = False, script: Optional[str] = None) -> tuple[Proc, Optional[str]]:
    """Our node; with ``devnet``, earning with a fresh funded wallet (key on stdin). Returns (proc, address).

    ``script``: run a bench-only wrapper of ``core.cli`` instead of ``-m core`` (node_memory's prototype).
    """
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    # The agent's outbox and registration record, and any settings file, stay inside this run's folder.
    env = {"XDG_STATE_HOME": str(work / "state"), "XDG_CONFIG_HOME": str(work / "config"),
           "XDG_DATA_HOME": str(work / "data")}
    address, key = (None, None)
    if devnet is not None:
        address, key = devnet.fresh_account()
    argv = node_argv(spec, devnet.info if devnet else None, work / "settings.json", new_model=new_model)
    if script is not None:  # a bench-only wrapper around core.cli (``python <script> serve …``)
        argv = [script, *argv[2:]]
    return Proc("node", argv, log_path, env=env, stdin_line=key), address


def wait_serving(proc: Proc, timeout: float = 600.0) -> float:
    """Seconds from the process's start to its "serving" event (as received here)."""
    event = proc.wait_event(lambda e: e.get("event") == "state" and e.get("state") == "serving", timeout)
    return event["_received"] - proc.started_at


# ---------------------------------------------------------------------------------------------- memory
@dataclasses.dataclass
class TreeMemory:
    """PSS/USS/RSS of a process tree in MiB, split into the Python processes and p2pd."""

    pss_mib: float
    uss_mib: float
    rss_sum_mib: float
    p2pd_pss_mib: float
    p2pd_uss_mib: float
    processes: list[dict]

    @property
    def python_pss_mib(self) -> float:
        return self.pss_mib - self.p2pd_pss_mib

    @property
    def python_uss_mib(self) -> float:
        return self.uss_mib - self.p2pd_uss_mib


def tree_memory(procs: Sequence[psutil.Process]) -> TreeMemory:
    """Sum PSS and USS (both additive across processes, unlike RSS for forked copy-on-write children)."""
    rows = []
    for p in procs:
        try:
            info = p.memory_full_info()
            rows.append({"pid": p.pid, "name": p.name(), "pss": info.pss / 2**20, "uss": info.uss / 2**20,
                         "rss": info.rss / 2**20})
        except psutil.Error:
            continue
    p2pd = [r for r in rows if "p2pd" in r["name"]]
    return TreeMemory(
        pss_mib=sum(r["pss"] for r in rows),
        uss_mib=sum(r["uss"] for r in rows),
        rss_sum_mib=sum(r["rss"] for r in rows),
        p2pd_pss_mib=sum(r["pss"] for r in p2pd),
        p2pd_uss_mib=sum(r["uss"] for r in p2pd),
        processes=rows,
    )


# ---------------------------------------------------------------------------------------------- the client
def open_client(model_dir: Path, initial_peers: Sequence[str], dht_prefix: str, attempts: int = 5):
    """A :class:`devnet.client.SwarmClient`; retried because a server's announcement takes a moment to spread."""
    from devnet.client import SwarmClient

    last: Optional[BaseException] = None
    for _ in range(attempts):
        try:
            return SwarmClient(model_dir, initial_peers, dht_prefix)
        except Exception as exc:  # noqa: BLE001 - retried, then raised
            last = exc
            time.sleep(1.0)
    raise BenchError(f"the client could not open the distributed model: {last}")


def collect_garbage() -> None:
    """Collect cyclic garbage on this thread; call it between timed generations, never inside one.

    petals' ``_ServerInferenceSession.__del__`` calls ``close()``, which waits on hivemind's event-loop
    thread. When the cyclic collector happens to finalise a session *on* that thread, the thread waits on
    itself and the client hangs for good (seen here: py-spy showed ``__del__`` → ``close`` →
    ``run_coroutine`` inside ``P2P.receive_raw_data`` on the loop thread). Collecting on the calling
    thread first finalises such objects where waiting is harmless; with automatic collection turned off
    (:func:`manual_gc`) none can happen on the loop thread at all.
    """
    gc.collect()


@contextlib.contextmanager
def manual_gc():
    """Automatic cyclic collection off for the block (see :func:`collect_garbage`), back on afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        if was:
            gc.enable()


def prompt_ids(length: int = 10):
    """A fixed prompt of ``length`` token ids (same bytes for every run and both servers)."""
    import torch

    return torch.arange(3, 3 + length, dtype=torch.long).unsqueeze(0)
