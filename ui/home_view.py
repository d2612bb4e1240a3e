"""Home: the person, the span of their lifelog, this day in earlier years, the last days, the people
who matter most, and a box to ask them anything. In family mode it is the first thing the family sees:
read-only, with the persona one click away.

What it shows comes from sideload.recall.overview (the same function any face can call), read in the
background; links in the cards open a moment, a day, the calendar or a question.
"""
from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QBuffer, QEvent, QIODevice, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.errors import SideloadError
from sideload.recall import overview

from . import jobs
from .home_parts import Card, Portrait, bigger
from .state import AppState

PORTRAIT_SIDE = 480  # pixels kept of a chosen photo: sharp at 200 % scaling, small in the catalogue
def _who_words(m: overview.Memory) -> str:
    """Who a remembered moment is from, in the first person where it is the owner's."""
    if m.who == "me":
        return {"speech": "I said", "text": "I wrote", "photo": "my photo"}.get(m.kind, "what I saw")
    if m.who:
        return f"{m.who} {'wrote' if m.kind == 'text' else 'said'}"
    return {"speech": "someone said", "text": "written", "photo": "a photo"}.get(m.kind, "a scene")


KIND_WORDS = {"speech": ("spoken", "spoken"), "text": ("written", "written"), "photo": ("photo", "photos"),
              "scene": ("scene", "scenes")}


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def _muted(text: str) -> str:
    return f'<span style="color: {{muted}}">{html.escape(text)}</span>'


class HomeView(QWidget):
    askRequested = Signal(str)       # a question for the persona (the chat view asks it)
    dayRequested = Signal(str)       # open this day in the timeline
    viewRequested = Signal(str)      # open a view by name (Import, Calendar)

    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.data: overview.Overview | None = None
        self.portrait = Portrait()
        self.name = QLabel("")
        self.name.setObjectName("homeName")
        bigger(self.name, 2.0, bold=True)
        self.span = QLabel("")
        self.span.setObjectName("homeSpan")
        self.span.setWordWrap(True)
        self.intro = QLabel("")
        self.intro.setObjectName("homeIntro")
        self.intro.setWordWrap(True)
        self.choose = QPushButton("Choose photo…")
        self.choose.setObjectName("choosePhoto")
        self.choose.setToolTip("The picture shown here and to the family; kept in the vault, scaled down")
        self.choose.clicked.connect(lambda: self.choose_photo())
        self.choose.setProperty("writes", True)  # family mode: no writes anywhere in the window
        self.choose.setEnabled(not state.family)
        self.choose.setVisible(not state.family)
        who = QVBoxLayout()
        who.setSpacing(4)
        who.addStretch(1)
        who.addWidget(self.name)
        who.addWidget(self.span)
        who.addWidget(self.intro)
        if not state.family:
            row = QHBoxLayout()
            row.addWidget(self.choose)
            row.addStretch(1)
            who.addLayout(row)
        who.addStretch(1)
        header = QHBoxLayout()
        header.setSpacing(20)
        header.addWidget(self.portrait)
        header.addLayout(who, 1)

        self.ask = QLineEdit()
        self.ask.setObjectName("homeAsk")
        self.ask.setAccessibleName("Ask a question")
        self.ask.setMinimumHeight(self.ask.sizeHint().height() + 8)
        bigger(self.ask, 1.15)
        self.ask.returnPressed.connect(self._ask)
        self.ask_btn = QPushButton("Ask")
        self.ask_btn.setObjectName("homeAskButton")
        self.ask_btn.setMinimumHeight(self.ask.minimumHeight())
        self.ask_btn.clicked.connect(self._ask)
        self.suggest = QLabel("")
        self.suggest.setObjectName("homeSuggestions")
        self.suggest.setTextInteractionFlags(Qt.LinksAccessibleByMouse | Qt.LinksAccessibleByKeyboard)
        self.suggest.linkActivated.connect(self.follow)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.ask, 1)
        ask_row.addWidget(self.ask_btn)

        self.empty = Card("Nothing imported yet", "homeEmpty")
        self.on_this_day = Card("On this day", "onThisDay")
        self.recent = Card("The last days", "recentDays")
        self.people = Card("The people who matter most", "topPeople")
        self.life = Card("A whole life", "wholeLife")
        for card in (self.empty, self.on_this_day, self.recent, self.people, self.life):
            card.body.linkActivated.connect(self.follow)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(self.empty, 0, 0, 1, 2)
        grid.addWidget(self.on_this_day, 1, 0)
        grid.addWidget(self.recent, 1, 1)
        grid.addWidget(self.people, 2, 0)
        grid.addWidget(self.life, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        page = QWidget()
        page.setObjectName("homePage")
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(14)
        lay.addLayout(header)
        lay.addLayout(ask_row)
        lay.addWidget(self.suggest)
        lay.addLayout(grid)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.job: jobs.Job | None = None
        state.data_changed.append(self.reload)
        self._show_person(None)
        self.reload()

    # -- loading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        context, today = self.state.context, self.state.context.clock().date()

        def read(ctx):
            with context.open() as vault:
                return overview.build(vault, today), overview.portrait(vault)

        self.job = job = jobs.start("home", read)
        job.finished.connect(self._loaded)
        job.failed.connect(lambda message: self.span.setText(f"The lifelog could not be read: {message}"))

    def _loaded(self, result) -> None:
        self.data, image = result
        self.portrait.set_image(image)
        self._show_person(self.data)
        self._show_cards(self.data)

    # -- showing ---------------------------------------------------------------------------------
    def owner(self) -> str:
        return (self.data.owner if self.data else "") or self.state.vault.settings["owner_name"] or ""

    def _show_person(self, ov: overview.Overview | None) -> None:
        owner = self.owner()
        self.portrait.name = owner or self.state.vault_dir.name
        self.portrait.update()
        self.name.setText(owner or "Your lifelog")
        if self.state.family:
            whose = f"{owner}’s" if owner else "the"
            first = owner.split()[0] if owner else "the persona"
            self.ask.setPlaceholderText(f"Ask {first} anything…")
            self.intro.setText(f"These are {whose} memories, kept for the family. Ask below and {first} answers "
                               "from them, showing where each memory comes from. Nothing here can be changed.")
        else:
            self.ask.setPlaceholderText("Ask anything about your life: “what did I do last Sunday?”")
            self.intro.setText("")
        self.intro.setVisible(bool(self.intro.text()))
        if ov is None:
            self.span.setText("Reading the lifelog…")
        elif ov.empty:
            self.span.setText("No moments yet.")
        else:
            self.span.setText(f"{timefmt.day_words(ov.first_day)} to {timefmt.day_words(ov.last_day)} · "
                              f"{_count(ov.days, 'day')} · {_count(ov.moments, 'moment')}")

    def changeEvent(self, event) -> None:
        # the cards' secondary words carry their colour in their HTML: written again in the new theme's
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange) and self.data is not None:
            self._show_cards(self.data)
        super().changeEvent(event)

    def _muted_colour(self) -> str:
        """The palette's muted text as an opaque colour over the cards (a light theme's is half-transparent
        black, which HTML would show as black)."""
        pal = self.palette()
        fg, bg = pal.color(QPalette.PlaceholderText), pal.color(QPalette.Base)
        a = fg.alphaF()
        return QColor(round(fg.red() * a + bg.red() * (1 - a)), round(fg.green() * a + bg.green() * (1 - a)),
                      round(fg.blue() * a + bg.blue() * (1 - a))).name()

    def _show_cards(self, ov: overview.Overview) -> None:
        muted = self._muted_colour()
        fill = lambda text: text.replace("{muted}", muted)  # noqa: E731
        self.empty.setVisible(ov.empty)
        for card in (self.on_this_day, self.recent, self.people, self.life):
            card.setVisible(not ov.empty)
        if ov.empty:
            if self.state.family:
                self.empty.set_html("This sideload holds no moments.")
            else:
                self.empty.set_html("Footage, recordings, photos and writing become moments here. "
                                    + _link("view:Import", "Import a folder") + " to begin.")
            self.suggest.setText("")
            return
        self.on_this_day.set_html(fill(self._on_this_day_html(ov)))
        self.recent.set_html(fill(self._recent_html(ov)))
        self.people.set_html(fill(self._people_html(ov)))
        self.life.set_html(fill(
            f"{_count(ov.days, 'day')} with moments over {_years(ov.first_day, ov.last_day)}.<br>"
            + _link("view:Calendar", "See every day of it") + " " + _muted("(the fuller the day, the stronger its colour)")))
        asks = [f"How was {timefmt.day_words(ov.last_day)}?"]
        if ov.people:
            asks.append(f"Who is {ov.people[0][0]}?")
        self.suggest.setText(fill(_muted("Try: ") + " · ".join(_link(f"ask:{q}", q) for q in asks)))

    def _on_this_day_html(self, ov: overview.Overview) -> str:
        today = self.state.context.clock().date()
        if not ov.on_this_day:
            return _muted(f"Nothing from {today.day} {timefmt.MONTHS[today.month - 1]} in earlier years yet.")
        lines = []
        for m in ov.on_this_day:
            who = _who_words(m)
            head = _link(f"moment:{m.moment_id}", timefmt.short_when(m.started_at))
            said = f"<br>“{html.escape(m.text)}”" if m.text else ""
            lines.append(f"{head} {_muted('· ' + who)}{said}")
        return "<br><br>".join(lines)

    def _recent_html(self, ov: overview.Overview) -> str:
        lines = []
        for d in ov.recent:
            kinds = ", ".join(f"{n:,} {KIND_WORDS.get(k, (k, k + 's'))[1 if n != 1 else 0]}"
                              for k, n in sorted(d.kinds.items(), key=lambda kv: -kv[1]))
            head = _link(f"day:{d.day}", timefmt.day_words(d.day, short=True))
            lines.append(f"{head} {_muted(f'· {moments(d.moments)} ({kinds})')}"
                         + (f"<br>{html.escape(d.line)}" if d.line else ""))
        return "<br><br>".join(lines)

    def _people_html(self, ov: overview.Overview) -> str:
        if not ov.people:
            text = _muted("No one is known by name yet: names come from chats and from voices the owner names.")
        else:
            text = "<br>".join(f"{_link(f'ask:Who is {name}?', name)} {_muted('· ' + moments(n))}" for name, n in ov.people)
        if ov.unnamed_voices:
            text += "<br><br>" + _muted(f"{ov.unnamed_voices:,} moments were said by voices without a name yet.")
        return text

    # -- acting ----------------------------------------------------------------------------------
    def follow(self, href: str) -> None:
        kind, _, value = href.partition(":")
        if kind == "moment":
            self.state.open_moment(value)
        elif kind == "day":
            jobs.emit(self.dayRequested, value)
        elif kind == "ask":
            jobs.emit(self.askRequested, value)
        elif kind == "view":
            jobs.emit(self.viewRequested, value)

    def _ask(self) -> None:
        question = self.ask.text().strip()
        if question:
            self.ask.clear()
            jobs.emit(self.askRequested, question)

    def choose_photo(self, path: str | None = None) -> bool:
        """Pick a picture (a file dialog unless `path` is given), scale it and keep it in the vault."""
        if self.state.family:
            return False
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a photo for the home page", "",
                                                  "Images (*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff)")
            if not path:
                return False
        img = QImage(path)
        if img.isNull():
            self.state.status(f"{path} could not be read as a picture")
            return False
        if max(img.width(), img.height()) > PORTRAIT_SIDE:
            img = img.scaled(PORTRAIT_SIDE, PORTRAIT_SIDE, Qt.KeepAspectRatio, Qt.SmoothTransformation)
        buf = QBuffer()
        buf.open(QIODevice.WriteOnly)
        img.convertToFormat(QImage.Format_RGB32).save(buf, "JPEG", 88)
        data = bytes(buf.data())
        try:
            with self.state.context.open(write=True) as vault:
                overview.set_portrait(vault, data)
        except SideloadError as exc:
            self.state.status(str(exc))
            return False
        self.portrait.set_image(data)
        return True


def moments(n: int) -> str:
    return f"{n:,} moment{'' if n == 1 else 's'}"


def _count(n: int, word: str) -> str:
    """"1 day", "2,031 days": a count reads as a person would say it."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _years(first: str | None, last: str | None) -> str:
    if not first or not last:
        return "no time yet"
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days + 1
    if span < 62:
        return _count(span, "day")
    if span < 730:
        return f"{round(span / 30.44)} months"
    return f"{span / 365.25:.1f} years".replace(".0 ", " ")


