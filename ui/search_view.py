"""Search as you type, with filters; a result opens in the player at its second."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from .state import AppState

DEBOUNCE_MS = 250


class SearchView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.query = QLineEdit()
        self.query.setObjectName("searchBox")
        self.query.setPlaceholderText("Search your life: words, meaning, \"yesterday morning\"…")
        self.query.setClearButtonEnabled(True)
        self.speaker = QComboBox()
        self.speaker.setObjectName("speakerFilter")
        for label, value in (("anyone", None), ("me", "me"), ("others", "other")):
            self.speaker.addItem(label, value)
        self.kind = QComboBox()
        self.kind.setObjectName("kindFilter")
        for label, value in (("any kind", None), ("speech", "speech"), ("scenes", "scene"), ("photos", "photo"), ("writing", "text")):
            self.kind.addItem(label, value)
        self.date_from = QLineEdit(placeholderText="from YYYY-MM-DD")
        self.date_to = QLineEdit(placeholderText="to YYYY-MM-DD")
        for w in (self.date_from, self.date_to):
            w.setMaximumWidth(150)
        self.summary = QLabel("")
        self.summary.setObjectName("searchSummary")
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.setWordWrap(True)
        self.results.setAccessibleName("Search results; activate one to play it")
        self.results.itemActivated.connect(lambda it: state.open_moment(it.data(Qt.UserRole)))
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        for w in (QLabel("Who:"), self.speaker, QLabel("What:"), self.kind, self.date_from, self.date_to):
            row.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.summary)
        lay.addWidget(self.results, 1)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _: self._timer.start())
        self.query.returnPressed.connect(self.run_search)
        for combo in (self.speaker, self.kind):
            combo.currentIndexChanged.connect(lambda _: self._timer.start())
        for edit in (self.date_from, self.date_to):
            edit.editingFinished.connect(self._timer.start)
        self._generation = 0
        self.last_results: list[dict] = []

    def _date(self, edit: QLineEdit) -> date | None:
        text = edit.text().strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.summary.setText(f"“{text}” is not a date as YYYY-MM-DD")
            return None

    def run_search(self) -> None:
        text = self.query.text().strip()
        if not text:
            self.results.clear()
            self.last_results = []
            self.summary.setText("")
            return
        self._generation += 1
        gen = self._generation
        kw = dict(limit=25, speaker=self.speaker.currentData(), kind=self.kind.currentData(),
                  date_from=self._date(self.date_from), date_to=self._date(self.date_to))

        def search(engines, job, ctx):
            from sideload.recall.search import build_request

            req = build_request([d for d, _ in engines.vault.days()], text, **kw)
            return gen, req.understood, engines.searcher.search(req)

        self.summary.setText("searching…")
        self._job = job = self.state.engines.submit("search", search)
        job.finished.connect(self._show)
        job.failed.connect(self.summary.setText)

    def _show(self, result) -> None:
        gen, understood, hits = result
        if gen != self._generation:  # an older query finishing late
            return
        self.last_results = hits
        self.results.clear()
        for h in hits:
            who = {"me": "me", "other": "someone else"}.get(h["speaker"] or "", h["kind"])
            body = (h["text"] or h["caption"] or "").replace("\n", " ")
            item = QListWidgetItem(f"{h['started_at'] or '?'}  ·  {who}\n{body[:240]}\n"
                                   f"{Path(h['source']).name} @ {h['start_s']:.1f}–{h['end_s']:.1f} s")
            item.setData(Qt.UserRole, h["moment_id"])
            self.results.addItem(item)
        time_note = f" (time: {', '.join(understood['time_phrases'])})" if understood.get("time_phrases") else ""
        self.summary.setText(f"{len(hits)} moment(s){time_note}" if hits else f"nothing found{time_note}")
