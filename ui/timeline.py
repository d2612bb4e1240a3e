"""Timeline: every day by how much happened, and a day's moments with thumbnails, words and speaker."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QDateEdit, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from sideload.store import queries

from . import jobs
from .state import AppState
from .widgets import DensityStrip

KIND_WORD = {"speech": "said", "scene": "scene", "photo": "photo", "text": "wrote"}  # words: no emoji font is guaranteed


def who(row) -> str:
    if row["speaker"] == "me":
        return "me"
    if row["speaker"] == "other":
        return row["speaker_name"] or "someone else"
    return row["speaker_name"] or ""


class TimelineView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.strip = DensityStrip()
        self.strip.setObjectName("densityStrip")
        self.jump = QDateEdit()
        self.jump.setObjectName("jumpDate")
        self.jump.setCalendarPopup(True)
        self.jump.setDisplayFormat("yyyy-MM-dd")
        self.jump.setAccessibleName("Jump to date")
        go = QPushButton("&Go to date")
        go.clicked.connect(lambda: self.show_day(self.jump.date().toString("yyyy-MM-dd"), nearest=True))
        self.header = QLabel()
        self.header.setObjectName("dayHeader")
        self.header.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.moments = QListWidget()
        self.moments.setObjectName("moments")
        self.moments.setIconSize(QSize(128, 72))
        self.moments.setWordWrap(True)
        self.moments.setSpacing(3)
        self.moments.setAccessibleName("Moments of the day")
        blank = QPixmap(128, 72)
        blank.fill(Qt.transparent)
        self._blank = QIcon(blank)  # keeps every line's words aligned, thumbnail or not
        self.moments.itemActivated.connect(lambda it: state.open_moment(it.data(Qt.UserRole)))
        top = QHBoxLayout()
        top.addWidget(QLabel("Days:"))
        top.addWidget(self.strip, 1)
        top.addWidget(self.jump)
        top.addWidget(go)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.header)
        lay.addWidget(self.moments, 1)
        self.strip.daySelected.connect(self.show_day)
        self._thumb_job: jobs.Job | None = None
        state.data_changed.append(self.reload)
        self.reload()

    def reload(self) -> None:
        days = self.state.vault.days()
        self.strip.set_days(days)
        if days:
            first, last = QDate.fromString(days[0][0], "yyyy-MM-dd"), QDate.fromString(days[-1][0], "yyyy-MM-dd")
            self.jump.setDateRange(first, last)
            self.jump.setDate(last)
            self.strip.select(len(days) - 1)
        else:
            self.moments.clear()
            self.header.setText("No moments yet: import footage, recordings or writing (Import, Ctrl+6).")

    def show_day(self, day: str, nearest: bool = False) -> None:
        days = [d for d, _ in self.strip.days]
        if nearest and days and day not in days:
            later = [d for d in days if d >= day]
            day = later[0] if later else days[-1]
        if day in days and self.strip.current != days.index(day):
            self.strip.current = days.index(day)
            self.strip.update()
        rows = queries.day_moments(self.state.vault.db, day)
        speech = sum(1 for r in rows if r["kind"] == "speech")
        self.header.setText(f"{day} — {len(rows)} moments, {speech} spoken")
        self.moments.clear()
        wanted = []
        for r in rows:
            when = (r["started_at"] or "")[11:16] or "(day)"
            person = who(r)
            body = (r["text"] or r["caption"] or "").replace("\n", " ")
            where = Path(r["path"]).name
            lock = "  [private]" if r["private"] else ""
            label = (f"{when}  {KIND_WORD.get(r['kind'], r['kind'])}{' · ' + person if person else ''}{lock}\n"
                     f"{body[:220]}\n{where} @ {r['start_s']:.0f}s")
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, r["moment_id"])
            item.setToolTip(r["text"] or r["caption"] or "")
            item.setIcon(self._blank)
            self.moments.addItem(item)
            if r["keyframe"]:
                thumb = self.state.vault.paths.thumbnail_file(r["content_hash"], int(round(r["start_s"] * 1000)))
                wanted.append((self.moments.count() - 1, str(thumb)))
        self._load_thumbs(day, wanted)

    def _load_thumbs(self, day: str, wanted: list[tuple[int, str]]) -> None:
        """Decoding JPEGs takes milliseconds each: done off the main thread, as QImages."""
        if self._thumb_job is not None:
            self._thumb_job.cancel()

        def load(ctx):
            out = []
            for row, path in wanted:
                ctx.check()
                img = QImage(path)
                if not img.isNull():
                    out.append((row, img))
            return day, out

        self._thumb_job = job = jobs.start("thumbnails", load)
        job.finished.connect(self._set_thumbs)

    def _set_thumbs(self, result) -> None:
        day, images = result
        if not self.header.text().startswith(day):
            return
        for row, img in images:
            item = self.moments.item(row)
            if item is not None:
                item.setIcon(QIcon(QPixmap.fromImage(img)))
