"""Small charts drawn with QPainter (PySide6-Essentials has no QtCharts).

Both charts draw only what they are given — real samples from the node or the earnings history — and say
so in words when there is nothing yet, rather than drawing an invented line.
"""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.earnings_history import DayPoint
from app.money import format_plm, wei_to_plm_decimal

ACCENT = QColor("#2f80ed")
CLAIM = QColor("#27ae60")


def _nice_max(value: float) -> float:
    """A round number ≥ value for the top of an axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1.0
    if value < 1:
        magnitude = 1.0
        while magnitude / 10 >= value:
            magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return value


class _ChartBase(QWidget):
    MARGIN_LEFT = 48
    MARGIN = 8

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(90)

    def sizeHint(self) -> QSize:
        return QSize(320, 110)

    def plot_rect(self) -> QRectF:
        return QRectF(self.MARGIN_LEFT, self.MARGIN, max(1, self.width() - self.MARGIN_LEFT - self.MARGIN),
                      max(1, self.height() - 2 * self.MARGIN - 14))

    def _draw_frame(self, painter: QPainter, top_label: str) -> QRectF:
        rect = self.plot_rect()
        text_color = self.palette().color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(QPen(text_color, 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawText(QRectF(0, rect.top() - 4, self.MARGIN_LEFT - 4, 16),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, top_label)
        painter.drawText(QRectF(0, rect.bottom() - 12, self.MARGIN_LEFT - 4, 16),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, "0")
        return rect

    def _draw_empty(self, painter: QPainter, text: str) -> None:
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)


class RateChart(_ChartBase):
    """Tokens per second over the last minutes, one point per metrics sample of the node."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._samples: list[tuple[float, float]] = []
        self.setAccessibleName(self.tr("Tokens per second chart"))

    def set_samples(self, samples: Sequence[tuple[float, float]]) -> None:
        self._samples = [(float(t), float(v)) for t, v in samples]
        self.update()

    def samples(self) -> list[tuple[float, float]]:
        return list(self._samples)

    def plotted_points(self) -> list[QPointF]:
        """Widget coordinates of each sample (tests check the drawing follows the data)."""
        if len(self._samples) < 2:
            return []
        rect = self.plot_rect()
        t0, t1 = self._samples[0][0], self._samples[-1][0]
        top = _nice_max(max(v for _, v in self._samples))
        span = max(t1 - t0, 1e-9)
        return [
            QPointF(rect.left() + (t - t0) / span * rect.width(), rect.bottom() - v / top * rect.height())
            for t, v in self._samples
        ]

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if len(self._samples) < 2:
            self._draw_empty(painter, self.tr("Waiting for the node's first samples"))
            return
        top = _nice_max(max(v for _, v in self._samples))
        rect = self._draw_frame(painter, f"{top:g}")
        points = self.plotted_points()
        line = QPainterPath(points[0])
        for point in points[1:]:
            line.lineTo(point)
        fill = QPainterPath(line)
        fill.lineTo(points[-1].x(), rect.bottom())
        fill.lineTo(points[0].x(), rect.bottom())
        fill.closeSubpath()
        shade = QColor(ACCENT)
        shade.setAlpha(50)
        painter.fillPath(fill, shade)
        painter.setPen(QPen(ACCENT, 2))
        painter.drawPath(line)
        seconds = int(self._samples[-1][0] - self._samples[0][0])
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 14),
                         Qt.AlignmentFlag.AlignLeft, self.tr("%n s ago", "", seconds))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 14),
                         Qt.AlignmentFlag.AlignRight, self.tr("now"))


class EarningsChart(_ChartBase):
    """Per day: the pending reward (line) and what was claimed (bars), from the local earnings history."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._points: list[DayPoint] = []
        self.setAccessibleName(self.tr("Earnings history chart"))

    def set_points(self, points: Sequence[DayPoint]) -> None:
        self._points = list(points)
        self.update()

    def points(self) -> list[DayPoint]:
        return list(self._points)

    def _top_wei(self) -> int:
        values = [p.claimed_wei for p in self._points] + [p.pending_wei or 0 for p in self._points]
        return max(values + [0])

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self._points or self._top_wei() == 0:
            self._draw_empty(painter, self.tr("No earnings recorded yet"))
            return
        top_plm = _nice_max(float(wei_to_plm_decimal(self._top_wei())))
        rect = self._draw_frame(painter, f"{top_plm:g}")
        count = len(self._points)
        slot = rect.width() / count

        def y_of(wei: int) -> float:
            # Float only to place pixels; amounts shown as text come from format_plm (exact).
            return rect.bottom() - float(wei_to_plm_decimal(wei)) / top_plm * rect.height()

        for index, point in enumerate(self._points):
            if point.claimed_wei:
                x = rect.left() + index * slot + slot * 0.2
                painter.fillRect(QRectF(x, y_of(point.claimed_wei), slot * 0.6, rect.bottom() - y_of(point.claimed_wei)),
                                 CLAIM)
        pending = [(i, p.pending_wei) for i, p in enumerate(self._points) if p.pending_wei is not None]
        painter.setPen(QPen(ACCENT, 2))
        previous: Optional[QPointF] = None
        for index, wei in pending:
            point = QPointF(rect.left() + (index + 0.5) * slot, y_of(wei))
            if previous is not None:
                painter.drawLine(previous, point)
            painter.drawEllipse(point, 2.5, 2.5)
            previous = point
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 14), Qt.AlignmentFlag.AlignLeft,
                         self._points[0].day.strftime("%m-%d"))
        painter.drawText(QRectF(rect.left(), rect.bottom() + 1, rect.width(), 14), Qt.AlignmentFlag.AlignRight,
                         self._points[-1].day.strftime("%m-%d"))
        self.setToolTip(self.tr("Claimed in total: %1").replace(
            "%1", format_plm(sum(p.claimed_wei for p in self._points))))
