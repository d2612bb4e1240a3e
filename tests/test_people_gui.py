"""The People view, in a real window offscreen over a real vault of conversations (fake embedder and
chat model): naming a voice there shows the name in the timeline and in a chat answer; a family sees
the people but cannot name them."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from fakes import FakeLLM
from people_vault import conversation_vault

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, home):
    from ui.app import MainWindow

    context, _ = conversation_vault(tmp_path, llm=FakeLLM("Something unrelated entirely."))
    vault = context.open()
    win = MainWindow(vault, restore=False, context=context)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    vault.close()


def _lines(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def test_naming_a_voice_in_the_people_view_names_it_in_the_timeline_and_the_chat(qtbot, window, monkeypatch):
    win = window
    win.show_view(win.stack.indexOf(win.people))
    view = win.people
    assert view.list.count() == 3 and view.list.item(0).text().startswith("Alex (me)")
    assert not view.name_btn.isEnabled()  # the owner's own voice is named by the owner's name
    maria_row = next(i for i, t in enumerate(_lines(view.list)) if t.startswith("unnamed voice") and "3 moments" in t)
    view.list.setCurrentRow(maria_row)
    assert [t.split("\n")[1] for t in _lines(view.moments)][0].startswith("The quarterly report")
    win.timeline.show_day("2026-03-02")
    assert not any("Maria" in t.split("\n")[0] for t in _lines(win.timeline.moments))

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Maria", True))
    with qtbot.waitSignal(win.people.name_btn.clicked, timeout=1000):
        qtbot.mouseClick(view.name_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.list.item(1) is not None and view.list.item(1).text().startswith("Maria"),
                    timeout=10_000)
    assert "named by you" in view.list.item(1).text()
    assert view.heading.text() == "Maria" and view.name_btn.text().startswith("Re")

    win.timeline.show_day("2026-03-02")
    heads = [t.split("\n")[0] for t in _lines(win.timeline.moments) if "quarterly report" in t]
    assert heads and "Maria" in heads[0]

    # a person's moment, and a sample of the voice, open in the player (the recordings here are not
    # real media: the player itself is tested with real ones in test_ui.py)
    opened = []
    monkeypatch.setattr(win.state, "open_moment", lambda mid, *a: opened.append(mid))
    view.moments.itemActivated.emit(view.moments.item(0))
    view.sample_btn.click()
    with win.state.context.open() as v:
        hers = v.moments(day="2026-03-02")[2]["moment_id"]  # her first words, and her longest stretch
    assert opened == [hers, hers]

    chat = win.chat
    win.show_view(win.stack.indexOf(chat))
    qtbot.keyClicks(chat.input, "what did Maria want from me?")
    chat.send()
    qtbot.waitUntil(lambda: chat.turns and chat.turns[-1][0] == "assistant" and not chat.job.running, timeout=20_000)
    assert "Maria told me: “The quarterly report is due on Friday" in chat.turns[-1][1]


def test_a_family_sees_the_people_read_only(qtbot, tmp_path, home):
    from ui.app import MainWindow

    context, _ = conversation_vault(tmp_path)
    vault = context.open()
    win = MainWindow(vault, restore=False, context=context)
    qtbot.addWidget(win)
    try:
        win.state.family = True  # as a preserved sideload opens: every write in the UI is off
        win.people.reload()
        win.people.list.setCurrentRow(1)
        assert win.people.list.count() == 3 and not win.people.name_btn.isEnabled()
        assert win.people.name_voice("Maria") is None and win.people.sample_btn.isEnabled()
    finally:
        win.close()
        vault.close()
