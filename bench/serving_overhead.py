"""Serving overhead: tokens/s through vanilla Petals' server vs our node earning on the devnet.

``python -m bench.serving_overhead [--rounds 2] [--pairs 3] [--model bloom-560m-shape] [--json out.json]``

(a) ``petals.cli.run_server`` (bench/vanilla_server.py) and (b) ``python -m core serve`` with metering in
Petals' handlers and the agent loop live on the devnet (a fresh wallet each round, so it registers,
heartbeats, sends a signed report every 10 s — the shortest interval settings allow — and polls the chain
for auto-claim) serve the same blocks with the same options (ServeSpec: float32, CPU, the same number of
handler processes). The same client code (devnet/client.py SwarmClient, greedy, a fixed 10-token prompt)
generates the same number of tokens through each.

Why the measured server serves all 24 blocks: then every transformer step of every token runs in the
process under test, so anything our node adds (metering in the handlers, the metrics event every
second, the agent's threads, web3 in the same interpreter) weighs on the whole decode. Splitting the
model with a second, unmeasured server would dilute that share (the other server's compute and one more
hop would be the same in both arms) and flatter the ratio.

Why interleaved: this 2-core machine is shared, and its load swings by several times within a minute.
Each round starts both servers side by side (on their own DHT prefixes, each with its own client), then
alternates single generations in ABBA order; a generation of one and the next of the other ran seconds
apart under nearly the same load, so their ratio is the robust figure (median over all pairs), next to
the ratio of the two medians. While one server is timed the other idles; the CPU time each tree burns
during the other's generations is measured and printed, because our agent's background work then lands
partly in vanilla's windows — the note says how much that could hide.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
import time
from pathlib import Path

from bench.common import Figure, exit_cleanly_on_signals, Sample, env_int, log, paired_ratios, print_figures, ratio, write_figures
from bench.harness import (DevnetProcess, Proc, ServeSpec, collect_garbage, manual_gc, open_client, prompt_ids,
                           start_node, start_vanilla, wait_serving)


def tree_cpu_s(proc: Proc) -> float:
    """User + system CPU seconds of a process tree so far (children that exited are not counted)."""
    total = 0.0
    for p in proc.tree():
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except Exception:  # noqa: BLE001 - a process that just ended
            continue
    return total


def run_round(index: int, model_dir: Path, base_prefix: str, blocks: str, work: Path, devnet: DevnetProcess,
              handlers: int, tokens: int, pairs: int) -> dict:
    """Both servers up; ABBA-alternated timed generations; both down."""
    specs = {
        impl: ServeSpec(model_dir, f"{base_prefix}-r{index}{impl[0]}", blocks, devnet.info.bootstrap_maddrs,
                        num_handlers=handlers)
        for impl in ("vanilla", "ours")
    }
    procs: dict[str, Proc] = {}
    clients: dict = {}
    address = None
    try:
        procs["vanilla"] = start_vanilla(specs["vanilla"], work / "logs" / f"{specs['vanilla'].dht_prefix}.log")
        procs["ours"], address = start_node(specs["ours"], work / specs["ours"].dht_prefix,
                                            work / "logs" / f"{specs['ours'].dht_prefix}.log", devnet, new_model=True)
        start_s = {impl: wait_serving(p) for impl, p in procs.items()}
        ids = prompt_ids()
        for impl, spec in specs.items():
            clients[impl] = open_client(spec.model_dir, spec.initial_peers, spec.dht_prefix)
            clients[impl].generate_ids(ids, 2)  # warm-up: routes found, weights paged in, first allocations
            collect_garbage()
        rates: dict[str, list[float]] = {"vanilla": [], "ours": []}
        idle_cpu = {"vanilla": 0.0, "ours": 0.0}  # CPU s a tree used while the other one was timed
        busy_s = {"vanilla": 0.0, "ours": 0.0}
        order = []
        for i in range(pairs):
            order += ["vanilla", "ours"] if i % 2 == 0 else ["ours", "vanilla"]
        cpu_ms: dict[str, list[float]] = {"vanilla": [], "ours": []}  # server-tree CPU per generated token
        for impl in order:
            other = "ours" if impl == "vanilla" else "vanilla"
            other_before, own_before = tree_cpu_s(procs[other]), tree_cpu_s(procs[impl])
            began = time.perf_counter()
            out = clients[impl].generate_ids(ids, tokens)
            elapsed = time.perf_counter() - began
            own_after, other_after = tree_cpu_s(procs[impl]), tree_cpu_s(procs[other])
            idle_cpu[other] += other_after - other_before
            busy_s[impl] += elapsed
            assert out.shape[1] == ids.shape[1] + tokens
            rates[impl].append(tokens / elapsed)
            cpu_ms[impl].append(1000.0 * (own_after - own_before) / tokens)
            collect_garbage()
        time.sleep(1.2)  # one more metrics event, so the metered count read below is complete
        ours = procs["ours"]
        metrics = [e for e in ours.seen if e.get("event") == "metrics"]
        return {
            "rates": rates,
            "cpu_ms_per_token": cpu_ms,
            "start_s": start_s,
            # CPU share of one core the idle tree took while the other was timed
            "idle_cpu_pct": {k: 100.0 * idle_cpu[k] / max(busy_s["ours" if k == "vanilla" else "vanilla"], 1e-9)
                             for k in idle_cpu},
            "metered_tokens": metrics[-1]["tokens"] if metrics else None,
            "expected_tokens": (10 + 2 - 1) + pairs * (10 + tokens - 1),  # metering.py: P + N − 1 per generation
            "registered": any(e.get("registered") for e in ours.seen if e.get("event") == "chain"),
            "reports_ok": ours.count("report", ok=True),
            "reports": ours.count("report"),
            "errors": [str(e.get("reason")) for e in ours.seen if e.get("event") == "error"][:3],
            "address": address,
        }
    finally:
        for client in clients.values():
            client.close()
        if "ours" in procs:
            procs["ours"].stop(signal.SIGTERM)
        if "vanilla" in procs:
            # vanilla run_server shuts down cleanly (blocks announced offline) only on KeyboardInterrupt
            procs["vanilla"].stop(signal.SIGINT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serving_overhead")
    parser.add_argument("--rounds", type=int, default=env_int("BENCH_ROUNDS", 3), help="server lifetimes")
    parser.add_argument("--pairs", type=int, default=env_int("BENCH_PAIRS", 6),
                        help="timed generations of each server per round (rounds × pairs ≥ 5)")
    parser.add_argument("--tokens", type=int, default=env_int("BENCH_TOKENS", 16), help="new tokens per generation")
    parser.add_argument("--model", choices=["bloom-560m-shape", "tiny-bloom"], default="bloom-560m-shape")
    parser.add_argument("--blocks", default=None, help="blocks the measured servers serve (default: all)")
    parser.add_argument("--handlers", type=int, default=4, help="connection handlers, both servers")
    parser.add_argument("--json", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    from devnet.models import SHAPES, build_model, read_model_info

    spec_model = SHAPES[args.model]
    model_dir = build_model(spec_model)
    base_prefix = read_model_info(model_dir)["dht_prefix"]
    blocks = args.blocks or f"0:{spec_model.num_layers}"
    work = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    log(f"serving_overhead: {args.model} blocks {blocks}, {args.rounds} rounds × {args.pairs} pairs, work {work}")
    devnet = DevnetProcess(work)
    rounds = []
    try:
        for i in range(args.rounds):
            with manual_gc():
                r = run_round(i, model_dir, base_prefix, blocks, work, devnet, args.handlers, args.tokens, args.pairs)
            rounds.append(r)
            log(f"round {i + 1}/{args.rounds}: vanilla {[round(x, 2) for x in r['rates']['vanilla']]} tok/s, "
                f"ours {[round(x, 2) for x in r['rates']['ours']]} tok/s; metered {r['metered_tokens']}/"
                f"{r['expected_tokens']} tokens, registered {r['registered']}, reports ok {r['reports_ok']}/"
                f"{r['reports']}; idle CPU while the other ran: ours {r['idle_cpu_pct']['ours']:.1f}%, "
                f"vanilla {r['idle_cpu_pct']['vanilla']:.1f}% of a core")
    finally:
        devnet.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    vanilla_all = [x for r in rounds for x in r["rates"]["vanilla"]]
    ours_all = [x for r in rounds for x in r["rates"]["ours"]]
    vanilla, ours = Sample.of(vanilla_all), Sample.of(ours_all)
    # pairs: each generation of ours with the vanilla generation next to it in the ABBA order
    pairs = paired_ratios(ours_all, vanilla_all)
    registered = sum(1 for r in rounds if r["registered"])
    reports_ok = sum(r["reports_ok"] for r in rounds)
    exact = all(r["metered_tokens"] == r["expected_tokens"] for r in rounds)
    idle_ours = Sample.of(r["idle_cpu_pct"]["ours"] for r in rounds)
    idle_van = Sample.of(r["idle_cpu_pct"]["vanilla"] for r in rounds)
    note = (f"agent live: registered in {registered}/{len(rounds)} rounds, {reports_ok} signed reports accepted; "
            f"metered tokens exact: {exact}; idle tree CPU while the other was timed: ours {idle_ours.median:.1f}%, "
            f"vanilla {idle_van.median:.1f}% of a core; ratio of medians {ratio(ours.median, vanilla.median):.3f}")
    errors = sorted({e for r in rounds for e in r["errors"]})
    if errors:
        note += "; node errors: " + " / ".join(errors)[:300]
    label = "bloom-560m shape" if args.model == "bloom-560m-shape" else "tiny BLOOM"
    figure = Figure(
        benchmark="serving_overhead",
        figure=f"decode tokens/s through one server holding blocks {blocks} of the {label}, "
               f"{args.tokens}-token greedy generations",
        unit="tok/s",
        ours=ours.median,
        vanilla=vanilla.median,
        ratio=pairs.median,
        target=0.99,
        target_on="ratio",
        better="higher",
        spread=(f"ours {ours.low:.3g}–{ours.high:.3g}, vanilla {vanilla.low:.3g}–{vanilla.high:.3g} "
                f"(n={ours.n} each, {len(rounds)} server lifetimes); paired ratios {pairs.low:.3f}–{pairs.high:.3f}"),
        note=note,
    )
    cpu_v = Sample.of(x for r in rounds for x in r["cpu_ms_per_token"]["vanilla"])
    cpu_o = Sample.of(x for r in rounds for x in r["cpu_ms_per_token"]["ours"])
    cpu_pairs = paired_ratios([x for r in rounds for x in r["cpu_ms_per_token"]["ours"]],
                              [x for r in rounds for x in r["cpu_ms_per_token"]["vanilla"]])
    cpu_figure = Figure(
        benchmark="serving_overhead",
        figure="CPU time of the serving process tree (main, handlers, DHT, p2pd) per generated token; "
               "less sensitive than wall time to other programs on the machine",
        unit="ms/token",
        ours=cpu_o.median,
        vanilla=cpu_v.median,
        ratio=cpu_pairs.median,
        spread=(f"ours {cpu_o.low:.3g}–{cpu_o.high:.3g}, vanilla {cpu_v.low:.3g}–{cpu_v.high:.3g}; "
                f"paired ratios {cpu_pairs.low:.3f}–{cpu_pairs.high:.3f}"),
        note=f"best-of tokens/s (least disturbed run): ours {ours.high:.3g}, vanilla {vanilla.high:.3g}, "
             f"ratio {ratio(ours.high, vanilla.high):.3f}",
    )
    figures = [figure, cpu_figure]
    print_figures("serving_overhead", figures)
    print(f"ours:    {ours.describe(unit='tok/s')}\nvanilla: {vanilla.describe(unit='tok/s')}\n"
          f"paired ratios ours/vanilla: {pairs.describe(fmt='{:.3f}')}\n{note}", flush=True)
    print(f"server CPU per token: ours {cpu_o.describe(unit='ms')}; vanilla {cpu_v.describe(unit='ms')}; "
          f"paired ratios {cpu_pairs.describe(fmt='{:.3f}')}", flush=True)
    write_figures(args.json, figures, {"rounds": rounds})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
