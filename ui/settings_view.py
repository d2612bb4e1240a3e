"""Settings, generated from the one settings schema: a field per setting, its description beside it."""
from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSpinBox, QTimeEdit, QVBoxLayout, QWidget)

from sideload.errors import SideloadError
from sideload.settings import SCHEMA, Setting, Settings

from .state import AppState


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
        return w, w.text
    w = QLineEdit(str(value))
    if s.type == "path":
        w.setPlaceholderText("empty: the bundled default")
    return w, w.text


class SettingsView(QWidget):
    def __init__(self, state: AppState):
        super().__init__()
        self.state = state
        self.getters: dict[str, callable] = {}
        self.editors: dict[str, QWidget] = {}
        settings = Settings(state.vault.paths.settings_file)
        inner = QWidget()
        col = QVBoxLayout(inner)
        groups: dict[str, QFormLayout] = {}
        for s in SCHEMA:
            if s.group not in groups:
                box = QGroupBox(s.group.capitalize())
                groups[s.group] = QFormLayout(box)
                col.addWidget(box)
            editor, get = editor_for(s, settings[s.name])
            editor.setObjectName(f"setting_{s.name}")
            editor.setToolTip(s.description)
            editor.setAccessibleName(s.name.replace("_", " "))
            editor.setAccessibleDescription(s.description)
            self.editors[s.name] = editor
            self.getters[s.name] = get
            cell = QWidget()
            cl = QVBoxLayout(cell)
            cl.setContentsMargins(0, 0, 0, 6)
            cl.addWidget(editor)
            desc = QLabel(s.description)
            desc.setWordWrap(True)
            desc.setStyleSheet("color: palette(mid);")
            cl.addWidget(desc)
            label = QLabel(s.name.replace("_", " "))
            label.setBuddy(editor)
            groups[s.group].addRow(label, cell)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.save_btn = QPushButton("&Save settings")
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

    def save(self) -> None:
        try:  # through the vault's writer lock, like `sideload settings`
            with self.state.context.open(write=True) as v:
                for name, get in self.getters.items():
                    v.settings.set(name, get())
                v.settings.save()
        except SideloadError as exc:
            self.note.setText(str(exc))
            return
        self.state.vault.settings = Settings(self.state.vault.paths.settings_file)
        self.note.setText("Saved. Models load with the new settings on their next use.")
        self.state.changed()
