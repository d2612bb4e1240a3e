"""Icons for the views, painted: no image files to ship, no downloads, and no icon theme to rely on.

Each icon is a few strokes drawn when Qt asks for it, in the colours of the palette in force at that
moment, so switching between the light and the dark theme recolours every icon at once.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPainterPath, QPalette, QPen, QPixmap


def _home(p: QPainter, s: float) -> None:
    roof = QPainterPath(QPointF(2, 11))
    roof.lineTo(12, 3)
    roof.lineTo(22, 11)
    p.drawPath(roof)
    p.drawRect(QRectF(5, 10, 14, 11))
    p.drawRect(QRectF(10, 14, 4, 7))


def _calendar(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(3, 5, 18, 16), 2, 2)
    p.drawLine(QPointF(3, 9), QPointF(21, 9))
    p.drawLine(QPointF(8, 3), QPointF(8, 6))
    p.drawLine(QPointF(16, 3), QPointF(16, 6))
    for row in range(2):
        for col in range(4):
            p.drawPoint(QPointF(6.5 + col * 3.7, 13 + row * 4))


def _timeline(p: QPainter, s: float) -> None:
    for x, h in ((4, 6), (8, 12), (12, 8), (16, 15), (20, 10)):
        p.drawLine(QPointF(x, 21), QPointF(x, 21 - h))


def _player(p: QPainter, s: float) -> None:
    tri = QPainterPath(QPointF(8, 5))
    tri.lineTo(19, 12)
    tri.lineTo(8, 19)
    tri.closeSubpath()
    p.drawPath(tri)


def _search(p: QPainter, s: float) -> None:
    p.drawEllipse(QRectF(4, 4, 11, 11))
    p.drawLine(QPointF(13.5, 13.5), QPointF(20, 20))


def _chat(p: QPainter, s: float) -> None:
    bubble = QPainterPath()
    bubble.addRoundedRect(QRectF(3, 4, 18, 12), 4, 4)
    p.drawPath(bubble)
    p.drawLine(QPointF(8, 16), QPointF(6, 21))
    p.drawLine(QPointF(6, 21), QPointF(12, 16))


def _person(p: QPainter, s: float) -> None:
    p.drawEllipse(QRectF(8, 3, 8, 8))
    shoulders = QPainterPath(QPointF(4, 21))
    shoulders.cubicTo(4, 13, 20, 13, 20, 21)
    p.drawPath(shoulders)


def _people(p: QPainter, s: float) -> None:
    p.drawEllipse(QRectF(4, 5, 7, 7))
    p.drawEllipse(QRectF(13, 5, 7, 7))
    for x in (2.0, 11.0):
        path = QPainterPath(QPointF(x, 20))
        path.cubicTo(x, 13.5, x + 11, 13.5, x + 11, 20)
        p.drawPath(path)


def _import(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(12, 3), QPointF(12, 14))
    p.drawLine(QPointF(7.5, 9.5), QPointF(12, 14))
    p.drawLine(QPointF(16.5, 9.5), QPointF(12, 14))
    tray = QPainterPath(QPointF(3, 14))
    tray.lineTo(3, 20)
    tray.lineTo(21, 20)
    tray.lineTo(21, 14)
    p.drawPath(tray)


def _jobs(p: QPainter, s: float) -> None:
    p.drawEllipse(QRectF(3, 3, 18, 18))
    p.drawLine(QPointF(12, 12), QPointF(12, 6.5))
    p.drawLine(QPointF(12, 12), QPointF(16, 14))


def _settings(p: QPainter, s: float) -> None:
    for y, knob in ((6, 15), (12, 8), (18, 13)):
        p.drawLine(QPointF(3, y), QPointF(21, y))
        p.drawEllipse(QPointF(knob, y), 2.2, 2.2)


DRAW = {"home": _home, "calendar": _calendar, "timeline": _timeline, "player": _player, "search": _search,
        "chat": _chat, "persona": _person, "people": _people, "import": _import, "jobs": _jobs,
        "settings": _settings}


class _Painted(QIconEngine):
    """Draws one of DRAW on a 24-unit grid, scaled to whatever size is asked, in the palette's colours."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name
        self._made: dict[tuple, QPixmap] = {}

    def _draw(self, painter: QPainter, rect: QRect, mode: QIcon.Mode) -> None:
        pal = QGuiApplication.palette()
        role = QPalette.HighlightedText if mode == QIcon.Selected else QPalette.WindowText
        colour = pal.color(QPalette.Disabled if mode == QIcon.Disabled else QPalette.Active, role)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24, side / 24)
        painter.setPen(QPen(colour, 1.7, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        painter.setBrush(Qt.NoBrush)
        DRAW[self.name](painter, side)
        painter.restore()

    def pixmap(self, size, mode, state) -> QPixmap:
        # drawn once per size, mode and theme, then copied: the list repaints its icons on every hover
        key = (size.width(), size.height(), str(mode), QGuiApplication.palette().color(QPalette.WindowText).rgba())
        pm = self._made.get(key)
        if pm is None:
            pm = QPixmap(size)
            pm.fill(Qt.transparent)
            painter = QPainter(pm)
            self._draw(painter, QRect(0, 0, size.width(), size.height()), mode)
            painter.end()
            self._made[key] = pm
        return pm

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pm = self.pixmap(rect.size() * ratio, mode, state)
        pm.setDevicePixelRatio(ratio)
        painter.drawPixmap(rect.topLeft(), pm)

    def clone(self) -> "_Painted":
        return _Painted(self.name)


def view_icon(view: str) -> QIcon:
    """The icon of a view by its name ('Home', 'Calendar', ...); an empty icon for a view without one."""
    key = view.lower()
    return QIcon(_Painted(key)) if key in DRAW else QIcon()
