"""The app's icons: resources/icons/*.svg (drawn for this project), one tray icon per state."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

ICONS_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
TRAY_STATES = ("serving", "starting", "paused", "stopped", "error")
_FALLBACK_COLORS = {"serving": "#27ae60", "starting": "#f2a900", "paused": "#5b8def", "stopped": "#8a8f98", "error": "#d63031",
                    "app": "#2f80ed"}


def _fallback(color: str) -> QIcon:
    # A frozen build that lost its resources must still show a tray icon, or the app is unreachable.
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(8, 8, 48, 48)
    painter.end()
    return QIcon(pixmap)


@lru_cache(maxsize=None)
def _load(name: str, fallback_color: str) -> QIcon:
    path = ICONS_DIR / name
    icon = QIcon(str(path)) if path.exists() else QIcon()
    return icon if not icon.isNull() else _fallback(fallback_color)


def app_icon() -> QIcon:
    return _load("plumise-petals.svg", _FALLBACK_COLORS["app"])


def tray_icon(state: str) -> QIcon:
    state = state if state in TRAY_STATES else "stopped"
    return _load(f"tray-{state}.svg", _FALLBACK_COLORS[state])
