"""Home and the calendar of a whole life: a real window offscreen over real vaults (engines faked through
the application context, so no model loads). The large vault is generated once per session with the
store's bulk helper: six years of days, half a million moments, no media."""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date

import pytest

from fakes import FakeLLM, fake_context
from sideload.jobs import JobContext

pytestmark = pytest.mark.gui

OWNER = "Ada Lovelace"


@pytest.fixture(scope="session")
def big_vault(tmp_path_factory, home):
    """At least 2,000 days and 500,000 moments (about 5 s to write)."""
    from sideload.store import synthetic
    from sideload.store.vault import Vault

    root = tmp_path_factory.mktemp("big") / "vault"
    with Vault.init(root) as v:
        made = synthetic.fill(v, first=date(2020, 6, 1), days=2150, moments=500_000)
        v.settings.set("owner_name", OWNER)
        v.settings.save()
    assert made["days"] >= 2000 and made["moments"] == 500_000
    return root


@pytest.fixture
def small_vault(tmp_path, home):
    """A real import of a diary over three years and a chat with Ruth."""
    diary = tmp_path / "diary.jsonl"
    diary.write_text("".join(json.dumps(e) + "\n" for e in (
        {"date": "2024-03-03", "text": "Snow on the allotment; we drank tea in the shed and planned the beds."},
        {"date": "2025-03-03", "text": "We planted the apple tree by the gate this morning, Ruth held the ladder."},
        {"date": "2026-03-01", "text": "Sunday. Repotted the fig tree and called my sister Ruth."},
        {"date": "2026-03-02", "text": "The early swim at the lido; the cold water clears my head."},
    )), encoding="utf-8")
    chat = tmp_path / "WhatsApp Chat with Ruth.txt"
    chat.write_text("02/03/2026, 18:02 - Ruth: Can you bring the blue suitcase on Friday?\n"
                    "02/03/2026, 18:05 - Ada Lovelace: Yes, I'll bring it and the umbrella.\n", encoding="utf-8")
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        v.settings.set("owner_name", OWNER)
        v.settings.save()
        context.import_session(v, JobContext()).run([diary, chat])
    return tmp_path / "vault"


@pytest.fixture
def make_window(qtbot):
    made = []

    def make(vault_dir, *, family: bool = False, llm: FakeLLM | None = None):
        from ui.app import MainWindow

        if family:  # a preserved sideload is marked so in its catalogue
            with closing(sqlite3.connect(vault_dir / "sideload.db")) as c:
                c.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('legacy', '1')")
                c.commit()
        context = fake_context(vault_dir, llm=llm or FakeLLM("I remember the suitcase."))
        vault = context.open()
        win = MainWindow(vault, restore=False, context=context)
        qtbot.addWidget(win)
        win.resize(1200, 760)
        win.show()
        qtbot.waitExposed(win)
        made.append((win, vault))
        return win

    yield make
    for win, vault in made:
        win.close()
        vault.close()


def _home_loaded(qtbot, win):
    qtbot.waitUntil(lambda: win.home.data is not None, timeout=10_000)
    return win.home


def test_home_in_owner_mode(qtbot, make_window, small_vault, tmp_path):
    from PySide6.QtGui import QColor, QImage

    from sideload.recall import overview

    win = make_window(small_vault)
    assert win.stack.currentWidget() is win.home  # the first view
    home = _home_loaded(qtbot, win)
    assert home.name.text() == OWNER
    assert "4 days" in home.span.text() and "Sunday 3 March 2024" in home.span.text()
    # fake clock: 3 March 2026; on this day in 2025 and 2024, newest first
    otd = home.on_this_day.body.text()
    assert "apple tree" in otd and "Snow on the allotment" in otd and otd.index("apple") < otd.index("Snow")
    recent = home.recent.body.text()
    assert recent.index("Mon 2 Mar 2026") < recent.index("Sun 1 Mar 2026")
    assert "Ruth" in home.people.body.text()

    # the photo: chosen by the owner, scaled, kept in the catalogue
    assert home.choose.isVisibleTo(win) and home.choose.isEnabled()
    picture = tmp_path / "me.png"
    img = QImage(1600, 1200, QImage.Format_RGB32)
    img.fill(QColor("#c0a080"))
    img.save(str(picture))
    assert home.choose_photo(str(picture))
    with win.state.context.open() as v:
        kept = overview.portrait(v)
    assert kept[:3] == b"\xff\xd8\xff" and len(kept) < overview.PORTRAIT_MAX_BYTES
    stored = QImage.fromData(kept)
    assert max(stored.width(), stored.height()) == 480
    assert home.portrait.image is not None

    # the dark theme, live: the cards' secondary words and the calendar take its colours
    from PySide6.QtWidgets import QApplication

    light = home._muted_colour()
    assert light in home.recent.body.text() and light not in ("#000000", "#ffffff")
    try:
        win.set_theme("dark")
        QApplication.processEvents()
        dark = home._muted_colour()
        assert dark != light and dark in home.recent.body.text()
    finally:
        win.set_theme("light")
        QApplication.processEvents()

    # a day link opens the timeline on that day
    home.follow("day:2026-03-01")
    tl = win.timeline
    assert win.stack.currentWidget() is tl
    assert tl.strip.days[tl.strip.current][0] == "2026-03-01"

    # the ask box asks the persona in the chat view
    win.show_view("Home")
    qtbot.keyClicks(home.ask, "what did Ruth want me to bring?")
    qtbot.keyClick(home.ask, "\r")
    assert win.stack.currentWidget() is win.chat
    qtbot.waitUntil(lambda: len(win.chat.turns) >= 2, timeout=10_000)
    assert win.chat.turns[0] == ("user", "what did Ruth want me to bring?", [])
    qtbot.waitUntil(lambda: win.chat.sessions.count() == 1, timeout=10_000)  # kept, before the window goes


def test_home_in_family_mode_is_read_only_with_the_persona_one_click_away(qtbot, make_window, small_vault):
    from ui.app import ui_settings

    ui_settings().setValue("view", 4)  # where the owner left the app: the family still comes in by Home
    win = make_window(small_vault, family=True)
    win.restore_state()
    assert win.stack.currentWidget() is win.home
    home = _home_loaded(qtbot, win)
    assert not home.choose.isVisibleTo(win) and not home.choose.isEnabled()
    assert not home.choose_photo(__file__)  # and nothing would be written if it were asked
    assert "Nothing here can be changed" in home.intro.text() and OWNER in home.intro.text()
    assert "apple tree" in home.on_this_day.body.text()
    # a suggested question is one click from an answer
    suggestion = "Who is Ruth?"
    assert suggestion in home.suggest.text()
    home.follow(f"ask:{suggestion}")
    qtbot.waitUntil(lambda: len(win.chat.turns) >= 2, timeout=10_000)
    assert win.chat.turns[0][1] == suggestion
    qtbot.waitUntil(lambda: "not kept" in win.chat.note.text(), timeout=5_000)


def test_an_empty_vault_says_so_and_points_at_import(qtbot, make_window, tmp_path, home):
    context = fake_context(tmp_path / "empty")
    context.init().close()
    win = make_window(tmp_path / "empty")
    h = _home_loaded(qtbot, win)
    assert h.empty.isVisibleTo(win) and not h.recent.isVisibleTo(win)
    assert "Import a folder" in h.empty.body.text()
    h.follow("view:Import")
    assert win.stack.currentWidget() is win.importer
    win.show_view("Calendar")
    qtbot.waitUntil(lambda: win.calendar.loaded, timeout=10_000)
    assert "Nothing imported yet" in win.calendar.grid.message


def test_the_calendar_of_a_large_vault_scrolls_within_the_watchdogs_bar(qtbot, make_window, big_vault):
    from PySide6.QtCore import QPoint, Qt

    win = make_window(big_vault)
    _home_loaded(qtbot, win)
    qtbot.wait(200)  # let start-up settle: what is measured is opening and scrolling
    win.watchdog.reset()
    win.show_view("Calendar")
    grid = win.calendar.grid
    qtbot.waitUntil(lambda: win.calendar.loaded, timeout=10_000)
    assert len(grid.counts) >= 2000 and sum(grid.counts.values()) == 500_000
    bar = grid.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0  # opens on the newest days
    # across every year, top to bottom and back, at two zoom levels, painting each step
    for zoom in (grid.zoom, grid.zoom + 2):
        grid.set_zoom(zoom)
        step = max(1, bar.maximum() // 120)
        for value in list(range(0, bar.maximum() + step, step)) + list(range(bar.maximum(), -1, -4 * step)):
            bar.setValue(value)
            grid.viewport().repaint()
            qtbot.wait(1)
    worst = win.watchdog.worst
    assert not win.watchdog.stalls, f"stalls over 100 ms: {win.watchdog.stalls}"

    # zoom to a day: clicking it opens the timeline there
    day = date(2024, 3, 5)
    assert grid.counts.get(day.isoformat())
    grid.ensure_visible(day)
    rect = grid.day_rect(day)
    qtbot.mouseClick(grid.viewport(), Qt.LeftButton, pos=QPoint(rect.center()))
    tl = win.timeline
    assert win.stack.currentWidget() is tl
    assert tl.strip.days[tl.strip.current][0] == day.isoformat()
    assert tl.moments.count() == grid.counts[day.isoformat()]
    print(f"worst stall while opening and scrolling the calendar: {worst * 1000:.0f} ms")


def test_painting_for_ever_cannot_free_none(qtbot):
    """PySide6 6.12 on Python 3.11 drops a reference to None on every call that returns nothing; the app
    gives None a reserve first (ui/refcounts.py), or a few minutes of scrolling the calendar aborted it."""
    import sys

    from PySide6.QtWidgets import QLabel

    from ui import refcounts

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(10_000):
        label.setText("x")
    if refcounts.NEEDED:
        assert sys.getrefcount(None) > refcounts.RESERVE // 2
    else:
        assert sys.getrefcount(None) >= before - 100
