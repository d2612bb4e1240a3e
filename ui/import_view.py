"""Import: drop folders or a camera card, watch each stage, cancel; failed files with their reasons."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QListWidget, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from . import jobs
from .state import AppState
from .theme import heading


def _eta(s: float | None) -> str:
    if s is None:
        return "working out the time left…"
    s = int(s)
    return f"about {s // 60} min {s % 60:02d} s left" if s >= 60 else f"about {s} s left"


class DropZone(QFrame):
    def __init__(self, on_paths):
        super().__init__()
        self.on_paths = on_paths
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.StyledPanel)
        self.setMinimumHeight(110)
        lay = QVBoxLayout(self)
        label = QLabel("Drop folders, a camera card or files here")
        label.setAlignment(Qt.AlignCenter)
        heading(label, 13, QFont.Normal)
        lay.addWidget(label)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.on_paths(paths)
            event.acceptProposedAction()


class ImportView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.job: jobs.Job | None = None
        self.drop = DropZone(self.start)
        choose = QPushButton("Choose a &folder…")
        choose.setObjectName("importChoose")
        choose.setProperty("writes", True)
        self.drop.setProperty("writes", True)
        choose.clicked.connect(self._choose)
        self.cancel_btn = QPushButton("&Cancel import")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.bar.setRange(0, 1000)
        self.stage = QLabel("Nothing importing.")
        self.stage.setObjectName("importStage")
        self.eta = QLabel("")
        self.summary = QLabel("")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        # which describer names what is in view (a user should know how much to expect of captions)
        from models.frames import describer_name
        from models.vision import describer_label

        s = state.vault.settings
        vision = describer_label(s["vision_model"], s["vision_mmproj"])
        self.describer = QLabel("Keyframes are described by: " + describer_name(bool(s["frame_objects"]), vision)
                                + (f". Your vision model captions up to {s['vision_frames']} keyframes of each "
                                   "video, one per scene." if vision else ". No captioning model ships with Sideload."))
        self.describer.setObjectName("describerActive")
        self.describer.setWordWrap(True)
        self.describer.setToolTip("The setting frame_objects turns the ImageNet classifier (EfficientNet-Lite0) on or off; "
                                  "vision_model and vision_mmproj set a vision GGUF pair of your own.")
        self.failed = QListWidget()
        self.failed.setObjectName("failedFiles")
        self.failed.setAccessibleName("Files that could not be imported, with the reason")
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addStretch(1)
        row.addWidget(self.cancel_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.drop)
        lay.addLayout(row)
        lay.addWidget(self.bar)
        lay.addWidget(self.stage)
        lay.addWidget(self.eta)
        lay.addWidget(self.summary)
        lay.addWidget(self.describer)
        lay.addWidget(QLabel("Not imported:"))
        lay.addWidget(self.failed, 1)
        if state.family:
            self.setEnabled(False)
            self.stage.setText("Family mode: a preserved sideload cannot take new imports.")

    def choose(self) -> None:
        """Ask for a folder and import it (also the File menu's Import…)."""
        self._choose()

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder")
        if folder:
            self.start([Path(folder)])

    def start(self, paths: list[Path]) -> None:
        if self.job and self.job.running:
            self.summary.setText("An import is already running; wait for it or cancel it.")
            return
        self.failed.clear()
        self.summary.setText("")
        self.bar.setValue(0)
        self.cancel_btn.setEnabled(True)

        context = self.state.context

        def work(ctx):
            with context.open(write=True) as v:
                return context.import_session(v, ctx).run(paths)

        self.job = job = jobs.start("import", work)
        job.progress.connect(self._progress)
        job.finished.connect(self._finished)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)

    def cancel(self) -> None:
        if self.job:
            self.job.cancel()
            self.stage.setText("Stopping after the current step…")

    def _progress(self, p) -> None:
        self.bar.setValue(int(p.fraction * 1000))
        files = f"file {min(p.done + 1, p.total)} of {p.total} · " if p.total else ""
        self.stage.setText(f"{files}{p.stage} · {p.item}")
        self.eta.setText(_eta(p.eta_s))

    def _finished(self, result) -> None:
        self.cancel_btn.setEnabled(False)
        self.bar.setValue(1000)
        self.stage.setText("Done.")
        self.eta.setText("")
        self.summary.setText(f"Imported {result.imported} file(s) with {result.moments} new moment(s); "
                             f"{result.skipped} already in the vault; {len(result.failed)} not imported.")
        for f in result.failed:
            self.failed.addItem(f"{Path(f['path']).name}: {f['reason']}")
        self.state.changed()

    def _failed(self, message: str) -> None:
        self.cancel_btn.setEnabled(False)
        self.stage.setText("The import stopped.")
        self.summary.setText(message)

    def _cancelled(self) -> None:
        self.cancel_btn.setEnabled(False)
        self.stage.setText("Cancelled. Files already imported are kept; importing again resumes.")
        self.state.changed()
