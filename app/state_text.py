"""Words for numbers and states, shared by the tray and the dashboard (so both say the same thing).

Every string is a literal ``QCoreApplication.translate("StateText", …)`` call: lupdate only collects
literals, so no helper may stand between the text and the call.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QCoreApplication

from app.money import UNKNOWN
from app.node_status import NodeStatus, Progress
from app.node_supervisor import RunState

def _fill(template: str, *values: object) -> str:
    """Qt-style %1, %2… placeholders (the translator may reorder them)."""
    for index in range(len(values), 0, -1):  # %10 before %1
        template = template.replace(f"%{index}", str(values[index - 1]))
    return template


def format_count(value: Optional[int]) -> str:
    return UNKNOWN if value is None else f"{value:,}"


def format_rate(value: Optional[float]) -> str:
    if value is None:
        return UNKNOWN
    return _fill(QCoreApplication.translate("StateText", "%1 tokens/s"), f"{value:,.1f}")


def format_latency(value: Optional[float]) -> str:
    return UNKNOWN if value is None else _fill(QCoreApplication.translate("StateText", "%1 ms"), f"{value:,.1f}")


def format_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return UNKNOWN
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _fill(QCoreApplication.translate("StateText", "%1 d %2 h"), days, hours)
    if hours:
        return _fill(QCoreApplication.translate("StateText", "%1 h %2 min"), hours, minutes)
    if minutes:
        return _fill(QCoreApplication.translate("StateText", "%1 min %2 s"), minutes, secs)
    return _fill(QCoreApplication.translate("StateText", "%1 s"), secs)


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
        return _fill(QCoreApplication.translate("StateText", "%1 of %2"),
                     format_bytes(progress.done), format_bytes(progress.total))
    if progress.unit == "blocks":
        return _fill(QCoreApplication.translate("StateText", "block %1 of %2"), progress.done, progress.total)
    return f"{progress.done} / {progress.total}"


def format_blocks(blocks: Optional[tuple[int, int]]) -> str:
    if blocks is None:
        return UNKNOWN
    start, end = blocks
    # The node sends [start, end) (end exclusive); people count blocks inclusively.
    if end - start == 1:
        return _fill(QCoreApplication.translate("StateText", "%1 (1 block)"), start)
    return _fill(QCoreApplication.translate("StateText", "%1–%2 (%3 blocks)"), start, end - 1, end - start)


def format_yes_no(value: Optional[bool]) -> str:
    if value is None:
        return UNKNOWN
    return QCoreApplication.translate("StateText", "yes") if value else QCoreApplication.translate("StateText", "no")


def node_state_words(state: Optional[str]) -> str:
    """The node's own state (core/events.py), in words."""
    if state == "downloading":
        return QCoreApplication.translate("StateText", "Starting… downloading the model")
    if state == "loading":
        return QCoreApplication.translate("StateText", "Starting… loading the model")
    if state == "connecting":
        return QCoreApplication.translate("StateText", "Starting… joining the network")
    if state == "serving":
        return QCoreApplication.translate("StateText", "Serving")
    if state == "stopping":
        return QCoreApplication.translate("StateText", "Stopping…")
    if state == "stopped":
        return QCoreApplication.translate("StateText", "Stopped")
    if state == "error":
        return QCoreApplication.translate("StateText", "Error")
    return QCoreApplication.translate("StateText", "Starting…")


def paused_line(reason: str) -> str:
    """"Paused — why" for a reason of app.pause_policy (BATTERY, IN_USE, BY_USER)."""
    if reason == "battery":
        return QCoreApplication.translate("StateText", "Paused — on battery")
    if reason == "in_use":
        return QCoreApplication.translate("StateText", "Paused — you are using the computer")
    return QCoreApplication.translate("StateText", "Paused by you")


def state_line(status: NodeStatus, run_state: str, paused_reason: Optional[str] = None) -> str:
    """The one line the tray menu and the dashboard header show: Serving / Paused — why / Starting… / Error."""
    if paused_reason:
        return paused_line(paused_reason)
    if run_state == RunState.RESTART_WAIT:
        return QCoreApplication.translate("StateText", "Restarting after an error…")
    if run_state == RunState.FAILED or (status.state == "error" and run_state != RunState.STARTING):
        reason = status.last_error[0] if status.last_error else ""
        if reason:
            return _fill(QCoreApplication.translate("StateText", "Error — %1"), reason)
        return QCoreApplication.translate("StateText", "Error")
    if run_state == RunState.IDLE:
        return QCoreApplication.translate("StateText", "Stopped")
    if run_state == RunState.STOPPING:
        return QCoreApplication.translate("StateText", "Stopping…")
    words = node_state_words(status.state)
    if status.state in ("downloading", "loading") and status.progress is not None:
        fraction = status.progress.fraction
        pct = f" {fraction * 100:.0f}%" if fraction is not None else ""
        return f"{words}{pct} ({format_progress(status.progress)})"
    return words
