"""The desktop app's entry point and main window (a first timeline: days and their moments).

Reads through the same core the CLI uses; opening a vault here takes no write lock.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QSplitter, QVBoxLayout, QWidget)

from sideload.errors import SideloadError
from sideload.paths import resolve_vault_dir
from sideload.vault import Vault

KIND_MARK = {"speech": "said", "scene": "scene", "photo": "photo", "text": "wrote"}  # words: no emoji font is guaranteed


class MainWindow(QMainWindow):
    def __init__(self, vault: Vault):
        super().__init__()
        self.vault = vault
        self.setWindowTitle(f"Sideload — {vault.paths.root.name}")
        self.resize(1100, 700)
        self.days = QListWidget()
        self.days.setObjectName("days")
        self.days.setMaximumWidth(220)
        self.moments = QListWidget()
        self.moments.setObjectName("moments")
        self.moments.setIconSize(QSize(120, 68))
        self.moments.setWordWrap(True)
        self.header = QLabel()
        self.header.setObjectName("dayHeader")
        self.header.setStyleSheet("font-size: 16pt; font-weight: 600; padding: 6px;")
        right = QWidget()
        col = QVBoxLayout(right)
        col.addWidget(self.header)
        col.addWidget(self.moments)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.days)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        host = QWidget()
        lay = QHBoxLayout(host)
        lay.addWidget(split)
        self.setCentralWidget(host)
        self.days.currentItemChanged.connect(self._show_day)
        self.reload()

    def reload(self) -> None:
        self.days.clear()
        days = self.vault.days()
        peak = max((n for _, n in days), default=1)
        for day, n in days:
            bar = "▮" * max(1, round(8 * n / peak))
            item = QListWidgetItem(f"{day}  {bar}  {n}")
            item.setData(Qt.UserRole, day)
            self.days.addItem(item)
        if days:
            self.days.setCurrentRow(len(days) - 1)
        else:
            self.header.setText("No moments yet: import footage, recordings or writing.")

    def _show_day(self, item: QListWidgetItem | None) -> None:
        self.moments.clear()
        if item is None:
            return
        day = item.data(Qt.UserRole)
        rows = self.vault.db.execute(
            "SELECT m.moment_id, m.kind, m.started_at, m.speaker, m.text, m.caption, m.keyframe, f.content_hash, m.start_s "
            "FROM moments m JOIN files f USING (file_id) WHERE m.day = ? ORDER BY m.t_start, m.start_s", (day,)).fetchall()
        self.header.setText(f"{day} — {len(rows)} moments")
        for r in rows:
            when = (r["started_at"] or "")[11:16] or "     "
            who = {"me": "me", "other": "someone else"}.get(r["speaker"] or "", "")
            body = (r["text"] or r["caption"] or "").replace("\n", " ")
            label = f"{when}  [{KIND_MARK.get(r['kind'], r['kind'])}] {who + ': ' if who else ''}{body[:160]}"
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, r["moment_id"])
            if r["keyframe"]:
                thumb = self.vault.paths.thumbnail_file(r["content_hash"], int(round(r["start_s"] * 1000)))
                if thumb.exists():
                    item.setIcon(QIcon(QPixmap(str(thumb))))
            self.moments.addItem(item)


def run_app(vault_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    try:
        vault = Vault.open(vault_dir)
    except SideloadError as exc:
        sys.stderr.write(f"sideload: {exc}\n")
        return exc.exit_code
    window = MainWindow(vault)
    window.show()
    try:
        return app.exec()
    finally:
        vault.close()


def main() -> int:
    return run_app(resolve_vault_dir(None))


if __name__ == "__main__":
    sys.exit(main())
