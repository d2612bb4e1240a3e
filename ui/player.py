"""Moment player: the original video or audio from the moment's second, its transcript following along
(click a line to go there); photos and writing shown in place; open the original or its folder."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoSink
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSlider,
                               QSplitter, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget)

from sideload.store import queries

from . import jobs
from .state import AppState


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


def _nice_time(iso_text: str | None) -> str:
    from datetime import datetime

    if not iso_text:
        return "an unknown time"
    try:
        dt = datetime.fromisoformat(iso_text)
    except ValueError:
        return iso_text
    return dt.strftime("%A %d %B %Y") if len(iso_text) <= 10 else dt.strftime("%A %d %B %Y, %H:%M:%S")


def _clock(ms: int) -> str:
    s = max(ms, 0) // 1000
    return f"{s // 60}:{s % 60:02d}"


class PlayerView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.moment: dict | None = None
        self._pending_seek: int | None = None
        self.open_url = QDesktopServices.openUrl  # how "open original" reaches the desktop
        self.title = QLabel("Open a moment from the timeline, a search or a chat citation.")
        self.title.setObjectName("playerTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
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
        self.player.setAudioOutput(self.audio)
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
        self.clock = QLabel("0:00")
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
    def show_moment(self, moment_id: str) -> None:
        m = self.state.moment(moment_id)
        if m is None:
            self.title.setText("That moment is no longer in the vault.")
            return
        self.moment = m
        self.title.setText(f"{_nice_time(m['started_at'])} — {Path(m['source']).name} @ {m['start_s']:.1f} s")
        self._fill_transcript(m)
        src = Path(m["source"])
        if m["kind"] == "text":
            self.player.stop()
            self.stage.setCurrentWidget(self.text)
            self.text.setPlainText(m["text"])
        elif m["kind"] == "photo":
            self.player.stop()
            self.stage.setCurrentWidget(self.photo)
            self._load_photo(src)
        else:
            self.stage.setCurrentWidget(self.video)
            self._pending_seek = int(m["start_s"] * 1000)
            if self.player.source() != QUrl.fromLocalFile(str(src)):
                self.player.setSource(QUrl.fromLocalFile(str(src)))
            else:
                self._seek_now()

    def _fill_transcript(self, m: dict) -> None:
        self.transcript.clear()
        rows = queries.file_speech(self.state.vault.db, m["file_id"])
        for r in rows:
            person = "me" if r["speaker"] == "me" else (r["speaker_name"] or ("someone" if r["speaker"] == "other" else "?"))
            item = QListWidgetItem(f"{_clock(int(r['start_s'] * 1000))}  {person}: {r['text']}")
            item.setData(Qt.UserRole, (r["start_s"], r["end_s"], r["moment_id"]))
            self.transcript.addItem(item)
            if r["moment_id"] == m["moment_id"]:
                self.transcript.setCurrentItem(item)

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

    def toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _on_position(self, ms: int) -> None:
        self.clock.setText(_clock(ms))
        if not self.seek.isSliderDown():
            self.seek.setValue(ms)
        t = ms / 1000
        for i in range(self.transcript.count()):
            start, end, _ = self.transcript.item(i).data(Qt.UserRole)
            if start <= t <= end + 0.5:
                if self.transcript.currentRow() != i:
                    self.transcript.setCurrentRow(i)
                break

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
