"""``make run`` on a machine without a screen: the devnet preset's whole loop, told in the terminal.

The same network the desktop app starts for its ``devnet`` preset (devnet/preset.py): a chain, the
reward contracts, an oracle, a swarm serving half of a tiny model with a load client sending real
inference — and a node earning with a fresh wallet for the other half. One line per thing that
happens: serving, tokens, reports accepted, pending PLM, epochs, claims (the devnet's epochs last 20
seconds, so the default 1 PLM auto-claim lands within a minute or two). Ctrl-C stops everything.
"""
from __future__ import annotations

import queue
import signal
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Optional

from devnet.preset import devnet_args, fund_from_faucet, node_flags
from devnet.swarm import ManagedProcess, SwarmError, spawn


def _plm(wei: Optional[str]) -> str:
    if wei is None:
        return "—"
    return f"{Decimal(int(wei)) / Decimal(10**18):.6f} PLM"


class _Narrator:
    """Turns the node's JSON events into a few readable lines, without repeating itself every second."""

    def __init__(self) -> None:
        self.last_state = None
        self.last_metrics_line = 0.0
        self.last_chain = None

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "state" and event.get("state") != self.last_state:
            self.last_state = event.get("state")
            progress = event.get("progress") or {}
            extra = f" ({progress.get('done')}/{progress.get('total')} {progress.get('unit')})" if progress else ""
            _say(f"node: {event.get('state')} — {event.get('message') or ''}{extra}")
        elif kind == "metrics" and time.monotonic() - self.last_metrics_line >= 10:
            self.last_metrics_line = time.monotonic()
            latency = event.get("avg_latency_ms")
            _say(
                f"serving blocks {event.get('blocks')}: {event.get('tokens')} tokens, {event.get('requests')} requests,"
                f" {event.get('tokens_per_s', 0):.1f} tok/s, latency {'—' if latency is None else f'{latency:.1f} ms'}"
            )
        elif kind == "chain":
            summary = (event.get("registered"), event.get("active"), event.get("pending_wei"), event.get("epoch"))
            if summary != self.last_chain:
                self.last_chain = summary
                _say(
                    f"chain: registered={event.get('registered')} active={event.get('active')}"
                    f" balance={_plm(event.get('balance_wei'))} pending={_plm(event.get('pending_wei'))}"
                    f" epoch={event.get('epoch')}"
                )
        elif kind == "report":
            _say(f"report: {'accepted' if event.get('ok') else 'refused'} — {event.get('tokens')} tokens, {event.get('message')}")
        elif kind == "claim":
            _say(f"claim: {_plm(event.get('amount_wei'))} in {event.get('tx_hash')} — {event.get('message')}")
        elif kind == "error":
            _say(f"problem: {event.get('reason')}")


def _say(text: str) -> None:
    print(f"{time.strftime('%H:%M:%S')}  {text}", flush=True)


def _wait_ready(devnet: ManagedProcess, timeout: float = 300.0) -> dict:
    return devnet.wait_event(lambda e: e.get("event") == "devnet_ready", timeout)


def main() -> int:
    # A backgrounded shell job starts with SIGINT ignored; Ctrl-C must still stop the demo.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
    from eth_account import Account

    with tempfile.TemporaryDirectory(prefix="plumise-devnet-") as tmp:
        work = Path(tmp)
        devnet: Optional[ManagedProcess] = None
        node: Optional[ManagedProcess] = None
        try:
            _say("Starting the devnet: chain, contracts, oracle, swarm and load client (about half a minute)…")
            devnet = spawn("devnet", ["-m", "devnet.network", *devnet_args(work / "devnet")])
            info = _wait_ready(devnet)
            _say(f"devnet ready: RPC {info['rpc_url']}, oracle {info.get('oracle_url')}")
            wallet = Account.create()
            fund_from_faucet(info, wallet.address)
            _say(f"earning wallet (devnet only): {wallet.address}")
            env = {"XDG_STATE_HOME": str(work / "state"), "XDG_CONFIG_HOME": str(work / "config")}
            node = spawn(
                "node",
                [
                    "-m", "core", "serve", "--events", "jsonl", "--key-stdin",
                    *node_flags(info, status_port=0),
                ],
                env=env,
                stdin_text=wallet.key.hex() + "\n",
            )
            narrate = _Narrator()
            while node.popen.poll() is None:
                try:
                    narrate(node.events.get(timeout=0.5))
                except queue.Empty:
                    pass
            _say(f"the node stopped (exit code {node.popen.returncode}):\n{node.tail()}")
            return 1
        except KeyboardInterrupt:
            _say("Stopping: final report, blocks offline, devnet down…")
            return 0
        except SwarmError as exc:
            _say(f"The devnet could not start: {exc}")
            return 1
        finally:
            for proc in (node, devnet):
                if proc is not None:
                    proc.stop()
            _say("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
