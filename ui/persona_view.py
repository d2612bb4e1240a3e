"""Persona: the profile's facts with their evidence (editable), what I would do next, and how close the
persona has come to the person over time."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.store import queries

from . import jobs
from .likeness_chart import ChoicesChart, caption
from .listing import elide_words
from .state import AppState
from .widgets import FidelityChart

COLS = ("kind", "about", "what I know", "evidence", "from")


class PersonaView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.facts: list[dict] = []
        self.table = QTableWidget(0, len(COLS))
        self.table.setObjectName("facts")
        self.table.setHorizontalHeaderLabels(COLS)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.table.horizontalHeader().setMaximumSectionSize(240)
        self.table.setWordWrap(True)
        # rows fit their wrapped text at whatever width the pane is given, not the width at the first fill
        # (a fact read "appears in 199 moments, 1662-01-0…" in the app's first window)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed)
        self.table.itemChanged.connect(self._edited)
        self.table.currentCellChanged.connect(lambda r, *_: self._show_evidence(r))
        self.remove_btn = QPushButton("&Remove fact")
        self.remove_btn.setObjectName("removeFact")
        self.remove_btn.setProperty("writes", True)
        self.remove_btn.clicked.connect(self._remove)
        self.evidence = QListWidget()
        self.evidence.setObjectName("evidence")
        self.evidence.setAccessibleName("Evidence of the selected fact; activate to play")
        self.evidence.itemActivated.connect(lambda it: state.open_moment(it.data(Qt.UserRole)))
        self.predictions = QListWidget()
        self.predictions.setObjectName("predictions")
        self.predict_btn = QPushButton("What would I do &next?")
        self.predict_btn.clicked.connect(self.predict)
        self.chart = FidelityChart()
        self.chart.setObjectName("fidelityChart")
        self.choices_chart = ChoicesChart()
        self.choices_chart.setObjectName("likenessChart")
        self.choices_caption = QLabel("")
        self.choices_caption.setObjectName("likenessCaption")
        self.choices_caption.setWordWrap(True)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        facts_box = QGroupBox("What I know about my life (double-click a value to correct it)")
        fl = QVBoxLayout(facts_box)
        fl.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(self.remove_btn)
        row.addStretch(1)
        fl.addLayout(row)
        fl.addWidget(QLabel("Evidence:"))
        fl.addWidget(self.evidence)
        side = QWidget()
        sl = QVBoxLayout(side)
        pbox = QGroupBox("Behaviour")
        pl = QVBoxLayout(pbox)
        pl.addWidget(self.predict_btn)
        pl.addWidget(self.predictions)
        fbox = QGroupBox("Fidelity")
        fv = QVBoxLayout(fbox)
        fv.addWidget(self.chart, 1)
        fv.addWidget(self.choices_chart, 1)
        fv.addWidget(self.choices_caption)
        sl.addWidget(pbox)
        sl.addWidget(fbox, 1)
        sl.addWidget(self.note)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(facts_box)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(split)
        if state.family:
            self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
            self.remove_btn.setEnabled(False)
        state.data_changed.append(self.reload)
        self.reload()

    def reload(self) -> None:
        from sideload.persona import serving
        from sideload.persona import profile

        self.facts = profile.facts(self.state.vault.db)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.facts))
        for i, f in enumerate(self.facts):
            for j, text in enumerate((f["kind"], f["key"], f["value"], str(len(f["evidence"])),
                                      "me" if f["source"] == "owner" else "distilled")):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if j != 2:
                    item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                self.table.setItem(i, j, item)
        self.table.blockSignals(False)
        for col in (0, 1, 3, 4):
            self.table.resizeColumnToContents(col)
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 150))  # the value gets the room
        self.table.resizeRowsToContents()
        history = serving.history(self.state.vault.db)
        self.chart.set_points(history)
        self.choices_chart.set_points(history)
        self.choices_caption.setText(caption(history))

    def _show_evidence(self, row: int) -> None:
        self.evidence.clear()
        if not 0 <= row < len(self.facts):
            return
        for mid in self.facts[row]["evidence"]:
            m = self.state.moment(mid)
            if m:
                when = timefmt.short_when(m["started_at"], guessed=timefmt.is_guess(m.get("time_source")))
                item = QListWidgetItem(f"{when}  {elide_words(m['text'] or m['caption'] or '', 140)}")
                item.setData(Qt.UserRole, mid)
                self.evidence.addItem(item)

    def _write(self, name: str, fn) -> None:
        context = self.state.context

        def work(ctx):
            with context.open(write=True) as v:
                fn(v)

        job = jobs.start(name, work)
        job.finished.connect(lambda _: (self.note.setText("saved: the persona will use it from now on"),
                                        self.state.changed()))
        job.failed.connect(lambda msg: (self.note.setText(msg), self.reload()))

    def _edited(self, item: QTableWidgetItem) -> None:
        if item.column() != 2 or not 0 <= item.row() < len(self.facts):
            return
        f = self.facts[item.row()]
        value = item.text().strip()
        if value and value != f["value"]:
            from sideload.persona import profile

            self._write("correct fact", lambda v: profile.correct(v, f["kind"], f["key"], value))

    def _remove(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.facts):
            from sideload.persona import profile

            f = self.facts[row]
            self._write("remove fact", lambda v: profile.remove(v, f["kind"], f["key"]))

    def predict(self) -> None:
        def work(engines, job, ctx):
            from sideload.persona.predict import predict_json

            last = queries.newest_timed_start(engines.vault.db)
            at = datetime.fromisoformat(last).replace(tzinfo=None) if last else self.state.context.clock()
            return predict_json(engines.vault.db, at, None, lambda ids: ids)

        job = self.state.engines.submit("predict", work)
        job.finished.connect(self._show_predictions)
        job.failed.connect(self.note.setText)

    def _show_predictions(self, doc) -> None:
        self.predictions.clear()
        for p in doc["predictions"]:
            # the activity's name, then in the person's own words what it usually is
            said = p.get("description") or ""
            said = said[len(p["activity"]):].lstrip(":, ") if said.startswith(p["activity"]) else said
            item = QListWidgetItem(f"{p['probability'] * 100:4.0f} %  {p['activity']}"
                                   + (f"\n        {said}" if said else ""))
            item.setToolTip(said)
            self.predictions.addItem(item)
        if not doc["predictions"]:
            self.predictions.addItem("not enough timed moments yet to predict")
