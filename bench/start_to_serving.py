"""Start to serving: seconds from the command to the "serving" state, our node vs vanilla Petals.

``python -m bench.start_to_serving [--runs 4] [--json out.json]``

For the tiny BLOOM (all 8 blocks) and for the Lite tier (2 blocks of the bloom-560m-shaped model), from a
warm cache (one unmeasured start of each program first, so the weights and Python's bytecode are in the
page cache). The clock starts when this script launches the process and stops when the process's
"serving" line arrives here: our node's ``state: serving`` event, or the vanilla wrapper's line printed
when ``module_container.ready`` is set (the same test the node applies). Our node runs as the app starts
it on the devnet (key on stdin, agent on), though its agent starts only once it serves. Runs alternate.
The node's own state events split its time into phases (process start and imports → "starting",
→ "connecting", → "loading", → "serving").
"""
from __future__ import annotations

import argparse
import shutil
import signal
import tempfile
from pathlib import Path

from bench.common import Figure, exit_cleanly_on_signals, Sample, env_int, log, print_figures, ratio, write_figures
from bench.harness import DevnetProcess, ServeSpec, start_node, start_vanilla, wait_serving

CASES = {
    "tiny": ("tiny-bloom", None, "tiny BLOOM, 8 blocks"),
    "lite": ("bloom-560m-shape", "0:2", "Lite tier: 2 blocks of the bloom-560m shape"),
}


def one_start(impl: str, spec: ServeSpec, work: Path, devnet: DevnetProcess, name: str) -> dict:
    if impl == "vanilla":
        proc = start_vanilla(spec, work / "logs" / f"{name}.log")
    else:
        proc, _ = start_node(spec, work / name, work / "logs" / f"{name}.log", devnet)
    try:
        seconds = wait_serving(proc, timeout=300)
        phases = {}
        if impl == "ours":
            for event in proc.seen:
                if event.get("event") == "state" and event["state"] not in phases:
                    phases[event["state"]] = round(event["_received"] - proc.started_at, 2)
        return {"seconds": seconds, "phases": phases}
    finally:
        proc.stop(signal.SIGINT if impl == "vanilla" else signal.SIGTERM)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.start_to_serving")
    parser.add_argument("--runs", type=int, default=env_int("BENCH_START_RUNS", 4), help="measured starts of each")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=["tiny", "lite"])
    parser.add_argument("--handlers", type=int, default=4)
    parser.add_argument("--json", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    from devnet.models import SHAPES, build_model, read_model_info

    work = Path(tempfile.mkdtemp(prefix="bench-start-"))
    devnet = DevnetProcess(work)
    figures = []
    try:
        for case in args.cases:
            shape, blocks, label = CASES[case]
            model_dir = build_model(SHAPES[shape])
            blocks = blocks or f"0:{SHAPES[shape].num_layers}"
            spec = ServeSpec(model_dir, read_model_info(model_dir)["dht_prefix"] + "-start", blocks,
                             devnet.info.bootstrap_maddrs, num_handlers=args.handlers)
            log(f"start_to_serving: {label}, warm-up starts")
            for impl in ("vanilla", "ours"):
                one_start(impl, spec, work, devnet, f"{case}-warm-{impl}")
            results: dict[str, list[dict]] = {"vanilla": [], "ours": []}
            for i in range(args.runs):
                for impl in (("vanilla", "ours") if i % 2 == 0 else ("ours", "vanilla")):
                    r = one_start(impl, spec, work, devnet, f"{case}-{i}-{impl}")
                    results[impl].append(r)
                    log(f"{case} run {i + 1}/{args.runs} {impl:7s}: serving after {r['seconds']:.2f} s"
                        + (f" (phases {r['phases']})" if r["phases"] else ""))
            o = Sample.of(r["seconds"] for r in results["ours"])
            v = Sample.of(r["seconds"] for r in results["vanilla"])
            median_phases = {}
            for state in ("starting", "connecting", "loading", "serving"):
                values = [r["phases"][state] for r in results["ours"] if state in r["phases"]]
                if values:
                    median_phases[state] = round(Sample.of(values).median, 2)
            figures.append(Figure(
                benchmark="start_to_serving",
                figure=f"command to serving, {label}, warm cache",
                unit="s",
                ours=o.median,
                vanilla=v.median,
                ratio=ratio(o.median, v.median),
                spread=f"ours {o.low:.2f}–{o.high:.2f}, vanilla {v.low:.2f}–{v.high:.2f} (n={o.n} each)",
                note="ours reached (median s since launch): " + ", ".join(f"{k} {s}" for k, s in median_phases.items()),
            ))
    finally:
        devnet.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_figures("start_to_serving", figures)
    write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
