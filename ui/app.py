"""The desktop app: entry point and main window.

Views sit in a stack beside a list of their names (Ctrl+1…Ctrl+8 reach each one). The window reads
through the same core the CLI uses: quick queries on the main thread over a read-only connection,
everything slow as a job (ui/jobs.py). Opening a vault here takes no write lock; a job that writes
takes it for as long as it writes. Window geometry, the last view and the theme are restored on start.
"""
from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QLineEdit, QListWidget, QMainWindow,
                               QMessageBox, QPushButton, QStackedWidget, QVBoxLayout, QWidget)

from sideload import paths
from sideload.context import AppContext
from sideload.errors import SideloadError
from sideload.paths import resolve_vault_dir
from sideload.store.vault import Vault, is_legacy

from . import icons, refcounts  # noqa: F401 - refcounts: None's reserve before any widget (see there)
from .calendar_view import CalendarView
from . import collector, file_menu, wheel
from .chat_view import ChatView
from .home_view import HomeView
from .import_view import ImportView
from .jobs import EngineHost
from .jobs_view import JobsView
from .people_view import PeopleView
from .persona_view import PersonaView
from .player import PlayerView
from .search_view import SearchView
from .settings_view import SettingsView
from .state import AppState
from .theme import apply_theme, heading
from .timeline import TimelineView
from .watchdog import Watchdog

log = logging.getLogger(__name__)
VIEWS = ("Home", "Calendar", "Timeline", "Player", "Search", "Chat", "Persona", "Import", "Jobs", "Settings", "People")


def ui_settings() -> QSettings:
    """Window state lives beside the per-user data (SIDELOAD_HOME moves it too)."""
    return QSettings(str(paths.user_data_dir() / "ui.ini"), QSettings.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, vault: Vault, *, restore: bool = True, context: AppContext | None = None):
        super().__init__()
        collector.install()  # cycles are collected on this thread, never a job's (ui/collector.py)
        self.vault = vault
        family = is_legacy(vault.paths.catalogue)
        context = context or AppContext(vault.paths.root)
        self.state = AppState(context, vault.paths.root, vault, EngineHost(context), family)
        self.state.open_moment = self.open_moment
        self.state.status = lambda text: self.statusBar().showMessage(text, 8000)
        owner = vault.settings["owner_name"] or vault.paths.root.name
        self.setWindowTitle(f"Sideload — {owner}" + (" (family mode, read-only)" if family else ""))
        self.resize(1200, 760)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Views")
        self.nav.setMaximumWidth(170)
        self.stack = QStackedWidget()
        self.home = HomeView(self.state)
        self.calendar = CalendarView(self.state)
        self.timeline = TimelineView(self.state)
        self.player = PlayerView(self.state)
        self.search = SearchView(self.state)
        self.chat = ChatView(self.state)
        self.persona = PersonaView(self.state)
        self.importer = ImportView(self.state)
        self.jobs = JobsView(self.state)
        self.settings = SettingsView(self.state)
        self.people = PeopleView(self.state)
        views = (self.home, self.calendar, self.timeline, self.player, self.search, self.chat, self.persona,
                 self.importer, self.jobs, self.settings, self.people)  # a life first, then its tools
        for i, (name, view) in enumerate(zip(VIEWS, views)):
            view.setObjectName(f"view_{name.lower()}")
            self.stack.addWidget(view)
            self.nav.addItem(name)  # the shortcut in the tooltip: the list stays narrow beside an icon
            self.nav.item(i).setIcon(icons.view_icon(name))
            self.nav.item(i).setToolTip(f"{name} (Ctrl+{i + 1})" if i < 9 else name)
            act = QAction(name, self)
            if i < 9:  # Ctrl+1 ... Ctrl+9; later views by the list
                act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, i=i: self.show_view(i))
            self.addAction(act)
        # wide enough for the longest name beside its icon at any font size, never a scroll bar
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.nav.setMaximumWidth(16777215)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 16)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.home.askRequested.connect(self.ask_persona)
        self.home.dayRequested.connect(self.open_day)
        self.home.viewRequested.connect(self.show_view)
        self.calendar.daySelected.connect(self.open_day)
        find = QAction("Find", self, shortcut=QKeySequence.Find)
        find.triggered.connect(lambda: (self.show_view("Search"), self.search.query.setFocus()))
        self.addAction(find)
        host = QWidget()
        col = QVBoxLayout(host)
        if family:
            banner = QLabel("Family mode: a preserved sideload, read-only. You see what its owner released.")
            banner.setObjectName("familyBanner")
            banner.setContentsMargins(6, 6, 6, 6)
            heading(banner, banner.font().pointSizeF())
            col.addWidget(banner)
        elif not vault.settings["owner_name"]:
            col.addWidget(self._owner_question())
        row = QHBoxLayout()
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        col.addLayout(row, 1)
        self.setCentralWidget(host)
        self._build_menu()
        if family:
            file_menu.disable_writes(self)  # every control marked as a write, as the core refuses them anyway
        self.watchdog = Watchdog(parent=self).start()
        self.state.engines.warm(import_models=not family)  # a family copy never imports
        self.show_view(0)
        if restore:
            self.restore_state()

    def _owner_question(self) -> QWidget:
        """First run: whose life is this? The persona speaks as them (and never as "the owner")."""
        box = QWidget(objectName="ownerQuestion")
        row = QHBoxLayout(box)
        from sideload.persona import owner_name

        guessed = owner_name.guess(self.vault.db)  # from chats and their own words; shown, never set silently
        ask = "Whose life is this? The persona will speak as them:"
        if guessed:
            ask = f"Whose life is this? Our guess is {guessed.name} ({guessed.why}). Right? The persona will speak as them:"
        row.addWidget(QLabel(ask, objectName="ownerAsk", wordWrap=True))
        name = QLineEdit(placeholderText="their name", objectName="ownerName")
        if guessed:
            name.setText(guessed.name)
        save = QPushButton("&Save")
        row.addWidget(name, 1)
        row.addWidget(save)

        def store() -> None:
            text = name.text().strip()
            if not text:
                return
            try:
                with self.state.context.open(write=True) as v:
                    v.settings.set("owner_name", text)
                    v.settings.save()
            except SideloadError as exc:
                self.statusBar().showMessage(str(exc), 8000)
                return
            self.vault.settings.set("owner_name", text)
            self.setWindowTitle(f"Sideload — {text}")
            box.hide()
            self.state.changed()

        save.clicked.connect(store)
        name.returnPressed.connect(store)
        return box

    def _build_menu(self) -> None:
        view = self.menuBar().addMenu("&View")
        for theme in ("light", "dark"):
            act = QAction(f"{theme.capitalize()} theme", self)
            act.triggered.connect(lambda _=False, t=theme: self.set_theme(t))
            view.addAction(act)
        file_menu.build(self)  # open a vault, import, open a preserved sideload, export, quit
        wheel.guard_all(self)  # no number or choice turns under a scrolling wheel

    def set_theme(self, theme: str) -> None:
        apply_theme(QApplication.instance(), theme)
        ui_settings().setValue("theme", theme)

    def show_view(self, index: int | str) -> None:
        if isinstance(index, str):  # a view by its name ("Home", "Search", ...)
            index = VIEWS.index(index)
        self.nav.setCurrentRow(index)
        self.stack.setCurrentIndex(index)

    def open_moment(self, moment_id: str, at: float | None = None, span: tuple[int, int] | None = None) -> None:
        """Open a moment in the player at the cited second `at` (else its own start), with the cited
        passage of a long text (`span`) marked."""
        self.player.show_moment(moment_id, at, span)
        self.show_view(VIEWS.index("Player"))

    def open_day(self, day: str) -> None:
        """A day from the calendar or the home view, in the timeline."""
        self.timeline.show_day(day, nearest=True)
        self.show_view("Timeline")

    def ask_persona(self, question: str) -> None:
        """A question from the home view, asked in a new chat."""
        self.show_view("Chat")
        self.chat.new_session()
        self.chat.input.setText(question)
        self.chat.send()

    # -- state across restarts -------------------------------------------------------------------
    def restore_state(self) -> None:
        s = ui_settings()
        geo = s.value("geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        size = s.value("size")
        if isinstance(size, (list, tuple)) and len(size) == 2:  # where a window manager ignores the geometry
            self.resize(int(size[0]), int(size[1]))
        if self.state.family:
            return  # the family always comes in by the home view
        try:
            self.show_view(int(s.value("view", 0)))
        except (TypeError, ValueError):
            pass

    def save_state(self) -> None:
        s = ui_settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("size", [self.width(), self.height()])
        s.setValue("view", self.stack.currentIndex())
        s.sync()

    def closeEvent(self, event) -> None:
        self.save_state()
        self.watchdog.stop()
        self.state.engines.shutdown()
        self.state.context.close()
        super().closeEvent(event)


HEAVY_MODULES = ("numpy", "torch", "sentence_transformers", "chromadb", "llama_cpp", "faster_whisper", "ctranslate2",
                 "onnxruntime", "cv2", "resemblyzer", "rapidocr_onnxruntime")


def preload(modules=HEAVY_MODULES) -> None:
    """Import the model libraries before the window opens. Their C extensions initialise while holding
    Python's GIL for up to half a second at a time; done later on a worker thread, that froze the window
    mid-search. Models themselves still load lazily, on the worker threads."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # an optional engine missing is reported when it is used, not here
            log.debug("preloading %s failed", name, exc_info=True)
    try:
        from models.speaker import warm_up

        warm_up()
    except Exception:
        log.debug("warming up the voice encoder failed", exc_info=True)
    # With these libraries loaded, a full garbage collection walks about half a million objects: 280 ms
    # here, holding the GIL on whichever thread triggers it, so the window froze at random during an
    # import. What exists now lives as long as the app; take it out of the collector's walk.
    import gc

    gc.collect()
    gc.freeze()


def install_crash_hook(parent_getter=lambda: None) -> None:
    """An unexpected error shows a dialog and goes to the log instead of silently killing the app."""
    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error in the app\n%s", text)
        if QApplication.instance() is not None:
            box = QMessageBox(QMessageBox.Critical, "Sideload hit a problem",
                              f"{exc_type.__name__}: {exc}\n\nNothing was lost. The details are in the log "
                              f"({paths.user_log_dir()}).", parent=parent_getter())
            box.setDetailedText(text)
            box.open()

    sys.excepthook = hook


def run_app(vault_dir: Path) -> int:
    from sideload import logs

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Sideload")
    logs.setup(verbose=False)
    try:
        vault = Vault.open(vault_dir)
    except SideloadError as exc:
        sys.stderr.write(f"sideload: {exc}\n")
        return exc.exit_code
    apply_theme(app, str(ui_settings().value("theme", "light")))
    preload()
    window = MainWindow(vault)
    install_crash_hook(lambda: window)
    window.show()
    try:
        return app.exec()
    finally:
        vault.close()


def main() -> int:
    return run_app(resolve_vault_dir(None))


if __name__ == "__main__":
    sys.exit(main())
