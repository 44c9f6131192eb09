"""One app per user session: a second launch asks the first to show its window, then exits.

The first instance listens on a QLocalServer (a Unix socket / Windows named pipe) named per user; a
second instance connects, sends ``show``, and quits. A server socket left behind by a crash is removed
when nobody answers on it.
"""
from __future__ import annotations

import getpass
import hashlib
from typing import Optional

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket


CONNECT_TIMEOUT_MS = 300
MESSAGE_SHOW = b"show\n"


def default_server_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name (odd containers): one instance per machine then
        user = "user"
    return "plumise-petals-" + hashlib.sha256(user.encode()).hexdigest()[:12]


def notify_running_instance(name: str) -> bool:
    """True when another instance answered (and was asked to show itself).

    Runs before any window exists, so the short blocking wait here cannot stall a visible GUI.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(MESSAGE_SHOW)
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """The first instance's listener; :attr:`activation_requested` fires when another launch asks."""

    activation_requested = Signal()

    def __init__(self, name: Optional[str] = None, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.name = name or default_server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self.on_new_connection)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        # A stale socket from a crashed instance: nobody answered in notify_running_instance, so remove it.
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    @Slot()
    def on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.readyRead.connect(lambda c=connection: self._on_message(c))
            connection.disconnected.connect(connection.deleteLater)

    def _on_message(self, connection: QLocalSocket) -> None:
        data = bytes(connection.readAll())
        if MESSAGE_SHOW.strip() in data:
            self.activation_requested.emit()

    def close(self) -> None:
        self.server.close()
