"""Supervision of the node child process from a worker QThread.

The node (``python -m core serve --events jsonl --key-stdin …``) is a child process, never a thread of the GUI
(DESIGN.md: Petals forks, torch crashes, memory must go back on stop). A :class:`NodeSupervisorWorker` lives on
its own QThread and drives a QProcess there, so reading the child's output, waiting for it to stop and the
restart backoff never touch the GUI thread. :class:`NodeSupervisor` is the GUI-side handle: it owns the
thread, forwards requests to the worker through queued signals and re-emits the worker's signals.

The private key goes to the child as the first line of its stdin, never argv, environment or a file; closing
stdin asks the child to stop. The command line is built by :func:`build_node_command`, a pure function that
also covers Windows, where the node runs inside WSL2.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import weakref
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, QThread, QTimer, Signal, Slot

from chain.redact import redact

log = logging.getLogger(__name__)

# Seconds to wait before restarting after the 1st, 2nd, … consecutive crash; the last repeats.
RESTART_BACKOFF_S: tuple[float, ...] = (2.0, 5.0, 15.0, 30.0, 60.0)
MAX_CONSECUTIVE_RESTARTS = 5
# A child that served this long resets the crash counter: the next crash is a fresh one, not a crash loop.
STABLE_AFTER_S = 120.0
# Exit codes that mean "your settings are wrong": restarting would only fail again (argparse uses 2,
# sysexits' EX_CONFIG is 78).
NO_RESTART_EXIT_CODES = frozenset({2, 78})
# Environment variables that could carry a key into the child: stripped, the key only travels on stdin.
SECRET_ENV_VARS = ("PLUMISE_PRIVATE_KEY",)

_WINDOWS_ABS_PATH = re.compile(r"^([A-Za-z]):[\\/](.*)$")
_LOG_LEVEL = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


# ---------------------------------------------------------------------------------------------- command line
@dataclass(frozen=True)
class NodeLaunch:
    """Everything needed to start the node, except the key (which never sits in a long-lived object).

    ``flags`` are the ``serve`` options the settings translate to (``--network devnet``, ``--model …``).
    ``os_name`` is ``sys.platform`` of the machine the app runs on; on ``win32`` the node runs inside WSL2
    (hivemind's p2pd has no native Windows build), in ``wsl_distro`` (None: the default distribution) with
    ``wsl_python`` from ``wsl_workdir``.
    """

    flags: tuple[str, ...] = ()
    python: str = sys.executable
    os_name: str = sys.platform
    wsl_distro: Optional[str] = None
    wsl_python: str = "python3"
    wsl_workdir: Optional[str] = None
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Optional[str] = None
    graceful_stop_s: float = 15.0
    module: str = "core"  # ``python -m <module> serve``; tests point it at a scripted node


def windows_path_to_wsl(value: str) -> str:
    r"""``C:\Users\me\models`` → ``/mnt/c/Users/me/models``; anything that is not a Windows absolute path
    is returned unchanged (flags, URLs, numbers)."""
    match = _WINDOWS_ABS_PATH.match(value)
    if not match:
        return value
    drive, rest = match.groups()
    rest = rest.replace("\\", "/")
    return f"/mnt/{drive.lower()}/{rest}" if rest else f"/mnt/{drive.lower()}"


def build_node_command(launch: NodeLaunch) -> list[str]:
    """The argv of the node child. Pure: depends only on ``launch``; the key is never part of it."""
    serve = ["-m", launch.module, "serve", "--events", "jsonl", "--key-stdin", *launch.flags]
    if launch.os_name != "win32":
        return [launch.python, *serve]
    command = ["wsl.exe"]
    if launch.wsl_distro:
        command += ["-d", launch.wsl_distro]
    if launch.wsl_workdir:
        command += ["--cd", windows_path_to_wsl(launch.wsl_workdir)]
    command += ["--", launch.wsl_python, *(windows_path_to_wsl(part) for part in serve)]
    return command


def backoff_delay_s(consecutive_crashes: int) -> float:
    """Delay before restart number ``consecutive_crashes`` (1-based)."""
    index = max(0, min(consecutive_crashes - 1, len(RESTART_BACKOFF_S) - 1))
    return RESTART_BACKOFF_S[index]


def parse_event_line(line: str) -> Optional[dict]:
    """A node event (a JSON object with an ``event`` key), or None for any other output line."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) and isinstance(obj.get("event"), str) else None


def log_level_of(line: str) -> str:
    """The level name a Python logging line carries, INFO when it has none."""
    match = _LOG_LEVEL.search(line[:80])
    return match.group(1) if match else "INFO"


class _Secret:
    """Holds the key between the GUI and the worker without ever printing it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


# Supervisor threads not yet ended (a clean quit and the tests check that none is left running).
_live_threads: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def running_supervisor_threads() -> list[QThread]:
    return [thread for thread in list(_live_threads) if thread.isRunning()]


# ------------------------------------------------------------------------------------------------ worker
class RunState:
    IDLE = "idle"                # no child, none wanted
    STARTING = "starting"        # child launched, not serving yet
    RUNNING = "running"          # child reported "serving"
    STOPPING = "stopping"        # stop asked, waiting for the child to exit
    RESTART_WAIT = "restart_wait"  # crashed, restart scheduled
    FAILED = "failed"            # crashed and will not be restarted automatically


class NodeSupervisorWorker(QObject):
    """Owns the QProcess; every slot runs on the supervisor thread."""

    event_received = Signal(object)  # a dict; not Signal(dict): PySide6 converts that through QVariantMap and leaks bool references
    log_line = Signal(str, str)                  # level, redacted text
    run_state_changed = Signal(str)              # RunState
    crashed = Signal(str, str, float)            # reason, detail, seconds until restart (-1: no restart)
    stopped = Signal()                           # the child is gone after a stop was asked (or never ran)

    def __init__(self) -> None:
        super().__init__()
        self._process: Optional[QProcess] = None
        self._launch: Optional[NodeLaunch] = None
        self._key: Optional[_Secret] = None
        self._state = RunState.IDLE
        self._stop_requested = False
        self._consecutive_crashes = 0
        self._stdout_buffer = b""
        self._stderr_buffer = b""
        self._last_error: Optional[dict] = None
        self._stderr_tail: list[str] = []
        self._restart_timer: Optional[QTimer] = None
        self._kill_timer: Optional[QTimer] = None
        self._terminate_timer: Optional[QTimer] = None
        self._stable_timer: Optional[QTimer] = None
        self._pending_start = False

    # -- requests (queued from the GUI thread)
    @Slot(object, object)
    def on_start_requested(self, launch: NodeLaunch, key: _Secret) -> None:
        self._ensure_timers()
        self._launch, self._key = launch, key
        if self._state in (RunState.STARTING, RunState.RUNNING):
            return
        if self._state == RunState.STOPPING:
            # Start again once the old child is gone; never two nodes on the same ports.
            self._stop_requested = False
            self._pending_start = True
            return
        self._restart_timer.stop()
        self._consecutive_crashes = 0
        self._launch_child()

    @Slot()
    def on_stop_requested(self) -> None:
        self._ensure_timers()
        self._pending_start = False
        self._restart_timer.stop()
        self._stop_requested = True
        if self._process is None or self._process.state() == QProcess.ProcessState.NotRunning:
            self._key = None
            self._set_state(RunState.IDLE)
            self.stopped.emit()
            return
        if self._state == RunState.STOPPING:
            return
        self._set_state(RunState.STOPPING)
        # Closing stdin is the node's "please stop" (it works through WSL too, where signals do not cross).
        self._process.closeWriteChannel()
        grace_ms = int(self._launch.graceful_stop_s * 1000) if self._launch else 15000
        self._terminate_timer.start(grace_ms // 2)
        self._kill_timer.start(grace_ms)

    @Slot()
    def on_shutdown_requested(self) -> None:
        """The app is going away without a graceful stop (a test's teardown, the quit deadline): kill the
        child now and wait for it, so no node outlives the program. Runs blocking, on this thread."""
        for timer in (self._restart_timer, self._terminate_timer, self._kill_timer, self._stable_timer):
            if timer is not None:
                timer.stop()
        self._pending_start = False
        self._key = None
        process, self._process = self._process, None
        if process is not None:
            process.blockSignals(True)  # nobody is listening for its last words any more
            if process.state() != QProcess.ProcessState.NotRunning:
                self.log_line.emit("WARNING", "The app is closing; the node is stopped at once.")
                process.kill()
                process.waitForFinished(5000)
            process.deleteLater()

    # -- child lifecycle
    def _ensure_timers(self) -> None:
        if self._restart_timer is not None:
            return
        self._restart_timer = self._single_shot_timer(self.on_restart_timer)
        self._terminate_timer = self._single_shot_timer(self.on_terminate_timer)
        self._kill_timer = self._single_shot_timer(self.on_kill_timer)
        self._stable_timer = self._single_shot_timer(self.on_stable)

    def _single_shot_timer(self, slot) -> QTimer:
        # Not QTimer(singleShot=True): PySide6 6.12 drops a reference to the bool passed as a constructor
        # property, which ends in "bool_dealloc" at interpreter exit.
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    def _launch_child(self) -> None:
        assert self._launch is not None and self._key is not None
        command = build_node_command(self._launch)
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        for name, value in self._launch.env.items():
            env.insert(name, value)
        for name in SECRET_ENV_VARS:
            env.remove(name)
        env.insert("PYTHONUNBUFFERED", "1")
        process.setProcessEnvironment(env)
        if self._launch.cwd:
            process.setWorkingDirectory(self._launch.cwd)
        process.readyReadStandardOutput.connect(self.on_stdout)
        process.readyReadStandardError.connect(self.on_stderr)
        process.finished.connect(self.on_finished)
        process.errorOccurred.connect(self.on_process_error)
        process.started.connect(self.on_process_started)
        self._process = process
        self._stop_requested = False
        self._stdout_buffer = self._stderr_buffer = b""
        self._last_error = None
        self._stderr_tail = []
        self._set_state(RunState.STARTING)
        self.log_line.emit("INFO", "Starting the node: " + redact(" ".join(command)))
        process.start(command[0], command[1:])

    @Slot()
    def on_process_started(self) -> None:
        if self._process is None or self._key is None:
            return
        self._process.write((self._key.reveal() + "\n").encode())

    @Slot()
    def on_stdout(self) -> None:
        if self._process is None:
            return
        self._stdout_buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._stdout_buffer = self._stdout_buffer.split(b"\n")
        for raw in lines:
            self._handle_stdout_line(raw.decode("utf-8", "replace"))

    def _handle_stdout_line(self, line: str) -> None:
        event = parse_event_line(line)
        if event is None:
            if line.strip():
                self.log_line.emit(log_level_of(line), redact(line.rstrip()))
            return
        kind = event.get("event")
        if kind == "error":
            self._last_error = event
            self.log_line.emit("ERROR", redact(f"{event.get('reason', '')} {event.get('detail') or ''}".strip()))
        elif kind == "state":
            self._on_child_state(str(event.get("state")))
        self.event_received.emit(event)

    def _on_child_state(self, state: str) -> None:
        if state == "serving" and self._state == RunState.STARTING:
            self._set_state(RunState.RUNNING)
            self._stable_timer.start(int(STABLE_AFTER_S * 1000))

    @Slot()
    def on_stderr(self) -> None:
        if self._process is None:
            return
        self._stderr_buffer += bytes(self._process.readAllStandardError())
        *lines, self._stderr_buffer = self._stderr_buffer.split(b"\n")
        for raw in lines:
            text = redact(raw.decode("utf-8", "replace").rstrip())
            if text:
                self._stderr_tail = (self._stderr_tail + [text])[-20:]
                self.log_line.emit(log_level_of(text), text)

    @Slot()
    def on_stable(self) -> None:
        self._consecutive_crashes = 0

    @Slot(QProcess.ProcessError)
    def on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            # finished() is not emitted for a process that never started.
            program = self._process.program() if self._process else "?"
            self._on_child_gone(
                exit_code=None,
                reason_override=self.tr("The node program could not be started."),
                detail_override=f"{program}: {self._process.errorString() if self._process else ''}",
            )

    @Slot(int, QProcess.ExitStatus)
    def on_finished(self, exit_code: int, exit_status: QProcess.ExitStatus) -> None:
        # Flush what is left in the pipes first: the last event often says why it exited.
        self.on_stdout()
        self.on_stderr()
        for rest in (self._stdout_buffer, self._stderr_buffer):
            if rest.strip():
                self._handle_stdout_line(rest.decode("utf-8", "replace"))
        self._stdout_buffer = self._stderr_buffer = b""
        crashed_by_signal = exit_status == QProcess.ExitStatus.CrashExit
        self._on_child_gone(exit_code=None if crashed_by_signal else exit_code)

    def _on_child_gone(
        self, exit_code: Optional[int], reason_override: Optional[str] = None, detail_override: Optional[str] = None
    ) -> None:
        self._terminate_timer.stop()
        self._kill_timer.stop()
        self._stable_timer.stop()
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
        if self._stop_requested:
            self._stop_requested = False
            self.log_line.emit("INFO", "The node stopped.")
            if self._pending_start:
                self._pending_start = False
                self._launch_child()
                return
            self._key = None
            self._set_state(RunState.IDLE)
            self.stopped.emit()
            return
        # Not asked to stop: a crash (or the node gave up on its own).
        reason, detail = self._crash_reason(exit_code)
        reason = reason_override or reason
        detail = detail_override or detail
        self._consecutive_crashes += 1
        give_up = (
            reason_override is not None
            or exit_code in NO_RESTART_EXIT_CODES
            or self._consecutive_crashes > MAX_CONSECUTIVE_RESTARTS
        )
        if give_up:
            # The reason first, then the state: whoever sees the new state already knows why.
            self._key = None
            self.log_line.emit("ERROR", redact(f"{reason} {detail}"))
            self.crashed.emit(reason, redact(detail), -1.0)
            self._set_state(RunState.FAILED)
            return
        delay = backoff_delay_s(self._consecutive_crashes)
        self.log_line.emit("WARNING", redact(f"{reason} Restarting in {delay:g} s. {detail}"))
        self.crashed.emit(reason, redact(detail), delay)
        self._set_state(RunState.RESTART_WAIT)
        self._restart_timer.start(int(delay * 1000))

    def _crash_reason(self, exit_code: Optional[int]) -> tuple[str, str]:
        code_text = f"exit code {exit_code}" if exit_code is not None else "killed by a signal"
        if self._last_error is not None:
            reason = str(self._last_error.get("reason") or "")
            detail = str(self._last_error.get("detail") or "")
            return reason or self.tr("The node stopped unexpectedly."), f"{detail} ({code_text})".strip()
        tail = " | ".join(self._stderr_tail[-3:])
        return self.tr("The node stopped unexpectedly."), f"{code_text}. {tail}".strip()

    @Slot()
    def on_restart_timer(self) -> None:
        if self._state == RunState.RESTART_WAIT and self._launch is not None and self._key is not None:
            self._launch_child()

    @Slot()
    def on_terminate_timer(self) -> None:
        if self._process is not None:
            self.log_line.emit("WARNING", "The node did not stop when asked; sending it a terminate signal.")
            self._process.terminate()

    @Slot()
    def on_kill_timer(self) -> None:
        if self._process is not None:
            self.log_line.emit("WARNING", "The node did not stop in time; killing it.")
            self._process.kill()

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.run_state_changed.emit(state)


# -------------------------------------------------------------------------------------------- GUI handle
class NodeSupervisor(QObject):
    """GUI-thread handle: ``start(launch, key)``, ``stop()``; signals arrive on the GUI thread."""

    event_received = Signal(object)  # a dict; not Signal(dict): PySide6 converts that through QVariantMap and leaks bool references
    log_line = Signal(str, str)
    run_state_changed = Signal(str)
    crashed = Signal(str, str, float)
    stopped = Signal()

    _start_requested = Signal(object, object)
    _stop_requested = Signal()
    _shutdown_requested = Signal()

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.run_state = RunState.IDLE
        self._thread = QThread()
        self._thread.setObjectName("node-supervisor")
        self._worker = NodeSupervisorWorker()
        self._worker.moveToThread(self._thread)
        self._start_requested.connect(self._worker.on_start_requested)
        self._stop_requested.connect(self._worker.on_stop_requested)
        # Blocking: shutdown() returns only once the child is gone.
        self._shutdown_requested.connect(self._worker.on_shutdown_requested,
                                         Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.event_received.connect(self.event_received)
        self._worker.log_line.connect(self.log_line)
        self._worker.run_state_changed.connect(self.on_worker_run_state)
        self._worker.crashed.connect(self.crashed)
        self._worker.stopped.connect(self.stopped)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()
        _live_threads.add(self._thread)

    @Slot(str)
    def on_worker_run_state(self, state: str) -> None:
        self.run_state = state
        self.run_state_changed.emit(state)

    def is_active(self) -> bool:
        """True while a child runs or is about to (starting, running, waiting to restart, stopping)."""
        return self.run_state not in (RunState.IDLE, RunState.FAILED)

    def start(self, launch: NodeLaunch, key: str) -> None:
        self._start_requested.emit(launch, _Secret(key))

    def stop(self) -> None:
        self._stop_requested.emit()

    def shutdown_thread(self) -> None:
        """End the worker thread; call after :attr:`stopped` (the child is gone). Quick: the loop is idle.

        A child still running then (no graceful stop was asked, or it did not finish in time) is killed
        first: a thread that ends must not leave a node behind."""
        if self._thread.isRunning():
            self._shutdown_requested.emit()
            self._thread.quit()
            self._thread.wait(10_000)
        self.run_state = RunState.IDLE
