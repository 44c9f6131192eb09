"""A whole Plumise network on 127.0.0.1: chain + RPC front + oracle + swarm bootstrap (+ servers, load).

:class:`Devnet` starts the parts in order and stops them in reverse, leaving no process behind:

1. anvil (devnet/anvil.py) with the emulated precompiles and contracts installed (devnet/chain.py) and a
   block producer mining every ``block_time`` seconds, 10 PLM per block into the RewardPool;
2. the RPC front (devnet/rpc_front.py): the one URL clients use (``rpc_url``);
3. the oracle (``python -m devnet.oracle``), signing with dev account #1, which is also the RewardPool's
   oracle and the accepted sponsor of the precompiles;
4. optionally the swarm's bootstrap peer (persistent identity in the state dir), block servers of a tiny
   model, and a load client sending real inference through them.

Used in-process by the tests' ``devnet`` fixture, and as a detached supervisor process by
``plumise-petals devnet up`` (``python -m devnet.network``), which records the running network in
``<state dir>/devnet.json`` so that ``status`` and ``down`` find it.
"""
from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

import psutil

from chain.protocol import AGENT_REGISTRY_ADDRESS, REWARD_POOL_ADDRESS
from devnet.anvil import DEVNET_CHAIN_ID, AnvilNode, DevAccount, start_anvil
from devnet.chain import DEFAULT_BLOCKS_PER_EPOCH, DevnetChain
from devnet.jsonrpc import RpcClient
from devnet.swarm import ManagedProcess, SwarmError, spawn, stop_process_tree

from chain.files import atomic_write_text

log = logging.getLogger(__name__)

RUNTIME_FILE = "devnet.json"
LOCK_FILE = "devnet.lock"
ORACLE_KEY_ENV = "DEVNET_ORACLE_KEY"
DEFAULT_STATE_DIR_ENV = "PLUMISE_DEVNET_DIR"
LOAD_STOP_GRACE_S = 2.0  # the load client's grace on stop (see Devnet.stop)


class DevnetError(RuntimeError):
    """The devnet could not start; the message says which part and why, in plain words."""


class DevnetAlreadyRunning(DevnetError):
    """Another devnet already runs from the same state directory."""

    def __init__(self, info: dict) -> None:
        self.info = info
        super().__init__(
            f"A devnet is already running from {info.get('state_dir')} (supervisor pid {info.get('pid')}). "
            "Use `plumise-petals devnet down` to stop it first."
        )


def default_state_dir() -> Path:
    """``$PLUMISE_DEVNET_DIR``, else the user's state directory (e.g. ~/.local/state/plumise-petals/devnet)."""
    if os.environ.get(DEFAULT_STATE_DIR_ENV):
        return Path(os.environ[DEFAULT_STATE_DIR_ENV])
    import platformdirs

    return Path(platformdirs.user_state_dir("plumise-petals")) / "devnet"


@dataclass
class DevnetConfig:
    """What to start. Defaults match the real chain (3 s blocks, 1200-block epochs); tests shorten both."""

    state_dir: Path
    blocks_per_epoch: int = DEFAULT_BLOCKS_PER_EPOCH
    block_time: float = 3.0
    rpc_port: int = 0  # the front's port; 0 takes a free one
    anvil_port: int = 0
    oracle_port: int = 0
    with_oracle: bool = True
    oracle_job_interval: float = 5.0
    oracle_sponsor_claims_every: float = 0.0  # seconds; 0 = no sponsored-claim job
    with_bootstrap: bool = False
    bootstrap_port: Optional[int] = None  # None: the port used last time (stable multiaddr), else free
    server_blocks: Sequence[str] = ()  # e.g. ("0:4", "4:8"): tiny-model block servers run by the devnet
    model: str = "bloom"  # tiny model architecture for servers and load: bloom | llama
    load_interval: Optional[float] = None  # seconds between generations of the load client; None = none
    load_new_tokens: int = 8
    persist_chain: bool = False  # keep the chain in <state_dir>/chain-state.json across restarts
    accounts: int = 10


@dataclass
class RecordedProcess:
    """A child process as written in devnet.json, enough to find it again (pid reuse excluded)."""

    name: str
    pid: int
    create_time: float

    @classmethod
    def of(cls, name: str, pid: int) -> "RecordedProcess":
        return cls(name, pid, psutil.Process(pid).create_time())

    def alive(self) -> Optional[psutil.Process]:
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) < 0.5 and proc.status() != psutil.STATUS_ZOMBIE:
                return proc
        except psutil.NoSuchProcess:
            pass
        return None


class Devnet:
    """The running network. :meth:`start` then use the attributes; :meth:`stop` (or ``with``) ends it.

    Attributes once started: ``rpc_url`` (the front), ``anvil_url``, ``chain_id``, ``oracle_url`` (None
    without an oracle), ``accounts`` (:class:`DevAccount` list: #0 faucet/deployer, #1 the oracle's key,
    the rest free), ``reward_pool``, ``agent_registry``, ``blocks_per_epoch``, ``bootstrap_maddrs``,
    ``model_dir`` and ``dht_prefix`` (when servers or load run), ``chain`` (:class:`DevnetChain`).
    """

    def __init__(self, config: DevnetConfig) -> None:
        self.config = config
        self.state_dir = Path(config.state_dir)
        self.chain_id = DEVNET_CHAIN_ID
        self.reward_pool = REWARD_POOL_ADDRESS
        self.agent_registry = AGENT_REGISTRY_ADDRESS
        self.blocks_per_epoch = config.blocks_per_epoch
        self.anvil: Optional[AnvilNode] = None
        self.chain: Optional[DevnetChain] = None
        self.front = None
        self.oracle: Optional[ManagedProcess] = None
        self.bootstrap: Optional[ManagedProcess] = None
        self.servers: list[ManagedProcess] = []
        self.load: Optional[ManagedProcess] = None
        self.rpc_url = ""
        self.anvil_url = ""
        self.oracle_url: Optional[str] = None
        self.accounts: list[DevAccount] = []
        self.bootstrap_maddrs: list[str] = []
        self.model_dir: Optional[Path] = None
        self.dht_prefix: Optional[str] = None
        self._stopped = threading.Event()

    # ---- lifecycle ----

    def start(self, timeout: float = 120.0) -> "Devnet":
        """Start every configured part; on any failure stop what started and raise :class:`DevnetError`."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_chain()
            self._start_front()
            if self.config.with_oracle:
                self._start_oracle(timeout)
            if self.config.with_bootstrap or self.config.server_blocks or self.config.load_interval:
                self._start_swarm(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_chain(self) -> None:
        state_file = self.state_dir / "chain-state.json" if self.config.persist_chain else None
        self.anvil = start_anvil(
            self.state_dir / "anvil",
            port=self.config.anvil_port,
            accounts=max(2, self.config.accounts),
            state_file=state_file,
        )
        self.anvil_url = self.anvil.url
        self.accounts = list(self.anvil.accounts)
        self.chain = DevnetChain(
            RpcClient(self.anvil.url), self.accounts[0], self.accounts[1].address, self.config.blocks_per_epoch
        )
        self.chain.install()
        self.blocks_per_epoch = self.chain.blocks_per_epoch
        self.chain.start_producer(self.config.block_time)

    def _start_front(self) -> None:
        from devnet.rpc_front import RpcFront

        try:
            self.front = RpcFront(self.chain, self.chain.rpc, port=self.config.rpc_port).start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise DevnetError(
                    f"Port {self.config.rpc_port} on 127.0.0.1 is already used by another program, so the devnet's "
                    "RPC endpoint cannot listen there. Stop that program or choose another port (0 picks a free one)."
                ) from exc
            raise
        self.rpc_url = self.front.url

    def _start_oracle(self, timeout: float) -> None:
        args = [
            "-m", "devnet.oracle",
            "--rpc-url", self.rpc_url,
            "--db", str(self.state_dir / "oracle.sqlite3"),
            "--port", str(self.config.oracle_port),
            "--host", "127.0.0.1",
            "--job-interval", str(self.config.oracle_job_interval),
        ]
        if self.config.oracle_sponsor_claims_every:
            args += ["--sponsor-claims-every", str(self.config.oracle_sponsor_claims_every)]
        self.oracle = spawn("oracle", args, env={ORACLE_KEY_ENV: self.accounts[1].private_key})
        try:
            ready = self.oracle.wait_event(lambda e: e.get("event") == "oracle_ready", timeout)
        except SwarmError as exc:
            raise DevnetError(f"The local oracle did not start: {exc}") from exc
        self.oracle_url = ready["url"]

    def _start_swarm(self, timeout: float) -> None:
        from devnet.models import TINY_BLOOM, TINY_LLAMA, build_model, read_model_info

        port = self.config.bootstrap_port
        if port is None:
            port = self._remembered("bootstrap_port", 0)
        self.bootstrap = self._spawn_bootstrap(port, timeout)
        if self.bootstrap is None and port:
            log.warning("bootstrap port %d is taken; using a free one (the multiaddr changes)", port)
            self.bootstrap = self._spawn_bootstrap(0, timeout)
        if self.bootstrap is None:
            raise DevnetError(f"The swarm's bootstrap peer did not start; see {self.state_dir}.")
        self._remember("bootstrap_port", _maddr_port(self.bootstrap_maddrs[0]))
        if not (self.config.server_blocks or self.config.load_interval):
            return
        spec = {"bloom": TINY_BLOOM, "llama": TINY_LLAMA}[self.config.model]
        self.model_dir = build_model(spec)
        self.dht_prefix = read_model_info(self.model_dir)["dht_prefix"]
        for i, blocks in enumerate(self.config.server_blocks):
            self.servers.append(
                spawn(
                    f"server{i}",
                    [
                        "-m", "core", "serve",
                        "--model", str(self.model_dir),
                        "--dht-prefix", self.dht_prefix,
                        "--block-indices", blocks,
                        "--initial-peers", *self.bootstrap_maddrs,
                        "--num-handlers", "2",
                        # Plain capacity for the swarm: loopback, free ports, no wallet (nodes that earn
                        # are the ones people run themselves).
                        "--host", "127.0.0.1",
                        "--port", "0",
                        "--status-port", "0",
                        "--no-agent",
                        "--events", "jsonl",
                    ],
                )
            )
        for server in self.servers:
            try:
                server.wait_event(lambda e: e.get("state") == "serving", timeout)
            except SwarmError as exc:
                raise DevnetError(f"A block server of the devnet did not start: {exc}") from exc
        if self.config.load_interval:
            self.load = spawn(
                "load",
                [
                    "-m", "devnet.load",
                    "--model", str(self.model_dir),
                    "--dht-prefix", self.dht_prefix,
                    "--initial-peers", *self.bootstrap_maddrs,
                    "--interval", str(self.config.load_interval),
                    "--new-tokens", str(self.config.load_new_tokens),
                ],
            )
            try:
                self.load.wait_event(lambda e: e.get("event") == "load_started", timeout)
            except SwarmError as exc:
                raise DevnetError(f"The load client did not start: {exc}") from exc

    def _spawn_bootstrap(self, port: int, timeout: float) -> Optional[ManagedProcess]:
        proc = spawn(
            "bootstrap",
            ["-m", "devnet.bootstrap", "--port", str(port), "--identity", str(self.state_dir / "bootstrap.id")],
        )
        try:
            ready = proc.wait_event(lambda e: e.get("event") == "bootstrap_ready", timeout)
        except SwarmError as exc:
            proc.stop()
            if port:
                return None
            raise DevnetError(f"The swarm's bootstrap peer did not start: {exc}") from exc
        self.bootstrap_maddrs = list(ready["maddrs"])
        return proc

    def stop(self) -> None:
        """Stop everything that runs, in reverse order; safe to call twice."""
        if self.load is not None:
            # The load client only generates traffic and keeps no state, so it gets a short grace: its
            # SIGTERM handler sets a flag checked between generations, and a generation whose route lost a
            # server (the app's node stops before the devnet, or never ran) retries inside Petals and never
            # returns to look at it. With the usual 15 s grace every devnet stop waited ~19 s on it.
            _stop_stateless(self.load, LOAD_STOP_GRACE_S)
        for proc in [*reversed(self.servers), self.bootstrap, self.oracle]:
            if proc is not None:
                proc.stop()
        self.load, self.servers, self.bootstrap, self.oracle = None, [], None, None
        if self.front is not None:
            self.front.stop()
            self.front = None
        if self.chain is not None:
            self.chain.stop_producer()
        if self.anvil is not None:
            self.anvil.stop()
            self.anvil = None
        self._stopped.set()

    def __enter__(self) -> "Devnet":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ---- helpers for tests and demos ----

    def mine(self, blocks: int = 1) -> int:
        """Mine ``blocks`` blocks now (10 PLM each into the pool); returns the head's number."""
        return self.chain.mine(blocks)

    def advance_to_next_epoch(self) -> int:
        """Mine until the RewardPool's current epoch has grown by one; returns the new epoch."""
        return self.chain.advance_to_next_epoch()

    def current_epoch(self) -> int:
        return self.chain.current_epoch()

    def advance_time(self, seconds: int) -> int:
        """Move the chain clock forward (``evm_increaseTime``) and mine a block; returns its timestamp."""
        return self.chain.advance_time(seconds)

    def fund(self, address: str, wei: int) -> None:
        """Add ``wei`` to ``address``'s balance (devnet-only cheat, no transaction)."""
        balance = int(self.chain.rpc.call("eth_getBalance", [address, "latest"]), 16)
        self.chain.rpc.call("anvil_setBalance", [address, hex(balance + wei)])

    def new_account(self, fund_wei: int = 0) -> DevAccount:
        """A fresh random account (not one of anvil's), optionally funded; for tests that need a clean wallet."""
        from eth_account import Account

        acct = Account.create()
        if fund_wei:
            self.fund(acct.address, fund_wei)
        return DevAccount(acct.address, "0x" + bytes(acct.key).hex())

    def web3(self):
        """A web3.py ``Web3`` connected to the RPC front."""
        from web3 import Web3

        return Web3(Web3.HTTPProvider(self.rpc_url, request_kwargs={"timeout": 30}))

    def wait_for_receipt(self, tx_hash: str, timeout: float = 30.0) -> dict:
        """The raw receipt of ``tx_hash`` once the block producer has mined it."""
        return self.chain.wait_for_receipt(tx_hash if tx_hash.startswith("0x") else "0x" + tx_hash, timeout)

    # ---- what `devnet up/status` prints ----

    def info(self) -> dict:
        """Endpoints, accounts (devnet keys), swarm addresses and the processes, JSON-ready."""
        processes = []
        if self.anvil is not None:
            processes.append(RecordedProcess.of("anvil", self.anvil.popen.pid))
        for proc in [self.oracle, self.bootstrap, *self.servers, self.load]:
            if proc is not None and proc.popen.poll() is None:
                processes.append(RecordedProcess.of(proc.name, proc.popen.pid))
        return {
            "state_dir": str(self.state_dir),
            "pid": os.getpid(),
            "chain_id": self.chain_id,
            "rpc_url": self.rpc_url,
            "anvil_url": self.anvil_url,
            "oracle_url": self.oracle_url,
            "reward_pool": self.reward_pool,
            "agent_registry": self.agent_registry,
            "blocks_per_epoch": self.blocks_per_epoch,
            "block_time": self.config.block_time,
            "accounts": [
                {"role": _role(i), "address": a.address, "private_key": a.private_key}
                for i, a in enumerate(self.accounts)
            ],
            "bootstrap_maddrs": self.bootstrap_maddrs,
            "model_dir": str(self.model_dir) if self.model_dir else None,
            "dht_prefix": self.dht_prefix,
            "processes": [asdict(p) for p in processes],
        }

    # ---- small persistent memory (ports) ----

    def _remembered(self, key: str, default: Any) -> Any:
        try:
            return json.loads((self.state_dir / "remembered.json").read_text()).get(key, default)
        except (OSError, ValueError):
            return default

    def _remember(self, key: str, value: Any) -> None:
        path = self.state_dir / "remembered.json"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = {}
        data[key] = value
        atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def _stop_stateless(proc: ManagedProcess, grace: float) -> None:
    """SIGTERM, ``grace`` seconds, then SIGKILL for the whole tree: for a child with nothing to save
    (stop_process_tree's second, 3-second SIGTERM round only helps children that finish their work)."""
    try:
        root = psutil.Process(proc.popen.pid)
        family = [root, *root.children(recursive=True)]
        root.send_signal(signal.SIGTERM)
    except psutil.NoSuchProcess:
        family = []
    psutil.wait_procs(family[:1], timeout=grace)
    for member in family:
        try:
            if member.is_running():
                member.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=3)
    try:
        proc.popen.wait(timeout=1)  # reap it
    except subprocess.TimeoutExpired:
        pass


def _role(index: int) -> str:
    return {0: "faucet (deployer)", 1: "oracle (sponsor)"}.get(index, "free")


def _maddr_port(maddr: str) -> int:
    parts = maddr.split("/")
    return int(parts[parts.index("tcp") + 1]) if "tcp" in parts else 0


# ---- the running network as other processes see it ----


def read_runtime(state_dir: Path) -> Optional[dict]:
    """The devnet.json of a devnet whose supervisor still runs, else None (a stale file is ignored)."""
    try:
        info = json.loads((Path(state_dir) / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return None
    supervisor = info.get("supervisor")
    if not supervisor or RecordedProcess(**supervisor).alive() is None:
        return None
    return info


def leftover_processes(state_dir: Path) -> list[psutil.Process]:
    """Processes recorded in devnet.json (supervisor and children) that still run."""
    try:
        info = json.loads((Path(state_dir) / RUNTIME_FILE).read_text())
    except (OSError, ValueError):
        return []
    records = [info["supervisor"]] if info.get("supervisor") else []
    records += info.get("processes", [])
    alive = [RecordedProcess(**r).alive() for r in records]
    return [p for p in alive if p is not None]


def stop_running(state_dir: Path, timeout: float = 60.0) -> bool:
    """Stop the devnet recorded in ``state_dir``: SIGTERM its supervisor, then anything left. True if one ran."""
    state_dir = Path(state_dir)
    info = read_runtime(state_dir)
    found = info is not None
    if info is not None:
        stop_process_tree(info["supervisor"]["pid"], timeout=timeout)
    # A supervisor killed hard leaves its children (own sessions) behind: stop them by their records.
    for proc in leftover_processes(state_dir):
        found = True
        stop_process_tree(proc.pid, timeout=10)
    (state_dir / RUNTIME_FILE).unlink(missing_ok=True)
    return found


class _StateDirLock:
    """An exclusive lock on <state dir>/devnet.lock held for the supervisor's lifetime (Unix)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / LOCK_FILE
        self._file = None

    def acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # Windows runs the devnet in WSL; without fcntl rely on devnet.json alone
            return True
        self._file = open(self.path, "a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._file.close()
            self._file = None
            return False
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def run_supervisor(config: DevnetConfig, announce=print) -> int:
    """Run the devnet in this process until SIGTERM/SIGINT, recording it in devnet.json.

    ``announce`` receives the ready line (JSON text). Returns the exit status.
    """
    state_dir = Path(config.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    lock = _StateDirLock(state_dir)
    if not lock.acquire() or read_runtime(state_dir) is not None:
        running = read_runtime(state_dir) or {"state_dir": str(state_dir)}
        raise DevnetAlreadyRunning(running)
    for orphan in leftover_processes(state_dir):
        # Children of a supervisor that was killed hard: nobody else owns them, and they hold the state.
        log.warning("stopping %s (pid %d) left over from a devnet that did not shut down", orphan.name(), orphan.pid)
        stop_process_tree(orphan.pid, timeout=10)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    net = Devnet(config)
    try:
        net.start()
        info = net.info()
        info["supervisor"] = asdict(RecordedProcess.of("supervisor", os.getpid()))
        atomic_write_text(state_dir / RUNTIME_FILE, json.dumps(info, indent=2) + "\n")
        announce(json.dumps({"event": "devnet_ready", **info}))
        while not stop.wait(0.5):
            if net.anvil is not None and not net.anvil.is_running():
                log.error("anvil stopped unexpectedly; shutting the devnet down")
                return 1
        return 0
    finally:
        net.stop()
        (state_dir / RUNTIME_FILE).unlink(missing_ok=True)
        lock.release()


def config_from_args(args: argparse.Namespace) -> DevnetConfig:
    """The :class:`DevnetConfig` for parsed ``add_config_arguments`` options."""
    return DevnetConfig(
        state_dir=Path(args.state_dir) if args.state_dir else default_state_dir(),
        blocks_per_epoch=args.blocks_per_epoch,
        block_time=args.block_time,
        rpc_port=args.rpc_port,
        oracle_port=args.oracle_port,
        with_oracle=not args.no_oracle,
        oracle_job_interval=args.oracle_job_interval,
        oracle_sponsor_claims_every=args.sponsor_claims_every,
        with_bootstrap=not args.no_swarm,
        server_blocks=tuple(args.serve or ()),
        model=args.model,
        load_interval=args.load_interval,
        persist_chain=not args.fresh_chain,
    )


def config_to_argv(config: DevnetConfig) -> list[str]:
    """The ``python -m devnet.network`` options that rebuild ``config`` (inverse of :func:`config_from_args`)."""
    argv = [
        "--state-dir", str(Path(config.state_dir).resolve()),
        "--blocks-per-epoch", str(config.blocks_per_epoch),
        "--block-time", str(config.block_time),
        "--rpc-port", str(config.rpc_port),
        "--oracle-port", str(config.oracle_port),
        "--oracle-job-interval", str(config.oracle_job_interval),
        "--sponsor-claims-every", str(config.oracle_sponsor_claims_every),
        "--model", config.model,
    ]
    if not config.with_oracle:
        argv.append("--no-oracle")
    if not config.with_bootstrap:
        argv.append("--no-swarm")
    for blocks in config.server_blocks:
        argv += ["--serve", blocks]
    if config.load_interval:
        argv += ["--load-interval", str(config.load_interval)]
    if not config.persist_chain:
        argv.append("--fresh-chain")
    return argv


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``devnet up`` (also accepted by ``python -m devnet.network``)."""
    parser.add_argument("--state-dir", default=None, help=f"where the devnet keeps its files (default: ${DEFAULT_STATE_DIR_ENV} or the user state dir)")
    parser.add_argument("--blocks-per-epoch", type=int, default=DEFAULT_BLOCKS_PER_EPOCH)
    parser.add_argument("--block-time", type=float, default=3.0, help="seconds between blocks")
    parser.add_argument("--rpc-port", type=int, default=0, help="port of the JSON-RPC endpoint (0: a free one)")
    parser.add_argument("--oracle-port", type=int, default=0, help="port of the oracle (0: a free one)")
    parser.add_argument("--no-oracle", action="store_true")
    parser.add_argument("--oracle-job-interval", type=float, default=5.0)
    parser.add_argument("--sponsor-claims-every", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--no-swarm", action="store_true", help="no bootstrap peer")
    parser.add_argument("--serve", action="append", metavar="START:END", help="run a tiny-model block server (repeatable)")
    parser.add_argument("--model", choices=["bloom", "llama"], default="bloom")
    parser.add_argument("--load-interval", type=float, default=None, metavar="SECONDS", help="run the load client")
    parser.add_argument("--fresh-chain", action="store_true", help="do not load or keep the chain state")


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m devnet.network [options]``: the supervisor that ``devnet up`` starts in the background."""
    parser = argparse.ArgumentParser(prog="python -m devnet.network")
    add_config_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return run_supervisor(config_from_args(args), announce=lambda line: print(line, flush=True))
    except DevnetError as exc:
        print(json.dumps({"event": "error", "reason": str(exc)}), flush=True)
        return 1
    except Exception as exc:  # ToolMissingError, AnvilError, …: one readable line for `devnet up`
        print(json.dumps({"event": "error", "reason": str(exc)}), flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
