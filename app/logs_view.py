"""The logs view: the app's own log records and the node's output, searchable, filterable, exportable.

Every line is masked with :func:`chain.redact.redact` as it arrives, so a key can never reach the screen,
the clipboard or an exported file. :class:`QtLogHandler` brings Python logging records (from any thread)
to the view through a queued signal; the node's lines come from the supervisor's ``log_line`` signal.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chain.redact import RedactingFormatter, redact

MAX_ENTRIES = 5000
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class LogEntry:
    at: dt.datetime
    level: str
    source: str  # "app" or "node"
    text: str

    def line(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.level:<8} [{self.source}] {self.text}"


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else 1


class _Bridge(QObject):
    record = Signal(str, str, str)  # level, source, text


class QtLogHandler(logging.Handler):
    """A logging handler that forwards formatted, redacted records to the GUI thread."""

    def __init__(self) -> None:
        super().__init__()
        self.bridge = _Bridge()
        self.setFormatter(RedactingFormatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.bridge.record.emit(record.levelname, "app", self.format(record))
        except RuntimeError:  # the bridge is gone during interpreter shutdown
            pass


class LogsView(QWidget):
    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.entries: deque[LogEntry] = deque(maxlen=MAX_ENTRIES)
        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self.on_filter_changed)
        self.level_combo = QComboBox()
        self.level_combo.currentIndexChanged.connect(self.on_filter_changed)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.on_export_clicked)
        self.count_label = QLabel()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMaximumBlockCount(MAX_ENTRIES)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.level_combo)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.count_label)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        current = max(self.level_combo.currentIndex(), 0)
        self.level_combo.blockSignals(True)
        self.level_combo.clear()
        for label, level in ((self.tr("All levels"), "DEBUG"), (self.tr("Info and above"), "INFO"),
                             (self.tr("Warnings and errors"), "WARNING"), (self.tr("Errors only"), "ERROR")):
            self.level_combo.addItem(label, level)
        self.level_combo.setCurrentIndex(current if current < self.level_combo.count() else 0)
        self.level_combo.blockSignals(False)
        self.search_edit.setPlaceholderText(self.tr("Search the logs"))
        self.export_button.setText(self.tr("Export…"))
        self._update_count()

    # -- input
    @Slot(str, str)
    def on_node_line(self, level: str, text: str) -> None:
        self.add(level, "node", text)

    @Slot(str, str, str)
    def on_app_record(self, level: str, source: str, text: str) -> None:
        self.add(level, source, text)

    def add(self, level: str, source: str, text: str) -> None:
        entry = LogEntry(dt.datetime.now(), level.upper(), source, redact(text))
        self.entries.append(entry)
        if self._matches(entry):
            # Append only the new line: re-rendering thousands of lines per record would stall the GUI.
            self.text.appendPlainText(entry.line())
        self._update_count()

    # -- filtering
    def min_level(self) -> str:
        return self.level_combo.currentData() or "DEBUG"

    def _matches(self, entry: LogEntry) -> bool:
        needle = self.search_edit.text().strip().lower()
        return level_rank(entry.level) >= level_rank(self.min_level()) and (
            not needle or needle in entry.line().lower()
        )

    def visible_entries(self) -> list[LogEntry]:
        return [e for e in self.entries if self._matches(e)]

    @Slot()
    def on_filter_changed(self, *_args) -> None:
        self.text.setPlainText("\n".join(e.line() for e in self.visible_entries()))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 of %2 lines shown").replace("%1", str(len(self.visible_entries())))
            .replace("%2", str(len(self.entries)))
        )

    # -- export
    @Slot()
    def on_export_clicked(self) -> None:
        default = str(Path.home() / f"plumise-petals-{dt.datetime.now():%Y%m%d-%H%M%S}.log")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export logs"), default, self.tr("Log files (*.log *.txt)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        """Write the lines shown now (the filter applies) to ``path``; returns how many. Masked again on the
        way out, in case a future source bypassed :meth:`add`."""
        lines = [redact(e.line()) for e in self.visible_entries()]
        path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
        return len(lines)
