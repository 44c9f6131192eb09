"""App start: launch to tray/window visible, and the idle memory of the GUI process.

``python -m bench.app_start [--runs 5] [--json out.json]``

1. Launch to visible: ``python -m app.main --measure-startup`` under ``QT_QPA_PLATFORM=offscreen`` (this
   machine has no display; the tray is not available there, so the app shows its window instead). The
   clock starts when this script launches the process — interpreter start-up included — and stops when
   the app's report line arrives, which it prints from the first turn of the Qt event loop after the
   window/tray is shown. The app's own figure (from the first line of app/main.py) and the heavy modules
   it had loaded by then are kept too.
2. Idle memory: the app started normally with ``--no-start`` and a wallet in the (file-backed stand-in)
   keyring, so it loads the wallet off the GUI thread and shows the dashboard; after ``--idle`` seconds,
   RSS, PSS and USS of the GUI process (no node runs: with a node, the node is a separate process).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from bench.common import REPO_ROOT, Figure, exit_cleanly_on_signals, Sample, env_int, log, print_figures, write_figures


def app_env(work: Path, bytecode: bool = True) -> dict:
    """The app's environment: offscreen Qt, its folders under ``work``, the stand-in keyring.

    ``bytecode``: an installed app runs from byte-compiled modules (pip compiles on install, the frozen
    build bundles .pyc); this checkout runs with PYTHONDONTWRITEBYTECODE=1, so without help every start
    compiles app/ and chain/ again. With ``bytecode`` the compiled files go to a cache under ``work``
    (PYTHONPYCACHEPREFIX), written by the unmeasured first start, never into the source tree.
    """
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_DATA_HOME=str(work / "data"),
        XDG_STATE_HOME=str(work / "state"),
        PYTHON_KEYRING_BACKEND="bench.bench_keyring.FileKeyring",
        BENCH_KEYRING_FILE=str(work / "keyring.json"),
        PYTHONUNBUFFERED="1",
    )
    return env


def store_wallet(work: Path) -> str:
    """A throwaway wallet in the stand-in keyring, so the app opens its dashboard (not the wizard)."""
    os.environ["BENCH_KEYRING_FILE"] = str(work / "keyring.json")
    from bench.bench_keyring import FileKeyring
    from chain.wallet import KeyringStore, Wallet

    wallet = Wallet.from_private_key("0x" + os.urandom(32).hex())
    KeyringStore(backend=FileKeyring()).save(wallet)
    return wallet.address


def app_argv(work: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "app.main", "--network", "local", "--settings-file", str(work / "settings.json"),
            "--data-dir", str(work / "data"), "--instance-name", f"bench-{uuid.uuid4().hex[:8]}", *extra]


def launch_to_visible_streamed(work: Path, bytecode: bool = True) -> dict:
    """Seconds from launching the process to the arrival of its report line (not its exit), plus the report."""
    began = time.perf_counter()
    proc = subprocess.Popen(app_argv(work, "--measure-startup"), cwd=REPO_ROOT, env=app_env(work, bytecode),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    arrived = time.perf_counter() - began
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    err = proc.stderr.read()
    if not line.startswith("{"):
        raise RuntimeError(f"the app did not report its start (exit {proc.returncode}):\n{err[-2000:]}")
    return {"launch_to_visible_s": arrived, **json.loads(line)}


def idle_memory(work: Path, idle_s: float) -> dict:
    proc = subprocess.Popen(app_argv(work, "--no-start"), cwd=REPO_ROOT, env=app_env(work),
                            stdout=subprocess.DEVNULL, stderr=open(work / "app-idle.log", "w"))
    try:
        time.sleep(idle_s)
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}: {(work / 'app-idle.log').read_text()[-2000:]}")
        p = psutil.Process(proc.pid)
        info = p.memory_full_info()
        return {"rss_mib": info.rss / 2**20, "pss_mib": info.pss / 2**20, "uss_mib": info.uss / 2**20,
                "children": len(p.children(recursive=True)), "threads": p.num_threads()}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_start")
    parser.add_argument("--runs", type=int, default=env_int("BENCH_APP_RUNS", 5))
    parser.add_argument("--idle", type=float, default=10.0, help="seconds after launch before reading memory")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    work = Path(tempfile.mkdtemp(prefix="bench-app-"))
    store_wallet(work)
    launch_to_visible_streamed(work)  # unmeasured: bytecode cache written, Qt's libraries in the page cache
    starts, uncompiled = [], []
    for i in range(args.runs):
        # alternated with a start as this checkout runs (no bytecode), to show what compiling costs
        for bytecode in ((True, False) if i % 2 == 0 else (False, True)):
            result = launch_to_visible_streamed(work, bytecode)
            (starts if bytecode else uncompiled).append(result)
            log(f"app start {i + 1}/{args.runs} ({'bytecode' if bytecode else 'no bytecode'}): visible after "
                f"{result['launch_to_visible_s']:.3f} s from launch ({result['visible_after_s']:.3f} s from "
                f"app/main.py's first line); heavy modules {result['heavy_modules']}")
    mems = []
    for i in range(max(1, args.runs // 2)):
        mems.append(idle_memory(work, args.idle))
        log(f"idle {i + 1}: RSS {mems[-1]['rss_mib']:.0f} MiB, PSS {mems[-1]['pss_mib']:.0f}, USS {mems[-1]['uss_mib']:.0f}, "
            f"{mems[-1]['threads']} threads, {mems[-1]['children']} children")

    launch = Sample.of(s["launch_to_visible_s"] for s in starts)
    raw = Sample.of(s["launch_to_visible_s"] for s in uncompiled)
    inner = Sample.of(s["visible_after_s"] for s in starts)
    rss = Sample.of(m["rss_mib"] for m in mems)
    pss = Sample.of(m["pss_mib"] for m in mems)
    uss = Sample.of(m["uss_mib"] for m in mems)
    heavy = sorted({m for s in starts for m in s["heavy_modules"]})
    shown = "tray" if any(s["tray"] for s in starts) else "window (no tray under offscreen)"
    figures = [
        Figure("app_start", "GUI launch (process start) to tray/window visible, byte-compiled as installed", "s",
               ours=launch.median,
               target=1.0, better="lower",
               spread=f"{launch.low:.3f}–{launch.high:.3f} (n={launch.n})",
               note=f"shown: {shown}; from app/main.py's first line: {inner.median:.3f} s "
                    f"({inner.low:.3f}–{inner.high:.3f}); heavy modules loaded by then: {heavy or 'none'}"),
        Figure("app_start", "the same from this source checkout (PYTHONDONTWRITEBYTECODE=1: app/ compiled at every start)",
               "s", ours=raw.median, target=1.0, better="lower", spread=f"{raw.low:.3f}–{raw.high:.3f} (n={raw.n})",
               note="alternated with the runs above; the difference is compiling app/ and chain/ sources"),
        Figure("app_start", f"idle RSS of the GUI process ({args.idle:.0f} s after launch, wallet loaded, dashboard)",
               "MB", ours=rss.median * 2**20 / 1e6, target=150, better="lower",
               spread=f"{rss.low * 2**20 / 1e6:.0f}–{rss.high * 2**20 / 1e6:.0f} MB (n={rss.n})",
               note=f"PSS {pss.median:.0f} MiB, USS {uss.median:.0f} MiB; RSS {rss.median:.0f} MiB"),
    ]
    print_figures("app_start", figures)
    write_figures(args.json, figures, {"starts": starts, "uncompiled_starts": uncompiled, "idle": mems})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
