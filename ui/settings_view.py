"""Settings, generated from the one settings schema: a field per setting in plain words (the technical
name in its tooltip), its description, and what a change does to what is already imported, with a
button that redoes it where the core can.

No traps: a number, a choice or a time under the pointer never changes as the page scrolls past it (the
wheel reaches a field only once it has been clicked or tabbed into), and a path has a Browse button."""
from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QSpinBox,
                               QTimeEdit, QVBoxLayout, QWidget)

from sideload.errors import SideloadError
from sideload.settings import SCHEMA, Setting, Settings

from . import jobs
from .settings_words import REDO, tooltip, words_for
from .state import AppState
from .theme import muted
from .wheel import WheelGuard, guard


def editor_for(s: Setting, value):
    if s.type == "bool":
        w = QCheckBox()
        w.setChecked(bool(value))
        return w, w.isChecked
    if s.type == "int":
        w = QSpinBox()
        w.setRange(int(s.minimum if s.minimum is not None else -10**9), int(min(s.maximum or 10**9, 2**31 - 1)))
        w.setValue(int(value))
        return w, w.value
    if s.type == "float":
        w = QDoubleSpinBox()
        w.setDecimals(4 if (s.minimum or 0) < 0.01 else 2)
        w.setRange(float(s.minimum if s.minimum is not None else -1e9), float(s.maximum if s.maximum is not None else 1e9))
        w.setValue(float(value))
        return w, w.value
    if s.type == "choice":
        w = QComboBox()
        w.addItems(list(s.choices))
        w.setCurrentText(str(value))
        return w, w.currentText
    if s.type == "time":
        w = QTimeEdit(QTime.fromString(value, "HH:mm"))
        w.setDisplayFormat("HH:mm")
        return w, lambda: w.time().toString("HH:mm")
    if s.type == "list":
        w = QLineEdit(", ".join(value))
        w.setPlaceholderText(words_for(s).empty)
        return w, w.text
    w = QLineEdit(str(value))
    w.setPlaceholderText(words_for(s).empty)  # only what an empty field really means: no default is invented
    return w, w.text


def with_browse(s: Setting, edit: QLineEdit) -> QWidget:
    """A path field with a Browse button that asks for a file or a folder, as the setting takes."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    browse = QPushButton("Browse…")
    browse.setObjectName(f"browse_{s.name}")
    browse.setProperty("writes", True)

    def pick() -> None:
        title = words_for(s).label
        if s.path_kind == "folder":
            chosen = QFileDialog.getExistingDirectory(box, title, edit.text())
        else:
            chosen, _ = QFileDialog.getOpenFileName(box, title, edit.text())
        if chosen:
            edit.setText(chosen)

    browse.clicked.connect(pick)
    row.addWidget(browse)
    return box


class SettingsView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.getters: dict[str, callable] = {}
        self.editors: dict[str, QWidget] = {}
        self.redo_buttons: dict[str, QPushButton] = {}
        self._guard = WheelGuard(self)
        self._job: jobs.Job | None = None
        settings = Settings(state.vault.paths.settings_file)
        inner = QWidget()
        col = QVBoxLayout(inner)
        groups: dict[str, QFormLayout] = {}
        for s in SCHEMA:
            if s.group not in groups:
                box = QGroupBox(s.group.capitalize())
                groups[s.group] = QFormLayout(box)
                col.addWidget(box)
            words = words_for(s)
            editor, get = editor_for(s, settings[s.name])
            editor.setObjectName(f"setting_{s.name}")
            editor.setToolTip(tooltip(s))
            editor.setAccessibleName(words.label)
            editor.setAccessibleDescription(s.description)
            editor.setProperty("writes", True)
            if isinstance(editor, (QAbstractSpinBox, QComboBox)):
                guard(editor, self._guard)
            self.editors[s.name] = editor
            self.getters[s.name] = get
            cell = QWidget()
            cl = QVBoxLayout(cell)
            cl.setContentsMargins(0, 0, 0, 6)
            cl.addWidget(with_browse(s, editor) if s.type == "path" else editor)
            desc = muted(QLabel(s.description))
            desc.setWordWrap(True)
            cl.addWidget(desc)
            if words.applies:
                cl.addLayout(self._applies_row(s, words))
            label = QLabel(words.label)
            label.setToolTip(tooltip(s))
            label.setWordWrap(True)
            label.setBuddy(editor)
            groups[s.group].addRow(label, cell)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("settingsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.scroll = scroll
        self.save_btn = QPushButton("&Save settings")
        self.save_btn.setObjectName("settingsSave")
        self.save_btn.setProperty("writes", True)
        self.save_btn.clicked.connect(self.save)
        self.note = QLabel("")
        self.note.setObjectName("settingsNote")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.save_btn)
        row.addWidget(self.note, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(scroll, 1)
        lay.addLayout(row)
        if state.family:
            inner.setEnabled(False)
            self.save_btn.setEnabled(False)
            self.note.setText("Family mode: the preserved settings cannot change.")

    def _applies_row(self, s: Setting, words) -> QHBoxLayout:
        row = QHBoxLayout()
        note = QLabel(words.applies)
        note.setObjectName(f"applies_{s.name}")
        note.setWordWrap(True)
        italic = note.font()
        italic.setItalic(True)
        note.setFont(italic)
        row.addWidget(note, 1)
        if words.redo:
            text, _ = REDO[words.redo]
            btn = QPushButton(text)
            btn.setObjectName(f"redo_{s.name}")
            btn.setProperty("writes", True)
            btn.clicked.connect(lambda _=False, key=words.redo: self.redo(key))
            self.redo_buttons[s.name] = btn
            row.addWidget(btn)
        return row

    def save(self) -> bool:
        try:  # through the vault's writer lock, like `sideload settings`
            with self.state.context.open(write=True) as v:
                for name, get in self.getters.items():
                    v.settings.set(name, get())
                v.settings.save()
        except SideloadError as exc:
            self.note.setText(str(exc))
            return False
        self.state.vault.settings = Settings(self.state.vault.paths.settings_file)
        self.note.setText("Saved. Models load with the new settings on their next use.")
        self.state.changed()
        return True

    def redo(self, key: str) -> None:
        """Apply a saved change to what is already imported, with the same core step the nightly run uses."""
        if self.state.family or (self._job and self._job.running) or not self.save():
            return  # the change is saved first: the redo reads the settings from the vault
        context, (_, doing) = self.state.context, REDO[key]

        def work(ctx):
            with context.open(write=True) as v:
                if key == "re-embed":
                    return context.consolidate(v, ctx, only={"re-embed", "passages"})
                from sideload.ingest import speakers

                return speakers.relabel(v, context.hub(v.settings))

        self.note.setText(f"Saved; now {doing}…")
        self._job = job = jobs.start(key, work)
        job.finished.connect(lambda _: (self.note.setText(f"Done: {doing}."), self.state.changed()))
        job.failed.connect(self.note.setText)
