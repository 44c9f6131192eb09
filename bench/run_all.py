"""Run every benchmark, one after the other, and write one markdown table with the machine's description.

``python -m bench.run_all [--out bench/results.md] [--only app_start gui_stall …]`` (``make bench``).

Each benchmark runs as its own process (so one that fails or hangs cannot take the others with it; each
has a time limit) and hands its rows back as JSON. Repetitions come from each script's defaults or the
environment (BENCH_ROUNDS, BENCH_PAIRS, BENCH_TOKENS, BENCH_MEMORY_RUNS, BENCH_START_RUNS, BENCH_APP_RUNS).
The GUI benchmarks run first: they are the quickest and need no model of 2 GB.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (REPO_ROOT, Figure, describe_machine_markdown, exit_cleanly_on_signals, log,
                          machine_description, markdown_table)

# name → (module, time limit in seconds)
BENCHMARKS = {
    "app_start": ("bench.app_start", 600),
    "gui_stall": ("bench.gui_stall", 900),
    "start_to_serving": ("bench.start_to_serving", 900),
    "node_memory": ("bench.node_memory", 900),
    "serving_overhead": ("bench.serving_overhead", 1200),
}


def run_one(name: str, module: str, limit: float, folder: Path) -> tuple[list[Figure], float, str]:
    out = folder / f"{name}.json"
    log_path = folder / f"{name}.log"
    began = time.monotonic()
    with open(log_path, "w") as logfile:
        proc = subprocess.Popen([sys.executable, "-m", module, "--json", str(out)], cwd=REPO_ROOT,
                                stdout=logfile, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            # SIGTERM first: the benchmark's finally blocks stop what it started (own sessions)
            proc.terminate()
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            code = "timeout"
    elapsed = time.monotonic() - began
    figures = []
    if out.exists():
        figures = [Figure.from_json(f) for f in json.loads(out.read_text())["figures"]]
    problem = "" if code == 0 else f"exit {code}; see {log_path}"
    if not figures:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
        figures = [Figure(name, "not measured", note=f"{problem}: {' / '.join(tail)}"[:400])]
    return figures, elapsed, problem


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all")
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results.md"))
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=list(BENCHMARKS))
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    machine = machine_description()
    folder = Path(tempfile.mkdtemp(prefix="bench-run-all-"))
    began = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    all_figures: list[Figure] = []
    timings = []
    for name in args.only:
        module, limit = BENCHMARKS[name]
        log(f"run_all: {name} (limit {limit} s; log {folder / (name + '.log')})")
        figures, elapsed, problem = run_one(name, module, limit, folder)
        all_figures += figures
        timings.append(f"{name} {elapsed:.0f} s" + (f" ({problem})" if problem else ""))
        print(markdown_table(figures), flush=True)

    missed = [f for f in all_figures if f.met is False]
    text = "\n".join([
        "# Plumise Petals benchmarks",
        "",
        f"Measured {began} by `make bench` (`python -m bench.run_all`); every figure of a row comes from the "
        "same run on the same machine. Ratios are ours / vanilla Petals 2.2.0.post1 (`petals.cli.run_server`, "
        "started through the hivemind re-export shim only).",
        "",
        "## Machine",
        "",
        describe_machine_markdown(machine),
        "",
        "## Results",
        "",
        markdown_table(all_figures),
        "",
        f"Targets met: {sum(1 for f in all_figures if f.met)} of {sum(1 for f in all_figures if f.met is not None)}"
        + (f"; missed: {', '.join(f'{f.benchmark} ({f.figure})' for f in missed)}" if missed else "") + ".",
        "",
        "Durations: " + "; ".join(timings) + ".",
        "",
        "The machine is shared (other programs ran meanwhile): runs alternate between ours and vanilla, figures "
        "are medians, the spread column gives the range over the runs. Each script's docstring says exactly "
        "what it measures.",
        "",
    ])
    Path(args.out).write_text(text)
    print(f"\n{text}", flush=True)
    log(f"run_all: wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
