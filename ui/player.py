"""Moment player: the original video or audio from the moment's second, its transcript following along
(click a line to go there); photos and writing shown in place; open the original or its folder."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPalette, QPixmap, QTextCursor
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoSink
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSlider,
                               QSplitter, QStackedWidget, QTextBrowser, QTextEdit, QVBoxLayout, QWidget)

from sideload import timefmt
from sideload.store import queries

from . import jobs
from .state import AppState
from .theme import heading


class VideoView(QLabel):
    """Frames from a QVideoSink painted as images: works on every platform plugin, offscreen and
    screenshots included, where a native video surface shows nothing."""

    def __init__(self):
        super().__init__(alignment=Qt.AlignCenter)
        self.setMinimumSize(320, 180)
        self.setStyleSheet("background: black;")
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._frame)
        self.frames = 0

    def _frame(self, frame) -> None:
        img = frame.toImage()
        if img.isNull():
            return
        self.frames += 1
        self.setPixmap(QPixmap.fromImage(img.scaled(self.width(), self.height(), Qt.KeepAspectRatio,
                                                    Qt.FastTransformation)))


READY = (QMediaPlayer.LoadedMedia, QMediaPlayer.BufferedMedia, QMediaPlayer.BufferingMedia, QMediaPlayer.EndOfMedia)


def _line_at(rows, t: float) -> int | None:
    """The transcript line being said at `t`: the last one started by then (lines may overlap by a
    breath; the first whose end is near would be the line before), if it has not long ended."""
    best = None
    for i, r in enumerate(rows):
        start, end = r[0], r[1]
        if start <= t + 0.05:
            best = i if t <= end + 0.5 else None
        else:
            break
    return best


class PlayerView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.moment: dict | None = None
        self.cited_s = 0.0  # the second the moment was opened at
        self._pending_seek: int | None = None
        self.open_url = QDesktopServices.openUrl  # how "open original" reaches the desktop
        self.title = QLabel("Open a moment from the timeline, a search or a chat citation.")
        self.title.setObjectName("playerTitle")
        self.title.setWordWrap(True)
        heading(self.title, 13)
        self.video = VideoView()
        self.photo = QLabel(alignment=Qt.AlignCenter)
        self.photo.setObjectName("photo")
        self.text = QTextBrowser()
        self.text.setObjectName("entryText")
        self.stage = QStackedWidget()
        for w in (self.video, self.photo, self.text):
            self.stage.addWidget(w)
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        # sound only where there is somewhere to play it: without a device the FFmpeg backend's audio
        # thread only warns, and one such warning, logged while the window closed, crashed the process
        self.devices = QMediaDevices(self)
        self.devices.audioOutputsChanged.connect(self._attach_audio)
        self._attach_audio()
        self.player.setVideoSink(self.video.sink)
        self.player.mediaStatusChanged.connect(self._on_status)
        self.player.positionChanged.connect(self._on_position)
        self.player.errorOccurred.connect(lambda err, msg: self.state.status(f"cannot play this file: {msg}"))
        self.play_btn = QPushButton("&Play / pause")
        self.play_btn.clicked.connect(self.toggle)
        self.seek = QSlider(Qt.Horizontal)
        self.seek.setAccessibleName("Position")
        self.seek.sliderMoved.connect(lambda v: self.player.setPosition(v))
        self.player.durationChanged.connect(lambda d: self.seek.setRange(0, d))
        self.clock = QLabel(timefmt.offset(0))
        self.clock.setObjectName("playerClock")
        self.open_btn = QPushButton("Open &original")
        self.open_btn.clicked.connect(self.open_original)
        self.folder_btn = QPushButton("Show in &folder")
        self.folder_btn.clicked.connect(self.show_in_folder)
        controls = QHBoxLayout()
        for w in (self.play_btn, self.seek, self.clock, self.open_btn, self.folder_btn):
            controls.addWidget(w, 1 if w is self.seek else 0)
        self.transcript = QListWidget()
        self.transcript.setObjectName("transcript")
        self.transcript.setWordWrap(True)
        self.transcript.setAccessibleName("Transcript; activate a line to play from there")
        self.transcript.itemActivated.connect(self._jump_to_line)
        self.transcript.itemClicked.connect(self._jump_to_line)
        left = QWidget()
        col = QVBoxLayout(left)
        col.addWidget(self.title)
        col.addWidget(self.stage, 1)
        col.addLayout(controls)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(self.transcript)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(split)

    # -- opening ---------------------------------------------------------------------------------
    def show_moment(self, moment_id: str, at: float | None = None, span: tuple[int, int] | None = None) -> None:
        """Open a moment at the second it was cited at (`at`; a merged search result starts before its
        best line), else at its own start. Photos and writing have no second: they are shown whole,
        writing with the passage that was cited (`span`, character offsets) marked and in view: in an
        entry of 2,000 words the quote is otherwise hard to find again."""
        m = self.state.moment(moment_id)
        if m is None:
            self.title.setText("That moment is no longer in the vault.")
            return
        self.moment = m
        timed = m["kind"] in ("speech", "scene")
        at_s = float(at) if (at is not None and timed) else float(m["start_s"])
        self.cited_s = at_s if timed else 0.0
        guessed = timefmt.is_guess(m.get("time_source"))
        when = timefmt.when(timefmt.at_offset(m["started_at"], m["start_s"], at_s), guessed=guessed)
        where = f"{Path(m['source']).name}" + (f" at {timefmt.offset(at_s)}" if timed else "")
        self.title.setText(f"{when} — {where}")
        self._fill_transcript(m, at_s)
        for w in (self.play_btn, self.seek, self.clock):  # writing and photos have nothing to play
            w.setVisible(timed)
        src = Path(m["source"])
        if m["kind"] == "text":
            self.player.stop()
            self.stage.setCurrentWidget(self.text)
            self.text.setPlainText(m["text"])
            self._mark(span)
        elif m["kind"] == "photo":
            self.player.stop()
            self.stage.setCurrentWidget(self.photo)
            self._load_photo(src)
        else:
            self.stage.setCurrentWidget(self.video)
            self._pending_seek = int(round(at_s * 1000))
            if self.player.source() != QUrl.fromLocalFile(str(src)):
                self.player.setSource(QUrl.fromLocalFile(str(src)))
            elif self.player.mediaStatus() in READY:
                self._seek_now()
            # else: the same file is still loading; the seek waits for it (a seek before is dropped)

    def _mark(self, span: tuple[int, int] | None) -> None:
        """Mark the cited passage of a text and scroll it into view (nothing when none was cited)."""
        self.text.setExtraSelections([])
        text = self.moment["text"] if self.moment else ""
        if not span or not 0 <= span[0] < span[1] <= len(text):
            return
        # offsets count Python characters; the document counts UTF-16 units (an emoji is two)
        a, b = (len(text[:i].encode("utf-16-le")) // 2 for i in span)
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(a)
        cursor.setPosition(b, QTextCursor.KeepAnchor)
        marked = QTextEdit.ExtraSelection()
        marked.cursor = cursor
        palette = self.text.palette()  # the theme's own selection colours: readable in light and dark
        marked.format.setBackground(palette.color(QPalette.Highlight))
        marked.format.setForeground(palette.color(QPalette.HighlightedText))
        self.text.setExtraSelections([marked])
        # scrolled once the view is shown and laid out at its width: scrolled before, the text reflows
        QTimer.singleShot(0, lambda: self._scroll_to(a, b))

    def _scroll_to(self, a: int, b: int) -> None:
        for at in (b, a):  # the cursor scrolls to where it is: the end, then the start in view
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(min(at, self.text.document().characterCount() - 1))
            self.text.setTextCursor(cursor)

    def marked(self) -> tuple[int, int] | None:
        """The marked passage's offsets, if any: what a reader (and a test) sees highlighted."""
        sel = self.text.extraSelections()
        return (sel[0].cursor.selectionStart(), sel[0].cursor.selectionEnd()) if sel else None

    def _fill_transcript(self, m: dict, at_s: float) -> None:
        self.transcript.clear()
        rows = queries.file_speech(self.state.vault.db, m["file_id"])
        current = None
        for r in rows:
            person = "me" if r["speaker"] == "me" else (r["speaker_name"] or ("someone" if r["speaker"] == "other" else "?"))
            item = QListWidgetItem(f"{timefmt.offset(r['start_s'])}  {person}: {r['text']}")
            item.setData(Qt.UserRole, (r["start_s"], r["end_s"], r["moment_id"]))
            self.transcript.addItem(item)
            if r["moment_id"] == m["moment_id"] and current is None:
                current = item
        line = _line_at([(r["start_s"], r["end_s"]) for r in rows], at_s) if m["kind"] == "speech" else None
        if line is not None:
            current = self.transcript.item(line)
        if current is not None:
            self.transcript.setCurrentItem(current)
        self.transcript.setVisible(bool(rows))  # writing and photos have no transcript: no empty pane

    def _load_photo(self, path: Path) -> None:
        def load(ctx):
            img = QImage(str(path))
            return img.scaled(1280, 960, Qt.KeepAspectRatio, Qt.SmoothTransformation) if not img.isNull() else img

        job = jobs.start("photo", load)
        job.finished.connect(lambda img: self.photo.setPixmap(QPixmap.fromImage(img)) if not img.isNull()
                             else self.photo.setText(f"{path.name} cannot be shown"))

    # -- playing ---------------------------------------------------------------------------------
    def _on_status(self, status) -> None:
        # seeking works once the media is loaded, not before
        if status in (QMediaPlayer.LoadedMedia, QMediaPlayer.BufferedMedia) and self._pending_seek is not None:
            self._seek_now()

    def _seek_now(self) -> None:
        pos, self._pending_seek = self._pending_seek or 0, None
        self.player.setPosition(pos)
        self.player.play()

    def _attach_audio(self) -> None:
        """Plays through the default output, or silently (the picture alone) where the machine has none."""
        has_device = bool(QMediaDevices.audioOutputs())
        if has_device:
            self.audio.setDevice(QMediaDevices.defaultAudioOutput())
        self.player.setAudioOutput(self.audio if has_device else None)

    def toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _on_position(self, ms: int) -> None:
        self.clock.setText(timefmt.offset(ms / 1000))
        if not self.seek.isSliderDown():
            self.seek.setValue(ms)
        rows = [self.transcript.item(i).data(Qt.UserRole) for i in range(self.transcript.count())]
        line = _line_at(rows, ms / 1000)
        if line is not None and self.transcript.currentRow() != line:
            self.transcript.setCurrentRow(line)

    def _jump_to_line(self, item: QListWidgetItem) -> None:
        start, _, _ = item.data(Qt.UserRole)
        self.player.setPosition(int(start * 1000))
        self.player.play()

    def position_s(self) -> float:
        return self.player.position() / 1000

    # -- the original ----------------------------------------------------------------------------
    def open_original(self) -> None:
        if self.moment:
            self.open_url(QUrl.fromLocalFile(self.moment["source"]))

    def show_in_folder(self) -> None:
        if self.moment:
            self.open_url(QUrl.fromLocalFile(str(Path(self.moment["source"]).parent)))
