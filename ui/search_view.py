"""Search as you type, with filters; a result opens in the player at its second."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFont, QPixmap
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.persona.phrasing import whole_sentences
from sideload.store import queries

from .listing import THUMB, elide_words, load_thumbnails
from .state import AppState

DEBOUNCE_MS = 250
EMPTY_HINT = ("Type what you remember: words that were said or written (“budget”), what was seen (“dinner "
              "table”), when (“yesterday morning”, “in March”). Results open in the player at their second.")
BODY_CHARS = 220  # two lines at the window's usual width
START_ROLE = Qt.UserRole + 1  # the cited second
PASSAGE_ROLE = Qt.UserRole + 2  # the matching passage of a long text (character offsets), or None


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
        self.summary = QLabel(EMPTY_HINT)
        self.summary.setObjectName("searchSummary")
        self.summary.setWordWrap(True)
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.setWordWrap(True)
        self.results.setAccessibleName("Search results; activate one to play it")
        self.results.itemActivated.connect(self._open)
        self._thumb_job = None
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
            self.summary.setText(EMPTY_HINT)
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
        thumbs = queries.thumbnail_keys(self.state.vault.db, [h["moment_id"] for h in hits])
        wanted = []
        for i, h in enumerate(hits):
            item = QListWidgetItem()
            # the second the result says is the second it opens at (a merged result starts before its best line)
            item.setData(Qt.UserRole, h["moment_id"])
            item.setData(START_ROLE, h["start_s"])
            if h.get("passage"):  # a long text opens with the passage that matched marked
                item.setData(PASSAGE_ROLE, (h["passage"]["start"], h["passage"]["end"]))
            item.setData(Qt.AccessibleTextRole, result_words(h))
            row = ResultRow(h, pictures=bool(thumbs))
            item.setSizeHint(QSize(row.sizeHint().width(), row.height()))  # the row's fixed height, always
            self.results.addItem(item)
            self.results.setItemWidget(item, row)
            if h["moment_id"] in thumbs:
                content_hash, t = thumbs[h["moment_id"]]
                wanted.append((i, str(self.state.vault.paths.thumbnail_file(content_hash, int(round(t * 1000))))))
        if self._thumb_job is not None:
            self._thumb_job.cancel()
        if wanted:
            self._thumb_job = job = load_thumbnails("result thumbnails", wanted, gen)
            job.finished.connect(self._set_thumbs)
        time_note = f" (time: {', '.join(understood['time_phrases'])})" if understood.get("time_phrases") else ""
        if hits:
            self.summary.setText(f"{len(hits)} moment(s){time_note}")
        else:
            filtered = self.speaker.currentData() or self.kind.currentData() or self.date_from.text().strip() \
                or self.date_to.text().strip() or time_note
            self.summary.setText(f"nothing found{time_note}: "
                                 + ("try without the filters or the time, or other words" if filtered
                                    else "try other words, or fewer of them"))

    def _set_thumbs(self, result) -> None:
        gen, images = result
        if gen != self._generation:
            return
        for row, img in images:
            item = self.results.item(row)
            widget = self.results.itemWidget(item) if item is not None else None
            if widget is not None:
                widget.thumb.setPixmap(QPixmap.fromImage(img))

    def _open(self, item: QListWidgetItem) -> None:
        self.state.open_moment(item.data(Qt.UserRole), item.data(START_ROLE), item.data(PASSAGE_ROLE))


def result_words(h: dict) -> str:
    """One result's first line: when, who, where in the file."""
    who = {"me": "me", "other": h.get("speaker_name") or "someone else"}.get(h["speaker"] or "", "")
    what = {"speech": "said", "scene": "scene", "photo": "photo", "text": "wrote"}.get(h["kind"], h["kind"])
    when = timefmt.short_when(h["started_at"], guessed=timefmt.is_guess(h.get("time_source")))
    where = Path(h["source"]).name + (f" at {timefmt.offset(h['start_s'])}" if h["kind"] in ("speech", "scene") else "")
    return f"{when}  ·  {what}{' · ' + who if who else ''}  ·  {where}"


class ResultRow(QWidget):
    """A result: its picture (a blank box of the same size when it has none, so every text column
    starts at the same place; no box at all where no result has a picture, as in a diary), when and
    who, its words cut at a word (a long text's matching passage, not its first lines), and a line
    under it."""

    def __init__(self, h: dict, pictures: bool = True):
        super().__init__()
        self.thumb = QLabel()
        self.thumb.setFixedSize(THUMB)
        head = QLabel(result_words(h))
        head.setObjectName("resultHead")
        bold = QFont(head.font())
        bold.setWeight(QFont.DemiBold)
        head.setFont(bold)
        body = QLabel(result_body(h))
        body.setObjectName("resultBody")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        col = QVBoxLayout()
        col.setSpacing(2)
        col.addWidget(head)
        col.addWidget(body, 1)
        row = QHBoxLayout()
        row.setContentsMargins(4, 6, 4, 6)
        if pictures:
            row.addWidget(self.thumb, 0, Qt.AlignTop)
        else:
            self.thumb.hide()
        row.addLayout(col, 1)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        line.setFrameShadow(QFrame.Sunken)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addLayout(row)
        outer.addWidget(line)
        # the picture's height, or without one the three lines of words (a diary's rows are shorter)
        self.setFixedHeight(THUMB.height() + 16 if pictures else 3 * self.fontMetrics().lineSpacing() + 22)


def result_body(h: dict) -> str:
    """What a result shows of its words: a long text from the sentence of its matching passage
    ("… and because my house is in building, I do lie at Sir W. Penn's …"), else from its start."""
    text, p = (h.get("text") or ""), h.get("passage")
    if p and text[p["start"]:p["end"]] == p.get("text", text[p["start"]:p["end"]]):
        shown = whole_sentences(text, p["start"], p["end"], reach=80)  # the match stays within two lines
        lead = "… " if text.find(shown) > 0 else ""
        return lead + elide_words(shown.replace("\n", " "), BODY_CHARS - len(lead))
    return elide_words((text or h.get("caption") or "").replace("\n", " "), BODY_CHARS)
