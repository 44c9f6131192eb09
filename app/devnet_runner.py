"""The embedded devnet for the ``devnet`` network preset: the whole Plumise network on this computer.

It runs as its own process (``python -m devnet.network``, the supervisor ``plumise-petals devnet up``
uses), not inside the GUI: building the tiny model and the block servers needs torch, which the GUI
process must never import. A QProcess reads its ready line (JSON with endpoints, accounts, the swarm's
bootstrap addresses and the model folder) without blocking the GUI thread. The devnet serves the first
blocks of the tiny model and sends real inference through the swarm; the app's own node serves the rest,
so every generation passes through it and the tokens it counts are real.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal, Slot

from app.background import run_in_background
from chain.redact import redact
from devnet.preset import devnet_args

log = logging.getLogger(__name__)

STOP_GRACE_MS = 45_000  # its own stop waits on anvil, the oracle and the swarm's servers in turn


def devnet_command(state_dir: Path, python: str = sys.executable, num_layers: Optional[int] = None) -> list[str]:
    """The devnet supervisor's command line (pure when ``num_layers`` is given)."""
    return [python, "-m", "devnet.network", *devnet_args(state_dir, num_layers)]


def _stop_leftovers(state_dir: Path) -> None:
    from devnet.network import stop_running

    stop_running(state_dir, timeout=15)


class DevnetRunner(QObject):
    ready = Signal(object)      # the devnet's info dict
    failed = Signal(str)        # a sentence for the person
    stopped = Signal()
    log_line = Signal(str, str)

    def __init__(self, state_dir: Path, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.state_dir = Path(state_dir)
        self.info: Optional[dict] = None
        self.process: Optional[QProcess] = None
        self._buffer = b""
        self._stopping = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self.on_kill_timer)

    def is_running(self) -> bool:
        return self.process is not None

    def start(self) -> None:
        if self.process is not None:
            return
        self.state_dir.mkdir(parents=True, exist_ok=True)
        command = devnet_command(self.state_dir)
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        process.setProcessEnvironment(env)
        process.readyReadStandardOutput.connect(self.on_stdout)
        process.readyReadStandardError.connect(self.on_stderr)
        process.finished.connect(self.on_finished)
        process.errorOccurred.connect(self.on_error)
        self.process = process
        self._stopping = False
        self.info = None
        self.log_line.emit("INFO", "Starting the local devnet: " + " ".join(command))
        process.start(command[0], command[1:])

    def stop(self) -> None:
        if self.process is None:
            self.stopped.emit()
            return
        self._stopping = True
        self.process.terminate()  # the supervisor stops anvil, the oracle and the swarm on SIGTERM
        self._kill_timer.start(STOP_GRACE_MS)

    def shutdown(self) -> None:
        """Synchronous end (quit deadline passed, a test's teardown): kill the supervisor if it still runs and
        stop whatever it recorded, then stay silent."""
        self._kill_timer.stop()
        process, self.process = self.process, None
        if process is not None:
            process.blockSignals(True)
            if process.state() != QProcess.ProcessState.NotRunning:
                process.terminate()
                if not process.waitForFinished(STOP_GRACE_MS):
                    process.kill()
                    process.waitForFinished(5000)
            process.deleteLater()
        _stop_leftovers(self.state_dir)

    @Slot()
    def on_stdout(self) -> None:
        if self.process is None:
            return
        self._buffer += bytes(self.process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            try:
                event = json.loads(line) if line.startswith("{") else None
            except ValueError:
                event = None
            if not isinstance(event, dict):
                if line:
                    self.log_line.emit("INFO", redact(line))
                continue
            if event.get("event") == "devnet_ready":
                self.info = event
                self.log_line.emit("INFO", f"The devnet is ready: RPC {event.get('rpc_url')}, "
                                           f"oracle {event.get('oracle_url')}")
                self.ready.emit(event)
            elif event.get("event") == "error":
                self.failed.emit(str(event.get("reason") or self.tr("The local devnet could not start.")))

    @Slot()
    def on_stderr(self) -> None:
        if self.process is None:
            return
        for raw in bytes(self.process.readAllStandardError()).splitlines():
            text = redact(raw.decode("utf-8", "replace").rstrip())
            if text:
                self.log_line.emit("WARNING" if "WARNING" in text or "ERROR" in text else "DEBUG", f"devnet: {text}")

    @Slot(QProcess.ProcessError)
    def on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.process = None
            self.failed.emit(self.tr("The local devnet could not be started (is Python available?)."))

    @Slot(int, QProcess.ExitStatus)
    def on_finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        self.on_stdout()
        self._kill_timer.stop()
        process, self.process = self.process, None
        if process is not None:
            process.deleteLater()
        self.info = None
        # Whatever a killed supervisor left behind (recorded in its state dir) is stopped too, off the GUI
        # thread: a quit must never leave anvil or a block server running.
        state_dir = self.state_dir
        run_in_background(lambda: _stop_leftovers(state_dir), None,
                          lambda exc: log.warning("Cleaning up the devnet failed: %s", exc))
        if not self._stopping:
            self.failed.emit(self.tr("The local devnet stopped unexpectedly (exit code %1).").replace(
                "%1", str(exit_code)))
        self.stopped.emit()

    @Slot()
    def on_kill_timer(self) -> None:
        if self.process is not None:
            self.process.kill()
