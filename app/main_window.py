"""The main window: the dashboard and the logs, plus every control (it *is* the app where no tray exists)."""
from __future__ import annotations

from typing import Callable, Optional

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget, QWidget

from app.dashboard import Dashboard
from app.icons import app_icon
from app.logs_view import LogsView


class AppActions(QObject):
    """The commands the tray menu and the window share, so both always agree on text and enabled state."""

    retranslated = Signal()  # the language changed: texts that depend on the state are due again

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.state_line = QAction(self)
        self.state_line.setEnabled(False)  # a line of text in the menu, not a command
        self.start_stop = QAction(self)
        self.pause_resume = QAction(self)  # instant pause (UX.md #2); its text is set with the state
        self.pause_resume.setVisible(False)
        self.open_dashboard = QAction(self)
        self.claim = QAction(self)
        self.settings = QAction(self)
        self.quit = QAction(self)
        self.quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.retranslate()

    def retranslate(self) -> None:
        self.open_dashboard.setText(self.tr("Open dashboard"))
        self.claim.setText(self.tr("Claim…"))
        self.settings.setText(self.tr("Settings…"))
        self.quit.setText(self.tr("Quit"))
        self.retranslated.emit()


class MainWindow(QMainWindow):
    def __init__(self, dashboard: Dashboard, logs: LogsView, actions: AppActions,
                 on_close: Callable[[], bool], parent: Optional[QWidget] = None) -> None:
        """``on_close`` decides what closing does: returns True when the window may just hide (a tray
        holds the app), False when the app must quit instead."""
        super().__init__(parent)
        self.dashboard = dashboard
        self.logs = logs
        self.actions = actions
        self.on_close = on_close
        self.setWindowIcon(app_icon())
        self.tabs = QTabWidget()
        self.tabs.addTab(dashboard, "")
        self.tabs.addTab(logs, "")
        self.setCentralWidget(self.tabs)
        self.node_menu = self.menuBar().addMenu("")
        self.node_menu.addAction(actions.start_stop)
        self.node_menu.addAction(actions.pause_resume)
        self.node_menu.addAction(actions.claim)
        self.node_menu.addSeparator()
        self.node_menu.addAction(actions.settings)
        self.node_menu.addSeparator()
        self.node_menu.addAction(actions.quit)
        self.status_line = QLabel()
        self.statusBar().addWidget(self.status_line, 1)
        self.resize(880, 560)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.actions.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Plumise Petals"))
        self.tabs.setTabText(0, self.tr("Dashboard"))
        self.tabs.setTabText(1, self.tr("Logs"))
        self.node_menu.setTitle(self.tr("&Node"))

    def bring_forward(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~self.windowState().WindowMinimized)
        self.raise_()
        self.activateWindow()

    def show_logs(self) -> None:
        self.tabs.setCurrentWidget(self.logs)
        self.bring_forward()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.on_close():
            event.accept()  # hidden; the tray keeps the app (and the node) running
        else:
            event.ignore()  # the controller quits the app once the node has stopped
