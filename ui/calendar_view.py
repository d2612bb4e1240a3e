"""A whole life at a glance: the calendar of density with its heading, summary, zoom and hint.

Zoom runs from years of small cells to one day (a click opens it in the timeline) and from there to a
moment (the timeline opens it in the player). The counts are one aggregate query
(sideload.recall.overview.day_counts, cached per vault state), read off the main thread.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from sideload import timefmt
from sideload.recall import overview

from . import jobs
from .calendar_model import build
from .life_calendar import LifeCalendar, shades
from .state import AppState


class Legend(QWidget):
    """'fewer' ▢▢▢▢▢▢ 'more': the shades of the calendar, in the palette in force."""

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance("fewer  more") + 6 * 16 + 12, fm.height() + 4)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        fm, pal = self.fontMetrics(), self.palette()
        y, side = (self.height() - 12) // 2, 12
        p.setPen(pal.color(QPalette.PlaceholderText))
        x = fm.horizontalAdvance("fewer ")
        p.drawText(QRect(0, 0, x, self.height()), Qt.AlignVCenter | Qt.AlignLeft, "fewer")
        for colour in shades(pal):
            p.fillRect(x, y, side, side, colour)
            x += side + 4
        p.drawText(QRect(x + 2, 0, self.width() - x, self.height()), Qt.AlignVCenter | Qt.AlignLeft, "more")
        p.end()


class CalendarView(QWidget):
    """The calendar with its heading, a summary, zoom buttons and a legend; loads off the main thread."""

    daySelected = Signal(str)

    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.heading = QLabel("A whole life at a glance")
        self.heading.setObjectName("calendarHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        self.summary = QLabel("")
        self.summary.setObjectName("calendarSummary")
        self.summary.setWordWrap(True)
        self.grid = LifeCalendar()
        self.grid.setObjectName("lifeCalendar")
        self.grid.daySelected.connect(self.daySelected)
        out_, in_ = QToolButton(text="−"), QToolButton(text="+")
        out_.setToolTip("Smaller days: more years at once (Ctrl+wheel, or −)")
        in_.setToolTip("Bigger days, with their dates (Ctrl+wheel, or +)")
        out_.setAccessibleName("Zoom out")
        in_.setAccessibleName("Zoom in")
        out_.clicked.connect(lambda: self.grid.set_zoom(self.grid.zoom - 1))
        in_.clicked.connect(lambda: self.grid.set_zoom(self.grid.zoom + 1))
        hint = QLabel("Each square is a day: the stronger its colour, the fuller the day. Click a day to open it.")
        hint.setObjectName("calendarHint")
        hint.setForegroundRole(QPalette.PlaceholderText)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(Legend())
        top.addSpacing(16)
        top.addWidget(QLabel("Zoom"))
        top.addWidget(out_)
        top.addWidget(in_)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.setSpacing(8)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(hint)
        lay.addWidget(self.grid, 1)
        self.job: jobs.Job | None = None
        self.loaded = False
        self._stale = True
        state.data_changed.append(self.reload)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        """Read the day counts in the background (instant when the vault has not changed)."""
        self._stale = not self.isVisible()
        if self._stale:
            return  # read when next shown
        context = self.state.context

        def read(ctx):
            with context.open() as vault:
                counts = overview.day_counts(vault)
            return counts, build(counts.days)  # the rows too: nothing but painting left for the main thread

        self.job = job = jobs.start("calendar", read)
        job.finished.connect(self._loaded)
        job.failed.connect(self._failed)

    def _loaded(self, result) -> None:
        counts, model = result
        first_load = not self.loaded
        self.grid.set_model(model, fit=first_load)
        self.loaded = True
        if counts.days:
            self.summary.setText(f"{len(counts.days):,} days with moments, from {timefmt.day_words(counts.first)} "
                                 f"to {timefmt.day_words(counts.last)}: {counts.moments:,} moments in all.")
        else:
            self.summary.setText("Nothing imported yet.")
        if first_load:
            self.grid.scroll_to_end()  # the newest days first; the years above are a scroll away

    def _failed(self, message: str) -> None:
        self.summary.setText(f"The calendar could not be read: {message}")
