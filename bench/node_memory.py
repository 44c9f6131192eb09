"""Node memory: PSS and USS of the whole serving process tree, our node vs vanilla Petals, Lite tier.

``python -m bench.node_memory [--runs 3] [--blocks 0:2] [--json out.json]``

The measured server serves 2 blocks of the bloom-560m-shaped model (the Lite tier's share); an unmeasured
vanilla server holds the other 22 so that a real client can generate through both. After a warm-up of
real inference (a greedy generation through the measured blocks) and a settle time in which our node's
agent registers and sends its first signed report, every process of the measured tree is read with
psutil ``memory_full_info``: the serving process, its forked connection handlers, the DHT process and
p2pd. PSS and USS are summed (both are additive; RSS is not, because the handlers are forked
copy-on-write); p2pd is also shown on its own. Runs alternate (vanilla, ours, ours, vanilla, …), each a
fresh server process and a fresh client.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
import time
from pathlib import Path

from bench.common import Figure, exit_cleanly_on_signals, Sample, env_int, log, print_figures, ratio, write_figures
from bench.harness import (DevnetProcess, ServeSpec, collect_garbage, manual_gc, open_client, prompt_ids,
                           start_node, start_vanilla, tree_memory, wait_serving)


def measure(impl: str, spec: ServeSpec, work: Path, devnet: DevnetProcess, run: int, tokens: int,
            settle_s: float) -> dict:
    name = f"mem-r{run}-{impl}"
    if impl == "vanilla":
        proc = start_vanilla(spec, work / "logs" / f"{name}.log")
    else:
        script = "bench/node_gc_freeze.py" if impl == "ours+freeze" else None
        proc, _ = start_node(spec, work / name, work / "logs" / f"{name}.log", devnet, script=script)
    client = None
    try:
        wait_serving(proc)
        client = open_client(spec.model_dir, spec.initial_peers, spec.dht_prefix)
        with manual_gc():
            out = client.generate_ids(prompt_ids(), tokens)
            collect_garbage()
        assert out.shape[1] == 10 + tokens
        time.sleep(settle_s)
        mem = tree_memory(proc.tree())
        result = {
            "impl": impl,
            "pss_mib": mem.pss_mib,
            "uss_mib": mem.uss_mib,
            "rss_sum_mib": mem.rss_sum_mib,
            "p2pd_pss_mib": mem.p2pd_pss_mib,
            "p2pd_uss_mib": mem.p2pd_uss_mib,
            "processes": mem.processes,
        }
        if impl != "vanilla":
            result["reports_ok"] = proc.count("report", ok=True)
            metrics = [e for e in proc.seen if e.get("event") == "metrics"]
            result["metered_tokens"] = metrics[-1]["tokens"] if metrics else None
        return result
    finally:
        if client is not None:
            client.close()
        proc.stop(signal.SIGINT if impl == "vanilla" else signal.SIGTERM)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.node_memory")
    parser.add_argument("--runs", type=int, default=env_int("BENCH_MEMORY_RUNS", 3), help="runs of each server")
    parser.add_argument("--blocks", default="0:2", help="the measured server's blocks (Lite tier: 2)")
    parser.add_argument("--tokens", type=int, default=8, help="warm-up generation length")
    parser.add_argument("--settle", type=float, default=12.0,
                        help="seconds between warm-up and reading (ours sends its first report in it)")
    parser.add_argument("--handlers", type=int, default=4)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="also measure the prototype of gc.freeze() before Petals forks (bench/node_gc_freeze.py)")
    parser.add_argument("--json", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    from devnet.models import BLOOM_560M_SHAPE, build_model, read_model_info

    model_dir = build_model(BLOOM_560M_SHAPE)
    prefix = read_model_info(model_dir)["dht_prefix"] + "-mem"
    start, end = (int(x) for x in args.blocks.split(":"))
    rest = f"{end}:{BLOOM_560M_SHAPE.num_layers}" if start == 0 else f"0:{start}"
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    log(f"node_memory: measured blocks {args.blocks}, helper {rest}, {args.runs} runs each, work {work}")
    devnet = DevnetProcess(work)
    peers = devnet.info.bootstrap_maddrs
    helper = None
    results: dict[str, list[dict]] = {"vanilla": [], "ours": [], "ours+freeze": []}
    try:
        helper = start_vanilla(ServeSpec(model_dir, prefix, rest, peers, num_handlers=args.handlers),
                               work / "logs" / "helper.log")
        wait_serving(helper)
        spec = ServeSpec(model_dir, prefix, args.blocks, peers, num_handlers=args.handlers)
        for i in range(args.runs):
            order = ["vanilla", "ours"] + (["ours+freeze"] if args.gc_freeze else [])
            for impl in (order if i % 2 == 0 else order[::-1]):
                r = measure(impl, spec, work, devnet, i, args.tokens, args.settle)
                results[impl].append(r)
                log(f"run {i + 1}/{args.runs} {impl:7s}: PSS {r['pss_mib']:.0f} MiB, USS {r['uss_mib']:.0f} MiB "
                    f"(p2pd {r['p2pd_pss_mib']:.0f}/{r['p2pd_uss_mib']:.0f}), {len(r['processes'])} processes"
                    + (f", reports ok {r['reports_ok']}" if impl != "vanilla" else ""))
    finally:
        if helper is not None:
            helper.stop(signal.SIGINT)
        devnet.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    def sample(impl: str, key: str) -> Sample:
        return Sample.of(r[key] for r in results[impl])

    figures = []
    for key, label in (("pss_mib", "PSS"), ("uss_mib", "USS")):
        o, v = sample("ours", key), sample("vanilla", key)
        p2pd_key = "p2pd_" + key
        po, pv = sample("ours", p2pd_key), sample("vanilla", p2pd_key)
        per_proc = ", ".join(f"{p['name']} {p[key.split('_')[0]]:.0f}" for p in results["ours"][-1]["processes"])
        figures.append(Figure(
            benchmark="node_memory",
            figure=f"{label} of the serving process tree (main + handlers + DHT + p2pd), blocks {args.blocks} of the "
                   f"bloom-560m shape, after real inference",
            unit="MiB",
            ours=o.median,
            vanilla=v.median,
            ratio=ratio(o.median, v.median),
            target=1.1,
            target_on="ratio",
            better="lower",
            spread=f"ours {o.low:.0f}–{o.high:.0f}, vanilla {v.low:.0f}–{v.high:.0f} (n={o.n} each)",
            note=f"p2pd alone: ours {po.median:.0f}, vanilla {pv.median:.0f} MiB; ours per process: {per_proc}",
        ))
    if results["ours+freeze"]:
        for key, label in (("pss_mib", "PSS"), ("uss_mib", "USS")):
            o, v = sample("ours+freeze", key), sample("vanilla", key)
            figures.append(Figure(
                benchmark="node_memory",
                figure=f"{label} as above, prototype of the proposed fix: gc.freeze() before Petals forks "
                       "(bench/node_gc_freeze.py)",
                unit="MiB", ours=o.median, vanilla=v.median, ratio=ratio(o.median, v.median), target=1.1,
                target_on="ratio", better="lower",
                spread=f"ours {o.low:.0f}–{o.high:.0f}, vanilla {v.low:.0f}–{v.high:.0f} (n={o.n} each)",
                note="not the product: the node with two lines added around its fork points, to size the fix",
            ))
    reports = sum(r.get("reports_ok", 0) for r in results["ours"])
    figures[0].note += f"; agent reports accepted before the reading: {reports} over {len(results['ours'])} runs"
    print_figures("node_memory", figures)
    write_figures(args.json, figures, {"runs": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
