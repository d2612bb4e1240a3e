"""The app's wiring, fast: a real Qt window offscreen over a real vault, with the engines faked
through the application context (no model loads). The same views over the real engines are tested
in test_ui.py."""
from __future__ import annotations

import json
import time

import pytest

from fakes import FakeLLM, fake_context
from sideload.jobs import JobContext

pytestmark = pytest.mark.gui


@pytest.fixture
def make_window(qtbot, tmp_path, home):
    made = []

    def make(llm: FakeLLM, *, family: bool = False, entries: list[dict] | None = None):
        from ui.app import MainWindow

        diary = tmp_path / "d.jsonl"
        diary.write_text("".join(json.dumps(e) + "\n" for e in entries or [
            {"date": "2026-02-12", "text": "Ruth phoned: her cello recital moved to Saturday at the chapel on Mill Lane."}]))
        context = fake_context(tmp_path / "vault", llm=llm)
        with context.init() as v:
            context.import_session(v, JobContext()).run([diary])
        vault = context.open()
        win = MainWindow(vault, restore=False, context=context)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        made.append((win, vault))
        return win

    yield make
    for win, vault in made:
        win.close()
        vault.close()


def test_stop_ends_a_long_answer_within_half_a_second_and_says_so(qtbot, make_window):
    llm = FakeLLM("and then I went on talking", delay_s=0.02, words=3000)  # a minute of answer
    win = make_window(llm)
    win.show_view("Chat")
    chat = win.chat
    qtbot.keyClicks(chat.input, "when is the cello recital?")
    chat.send()
    qtbot.waitUntil(lambda: llm.generated >= 5, timeout=10_000)
    assert chat.stop_btn.isEnabled()
    t0 = time.monotonic()
    chat.stop_btn.click()
    # the job stops on its thread, then says so on the main one: wait for the chat to have heard it
    qtbot.waitUntil(lambda: not chat.job.running and chat.note.text() == "Stopped.", timeout=5_000)
    assert time.monotonic() - t0 < 0.5
    assert llm.stopped.is_set() and llm.generated < 300
    assert chat.turns[-1][1].endswith("(stopped)") and chat.note.text() == "Stopped."
    assert chat.send_btn.isEnabled() and not chat.stop_btn.isEnabled()


def test_the_jobs_view_says_the_app_keeps_the_nightly_schedule(qtbot, make_window):
    win = make_window(FakeLLM())
    text = win.jobs.next_label.text()
    assert "while this app is open" in text and "consolidate --schedule" in text
    assert win.jobs.nightly.isActive()


def test_first_run_asks_whose_life_it_is(qtbot, tmp_path, home):
    from PySide6.QtWidgets import QLineEdit, QWidget

    from ui.app import MainWindow

    context = fake_context(tmp_path / "fresh")
    context.init().close()
    vault = context.open()
    win = MainWindow(vault, restore=False, context=context)
    qtbot.addWidget(win)
    try:
        box = win.findChild(QWidget, "ownerQuestion")
        assert box is not None and box.isVisibleTo(win)
        field = win.findChild(QLineEdit, "ownerName")
        qtbot.keyClicks(field, "Ada Lovelace")
        field.returnPressed.emit()
        with context.open() as v:
            assert v.settings["owner_name"] == "Ada Lovelace"
        assert not box.isVisibleTo(win) and win.windowTitle() == "Sideload — Ada Lovelace"
    finally:
        win.close()
        vault.close()


def test_the_import_view_says_which_describer_names_what_is_in_view(qtbot, make_window):
    win = make_window(FakeLLM())
    from types import SimpleNamespace as NS

    from PySide6.QtWidgets import QLabel

    from ui.import_view import ImportView

    label = win.findChild(QLabel, "describerActive")
    assert "efficientnet-lite0 (ImageNet)" in label.text() and "No captioning model" in label.text()
    plain = {"vision_model": "", "vision_mmproj": "", "vision_frames": 4}
    off = ImportView(NS(vault=NS(settings={"frame_objects": False, **plain}), family=False))
    qtbot.addWidget(off)
    assert "faces, text, colour" in off.describer.text()
    mine = ImportView(NS(vault=NS(settings={**plain, "frame_objects": True, "vision_model": "/m/llava-7b.gguf",
                                            "vision_mmproj": "/m/mmproj.gguf"}), family=False))
    qtbot.addWidget(mine)
    assert "vision model llava-7b.gguf + efficientnet-lite0" in mine.describer.text()
    assert "up to 4 keyframes" in mine.describer.text() and "No captioning" not in mine.describer.text()


def test_first_run_offers_the_profiles_guess_for_confirmation(qtbot, tmp_path, home):
    from PySide6.QtWidgets import QLabel, QLineEdit

    from ui.app import MainWindow

    chats = tmp_path / "chats"
    chats.mkdir()
    for partner in ("Maria", "Tom"):
        (chats / f"WhatsApp Chat with {partner}.txt").write_text(
            f"02/03/2026, 18:00 - Sam Reed: hello {partner}\n02/03/2026, 18:01 - {partner}: hi Sam\n", encoding="utf-8")
    context = fake_context(tmp_path / "fresh")
    with context.init() as v:
        context.import_session(v, JobContext()).run([chats])
    vault = context.open()
    win = MainWindow(vault, restore=False, context=context)
    qtbot.addWidget(win)
    try:
        assert win.findChild(QLineEdit, "ownerName").text() == "Sam Reed"
        assert "Our guess is Sam Reed (writes in 2 of the 2 chats)" in win.findChild(QLabel, "ownerAsk").text()
        assert vault.settings["owner_name"] == ""  # not set until the owner says so
    finally:
        win.close()
        vault.close()


def test_search_says_what_to_type_and_what_to_try_when_nothing_is_found(qtbot, make_window):
    win = make_window(FakeLLM())
    win.show_view("Search")
    search = win.search
    assert "Type what you remember" in search.summary.text()  # never a blank page
    search.kind.setCurrentIndex(search.kind.findData("photo"))  # no photos in this vault
    qtbot.keyClicks(search.query, "cello recital")
    search.run_search()
    qtbot.waitUntil(lambda: search.summary.text().startswith("nothing found"), timeout=20_000)
    assert "without the filters" in search.summary.text()
    search.kind.setCurrentIndex(0)
    search.run_search()
    qtbot.waitUntil(lambda: search.results.count() > 0, timeout=20_000)
    assert "moment(s)" in search.summary.text()
    search.query.clear()
    search.run_search()
    assert "Type what you remember" in search.summary.text() and search.results.count() == 0


def test_a_prediction_says_in_the_persons_words_what_the_activity_is(qtbot, make_window):
    win = make_window(FakeLLM())
    win.persona._show_predictions({"predictions": [
        {"activity": "morning coffee", "probability": 0.5, "evidence": [],
         "description": "morning coffee: “flat white at Luca's”, usually around 08:00 on weekdays"}]})
    text = win.persona.predictions.item(0).text()
    assert text.splitlines()[0].strip() == "50 %  morning coffee"
    assert text.splitlines()[1].strip() == "“flat white at Luca's”, usually around 08:00 on weekdays"


def test_a_cited_passage_of_a_long_entry_is_marked_and_in_view(qtbot, make_window):
    """A chat citation and a search result open a 2,000-word entry with the passage they quote marked
    and scrolled into view, not at the entry's first line."""
    from PySide6.QtCore import QUrl

    from sideload.recall.search import build_request
    from ui.app import VIEWS
    from ui.chat_view import citation_href

    filler = " ".join(f"In the forenoon I walked to the office number {i} and back again." for i in range(150))
    entry = filler + " At noon the shipwright told me the new mast came from Norway at great cost. " + filler
    win = make_window(FakeLLM("I remember."), entries=[{"date": "1662-05-01", "text": entry}])
    hit = win.state.context.searcher(win.state.vault).search(build_request([], "where did the mast come from", limit=1))[0]
    span = (hit["passage"]["start"], hit["passage"]["end"])
    assert "Norway" in entry[span[0]:span[1]] and span[0] > 5000
    win.chat.turns = [("user", "where did the mast come from?", []), ("assistant", "From Norway.", [hit])]
    win.chat._render()
    win.chat.log.anchorClicked.emit(QUrl(citation_href(hit).replace("&amp;", "&")))
    player = win.player
    qtbot.waitUntil(lambda: player.marked() == span, timeout=5_000)
    assert player.stage.currentWidget() is player.text and not player.transcript.isVisible()
    assert not player.play_btn.isVisible() and not player.seek.isVisible()  # nothing to play in writing

    def on_screen():
        top = player.text.cursorForPosition(player.text.viewport().rect().topLeft()).position()
        bottom = player.text.cursorForPosition(player.text.viewport().rect().bottomRight()).position()
        return top <= span[0] and span[1] <= bottom

    qtbot.waitUntil(on_screen, timeout=5_000)  # all of the passage on screen, deep inside the entry
    assert player.text.verticalScrollBar().value() > 0
    # a search result lands the same way; a moment opened without a passage has nothing marked
    win.show_view(VIEWS.index("Search"))
    qtbot.keyClicks(win.search.query, "mast Norway")
    qtbot.waitUntil(lambda: win.search.results.count() > 0, timeout=20_000)
    from PySide6.QtWidgets import QLabel

    row = win.search.results.itemWidget(win.search.results.item(0))
    shown = row.findChild(QLabel, "resultBody").text()
    assert shown.startswith("… ") and "Norway" in shown  # the result shows its match, not the first lines
    assert not row.thumb.isVisible()  # and no blank picture box where no result has a picture
    win.player.show_moment(hit["moment_id"])
    assert player.marked() is None
    win.search.results.itemActivated.emit(win.search.results.item(0))
    qtbot.waitUntil(lambda: player.marked() is not None, timeout=5_000)
    assert "Norway" in entry[slice(*player.marked())]


def test_cycles_are_collected_on_the_main_thread_never_a_jobs(qtbot, make_window):
    """A collection a job's thread set off deleted a closed window's wrappers from there, and shiboken
    crashed on the main thread (runDeletionInMainThread). With a window open, a worker's allocations
    set off none, and the main thread's timer collects what is due."""
    import gc
    import threading

    make_window(FakeLLM())
    where: list[str] = []

    def seen(phase, info):
        if phase == "start":
            where.append(threading.current_thread().name)
    gc.callbacks.append(seen)
    try:
        def churn():
            for _ in range(50_000):
                a: list = []
                a.append(a)  # a cycle: only the collector frees it
        worker = threading.Thread(target=churn, name="job-churn")
        worker.start()
        worker.join()
        assert "job-churn" not in where
        qtbot.waitUntil(lambda: "MainThread" in where, timeout=3000)
    finally:
        gc.callbacks.remove(seen)


def test_a_job_ending_after_its_window_closed_reloads_nothing(qtbot, make_window):
    """A consolidation that finished after its window and vault closed had the timeline read the
    closed vault (an error in the Qt event loop, seen in the suite)."""
    win = make_window(FakeLLM())
    state = win.state
    win.close()
    state.vault.close()
    win.jobs._done("Done.")  # what the consolidation's finished signal calls
    assert win.jobs.stage.text() == "Done."
