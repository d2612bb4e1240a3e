"""The painted calendar of density: every month of the lifelog as a row of its days, each day a cell
shaded by how full it was, years as headings.

Speed, because five years are about two thousand days: the rows (counts and shade levels) are made by
`build` from the one aggregate of day counts, off the main thread; each row is painted once into a
pixmap per zoom and theme, and scrolling only copies the few dozen pixmaps in view. Nothing here asks
the vault anything.
"""
from __future__ import annotations

import bisect
import calendar as cal
import time
from collections import OrderedDict
from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QAbstractScrollArea, QSizePolicy, QToolTip

from sideload import timefmt

from . import refcounts  # noqa: F401 - hundreds of paint calls a frame: None's reserve (see there)
from . import jobs
from .calendar_model import Model, Row, build  # noqa: F401 - build: the rows, made off the main thread

ZOOM = (9, 12, 16, 22, 30, 42)  # cell sizes in pixels: years at a glance ... a month you can read
SHADES = (0.22, 0.4, 0.58, 0.78, 1.0)  # how far from the base colour towards the accent, by level
MONTH_ABBR = tuple(m[:3] for m in timefmt.MONTHS)
LEFT, RIGHT, CENTRE = Qt.AlignVCenter | Qt.AlignLeft, Qt.AlignVCenter | Qt.AlignRight, Qt.AlignCenter
FIT_UP_TO = 3  # the first zoom that fits the window, at most the first with the dates in the cells
CACHED_ROWS = 240
PAINT_BUDGET_S = 0.008  # new rows painted per frame, at most about this long  # pixmaps kept (twenty years of months); the oldest used are dropped first


def shades(pal: QPalette) -> list[QColor]:
    """The colour of an empty day, then of each level of fullness, in this palette."""
    base, text, accent = pal.color(QPalette.Base), pal.color(QPalette.Text), pal.color(QPalette.Highlight)
    return [mix(base, text, 0.07)] + [mix(base, accent, t) for t in SHADES]


def mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


class LifeCalendar(QAbstractScrollArea):
    """Emits daySelected('YYYY-MM-DD') for a day that holds moments (click, or Enter on the cursor)."""

    daySelected = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = Model({}, [], None, None)
        self.tops: list[int] = []
        self.cursor: date | None = None
        self.zoom = 2
        self.message = "Reading the lifelog…"
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self._content = QSize(0, 0)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName("A whole life: every day, shaded by how full it was")
        self.viewport().setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    # -- data ------------------------------------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        return self.model.counts

    @property
    def rows(self) -> list[Row]:
        return self.model.rows

    @property
    def first(self) -> date | None:
        return self.model.first

    @property
    def last(self) -> date | None:
        return self.model.last

    def set_model(self, model: Model, *, fit: bool = False) -> None:
        """Show `model`; with `fit`, at the largest zoom up to dated cells whose months fit the width."""
        self.model = model
        if fit:
            width = self.viewport().width()
            self.zoom = max([z for z in range(FIT_UP_TO + 1) if self._width_at(z) <= width] or [0])
        if not model.rows:
            self.cursor = None
            self.message = "Nothing imported yet: the calendar fills as the lifelog does."
        else:
            self.message = ""
            if self.cursor is None or not (model.first <= self.cursor <= model.last):
                self.cursor = model.last
        self._layout()

    def set_counts(self, days: tuple[tuple[str, int], ...]) -> None:
        self.set_model(build(days))

    # -- geometry --------------------------------------------------------------------------------
    @property
    def cell(self) -> int:
        return ZOOM[self.zoom]

    @property
    def pitch(self) -> int:
        return self.cell + max(2, self.cell // 7)

    def _gutter(self) -> int:
        return self.fontMetrics().horizontalAdvance("Sep 0000") + 14

    def _width_at(self, zoom: int) -> int:
        cell = ZOOM[zoom]
        return self._gutter() + 31 * (cell + max(2, cell // 7)) + self._total_width() + 12

    def _total_width(self) -> int:
        return self.fontMetrics().horizontalAdvance(" 000,000 moments")

    def _layout(self) -> None:
        self._pixmaps.clear()
        heading_h = int(self.fontMetrics().height() * 1.7)
        y = 8
        for i, row in enumerate(self.rows):
            if row.kind == "year":
                y += 10 if i else 0
                row.height = heading_h
            else:
                row.height = self.pitch
            row.top = y
            y += row.height
        self.tops = [r.top for r in self.rows]
        self._content = QSize(self._width_at(self.zoom), y + 8)
        self._update_bars()
        self.viewport().update()

    def _update_bars(self) -> None:
        vp = self.viewport().size()
        self.verticalScrollBar().setRange(0, max(0, self._content.height() - vp.height()))
        self.verticalScrollBar().setPageStep(vp.height())
        self.verticalScrollBar().setSingleStep(self.pitch)
        self.horizontalScrollBar().setRange(0, max(0, self._content.width() - vp.width()))
        self.horizontalScrollBar().setPageStep(vp.width())
        self.horizontalScrollBar().setSingleStep(self.pitch)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._update_bars()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.FontChange, QEvent.StyleChange):
            self._layout()  # the rows' pixmaps were painted in the old colours or type
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(720, 480)

    def set_zoom(self, level: int) -> None:
        """Change the cell size, keeping the cursor's month where it was on screen."""
        level = max(0, min(len(ZOOM) - 1, level))
        if level == self.zoom:
            return
        anchor = self._row_of(self.cursor)
        before = self.rows[anchor].top - self.verticalScrollBar().value() if anchor is not None else 0
        self.zoom = level
        self._layout()
        if anchor is not None:
            self.verticalScrollBar().setValue(self.rows[anchor].top - before)

    def _row_of(self, day: date | None) -> int | None:
        """The index of the month row that holds `day` (rows: a heading per year, then its months)."""
        if day is None or not self.rows:
            return None
        months = (day.year - self.first.year) * 12 + day.month - self.first.month
        i = months + (day.year - self.first.year) + 1
        return i if 0 <= months and i < len(self.rows) else None

    def day_rect(self, day: date) -> QRect | None:
        """Where a day's cell is, in viewport coordinates."""
        i = self._row_of(day)
        if i is None:
            return None
        x = self._gutter() + (day.day - 1) * self.pitch - self.horizontalScrollBar().value()
        return QRect(x, self.rows[i].top - self.verticalScrollBar().value(), self.cell, self.cell)

    def day_at(self, pos: QPoint) -> date | None:
        y = pos.y() + self.verticalScrollBar().value()
        i = bisect.bisect_right(self.tops, y) - 1
        if i < 0 or self.rows[i].kind != "month" or y > self.rows[i].top + self.cell:
            return None
        x = pos.x() + self.horizontalScrollBar().value() - self._gutter()
        col, within = divmod(x, self.pitch)
        row = self.rows[i]
        if x < 0 or within >= self.cell or col >= len(row.counts) or row.counts[col] < 0:
            return None
        return date(row.year, row.month, col + 1)

    def ensure_visible(self, day: date) -> None:
        r = self.day_rect(day)
        if r is None:
            return
        vh, bar = self.viewport().height(), self.verticalScrollBar()
        if r.top() < 0:
            bar.setValue(bar.value() + r.top() - self.pitch)
        elif r.bottom() > vh:
            bar.setValue(bar.value() + r.bottom() - vh + self.pitch)

    def scroll_to_end(self) -> None:
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())

    # -- painting --------------------------------------------------------------------------------
    def _row_pixmap(self, i: int) -> QPixmap:
        pm = self._pixmaps.get(i)
        if pm is not None:
            self._pixmaps.move_to_end(i)
            return pm
        row, ratio = self.rows[i], self.devicePixelRatioF()
        pm = QPixmap(QSize(self._content.width(), row.height) * ratio)
        pm.setDevicePixelRatio(ratio)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        self._paint_row(p, row)
        p.end()
        self._pixmaps[i] = pm
        if len(self._pixmaps) > CACHED_ROWS:
            self._pixmaps.popitem(last=False)
        return pm

    def _paint_row(self, p: QPainter, row: Row) -> None:
        pal = self.palette()
        text, muted = pal.color(QPalette.Text), pal.color(QPalette.PlaceholderText)
        gutter, pitch, cell = self._gutter(), self.pitch, self.cell
        total_x, total_w = gutter + 31 * pitch + 4, self._total_width()
        if row.kind == "year":
            heading = QFont(self.font())
            heading.setBold(True)
            heading.setPointSizeF(self.font().pointSizeF() * 1.15)
            p.setFont(heading)
            p.setPen(text)
            p.drawText(QRect(8, 0, gutter + 10 * pitch, row.height), LEFT, str(row.year))
            p.setFont(self.font())
            p.setPen(muted)
            p.drawText(QRect(total_x - 10 * pitch, 0, 10 * pitch + total_w, row.height), RIGHT,
                       f"{row.total:,} moments")
            return
        fills = shades(pal)
        p.setPen(muted)
        p.drawText(QRect(8, 0, gutter - 14, cell), LEFT, MONTH_ABBR[row.month - 1])
        for col, level in enumerate(row.levels):
            if level >= 0:
                p.fillRect(gutter + col * pitch, 0, cell, cell, fills[level])
        if cell >= 22:  # room for the day's number inside its cell
            small = QFont(self.font())
            small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.8))
            p.setFont(small)
            on_accent = pal.color(QPalette.HighlightedText)
            for col, level in enumerate(row.levels):
                if level >= 0:
                    p.setPen(on_accent if level >= 3 else muted)
                    p.drawText(QRect(gutter + col * pitch, 0, cell, cell), CENTRE, str(col + 1))
            p.setFont(self.font())
        if row.total:
            p.setPen(muted)
            p.drawText(QRect(total_x, 0, total_w, cell), RIGHT, f"{row.total:,}")

    def paintEvent(self, event) -> None:
        p = QPainter(self.viewport())
        pal = self.palette()
        p.fillRect(event.rect(), pal.color(QPalette.Base))
        if not self.rows:
            p.setPen(pal.color(QPalette.PlaceholderText))
            p.drawText(self.viewport().rect(), CENTRE | Qt.TextWordWrap, self.message)
            p.end()
            return
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        bottom = dy + self.viewport().height()
        i = max(0, bisect.bisect_right(self.tops, dy) - 1)
        # rows not painted before (after a zoom, or scrolled far) are made a few milliseconds' worth per
        # frame, the rest on the next turn of the event loop: a frame never holds the window for long
        deadline, pending = time.perf_counter() + PAINT_BUDGET_S, False
        while i < len(self.rows) and self.rows[i].top < bottom:
            if i in self._pixmaps or time.perf_counter() < deadline:
                p.drawPixmap(-dx, self.rows[i].top - dy, self._row_pixmap(i))
            else:
                pending = True
            i += 1
        if pending:
            QTimer.singleShot(0, self.viewport().update)
        if self.cursor is not None:
            r = self.day_rect(self.cursor)
            if r is not None:
                p.setPen(QPen(pal.color(QPalette.Text), 2 if self.hasFocus() else 1))
                p.setBrush(Qt.NoBrush)
                p.drawRect(r.adjusted(-1, -1, 1, 1))
        p.end()

    # -- interaction -----------------------------------------------------------------------------
    def describe(self, day: date) -> str:
        n = self.counts.get(day.isoformat(), 0)
        return f"{timefmt.day_words(day)}: " + (f"{n:,} moment{'s' if n != 1 else ''}" if n else "nothing kept")

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            day = self.day_at(event.pos())
            if day is not None:
                QToolTip.showText(event.globalPos(), self.describe(day), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def mouseMoveEvent(self, event) -> None:
        day = self.day_at(event.position().toPoint())
        self.viewport().setCursor(Qt.PointingHandCursor if day and self.counts.get(day.isoformat()) else Qt.ArrowCursor)

    def mousePressEvent(self, event) -> None:
        day = self.day_at(event.position().toPoint())
        if day is None:
            return
        self.cursor = day
        self.viewport().update()
        if event.button() == Qt.LeftButton:
            self.open(day)

    def open(self, day: date) -> None:
        if self.counts.get(day.isoformat()):
            jobs.emit(self.daySelected, day.isoformat())

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ControlModifier:
            self.set_zoom(self.zoom + (1 if event.angleDelta().y() > 0 else -1))
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        if self.cursor is None:
            return super().keyPressEvent(event)
        key, day = event.key(), self.cursor
        if key == Qt.Key_Left:
            day -= timedelta(days=1)
        elif key == Qt.Key_Right:
            day += timedelta(days=1)
        elif key in (Qt.Key_Up, Qt.Key_Down):
            y, m = (day.year, day.month - 1) if key == Qt.Key_Up else (day.year, day.month + 1)
            y, m = (y - 1, 12) if m == 0 else (y + 1, 1) if m == 13 else (y, m)
            day = date(y, m, min(day.day, cal.monthrange(y, m)[1]))
        elif key == Qt.Key_Home:
            day = self.first
        elif key == Qt.Key_End:
            day = self.last
        elif key in (Qt.Key_Return, Qt.Key_Enter):
            return self.open(day)
        elif key in (Qt.Key_Plus, Qt.Key_Equal):
            return self.set_zoom(self.zoom + 1)
        elif key == Qt.Key_Minus:
            return self.set_zoom(self.zoom - 1)
        else:
            return super().keyPressEvent(event)
        self.cursor = min(max(day, self.first), self.last)
        self.ensure_visible(self.cursor)
        self.setAccessibleDescription(self.describe(self.cursor))
        self.viewport().update()
