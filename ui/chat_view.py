"""Chat with the persona: answers stream in, citations open the player, sessions are kept."""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, QUrlQuery
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.store import queries

from . import jobs
from .listing import elide_words
from .state import AppState


class ChatView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.session_id: str | None = None
        self.turns: list[tuple[str, str, list[dict]]] = []  # (role, text, citations)
        self.streaming = ""
        self.sessions = QListWidget()
        self.sessions.setObjectName("sessions")
        self.sessions.setAccessibleName("Chat sessions")
        # a long question is cut at the list's edge, not scrolled sideways to
        self.sessions.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.sessions.setTextElideMode(Qt.ElideRight)
        self.sessions.setSpacing(3)
        self.sessions.itemActivated.connect(self._open_session)
        self.sessions.itemClicked.connect(self._open_session)
        new = QPushButton("&New chat")
        new.clicked.connect(self.new_session)
        self.log = QTextBrowser()
        self.log.setObjectName("chatLog")
        self.log.setOpenLinks(False)
        self.log.anchorClicked.connect(self._cite_clicked)
        self.input = QLineEdit()
        self.input.setObjectName("chatInput")
        self.input.setPlaceholderText("Ask me anything about my life…")
        self.input.returnPressed.connect(self.send)
        self.send_btn = QPushButton("&Send")
        self.send_btn.clicked.connect(self.send)
        self.stop_btn = QPushButton("S&top")
        self.stop_btn.setEnabled(False)
        self.stop_btn.clicked.connect(lambda: self.job and self.job.cancel())
        self.note = QLabel("")
        self.note.setObjectName("chatNote")
        left = QWidget()
        lc = QVBoxLayout(left)
        lc.addWidget(new)
        lc.addWidget(self.sessions, 1)
        right = QWidget()
        rc = QVBoxLayout(right)
        rc.addWidget(self.log, 1)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_btn)
        row.addWidget(self.stop_btn)
        rc.addLayout(row)
        rc.addWidget(self.note)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        QVBoxLayout(self).addWidget(split)
        self.job: jobs.Job | None = None
        self.last_answer = None
        self.reload_sessions()
        self._render()

    # -- sessions ----------------------------------------------------------------------------------
    def reload_sessions(self) -> None:
        self.sessions.clear()
        for sid, title, started in queries.chat_sessions(self.state.vault.db):
            item = QListWidgetItem(f"{elide_words(title, 40)}\n{timefmt.short_when(started)}")
            item.setData(Qt.UserRole, sid)
            self.sessions.addItem(item)

    def new_session(self) -> None:
        self.session_id = None
        self.turns = []
        self._render()
        self.input.setFocus()

    def _open_session(self, item: QListWidgetItem) -> None:
        self.session_id = item.data(Qt.UserRole)
        self.turns = [(t["role"], t["content"], t["citations"])
                      for t in queries.chat_messages(self.state.vault.db, self.session_id)]
        self._render()

    # -- asking ------------------------------------------------------------------------------------
    def send(self) -> None:
        question = self.input.text().strip()
        if not question or (self.job and self.job.running):
            return
        from sideload.persona.sessions import new_session_id

        history = [{"role": r, "content": t} for r, t, _ in self.turns]
        self.session_id = self.session_id or new_session_id()
        self.turns.append(("user", question, []))
        self.input.clear()
        self.streaming = ""
        self._render()
        self.send_btn.setEnabled(False)
        self.stop_btn.setEnabled(True)

        def ask(engines, job, ctx):
            return engines.persona.ask(question, history=history, on_token=job.stream, ctx=ctx)

        self.job = job = self.state.engines.submit("chat", ask)
        job.text.connect(self._on_text)
        job.finished.connect(lambda answer: self._on_answer(question, answer))
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_stopped)

    def _on_text(self, piece: str) -> None:
        self.streaming += piece
        self._render()

    def _on_answer(self, question: str, answer) -> None:
        self.streaming = ""
        self.last_answer = answer
        self.turns.append(("assistant", answer.text, answer.citations))
        self._render()
        self._done()
        if answer.problem:
            self.note.setText(answer.problem)
        if self.state.family:
            self.note.setText("Family mode: this conversation is not kept.")
            return
        sid = self.session_id

        def save(ctx):
            from sideload.persona.sessions import save_exchange

            with self.state.context.open(write=True) as v:
                save_exchange(v, sid, question, answer)

        job = jobs.start("save chat", save)
        # bound methods, not lambdas: Qt drops the connection if the view is gone before the save ends
        job.finished.connect(self._saved)
        job.failed.connect(self._not_saved)

    def _saved(self, _result=None) -> None:
        if self.state.vault.closed:  # the window closed while the save ran: nothing left to show it in
            return
        self.reload_sessions()

    def _not_saved(self, message: str) -> None:
        self.note.setText(f"not saved: {message}")

    def _on_stopped(self) -> None:
        said = self.streaming.strip()
        self.streaming = ""
        self.turns.append(("assistant", (said + "\n" if said else "") + "(stopped)", []))
        self.note.setText("Stopped.")
        self._render()
        self._done()

    def _on_failed(self, message: str) -> None:
        self.streaming = ""
        self.turns.append(("assistant", f"(I could not answer: {message})", []))
        self._render()
        self._done()

    def _done(self) -> None:
        self.send_btn.setEnabled(True)
        self.stop_btn.setEnabled(False)

    # -- showing -----------------------------------------------------------------------------------
    def _render(self) -> None:
        parts = []
        for role, text, cites in self.turns:
            who = "You" if role == "user" else "Me"
            body = html.escape(text).replace("\n", "<br>")
            links = "".join(f'<br>&nbsp;&nbsp;<a href="{citation_href(c)}">[{i}] {html.escape(citation_words(c))}</a>'
                            for i, c in enumerate(cites, 1))
            parts.append(f"<p><b>{who}:</b> {body}{links}</p>")
        if self.streaming:
            parts.append(f"<p><b>Me:</b> {html.escape(self.streaming).replace(chr(10), '<br>')} …</p>")
        if not parts:
            parts.append("<p><i>Ask about anything in the lifelog. I answer as its owner, and show where I remember it from.</i></p>")
        self.log.setHtml("".join(parts))
        self.log.verticalScrollBar().setValue(self.log.verticalScrollBar().maximum())

    def _cite_clicked(self, url: QUrl) -> None:
        if url.scheme() == "moment":
            query = QUrlQuery(url)
            at, span = query.queryItemValue("t"), query.queryItemValue("passage")
            a, _, b = span.partition("-")
            self.state.open_moment(url.path(), float(at) if at else None,
                                   (int(a), int(b)) if a.isdigit() and b.isdigit() else None)


def citation_words(c: dict) -> str:
    """What a citation says: when, which file, and the second it opens at (the same second as its link)."""
    when = timefmt.short_when(c["started_at"], guessed=timefmt.is_guess(c.get("time_source")))
    where = Path(c["source"]).name
    if c["kind"] in ("speech", "scene"):
        where += f" at {timefmt.offset(c['start_s'])}"
    return f"{when} · {where}"


def citation_href(c: dict) -> str:
    """moment:ID?t=SECONDS[&passage=FROM-TO]: the player opens at the second the citation names, not at
    its moment's own start (a citation merged from neighbouring lines starts at the first of them), and
    a long text with the quoted passage marked."""
    url = QUrl(f"moment:{c['moment_id']}")
    query = QUrlQuery()
    query.addQueryItem("t", f"{float(c['start_s']):.3f}")
    if c.get("passage"):
        query.addQueryItem("passage", f"{int(c['passage']['start'])}-{int(c['passage']['end'])}")
    url.setQuery(query)
    return html.escape(url.toString())
