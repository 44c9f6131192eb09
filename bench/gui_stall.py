"""GUI stall: the longest event-loop stall of the desktop app while it starts a node, claims and stops.

``python -m bench.gui_stall [--json out.json]``

The app's real composition (app.controller.AppController, as app/main.py builds it) runs in this process
under ``QT_QPA_PLATFORM=offscreen`` with the ``devnet`` preset: pressing start makes the app launch the
embedded devnet (``python -m devnet.network``: chain, oracle, a block server and a load client of the tiny
BLOOM), fund the wallet from the faucet and start a real node (``python -m core serve``, blocks 4:8,
key on stdin), which serves the load client's inference and reports to the oracle. Once the chain shows
a pending reward, the claim is made through the app's claim dialog (confirm button clicked) and lands on
the chain; then the node is stopped from the dashboard, and the app quits (stopping the devnet).

A probe QTimer (PreciseTimer, every 5 ms) on the GUI thread records how late each tick is; the worst
lateness in each phase is that phase's longest stall. The wallet comes from a loader function handed to
the controller (this machine has no OS keyring), and auto-claim is off in the settings file so that the
claim is the app's manual one. This process never imports torch or petals, like the app.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

from bench.common import REPO_ROOT as REPO, Figure, exit_cleanly_on_signals, Sample, log, print_figures, write_figures


class StallProbe:
    """A 5 ms timer on the GUI thread; per phase: ticks, the longest lateness, and ticks later than 50 ms."""

    def __init__(self, interval_ms: int = 5) -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.interval_s = interval_ms / 1000.0
        self.clock = QElapsedTimer()
        self.clock.start()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.phase = "idle"
        self.stats: dict[str, dict] = {}
        self._last: Optional[float] = None
        self._last_cpu = (0.0, 0.0)
        self.stalls: list[dict] = []  # ticks ≥ 20 ms late, with where the CPU time went
        self.stall_stacks: list[tuple[str, int, str]] = []  # (phase, overdue ms, GUI thread's stack)
        self._last_tick_mono = time.monotonic()

    def start(self) -> None:
        self._last = self.clock.nsecsElapsed() / 1e9
        self._last_cpu = (time.thread_time(), time.process_time())
        self._last_tick_mono = time.monotonic()
        self.timer.start()
        import threading

        self._gui_thread = threading.get_ident()
        threading.Thread(target=self._watch, name="stall-watchdog", daemon=True).start()

    def _watch(self) -> None:
        """Whenever a tick is 30 ms overdue, sample the GUI thread's Python stack: what it is stuck in.

        This thread needs the interpreter lock to look; when the GUI thread holds it in C code the sample
        comes when it lets go, so a stack here names the Python code around the stall, not always its C core.
        """
        import sys
        import traceback

        while self.timer.isActive() or self._last is None:
            time.sleep(0.005)
            overdue = time.monotonic() - self._last_tick_mono
            if overdue > 0.030:
                frame = sys._current_frames().get(self._gui_thread)
                if frame is not None:
                    frames = traceback.extract_stack(frame)
                    # the innermost frames, and the innermost of our own code (app/, chain/, core/) under them
                    ours = [fs for fs in frames[:-3] if any(f"/{d}/" in fs.filename for d in ("app", "chain", "core"))
                            and str(REPO) in fs.filename]
                    picked = frames[-3:] + ours[-2:][::-1] if ours else frames[-6:]
                    stack = [f"{fs.filename.split('site-packages/')[-1].replace(str(REPO), '')}:{fs.lineno} {fs.name}"
                             for fs in picked]
                    self.stall_stacks.append((self.phase, round(overdue * 1000), " <- ".join(stack[:3][::-1] + stack[3:])))

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.stats.setdefault(phase, {"ticks": 0, "max_ms": 0.0, "over_50ms": 0, "lates": [],
                                      "began": time.monotonic(), "ended": None})
        for name, s in self.stats.items():
            if name != phase and s["ended"] is None:
                s["ended"] = time.monotonic()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e9
        late_ms = max(0.0, (now - self._last - self.interval_s) * 1000.0)
        cpu = (time.thread_time(), time.process_time())
        if late_ms >= 20.0:
            # Who had the CPU meanwhile: this (GUI) thread's own work, other threads of this process (which
            # then held the interpreter lock for much of it), or neither (the OS ran other programs).
            self.stalls.append({"phase": self.phase, "late_ms": round(late_ms, 1),
                                "gui_thread_cpu_ms": round(1000 * (cpu[0] - self._last_cpu[0]), 1),
                                "process_cpu_ms": round(1000 * (cpu[1] - self._last_cpu[1]), 1)})
        self._last, self._last_cpu = now, cpu
        self._last_tick_mono = time.monotonic()
        s = self.stats.setdefault(self.phase, {"ticks": 0, "max_ms": 0.0, "over_50ms": 0, "lates": [],
                                               "began": time.monotonic(), "ended": None})
        s["ticks"] += 1
        s["max_ms"] = max(s["max_ms"], late_ms)
        s["over_50ms"] += late_ms >= 50.0
        s["lates"].append(late_ms)


def wait_until(app, predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the Qt event loop until ``predicate()`` (polled every 50 ms) holds; the probe keeps ticking."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    poll = QTimer()
    poll.setInterval(50)

    def check() -> None:
        if predicate() or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    if not predicate():
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gui_stall")
    parser.add_argument("--json", default=None)
    parser.add_argument("--claim-timeout", type=float, default=240.0, help="seconds to wait for a pending reward")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    # The node and the devnet the app starts inherit these: nothing lands in the user's folders.
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state")):
        os.environ[var] = str(work / sub)

    from PySide6.QtWidgets import QApplication

    from app.controller import AppController
    from chain.wallet import Wallet
    from core.settings import load_settings, save_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    settings_path = work / "settings.json"
    settings = dataclasses.replace(load_settings(settings_path=settings_path, flags={"network": "devnet"}).settings,
                                   network="devnet", auto_claim=False)
    save_settings(settings, settings_path)
    settings = load_settings(settings_path=settings_path).settings
    wallet = Wallet.from_private_key("0x" + os.urandom(32).hex())
    data_dir = work / "app-data"
    controller = AppController(settings, data_dir, tray_available=False, settings_path=settings_path,
                               wallet_loader=lambda: wallet, keystore_dir=None)
    controller.show_initial()
    quit_done = []
    controller.quit_finished.connect(lambda: quit_done.append(True))
    probe = StallProbe()
    probe.start()
    status = controller.status
    claim_result: dict = {}
    failure: Optional[str] = None
    try:
        probe.set_phase("start: devnet, node, until serving")
        t0 = time.monotonic()
        controller.begin(start_node=True)
        wait_until(app, lambda: status.state == "serving", 300, "the node to serve")
        start_s = time.monotonic() - t0
        log(f"gui_stall: node serving {start_s:.1f} s after start was pressed")

        probe.set_phase("serving: until a reward is pending")
        wait_until(app, lambda: controller.dashboard.claim_possible(), args.claim_timeout, "a pending reward")
        log(f"gui_stall: pending {status.pending_wei} wei; claiming through the dialog")

        probe.set_phase("claim: dialog, transaction, receipt")
        controller.on_claim_requested()
        dialog = controller.claim_dialog
        dialog.claim_succeeded.connect(lambda outcome: claim_result.update(ok=True, outcome=outcome))
        dialog.claim_failed.connect(lambda reason, detail: claim_result.update(ok=False, reason=reason, detail=detail))
        dialog.claim_button.click()
        wait_until(app, lambda: bool(claim_result), 120, "the claim to land")
        log(f"gui_stall: claim {claim_result}")
        if controller.claim_dialog is not None:
            controller.claim_dialog.accept()

        probe.set_phase("stop: node stopped from the dashboard")
        stopped = []
        controller.supervisor.stopped.connect(lambda: stopped.append(True))
        controller.on_stop_requested()
        wait_until(app, lambda: bool(stopped) and status.state == "stopped", 60, "the node to stop")

        probe.set_phase("quit: devnet stopped, app quits")
        controller.request_quit()
        wait_until(app, lambda: bool(quit_done), 90, "the app to quit")
        probe.set_phase("done")
    except Exception as exc:  # noqa: BLE001 - the phases measured so far are still reported
        failure = f"{type(exc).__name__}: {exc}"
        log(f"gui_stall: {failure}")
        if not quit_done:
            controller.request_quit()
            try:
                wait_until(app, lambda: bool(quit_done), 90, "the app to quit")
            except TimeoutError:
                pass
    finally:
        probe.timer.stop()
        from devnet.network import stop_running

        stop_running(data_dir / "devnet", timeout=30)  # anything the app left, by its records
        shutil.rmtree(work, ignore_errors=True)

    figures = []
    for phase, s in probe.stats.items():
        if phase in ("idle", "done") or not s["ticks"]:
            continue
        lates = Sample.of(s["lates"])
        duration = (s["ended"] or time.monotonic()) - s["began"]
        note = f"{s['ticks']} ticks over {duration:.1f} s; {s['over_50ms']} ticks ≥ 50 ms late"
        worst = sorted((x for x in probe.stalls if x["phase"] == phase), key=lambda x: -x["late_ms"])[:3]
        if worst:
            note += "; worst (late / GUI-thread CPU / whole-process CPU, ms): " + ", ".join(
                f"{x['late_ms']:.0f}/{x['gui_thread_cpu_ms']:.0f}/{x['process_cpu_ms']:.0f}" for x in worst)
        if phase.startswith("claim") and claim_result:
            note += f"; claim ok: {claim_result.get('ok')}"
        figures.append(Figure(
            benchmark="gui_stall",
            figure=f"longest event-loop stall, {phase}",
            unit="ms",
            ours=s["max_ms"],
            target=50.0,
            better="lower_strict",
            spread=f"median lateness {lates.median:.2f} ms, p99 {sorted(s['lates'])[int(0.99 * (len(s['lates']) - 1))]:.1f} ms",
            note=note,
        ))
    if probe.stalls:
        own = max(probe.stalls, key=lambda x: min(x["late_ms"], x["process_cpu_ms"]))
        figures.append(Figure(
            benchmark="gui_stall",
            figure="longest part of any stall that this process's own threads account for (CPU they used during it)",
            unit="ms",
            ours=min(own["late_ms"], own["process_cpu_ms"]),
            target=50.0,
            better="lower_strict",
            spread=f"{len(probe.stalls)} ticks ≥ 20 ms late in all phases",
            note=f"in phase '{own['phase']}': stall {own['late_ms']:.0f} ms, GUI thread CPU {own['gui_thread_cpu_ms']:.0f} ms; "
                 "the rest of a stall is time the OS gave to other programs on this shared machine",
        ))
    if failure:
        figures.append(Figure("gui_stall", "run incomplete", note=failure))
    print_figures("gui_stall", figures)
    if probe.stall_stacks:
        import collections

        # per stall episode keep the sample taken when it was most overdue
        worst: dict = collections.OrderedDict()
        for phase, overdue, stack in probe.stall_stacks:
            key = (phase, stack)
            worst[key] = max(worst.get(key, 0), overdue)
        print("\nGUI thread's stack while a tick was >30 ms overdue (phase, overdue ms, innermost first):")
        for (phase, stack), overdue in sorted(worst.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  [{phase}] {overdue} ms: {stack}")
    write_figures(args.json, figures, {"stalls": probe.stalls, "stall_stacks": probe.stall_stacks})
    return 1 if failure else 0


if __name__ == "__main__":
    raise SystemExit(main())
