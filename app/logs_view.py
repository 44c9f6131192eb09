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
        self._shown = 0  # lines passing the filter, kept up to date by add() and on_filter_changed()
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
        matches = self._filter()
        if len(self.entries) == self.entries.maxlen and matches(self.entries[0]):
            self._shown -= 1  # the oldest line falls out of the deque (and of the text view's blocks)
        self.entries.append(entry)
        if matches(entry):
            # Append only the new line, and count it: re-filtering thousands of lines per record stalls the GUI.
            self.text.appendPlainText(entry.line())
            self._shown += 1
        self._update_count()

    # -- filtering
    def min_level(self) -> str:
        return self.level_combo.currentData() or "DEBUG"

    def _filter(self):
        """The current filter as a predicate; reads the widgets once, not once per line."""
        needle = self.search_edit.text().strip().lower()
        rank = level_rank(self.min_level())
        return lambda entry: level_rank(entry.level) >= rank and (not needle or needle in entry.line().lower())

    def visible_entries(self) -> list[LogEntry]:
        matches = self._filter()
        return [e for e in self.entries if matches(e)]

    @Slot()
    def on_filter_changed(self, *_args) -> None:
        visible = self.visible_entries()
        self._shown = len(visible)
        self.text.setPlainText("\n".join(e.line() for e in visible))
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 of %2 lines shown").replace("%1", str(self._shown)).replace("%2", str(len(self.entries)))
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
