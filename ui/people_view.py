"""People: the voices of the life grouped into people, and chat partners, with names and counts; a
person's page lists their moments (activate one to play it). In owner mode a voice is named once
("Name this voice…"), and the name shows everywhere; a family sees the people read-only."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.lifecycle import people

from . import jobs
from .state import AppState

KIND_WORD = {"speech": "said", "text": "wrote", "scene": "scene", "photo": "photo"}


def _day(iso: str | None) -> str:
    try:
        d = datetime.fromisoformat(iso or "")
    except ValueError:
        return "?"
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _when(iso: str | None) -> str:
    try:
        d = datetime.fromisoformat(iso or "")
    except ValueError:
        return "?"
    named = timefmt.weekday(d, short=True)
    return f"{named + ' ' if named else ''}{_day(iso)}" + (f", {d.strftime('%H:%M')}" if len(iso or "") > 10 else "")


def summary(p: dict) -> str:
    """One line of the list: who, how many moments, over what span, and how the name came."""
    span = _day(p["first_seen"]) if p["first_seen"] == p["last_seen"] or not p["last_seen"] else \
        f"{_day(p['first_seen'])} to {_day(p['last_seen'])}"
    how = "your own voice" if p["owner"] else people.HOW_NAMED[p["named_by"]]
    return f"{people.label(p)}\n{p['moments']} moment{'s' if p['moments'] != 1 else ''}, {span} ({how})"


class PeopleView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.everyone: list[dict] = []
        self.current: dict | None = None
        self.list = QListWidget()
        self.list.setObjectName("people")
        self.list.setAccessibleName("People, by voice and chat")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(self._show_person)
        self.heading = QLabel()
        self.heading.setObjectName("personName")
        self.heading.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.name_btn = QPushButton("&Name this voice…")
        self.name_btn.setObjectName("nameVoice")
        self.name_btn.setToolTip("Say once whose voice this is; the name shows in the timeline, search, chat "
                                 "and profile, and new recordings of the voice carry it too")
        self.name_btn.clicked.connect(lambda: self.name_voice())
        self.sample_btn = QPushButton("&Play a sample")
        self.sample_btn.setObjectName("playSample")
        self.sample_btn.setToolTip("Open the longest stretch of this voice in the player")
        self.sample_btn.clicked.connect(self.play_sample)
        self.moments = QListWidget()
        self.moments.setObjectName("personMoments")
        self.moments.setAccessibleName("This person's moments; activate one to play it")
        self.moments.setWordWrap(True)
        self.moments.itemActivated.connect(lambda it: state.open_moment(it.data(Qt.UserRole)))
        self.note = QLabel()
        self.note.setWordWrap(True)
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(self.heading)
        col.addWidget(self.details)
        row = QHBoxLayout()
        row.addWidget(self.name_btn)
        row.addWidget(self.sample_btn)
        row.addStretch(1)
        col.addLayout(row)
        col.addWidget(self.moments, 1)
        col.addWidget(self.note)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.list)
        split.addWidget(page)
        split.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(split)
        state.data_changed.append(self.reload)
        self.reload()

    def reload(self) -> None:
        keep = self.current["person_id"] if self.current else None
        self.everyone = people.people(self.state.vault.db, self.state.vault.settings["owner_name"])
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.everyone:
            item = QListWidgetItem(summary(p))
            item.setData(Qt.UserRole, p["person_id"])
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not self.everyone:
            self.current = None
            self.heading.setText("No people yet")
            self.details.setText("Voices are grouped into people as recordings are imported; chat partners "
                                 "come with their chats.")
            self.moments.clear()
            self.name_btn.setEnabled(False)
            self.sample_btn.setEnabled(False)
            return
        ids = [p["person_id"] for p in self.everyone]
        self.list.setCurrentRow(ids.index(keep) if keep in ids else 0)
        self._show_person(self.list.currentRow())

    def _show_person(self, row: int) -> None:
        if not 0 <= row < len(self.everyone):
            return
        p = self.current = self.everyone[row]
        self.heading.setText(people.label(p))
        voice = f"{p['spoken']} spoken moment(s), {p['voice_s']:.0f} s of voice" if p["spoken"] else "no voice, words only"
        self.details.setText(f"{summary(p).splitlines()[1]}; {voice}.")
        self.name_btn.setEnabled(not self.state.family and not p["owner"] and bool(p["spoken"]))
        self.name_btn.setText("Re&name this voice…" if p["name"] and not p["owner"] else "&Name this voice…")
        self.sample_btn.setEnabled(bool(p["spoken"]))
        self.moments.clear()
        doc = people.moments(self.state.vault.db, p["person_id"], include_private=not self.state.family)
        for m in doc["moments"]:
            who = "me" if m["speaker"] == "me" else (m["speaker_name"] or "")
            body = " ".join((m["text"] or m["caption"] or "").split())
            item = QListWidgetItem(f"{_when(m['started_at'])}  {KIND_WORD.get(m['kind'], m['kind'])}"
                                   f"{' · ' + who if who else ''}\n{body[:240]}")
            item.setData(Qt.UserRole, m["moment_id"])
            item.setToolTip(m["text"] or "")
            self.moments.addItem(item)

    def play_sample(self) -> None:
        if self.current:
            mid = people.sample(self.state.vault.db, self.current["person_id"])
            if mid:
                self.state.open_moment(mid)

    def name_voice(self, name: str | None = None) -> jobs.Job | None:
        """"This voice is Maria": asked in a dialog unless given; written as a job (it takes the vault's
        write lock), then every view reloads and shows the name."""
        p = self.current
        if p is None or self.state.family or p["owner"]:
            return None
        if name is None:
            name, ok = QInputDialog.getText(self, "Name this voice", "Whose voice is this?", text=p["name"] or "")
            if not ok:
                return None
        name = " ".join(name.split())
        if not name:
            return None
        context, pid = self.state.context, p["person_id"]

        def work(ctx):
            with context.open(write=True) as v:
                return people.name(v, pid, name)

        self.note.setText(f"naming this voice {name}…")
        job = jobs.start("name a voice", work)
        job.finished.connect(self._named)
        job.failed.connect(self.note.setText)
        return job

    def _named(self, doc: dict) -> None:
        merged = f" (joined with {len(doc['merged'])} person(s) already called so)" if doc["merged"] else ""
        self.note.setText(f"this voice is {doc['person']['name']}{merged}: shown by name from now on")
        self.state.changed()
