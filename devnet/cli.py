"""``plumise-petals devnet up | down | status``: the local Plumise network from the command line.

``up`` starts the network as a background supervisor process (``python -m devnet.network``) and prints,
as one JSON document, its endpoints, the funded dev accounts with their keys (anvil's well-known
devnet keys, worthless anywhere else) and the swarm's bootstrap multiaddrs; ``--foreground`` runs it in
this terminal until Ctrl-C instead. A second ``up`` finds the running network and prints it again
(``"already_running": true``) instead of starting another. ``status`` prints the same document with live
checks; ``down`` stops everything the network started.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

from devnet.network import (
    DevnetAlreadyRunning,
    DevnetError,
    add_config_arguments,
    config_from_args,
    config_to_argv,
    default_state_dir,
    read_runtime,
    run_supervisor,
    stop_running,
)
from devnet.npm_tools import ToolMissingError, anvil_binary

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_SETUP = 2
EXIT_NOT_RUNNING = 3


def _print_json(data: dict) -> None:
    print(json.dumps(data, indent=2), flush=True)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _public(info: dict) -> dict:
    """The runtime record as shown to a person: what to connect to first, bookkeeping last."""
    return {"running": True, **{k: v for k, v in info.items() if k not in ("processes", "supervisor")}}


def _up(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    state_dir = Path(config.state_dir).resolve()
    running = read_runtime(state_dir)
    if running is not None:
        _say(f"A devnet is already running from {state_dir}; not starting another. `devnet down` stops it.")
        _print_json({**_public(running), "already_running": True})
        return EXIT_OK
    try:
        anvil_binary()
    except ToolMissingError as exc:
        _say(str(exc))
        return EXIT_SETUP
    if args.foreground:
        try:
            return run_supervisor(config, announce=lambda line: _print_json(_public(json.loads(line))))
        except DevnetAlreadyRunning as exc:
            _say(str(exc))
            return EXIT_FAILED
        except (DevnetError, ToolMissingError) as exc:
            _say(f"The devnet could not start: {exc}")
            return EXIT_FAILED
    return _up_in_background(config, state_dir, args.timeout)


def _up_in_background(config, state_dir: Path, timeout: float) -> int:
    state_dir.mkdir(parents=True, exist_ok=True)
    log_path = state_dir / "devnet.log"
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "devnet.network", *config_to_argv(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives this command and the terminal's Ctrl-C
            cwd=str(Path(__file__).resolve().parent.parent),
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = read_runtime(state_dir)
        if info is not None and info["supervisor"]["pid"] == child.pid:
            _say(f"Devnet is up (state in {state_dir}, log {log_path}). `devnet down` stops it.")
            _print_json(_public(info))
            return EXIT_OK
        if child.poll() is not None:
            other = read_runtime(state_dir)
            if other is not None:  # another `up` won the race
                _say(f"A devnet is already running from {state_dir}; not starting another.")
                _print_json({**_public(other), "already_running": True})
                return EXIT_OK
            _say(f"The devnet could not start: {_last_error(log_path)}\nDetails: {log_path}")
            return EXIT_FAILED
        time.sleep(0.2)
    stop_running(state_dir)
    from devnet.swarm import stop_process_tree

    stop_process_tree(child.pid)
    _say(f"The devnet did not get ready within {timeout:.0f} s and was stopped. Details: {log_path}")
    return EXIT_FAILED


def _last_error(log_path: Path) -> str:
    lines = log_path.read_text(errors="replace").splitlines()
    for line in reversed(lines):
        if line.startswith("{") and '"error"' in line:
            try:
                return json.loads(line)["reason"]
            except (ValueError, KeyError):
                break
    return "\n".join(lines[-10:]) or "no output"


def _status(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve() if args.state_dir else default_state_dir()
    info = read_runtime(state_dir)
    if info is None:
        _print_json({"running": False, "state_dir": str(state_dir)})
        return EXIT_NOT_RUNNING
    report = _public(info)
    report["checks"] = _live_checks(info)
    _print_json(report)
    return EXIT_OK


def _live_checks(info: dict) -> dict:
    from devnet.jsonrpc import RpcClient

    checks: dict = {}
    try:
        rpc = RpcClient(info["rpc_url"], timeout=5)
        checks["block_number"] = int(rpc.call("eth_blockNumber"), 16)
        epoch = rpc.call("eth_call", [{"to": info["reward_pool"], "data": "0xb97dd9e2"}, "latest"])
        checks["current_epoch"] = int(epoch, 16)
    except Exception as exc:
        checks["rpc_error"] = str(exc)
    if info.get("oracle_url"):
        try:
            with urllib.request.urlopen(info["oracle_url"] + "/api/stats", timeout=5) as response:
                checks["oracle_ok"] = response.status == 200
        except Exception as exc:
            checks["oracle_ok"] = False
            checks["oracle_error"] = str(exc)
    return checks


def _down(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve() if args.state_dir else default_state_dir()
    stopped = stop_running(state_dir)
    _say("Devnet stopped." if stopped else f"No devnet was running from {state_dir}.")
    _print_json({"running": False, "stopped": stopped, "state_dir": str(state_dir)})
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plumise-petals devnet", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    up = sub.add_parser("up", help="start the local network (in the background unless --foreground)")
    add_config_arguments(up)
    up.add_argument("--foreground", action="store_true", help="run in this terminal until Ctrl-C")
    up.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for readiness")
    up.set_defaults(func=_up)
    for name, func, text in (("status", _status, "show the running network"), ("down", _down, "stop it")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--state-dir", default=None)
        p.set_defaults(func=func)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``plumise-petals devnet …``; returns the exit status."""
    args = build_parser().parse_args(list(argv) if argv is not None else None)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
