"""Timeline: every day by how much happened, and a day's moments with thumbnails, words and speaker."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QDateEdit, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMenu, QPushButton,
                               QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.store import queries

from . import jobs
from .listing import THUMB, elide_words, load_thumbnails
from .state import AppState
from .theme import heading
from .widgets import DensityStrip

ROW_ROLE = Qt.UserRole + 1  # what correcting the time needs: the file, its time and where that came from
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
        self.header.setWordWrap(True)  # a day with guessed times says so at length: it must not widen the window
        heading(self.header, 15)
        self.moments = QListWidget()
        self.moments.setObjectName("moments")
        self.moments.setIconSize(THUMB)
        self.moments.setWordWrap(True)
        self.moments.setSpacing(3)
        self.moments.setAccessibleName("Moments of the day")
        blank = QPixmap(THUMB)
        blank.fill(Qt.transparent)
        self._blank = QIcon(blank)  # keeps every line's words aligned, thumbnail or not
        self.moments.itemActivated.connect(lambda it: state.open_moment(it.data(Qt.UserRole)))
        self.moments.setContextMenuPolicy(Qt.CustomContextMenu)
        self.moments.customContextMenuRequested.connect(self._menu)
        self.day = ""
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
        self.day = day
        rows = queries.day_moments(self.state.vault.db, day)
        speech = sum(1 for r in rows if r["kind"] == "speech")
        guessed = sum(1 for r in rows if timefmt.is_guess(r["time_source"]))
        note = f" ({guessed} at a guessed time: right-click one to correct it)" if guessed else ""
        self.header.setText(f"{timefmt.day_words(day)} — {len(rows)} moments, {speech} spoken{note}")
        self.moments.clear()
        wanted = []
        for r in rows:
            guess = timefmt.is_guess(r["time_source"])
            person = who(r)
            body = elide_words((r["text"] or r["caption"] or "").replace("\n", " "), 220)
            where = Path(r["path"]).name + (f" at {timefmt.offset(r['start_s'])}" if r["kind"] in ("speech", "scene") else "")
            lock = "  [private]" if r["private"] else ""
            label = (f"{timefmt.clock(r['started_at'], guessed=guess)} · {KIND_WORD.get(r['kind'], r['kind'])}"
                     f"{' · ' + person if person else ''}{lock}\n{body}\n{where}")
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, r["moment_id"])
            item.setData(ROW_ROLE, {"moment_id": r["moment_id"], "path": r["path"], "time_source": r["time_source"], "started_at": r["started_at"],
                                    "start_s": r["start_s"]})
            item.setToolTip(r["text"] or r["caption"] or "")
            item.setIcon(self._blank)
            self.moments.addItem(item)
            if r["keyframe"]:
                thumb = self.state.vault.paths.thumbnail_file(r["content_hash"], int(round(r["start_s"] * 1000)))
                wanted.append((self.moments.count() - 1, str(thumb)))
        self._load_thumbs(day, wanted)

    def _load_thumbs(self, day: str, wanted: list[tuple[int, str]]) -> None:
        """Decoding JPEGs takes milliseconds each: done off the main thread, fitted to one box."""
        if self._thumb_job is not None:
            self._thumb_job.cancel()
        self._thumb_job = job = load_thumbnails("thumbnails", wanted, day)
        job.finished.connect(self._set_thumbs)

    def _set_thumbs(self, result) -> None:
        day, images = result
        if day != self.day:
            return
        for row, img in images:
            item = self.moments.item(row)
            if item is not None:
                item.setIcon(QIcon(QPixmap.fromImage(img)))

    # -- correcting a time ------------------------------------------------------------------------
    def _menu(self, pos) -> None:
        item = self.moments.itemAt(pos)
        if item is not None:
            self.menu_for(item).popup(self.moments.viewport().mapToGlobal(pos))

    def menu_for(self, item: QListWidgetItem) -> QMenu:
        """A moment's menu: correct the time of its file or its folder (a guessed time says so)."""
        row = item.data(ROW_ROLE)
        menu = QMenu(self)
        guess = timefmt.is_guess(row["time_source"])
        for scope, text in (("file", "Correct the time of this file…"), ("folder", "Correct the time of this folder…")):
            act = menu.addAction(text)
            act.setProperty("writes", True)
            act.setEnabled(not self.state.family)
            act.triggered.connect(lambda _=False, s=scope: self.correct_time(item.data(Qt.UserRole), row, s))
        if guess:
            menu.addSeparator()
            menu.addAction(f"~{timefmt.clock(row['started_at'])} was {timefmt.GUESS_NOTE}").setEnabled(False)
        self._last_menu = menu  # kept alive while it is open
        return menu

    def correct_time(self, moment_id: str, row: dict, scope: str):
        from .retime_dialog import RetimeDialog

        dialog = RetimeDialog(self.state, row, scope, parent=self)
        dialog.moved.connect(lambda day: self.show_day(day, nearest=True) if day else None)
        dialog.open()
        self.retime_dialog = dialog
        return dialog
