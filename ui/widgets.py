"""Small painted widgets: the days' density strip and the fidelity chart."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class DensityStrip(QWidget):
    """One bar per day, as tall as that day is full; click or arrow keys pick a day."""

    daySelected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.days: list[tuple[str, int]] = []
        self.current = -1
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumHeight(56)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAccessibleName("Days, by how much happened")

    def sizeHint(self) -> QSize:
        return QSize(600, 64)

    def set_days(self, days: list[tuple[str, int]]) -> None:
        self.days = days
        self.current = min(self.current, len(days) - 1)
        self.update()

    def select(self, index: int) -> None:
        if 0 <= index < len(self.days):
            self.current = index
            self.update()
            from .jobs import emit

            emit(self.daySelected, self.days[index][0])

    def _bar_rect(self, i: int) -> QRectF:
        n = max(len(self.days), 1)
        w = max(4.0, min(28.0, (self.width() - 8) / n))
        peak = max((c for _, c in self.days), default=1)
        h = (self.height() - 16) * (0.15 + 0.85 * self.days[i][1] / peak)
        return QRectF(4 + i * w, self.height() - 6 - h, w - 2, h)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        accent = pal.color(QPalette.Highlight)
        muted = pal.color(QPalette.Mid)
        for i in range(len(self.days)):
            p.fillRect(self._bar_rect(i), accent if i == self.current else muted)
        if self.hasFocus() and 0 <= self.current < len(self.days):
            p.setPen(QPen(pal.color(QPalette.Text), 1, Qt.DashLine))
            p.drawRect(self._bar_rect(self.current).adjusted(-1, -1, 1, 1))
        p.end()

    def mousePressEvent(self, event) -> None:
        for i in range(len(self.days)):
            r = self._bar_rect(i)
            if r.left() <= event.position().x() <= r.right() + 2:
                self.select(i)
                return

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Left, Qt.Key_Up):
            self.select(max(0, self.current - 1))
        elif event.key() in (Qt.Key_Right, Qt.Key_Down):
            self.select(min(len(self.days) - 1, self.current + 1))
        elif event.key() == Qt.Key_Home:
            self.select(0)
        elif event.key() == Qt.Key_End:
            self.select(len(self.days) - 1)
        else:
            super().keyPressEvent(event)


class FidelityChart(QWidget):
    """Held-out perplexity of base and persona, adapter by adapter (lower is closer to the person)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: list[dict] = []
        self.setMinimumSize(320, 180)
        self.setAccessibleName("Fidelity over time")

    def set_points(self, rows: list[dict]) -> None:
        self.points = [r for r in rows if r.get("ppl_new")]
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.Text)
        p.setPen(text)
        m = 36
        area = QRectF(m, 12, self.width() - m - 12, self.height() - 12 - m)
        p.drawRect(area)
        if not self.points:
            p.drawText(area, Qt.AlignCenter | Qt.TextWordWrap,
                       "No adapter trained yet.\nThe nightly consolidation trains one.")
            p.end()
            return
        values = [v for r in self.points for v in (r["ppl_base"], r["ppl_new"]) if v]
        lo, hi = min(values) * 0.9, max(values) * 1.05
        n = len(self.points)

        def pt(i: int, v: float) -> QPointF:
            x = area.left() + (area.width() * (i + 0.5) / n)
            y = area.bottom() - area.height() * (v - lo) / max(hi - lo, 1e-9)
            return QPointF(x, y)

        for key, color, label in (("ppl_base", QColor("#9a9a9a"), "base"), ("ppl_new", pal.color(QPalette.Highlight), "persona")):
            path = QPainterPath()
            for i, r in enumerate(self.points):
                (path.moveTo if i == 0 else path.lineTo)(pt(i, r[key]))
            p.setPen(QPen(color, 2))
            p.drawPath(path)
            for i, r in enumerate(self.points):
                p.setBrush(color if r.get("status") == "served" or key == "ppl_base" else Qt.NoBrush)
                p.drawEllipse(pt(i, r[key]), 4, 4)
            p.drawText(pt(n - 1, self.points[-1][key]) + QPointF(-60, -8), f"{label} {self.points[-1][key]:.1f}")
        p.setPen(text)
        for i, r in enumerate(self.points):
            p.drawText(QRectF(pt(i, lo).x() - 20, area.bottom() + 4, 40, 16), Qt.AlignCenter, f"v{r['adapter_id']}")
        p.drawText(QRectF(0, area.top(), m - 4, 16), Qt.AlignRight, f"{hi:.0f}")
        p.drawText(QRectF(0, area.bottom() - 16, m - 4, 16), Qt.AlignRight, f"{lo:.0f}")
        p.drawText(QRectF(0, self.height() - 16, self.width(), 16), Qt.AlignCenter,
                   p.fontMetrics().elidedText("held-out perplexity, lower is closer to the person",
                                              Qt.ElideRight, self.width()))
        p.end()
