"""Words for numbers and states, shared by the tray and the dashboard (so both say the same thing)."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QCoreApplication

from app.money import UNKNOWN
from app.node_status import NodeStatus, Progress
from app.node_supervisor import RunState


def _tr(text: str, disambiguation: Optional[str] = None, n: int = -1) -> str:
    return QCoreApplication.translate("StateText", text, disambiguation, n)


def format_count(value: Optional[int]) -> str:
    return UNKNOWN if value is None else f"{value:,}"


def format_rate(value: Optional[float]) -> str:
    return UNKNOWN if value is None else _tr("%1 tokens/s").replace("%1", f"{value:,.1f}")


def format_latency(value: Optional[float]) -> str:
    return UNKNOWN if value is None else _tr("%1 ms").replace("%1", f"{value:,.1f}")


def format_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return UNKNOWN
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _tr("%1 d %2 h").replace("%1", str(days)).replace("%2", str(hours))
    if hours:
        return _tr("%1 h %2 min").replace("%1", str(hours)).replace("%2", str(minutes))
    if minutes:
        return _tr("%1 min %2 s").replace("%1", str(minutes)).replace("%2", str(secs))
    return _tr("%1 s").replace("%1", str(secs))


def format_bytes(value: int) -> str:
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{value} B"


def format_progress(progress: Optional[Progress]) -> str:
    if progress is None:
        return ""
    if progress.unit == "bytes":
        return _tr("%1 of %2").replace("%1", format_bytes(progress.done)).replace("%2", format_bytes(progress.total))
    if progress.unit == "blocks":
        return _tr("block %1 of %2").replace("%1", str(progress.done)).replace("%2", str(progress.total))
    return f"{progress.done} / {progress.total}"


def format_blocks(blocks: Optional[tuple[int, int]]) -> str:
    if blocks is None:
        return UNKNOWN
    start, end = blocks
    # The node sends [start, end) (end exclusive); people count blocks inclusively.
    return _tr("%1–%2 (%3 blocks)").replace("%1", str(start)).replace("%2", str(end - 1)).replace("%3", str(end - start))


def format_yes_no(value: Optional[bool]) -> str:
    if value is None:
        return UNKNOWN
    return _tr("yes") if value else _tr("no")


_STATE_WORDS = {
    "starting": "Starting…",
    "downloading": "Starting… downloading the model",
    "loading": "Starting… loading the model",
    "connecting": "Starting… joining the network",
    "serving": "Serving",
    "stopping": "Stopping…",
    "stopped": "Stopped",
    "error": "Error",
}


def state_line(status: NodeStatus, run_state: str, paused_reason: Optional[str] = None) -> str:
    """The one line the tray menu and the dashboard header show: Serving / Paused — why / Starting… / Error."""
    if paused_reason:
        return _tr("Paused — %1").replace("%1", paused_reason)
    if run_state == RunState.RESTART_WAIT:
        return _tr("Restarting after an error…")
    if run_state == RunState.FAILED or (status.state == "error" and run_state != RunState.STARTING):
        reason = status.last_error[0] if status.last_error else ""
        return _tr("Error — %1").replace("%1", reason) if reason else _tr("Error")
    if run_state == RunState.IDLE:
        return _tr("Stopped")
    if run_state == RunState.STOPPING:
        return _tr("Stopping…")
    words = _tr(_STATE_WORDS.get(status.state or "starting", "Starting…"))
    if status.state in ("downloading", "loading") and status.progress is not None:
        fraction = status.progress.fraction
        pct = f" {fraction * 100:.0f}%" if fraction is not None else ""
        return f"{words}{pct} ({format_progress(status.progress)})"
    return words


def _register_translations() -> None:  # pragma: no cover - lupdate reads the literals below
    _tr("Starting…")
    _tr("Starting… downloading the model")
    _tr("Starting… loading the model")
    _tr("Starting… joining the network")
    _tr("Serving")
    _tr("Stopping…")
    _tr("Stopped")
    _tr("Error")
