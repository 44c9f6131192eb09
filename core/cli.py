"""The headless command line: ``plumise-petals serve | status | devnet``.

``serve`` runs the node (core/node.py) with settings from the settings file, ``.env``, environment and
flags (core/settings.py; flags win). Its own flags:

``--events jsonl|none``  jsonl: one JSON event per line on stdout and nothing else (core/events.py has the
                         schema); none: events are logged to stderr.
``--key-stdin``          read the wallet's private key from the first line of stdin (never argv, environment
                         or a file), then keep reading: stdin closing means the supervisor died → stop.
``--no-agent``           serve only: no registration, heartbeats, reports or claims (no wallet needed).
``--num-handlers N``     Petals connection-handler processes (default 4).
``--torch-dtype``        float32 | bfloat16 | float16 | auto (default: float32 on CPU, auto on a GPU).
``--new-model``          allow serving a model that no server of this swarm announces yet.
``--identity PATH``      libp2p identity file (a stable peer id across restarts).
Exit codes: 0 after a requested stop, 1 on a failure while starting or serving, 2 on invalid settings.

``status`` and ``devnet`` hand their arguments to ``core.status_cli.main`` and ``devnet.cli.main``,
imported only when used.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import signal
import sys
import threading
from typing import Optional, Sequence

_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


def build_parser() -> argparse.ArgumentParser:
    from core import settings as settings_mod

    parser = argparse.ArgumentParser(prog="plumise-petals", description="Plumise Petals node")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve transformer blocks in a Petals swarm and earn PLM")
    settings_mod.add_arguments(serve)
    node = serve.add_argument_group("node")
    node.add_argument("--events", choices=["jsonl", "none"], default="none", help="event stream on stdout")
    node.add_argument("--key-stdin", action="store_true", help="read the private key from stdin's first line")
    node.add_argument("--no-agent", action="store_true", help="serve only: no chain, no oracle, no wallet")
    node.add_argument("--num-handlers", type=int, default=4, help="Petals connection handlers (processes)")
    node.add_argument("--torch-dtype", choices=["float32", "bfloat16", "float16", "auto"], default=None)
    node.add_argument("--new-model", action="store_true", help="allow a model this swarm does not serve yet")
    node.add_argument("--identity", default=None, help="libp2p identity file (stable peer id)")
    node.add_argument("--public-name", default=None, help="name shown in swarm monitors")
    serve.set_defaults(func=_serve)
    # Listed for --help; main() dispatches them before parsing.
    sub.add_parser("status", help="show this node's standing on chain and its live figures", add_help=False)
    sub.add_parser("devnet", help="run the local Plumise network (chain, oracle, swarm)", add_help=False)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("status", "devnet"):
        target = {"status": "core.status_cli", "devnet": "devnet.cli"}[argv[0]]
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name != target:
                raise
            print(f"plumise-petals {argv[0]} is not available in this build ({target} is missing).", file=sys.stderr)
            return 2
        return int(module.main(argv[1:]) or 0)
    events_jsonl = _wants_jsonl(argv)
    event_stream = None
    if events_jsonl:
        from core.events import claim_stdout_for_events

        # Before anything can print: stdout carries events only, from here on.
        event_stream = claim_stdout_for_events()
    _setup_logging()
    args = build_parser().parse_args(argv)
    return args.func(args, event_stream)


def _wants_jsonl(argv: Sequence[str]) -> bool:
    for i, arg in enumerate(argv):
        if arg == "--events=jsonl" or (arg == "--events" and i + 1 < len(argv) and argv[i + 1] == "jsonl"):
            return True
    return False


def _setup_logging() -> None:
    from chain.redact import install_on_root

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_on_root()


def _serve(args: argparse.Namespace, event_stream) -> int:
    """Run the node; never returns normally in a real process (exits with os._exit after clean-up)."""
    code = _run_node(args, event_stream)
    # hivemind and torch leave non-daemon threads and atexit hooks that can stall interpreter exit well past
    # the 10 s a stop may take; everything of ours is closed by now.
    if os.environ.get("PLUMISE_SERVE_NO_HARD_EXIT") != "1":
        logging.shutdown()
        sys.stderr.flush()
        if event_stream is not None:
            event_stream.flush()
        os._exit(code)
    return code


def _run_node(args: argparse.Namespace, event_stream) -> int:
    from core import events as ev
    from core.node import Node, NodeOptions
    from core.settings import SettingsError, settings_from_args

    sink = ev.EventSink(event_stream)
    if event_stream is None:
        log = logging.getLogger("core.events")
        sink.add_listener(lambda e: log.info("%s", {k: v for k, v in e.items() if k != "ts"}))

    def fail(reason: str, detail: Optional[str], code: int) -> int:
        logging.getLogger("core.cli").error("%s (%s)", reason, detail)
        sink.emit(ev.state_event("error", reason))
        sink.emit(ev.error_event(reason, detail, fatal=True))
        return code

    try:
        loaded = settings_from_args(args)
    except SettingsError as exc:
        return fail("The node's settings are not valid: " + str(exc), str(exc), 2)
    for warning in loaded.warnings:
        logging.getLogger("core.settings").warning("%s", warning)
    settings = loaded.settings

    key: Optional[str] = None
    stdin_closed = threading.Event()
    if args.key_stdin:
        line = _read_stdin_line()
        if not _KEY.match(line):
            return fail(
                "The wallet key handed to the node is not a valid private key. Re-import the wallet, then start again.",
                "stdin's first line is not 0x + 64 hex digits",
                2,
            )
        key = line if line.startswith("0x") else "0x" + line
    elif settings.private_key is not None:
        key = settings.private_key.reveal()

    from core import agent_bridge
    from core.node import NodeError

    try:
        plan = agent_bridge.plan_serving(settings)
    except NodeError as exc:
        return fail(exc.reason, exc.detail, 1)
    if settings.block_indices:
        start, end = (int(x) for x in settings.block_indices.split(":"))
        wanted_blocks = range(start, end)
        num_blocks = None
    else:
        # Petals picks which blocks to serve once it sees the swarm, so a download takes them all.
        wanted_blocks = range(plan.shape.num_layers)
        num_blocks = plan.num_blocks
    options = NodeOptions(
        model=plan.model_id,
        model_id=plan.model_id,
        dht_prefix=settings.dht_prefix,
        initial_peers=list(settings.initial_peers),
        block_indices=settings.block_indices,
        num_blocks=num_blocks,
        host=settings.petals_host,
        port=settings.petals_port,
        announce_host=settings.announce_host,
        num_handlers=max(1, args.num_handlers),
        torch_dtype=args.torch_dtype or plan.torch_dtype,
        device=plan.device,
        cache_dir=settings.model_cache_dir,
        identity_path=args.identity,
        public_name=args.public_name,
        status_port=settings.status_port,
        cpu_threads=settings.cpu_threads,
        new_model=args.new_model,
        extra_status={
            "network": settings.network,
            "rpc_url": settings.effective_rpc_url,
            "chain_id": settings.effective_chain_id,
            "plan": plan.reason,
        },
    )
    agent_factory = None if args.no_agent else (lambda context: agent_bridge.agent_for_node(context, settings))
    downloader = agent_bridge.downloader_for(settings, wanted_blocks)
    node = Node(options, sink, agent_factory=agent_factory, private_key=key, downloader=downloader)

    def on_signal(signum, _frame) -> None:
        node.request_stop(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    # Forked children (Petals' handlers, hivemind's DHT) must not act on signals meant for this process.
    os.register_at_fork(after_in_child=_default_signals_in_child)
    if args.key_stdin:
        threading.Thread(target=_watch_stdin, args=(node, stdin_closed), name="stdin-watch", daemon=True).start()
    return node.run()


def _default_signals_in_child() -> None:
    """In forked Python children: ignore SIGINT (no-op handler); SIGTERM back to its default (terminate).

    A Ctrl-C in a terminal reaches every process of the group; the handlers and the DHT must outlive it
    so that this process can announce the blocks offline and stop them in order. SIGTERM keeps its
    default because Petals and hivemind end stuck children with ``terminate()``. A Python-level handler
    (unlike SIG_IGN) is reset on exec, so programs the children start (p2pd) keep normal behaviour.
    """
    try:
        signal.signal(signal.SIGINT, _ignore_signal)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except (ValueError, OSError):  # not the main thread of the child: nothing to change there
        pass


def _ignore_signal(_signum, _frame) -> None:
    return None


def _read_stdin_line(limit: int = 4096) -> str:
    """The first line of stdin, read from fd 0 unbuffered (nothing after it is consumed).

    ``sys.stdin`` is then replaced by /dev/null: multiprocessing closes ``sys.stdin`` in every forked child,
    and closing a buffered reader that another thread was blocked in (our watcher) deadlocks the child.
    """
    data = bytearray()
    while len(data) < limit:
        chunk = os.read(0, 1)
        if not chunk or chunk == b"\n":
            break
        data += chunk
    sys.stdin = open(os.devnull, "r")
    return data.decode("utf-8", "replace").strip()


def _watch_stdin(node, closed: threading.Event) -> None:
    """The supervisor keeps our stdin open while it lives; EOF means it is gone: stop cleanly."""
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    closed.set()
    node.request_stop("the supervising program closed stdin")
