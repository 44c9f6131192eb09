"""What every benchmark shares: the machine's description, robust statistics, result rows and the table.

Each script measures in one run on one machine, prints its figures, and (with ``--json PATH``) writes its
:class:`Figure` rows so that ``bench/run_all.py`` can assemble one markdown table. Nothing here imports
torch, petals or Qt: the description reads package versions from their metadata, so describing the
machine does not itself load what the benchmarks measure.
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Iterable, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------------- the machine
def cpu_model() -> str:
    """The CPU's marketing name (/proc/cpuinfo on Linux, platform.processor() elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_description() -> dict:
    """CPU, cores, RAM, OS, Python and the versions of what is measured; plus the load when asked."""
    import psutil

    try:
        load = os.getloadavg()
    except (AttributeError, OSError):
        load = None
    return {
        "cpu": cpu_model(),
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()} ({platform.platform(terse=True)})",
        "python": platform.python_version(),
        "torch": _version("torch"),
        "petals": _version("petals"),
        "hivemind": _version("hivemind"),
        "transformers": _version("transformers"),
        "pyside6": _version("PySide6-Essentials"),
        "load_avg_1_5_15": [round(x, 2) for x in load] if load else None,
    }


def describe_machine_markdown(desc: dict) -> str:
    load = desc.get("load_avg_1_5_15")
    lines = [
        f"- CPU: {desc['cpu']} ({desc['logical_cores']} logical / {desc['physical_cores']} physical cores)",
        f"- RAM: {desc['ram_gib']} GiB",
        f"- OS: {desc['os']}",
        f"- Python {desc['python']}, torch {desc['torch']}, petals {desc['petals']}, hivemind {desc['hivemind']}, "
        f"transformers {desc['transformers']}, PySide6 {desc['pyside6']}",
    ]
    if load:
        lines.append(f"- load average when the run began (1/5/15 min): {load[0]} / {load[1]} / {load[2]}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- statistics
@dataclasses.dataclass(frozen=True)
class Sample:
    """Repeated measurements of one quantity: the median is the figure, min–max the spread."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Iterable[float]) -> "Sample":
        return cls(tuple(float(v) for v in values))

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        return max(self.values) if self.values else float("nan")

    @property
    def spread_pct(self) -> float:
        """(max − min) / median, in percent: how much the runs disagree."""
        if not self.values or self.median == 0:
            return float("nan")
        return 100.0 * (self.high - self.low) / abs(self.median)

    def describe(self, fmt: str = "{:.3g}", unit: str = "") -> str:
        if not self.values:
            return "no runs"
        unit = f" {unit}" if unit else ""
        return (f"{fmt.format(self.median)}{unit} (median of {self.n}; min {fmt.format(self.low)}, "
                f"max {fmt.format(self.high)}; spread {self.spread_pct:.0f}%)")


def ratio(ours: Optional[float], theirs: Optional[float]) -> Optional[float]:
    if ours is None or theirs is None or theirs == 0:
        return None
    return ours / theirs


def paired_ratios(ours: Sequence[float], theirs: Sequence[float]) -> Sample:
    """Ratio of each run of ours to the run of theirs it alternated with (pairs taken in order).

    On a shared machine the load drifts; a pair ran back to back, so its ratio cancels most of the drift.
    """
    return Sample.of(o / t for o, t in zip(ours, theirs) if t)


# ---------------------------------------------------------------------------------------------- result rows
@dataclasses.dataclass
class Figure:
    """One row of the results table.

    ``better`` says which direction meets the target: ``"higher"`` (ours ≥ target), ``"lower"`` (ours ≤
    target), ``"lower_strict"`` (ours < target); ``target_on`` says whether the target applies to ``ours``
    or to the ``ratio`` column. ``met`` is None when there is no target or nothing was measured.
    """

    benchmark: str
    figure: str
    unit: str = ""
    ours: Optional[float] = None
    vanilla: Optional[float] = None
    ratio: Optional[float] = None
    target: Optional[float] = None
    target_on: str = "ours"  # "ours" | "ratio"
    better: str = "lower"  # "higher" | "lower" | "lower_strict"
    spread: str = ""  # human text: min–max of the runs, n
    note: str = ""

    @property
    def met(self) -> Optional[bool]:
        if self.target is None:
            return None
        value = self.ratio if self.target_on == "ratio" else self.ours
        if value is None:
            return None
        if self.better == "higher":
            return value >= self.target
        if self.better == "lower_strict":
            return value < self.target
        return value <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return "—"
        sign = {"higher": "≥", "lower": "≤", "lower_strict": "<"}[self.better]
        subject = "ratio " if self.target_on == "ratio" else ""
        unit = "" if self.target_on == "ratio" else (f" {self.unit}" if self.unit else "")
        return f"{subject}{sign} {_num(self.target)}{unit}"

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "met": self.met}

    @classmethod
    def from_json(cls, data: dict) -> "Figure":
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in fields})


def _num(value: Optional[float]) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def markdown_table(figures: Sequence[Figure]) -> str:
    """The results table: figure, ours, vanilla, ratio, target, met?, spread, note."""
    head = "| benchmark | figure | ours | vanilla Petals | ratio ours/vanilla | target | met? | spread (runs) | note |"
    rule = "|---|---|---|---|---|---|---|---|---|"
    rows = [head, rule]
    for f in figures:
        unit = f" {f.unit}" if f.unit else ""
        ours = f"{_num(f.ours)}{unit}" if f.ours is not None else "not measured"
        vanilla = f"{_num(f.vanilla)}{unit}" if f.vanilla is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        cells = [f.benchmark, f.figure, ours, vanilla, _num(f.ratio), f.target_text(), met, f.spread, f.note]
        rows.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(rows)


def write_figures(path: Optional[str], figures: Sequence[Figure], extra: Optional[dict] = None) -> None:
    """Write the rows as JSON (for run_all) when ``path`` is given."""
    if not path:
        return
    payload = {"figures": [f.to_json() for f in figures], **(extra or {})}
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(tmp, path)


def print_figures(title: str, figures: Sequence[Figure]) -> None:
    print(f"\n## {title}\n", flush=True)
    print(markdown_table(figures), flush=True)


def env_int(name: str, default: int) -> int:
    """A repetition count from the environment (``BENCH_RUNS`` etc.), so ``make bench`` can be shortened."""
    raw = os.environ.get(name)
    try:
        return max(1, int(raw)) if raw else default
    except ValueError:
        return default


def exit_cleanly_on_signals() -> None:
    """SIGTERM and SIGINT end a benchmark through its ``finally`` blocks, so the servers, nodes and devnet it
    started (each in its own session) are stopped too. SIGINT is re-enabled because a job started in the
    background inherits it ignored."""
    import signal

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def log(message: str) -> None:
    """Progress on stderr, timestamped, so stdout stays the figures."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
