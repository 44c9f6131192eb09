"""``plumise-petals --self-test``: prove that an installed build works end to end, offline, in a few minutes.

It runs the whole loop from the files it was installed with:

1. start a devnet (devnet/network.py): anvil with the emulated contracts, the RPC front, the local
   oracle and the swarm's bootstrap peer, all on 127.0.0.1 under a temporary folder;
2. build a tiny random-weight model (devnet/models.py);
3. start the node as the app would, as a child process: the bundled ``plumise-petals`` executable when
   frozen (``python -m core`` from a checkout), ``serve --events jsonl --key-stdin`` with a fresh devnet
   wallet's key on stdin, serving every block of the tiny model;
4. send real inference through it (``-m devnet.load``, another child);
5. wait until the oracle has accepted a signed report that counts those tokens;
6. stop everything and exit 0; any failure exits 1 with a sentence saying which step failed.

Nothing outside the temporary folder is touched: the node gets its own settings file and model cache,
and only 127.0.0.1 ports chosen by the OS are used. ``--keep`` keeps the folder (logs) for support.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Optional, Sequence

NODE_EXECUTABLE = "plumise-petals"


class SelfTestError(RuntimeError):
    """A step failed; the message says which and why."""


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Optional[Path]:
    """The folder holding the bundle's executables (None from a checkout)."""
    return Path(sys.executable).resolve().parent if is_frozen() else None


def node_command() -> list[str]:
    """How to start the node: the bundled executable beside ours when frozen, else ``python -m core``."""
    folder = bundle_dir()
    if folder is not None:
        name = NODE_EXECUTABLE + (".exe" if sys.platform == "win32" else "")
        if (folder / name).is_file():
            return [str(folder / name)]
        return [sys.executable, "-m", "core"]  # the launcher accepts -m in either executable
    return [sys.executable, "-m", "core"]


def python_command() -> list[str]:
    """What runs ``-m MODULE``: the interpreter, or in a bundle either executable (the launcher accepts -m)."""
    if is_frozen():
        node = node_command()
        return node if node[-1] != "core" else [sys.executable]
    return [sys.executable]


class _Child:
    """A child process whose stdout carries JSON lines, read on a thread; everything else goes to a log."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path, env: dict, stdin_text: Optional[str] = None,
                 cwd: Optional[Path] = None):
        self.name = name
        self.events: "queue.Queue[dict]" = queue.Queue()
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")
        self.popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
            cwd=str(cwd) if cwd else None,
            start_new_session=True,
        )
        if stdin_text is not None:
            assert self.popen.stdin is not None
            self.popen.stdin.write(stdin_text)
            self.popen.stdin.flush()  # stdin stays open: the node stops when it closes
        threading.Thread(target=self._read, name=f"{name}-stdout", daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._log.write(line)
            self._log.flush()
            line = line.strip()
            if line.startswith("{"):
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    self.events.put(event)

    def wait_for(self, what: str, predicate: Callable[[dict], bool], timeout: float,
                 on_event: Callable[[dict], None] = lambda e: None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SelfTestError(f"{self.name}: no {what} within {timeout:.0f} s.\n{self.tail()}")
            try:
                event = self.events.get(timeout=min(remaining, 0.25))
            except queue.Empty:
                if self.popen.poll() is not None:
                    time.sleep(0.3)
                    raise SelfTestError(f"{self.name} exited with code {self.popen.returncode} before {what}.\n{self.tail()}")
                continue
            on_event(event)
            if event.get("event") == "error" and event.get("fatal", True):
                raise SelfTestError(f"{self.name}: {event.get('reason')} {event.get('detail') or ''}\n{self.tail()}")
            if predicate(event):
                return event

    def tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])

    def stop(self, grace: float = 20.0) -> Optional[int]:
        """Close stdin (the node's "please stop"), then SIGTERM, then kill the whole process tree."""
        from devnet.swarm import stop_process_tree

        if self.popen.stdin is not None:
            try:
                self.popen.stdin.close()
            except OSError:
                pass
        try:
            self.popen.wait(timeout=grace / 2)
        except subprocess.TimeoutExpired:
            stop_process_tree(self.popen.pid, timeout=grace / 2)
        try:
            code = self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._log.close()
        return code


def _get_json(url: str, timeout: float = 10.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # 127.0.0.1 only
        return json.loads(response.read().decode())


class SelfTest:
    def __init__(self, work_dir: Path, timeout: float, model: str, out=print) -> None:
        self.work_dir = work_dir
        self.timeout = timeout
        self.model = model
        self.out = out
        self.deadline = time.monotonic() + timeout
        self.devnet = None
        self.children: list[_Child] = []

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise SelfTestError(f"the self-test did not finish within {self.timeout:.0f} s")
        return left

    def step(self, title: str, action: Callable[[], str]) -> None:
        self.out(f"self-test: {title}…")
        started = time.monotonic()
        detail = action()
        self.out(f"self-test:   ok ({time.monotonic() - started:.1f} s){': ' + detail if detail else ''}")

    def child_env(self) -> dict:
        env = dict(os.environ)
        env.pop("PLUMISE_PRIVATE_KEY", None)  # the key travels on stdin only
        env.update(
            PYTHONUNBUFFERED="1",
            TOKENIZERS_PARALLELISM="false",
            PLUMISE_SETTINGS_FILE=str(self.work_dir / "node-settings.json"),
            PLUMISE_MODEL_CACHE=str(self.work_dir / "models"),
            PLUMISE_MODEL_CACHE_DIR=str(self.work_dir / "models"),
            PLUMISE_DEVNET_DIR=str(self.work_dir / "devnet"),
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            # platformdirs' folders (the node's report outbox, settings, caches) stay inside the work dir.
            HOME=str(self.work_dir / "home"),
            XDG_STATE_HOME=str(self.work_dir / "xdg-state"),
            XDG_DATA_HOME=str(self.work_dir / "xdg-data"),
            XDG_CONFIG_HOME=str(self.work_dir / "xdg-config"),
            XDG_CACHE_HOME=str(self.work_dir / "xdg-cache"),
        )
        if not is_frozen():
            # From a checkout, `python -m core` must find this very tree whatever the working directory.
            source_root = str(Path(__file__).resolve().parent.parent)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH", "")) if p)
        return env

    # --------------------------------------------------------------------------------------- steps
    def check_bundle(self) -> str:
        from devnet.npm_tools import anvil_binary

        import hivemind

        p2pd = Path(hivemind.__file__).resolve().parent / "hivemind_cli" / "p2pd"
        if not p2pd.is_file() or not os.access(p2pd, os.X_OK):
            raise SelfTestError(f"hivemind's p2pd daemon is missing or not executable at {p2pd}")
        anvil = anvil_binary()
        where = f"bundle {bundle_dir()}" if is_frozen() else f"checkout, Python {sys.executable}"
        return f"{where}; p2pd {p2pd}; anvil {anvil}; node {' '.join(node_command())}"

    def start_devnet(self) -> str:
        from devnet.network import Devnet, DevnetConfig

        self.devnet = Devnet(
            DevnetConfig(
                state_dir=self.work_dir / "devnet",
                blocks_per_epoch=20,
                block_time=0.25,
                oracle_job_interval=0.5,
                with_bootstrap=True,
                model=self.model,
            )
        )
        self.devnet.start(timeout=min(180.0, self.remaining()))
        return f"chain {self.devnet.rpc_url}, oracle {self.devnet.oracle_url}, bootstrap {self.devnet.bootstrap_maddrs[0]}"

    def build_model(self) -> str:
        from devnet.models import TINY_BLOOM, TINY_LLAMA, build_model, read_model_info

        spec = {"bloom": TINY_BLOOM, "llama": TINY_LLAMA}[self.model]
        self.model_dir = build_model(spec, self.work_dir / "models")
        info = read_model_info(self.model_dir)
        self.dht_prefix = info["dht_prefix"]
        self.num_blocks = int((info.get("spec") or {}).get("num_layers") or _config_layers(self.model_dir))
        return f"{info['model_id']} ({self.num_blocks} blocks)"

    def start_node(self) -> str:
        self.wallet = self.devnet.new_account(fund_wei=10**18)
        argv = [
            *node_command(),
            "serve",
            "--events", "jsonl",
            "--key-stdin",
            "--settings-file", str(self.work_dir / "node-settings.json"),
            "--network", "local",
            "--rpc-url", self.devnet.rpc_url,
            "--chain-id", str(self.devnet.chain_id),
            "--oracle-url", self.devnet.oracle_url,
            "--model", str(self.model_dir),
            "--dht-prefix", self.dht_prefix,
            "--block-indices", f"0:{self.num_blocks}",
            "--initial-peers", *self.devnet.bootstrap_maddrs,
            "--host", "127.0.0.1",
            "--port", "0",
            "--status-port", "0",
            "--report-interval", "10",
            "--num-handlers", "2",
            "--new-model",
        ]
        self.node = _Child("the node", argv, self.work_dir / "node.log", self.child_env(),
                           stdin_text=self.wallet.private_key + "\n", cwd=self.work_dir)  # no .env there
        self.children.append(self.node)
        event = self.node.wait_for("serving state", lambda e: e.get("event") == "state" and e.get("state") == "serving",
                                   min(240.0, self.remaining()))
        return f"wallet {self.wallet.address}, blocks {event.get('blocks')}, peer {event.get('peer_id')}"

    def send_inference(self) -> str:
        argv = [
            *python_command(), "-m", "devnet.load",
            "--model", str(self.model_dir),
            "--dht-prefix", self.dht_prefix,
            "--initial-peers", *self.devnet.bootstrap_maddrs,
            "--interval", "1",
            "--new-tokens", "8",
            "--max-generations", "2",
        ]
        load = _Child("the inference client", argv, self.work_dir / "load.log", self.child_env())
        self.children.append(load)
        generated = 0
        while generated < 2:
            load.wait_for("generated tokens", lambda e: e.get("event") == "load_generated", min(180.0, self.remaining()))
            generated += 1
        load.stop()
        return f"{generated} generations of 8 tokens through the node"

    def wait_for_report(self) -> str:
        accepted = self.node.wait_for(
            "accepted report counting tokens",
            lambda e: e.get("event") == "report" and e.get("ok") and int(e.get("tokens") or 0) > 0,
            min(180.0, self.remaining()),
        )
        metrics = _get_json(f"{self.devnet.oracle_url}/api/v1/metrics/agents/{self.wallet.address}")
        totals = metrics.get("totals") or {}
        if int(totals.get("reports") or 0) < 1 or int(totals.get("tokensProcessed") or 0) <= 0:
            raise SelfTestError(f"the node says a report was accepted, but the oracle has none: {metrics}")
        return f"oracle counts {totals['tokensProcessed']} tokens in {totals['reports']} report(s) (node: {accepted.get('message')})"

    def stop_all(self) -> Optional[int]:
        code = None
        for child in reversed(self.children):
            result = child.stop()
            if child is getattr(self, "node", None):
                code = result
        self.children.clear()
        if self.devnet is not None:
            self.devnet.stop()
            self.devnet = None
        return code

    def run(self) -> None:
        self.step("1/6 checking the installation", self.check_bundle)
        self.step("2/6 starting a local network (chain, oracle, swarm bootstrap)", self.start_devnet)
        self.step("3/6 building a tiny model", self.build_model)
        self.step("4/6 starting the node and serving the model", self.start_node)
        self.step("5/6 sending inference through the node", self.send_inference)
        self.step("6/6 waiting for the oracle to accept a report", self.wait_for_report)


def _config_layers(model_dir: Path) -> int:
    config = json.loads((Path(model_dir) / "config.json").read_text())
    for key in ("num_hidden_layers", "n_layer", "num_layers"):
        if key in config:
            return int(config[key])
    raise SelfTestError(f"cannot tell how many blocks the model in {model_dir} has")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="plumise-petals --self-test", description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for the whole test (default 600)")
    parser.add_argument("--model", choices=("bloom", "llama"), default="bloom")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with the logs")
    args = parser.parse_args(list(argv) if argv is not None else None)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    work_dir = Path(tempfile.mkdtemp(prefix="plumise-self-test-"))
    (work_dir / "home").mkdir()
    test = SelfTest(work_dir, args.timeout, args.model)
    started = time.monotonic()
    ok = False
    try:
        test.run()
        ok = True
    except SelfTestError as exc:
        print(f"self-test: FAILED: {exc}", file=sys.stderr)
    except Exception as exc:  # a bug or a broken bundle: say where, with the exception
        print(f"self-test: FAILED with an unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        import traceback

        traceback.print_exc()
    finally:
        try:
            node_code = test.stop_all()
            if ok and node_code not in (0, None):
                print(f"self-test: FAILED: the node exited with code {node_code} when asked to stop", file=sys.stderr)
                ok = False
        except Exception as exc:
            print(f"self-test: could not stop everything cleanly: {exc}", file=sys.stderr)
            ok = False
        if args.keep or not ok:
            print(f"self-test: logs kept in {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"self-test: {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
