"""Correct the time of a file or a whole folder: from the timeline's menu on a moment (most often one
whose time was guessed from the file date). The core does the moving (sideload.lifecycle.retime), as
`sideload retime` does; this dialog only asks when, or by how much."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDateTimeEdit, QDialog, QDialogButtonBox,
                               QGridLayout, QLabel, QRadioButton, QSpinBox, QVBoxLayout)

from sideload import timefmt

from . import jobs
from .state import AppState
from .wheel import guard_all


class RetimeDialog(QDialog):
    moved = Signal(str)  # the day the corrected moment is on now

    def __init__(self, state: AppState, row: dict, scope: str, parent=None):
        super().__init__(parent)
        self.state = state
        self.row = row
        self.path = Path(row["path"]) if scope == "file" else Path(row["path"]).parent
        self.job: jobs.Job | None = None
        self.setWindowTitle("Correct the time of this " + ("file" if scope == "file" else "folder"))
        guess = timefmt.is_guess(row["time_source"])
        shown = timefmt.when(row["started_at"], guessed=guess)
        what = (f"<b>{self.path.name}</b>" if scope == "file" else
                f"every file in <b>{self.path}</b>")
        intro = QLabel(f"Move {what} to when it really happened.<br>This moment is shown at {shown}.")
        intro.setWordWrap(True)
        self.at_radio = QRadioButton("It really was at")
        self.shift_radio = QRadioButton("Move it by")
        group = QButtonGroup(self)
        for b in (self.at_radio, self.shift_radio):
            group.addButton(b)
        self.at_radio.setChecked(True)
        self.at = QDateTimeEdit(objectName="retimeAt")
        self.at.setDisplayFormat("dddd d MMMM yyyy, HH:mm")
        self.at.setCalendarPopup(True)
        start = timefmt.parse(row["started_at"]) or datetime.now()
        # the moment's own time is what the person sees; the file starts start_s before it
        self.offset_s = float(row.get("start_s") or 0.0)
        self.at.setDateTime(QDateTime(start.replace(microsecond=0)))
        self.direction = QComboBox(objectName="retimeDirection")
        self.direction.addItems(["later", "earlier"])
        self.days = QSpinBox(minimum=0, maximum=3650, suffix=" days", objectName="retimeDays")
        self.hours = QSpinBox(minimum=0, maximum=23, suffix=" h", objectName="retimeHours")
        self.minutes = QSpinBox(minimum=0, maximum=59, suffix=" min", objectName="retimeMinutes")
        grid = QGridLayout()
        grid.addWidget(self.at_radio, 0, 0)
        grid.addWidget(self.at, 0, 1, 1, 4)
        grid.addWidget(self.shift_radio, 1, 0)
        for col, w in enumerate((self.days, self.hours, self.minutes, self.direction), 1):
            grid.addWidget(w, 1, col)
        self.only_guessed = QCheckBox("Only the files whose time was guessed from the file date",
                                      objectName="retimeOnlyGuessed")
        self.only_guessed.setChecked(guess and scope == "folder")
        self.only_guessed.setVisible(scope == "folder")
        self.note = QLabel("Every moment of the file moves with this one." if scope == "file" else
                           "Every file moves by as much as this moment does, so they stay in the order they were made.")
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("&Move")
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(560)
        guard_all(self)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(grid)
        lay.addWidget(self.only_guessed)
        lay.addWidget(self.note)
        lay.addWidget(self.buttons)

    def request(self) -> dict:
        """What to ask the core: {'at': datetime} or {'shift': timedelta}, and the scope."""
        only = self.only_guessed.isChecked()
        if self.at_radio.isChecked():
            # the person gives the time of the moment they clicked: everything moves with it by as much
            moment_at = self.at.dateTime().toPython().replace(second=0, microsecond=0)
            now = timefmt.parse(self.row["started_at"])
            if now is not None:
                return {"shift": moment_at - now.replace(second=0, microsecond=0), "only_guessed": only}
            return {"at": moment_at - timedelta(seconds=self.offset_s), "only_guessed": only}
        delta = timedelta(days=self.days.value(), hours=self.hours.value(), minutes=self.minutes.value())
        if self.direction.currentText() == "earlier":
            delta = -delta
        return {"shift": delta, "only_guessed": only}

    def run(self) -> None:
        if self.state.family:
            return
        req = self.request()
        if "shift" in req and not req["shift"]:
            self.note.setText("That is the time it has already." if self.at_radio.isChecked()
                              else "Give a time to move it by.")
            return
        context, path, moment_id = self.state.context, self.path, self.row.get("moment_id")

        def work(ctx):
            from sideload.lifecycle.retime import retime

            with context.open(write=True) as v:
                return retime(v, path, ctx=ctx, **req)

        self.buttons.setEnabled(False)
        self.note.setText("Moving…")
        self.job = job = jobs.start("correct the time", work)
        job.finished.connect(self._done)
        job.failed.connect(self._failed)
        self._moment_id = moment_id

    def _done(self, result) -> None:
        self.state.status(f"Moved {result.moments} moment(s) of {len(result.files)} file(s).")
        self.state.changed()
        m = self.state.moment(self._moment_id) if self._moment_id else None
        jobs.emit(self.moved, (m or {}).get("day") or "")
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.note.setText(message)
