"""The File menu: open another vault, import, open a preserved sideload, export for the family, quit.

Another vault, or an opened preserved sideload, comes up in a window of its own process (`sideload --vault
DIR app`): each process keeps one application context and one model hub for one vault, as every face of
Sideload does. Importing and exporting go to the views that already do them, with their progress.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMainWindow, QMenu, QWidget

from sideload import paths

from . import jobs


def open_in_new_window(vault_dir: Path) -> bool:
    """The app on another vault, in its own process."""
    return QProcess.startDetached(sys.executable, ["-m", "sideload.cli", "--vault", str(vault_dir), "app"])[0]


def build(window: QMainWindow) -> QMenu:
    """The File menu, first in the menu bar. `window` is the main window (its views and status bar)."""
    menu = QMenu("&File", window)
    menu.setObjectName("fileMenu")

    def action(text: str, name: str, slot, shortcut=None, writes: bool = False) -> QAction:
        act = QAction(text, window)
        act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setProperty("writes", writes)
        act.triggered.connect(lambda _=False: slot())
        menu.addAction(act)
        return act

    action("&Open a vault…", "fileOpenVault", lambda: open_vault(window), QKeySequence.Open)
    action("&Import…", "fileImport", lambda: (_show(window, window.importer), window.importer.choose()),
           "Ctrl+I", writes=True)
    menu.addSeparator()
    action("Open a &preserved sideload…", "fileOpenLegacy", lambda: open_preserved(window))
    action("&Export for the family…", "fileExport", lambda: export(window), "Ctrl+E", writes=True)
    menu.addSeparator()
    action("&Quit", "fileQuit", window.close, QKeySequence.Quit)
    bar = window.menuBar()
    first = bar.actions()[0] if bar.actions() else None
    if first is not None:
        bar.insertMenu(first, menu)
    else:
        bar.addMenu(menu)
    return menu


def _show(window: QMainWindow, view: QWidget) -> None:
    window.show_view(window.stack.indexOf(view))


def open_vault(window: QMainWindow) -> None:
    folder = QFileDialog.getExistingDirectory(window, "Open a vault", str(window.state.vault_dir.parent))
    if not folder:
        return
    if Path(folder).resolve() == window.state.vault_dir.resolve():
        window.statusBar().showMessage("That vault is open here already.", 8000)
    elif open_in_new_window(Path(folder)):
        window.statusBar().showMessage(f"Opening {folder} in a new window…", 8000)


def export(window: QMainWindow) -> None:
    _show(window, window.jobs)
    window.jobs.passphrase.setFocus()
    window.statusBar().showMessage("Choose a passphrase (and trustees, if you like), then Export for the family.", 8000)


def open_preserved(window: QWidget) -> None:
    """A preserved sideload: its passphrase, unpacked read-only beside the per-user data, opened in family mode."""
    name, _ = QFileDialog.getOpenFileName(window, "Open a preserved sideload", str(Path.home()),
                                          "Preserved sideloads (*.legacy);;All files (*)")
    if not name:
        return
    secret, ok = QInputDialog.getText(window, "Passphrase", f"The passphrase of {Path(name).name}:",
                                      QLineEdit.Password)
    if not ok or not secret:
        return
    dest = paths.user_data_dir() / "legacy" / Path(name).stem

    def work(ctx):
        from sideload.lifecycle.legacy import open_legacy

        return open_legacy(Path(name), dest, passphrase=secret)

    job = jobs.start("open a preserved sideload", work)
    window.statusBar().showMessage(f"Opening {Path(name).name}…")
    job.finished.connect(lambda counts: (open_in_new_window(dest),
                                         window.statusBar().showMessage(
                                             f"Opened {counts.get('moments', 0)} moments read-only in a new window.", 8000)))
    job.failed.connect(lambda msg: window.statusBar().showMessage(msg, 12000))


def disable_writes(window: QWidget) -> int:
    """Family mode: every control marked as a write (`writes` property) is disabled, menus included, as the
    core refuses every write to a preserved sideload anyway. Returns how many were disabled."""
    n = 0
    for w in window.findChildren(QWidget):
        if w.property("writes"):
            w.setEnabled(False)
            n += 1
    for a in window.findChildren(QAction):
        if a.property("writes"):
            a.setEnabled(False)
            n += 1
    return n
