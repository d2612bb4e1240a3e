"""Time shown one way, citations that land where they say, and no traps: the real window offscreen over a
real vault, engines faked through the application context (no model loads).

The vault holds a diary (imported for real) and a camera card whose files carry no date (so their time
was guessed from the file date): a short H.264/AAC clip with two lines of speech and a scene, and a
portrait photo. The clip's moments are stored through the store's own write path as the pipeline would
(transcription and frame description are not the point here, and need models)."""
from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from fakes import FakeEmbedder, FakeLLM, fake_context
from sideload.jobs import JobContext

pytestmark = pytest.mark.gui
GUESSED_AT = datetime(2026, 3, 1, 7, 45)
LINES = [(1.0, 4.0, "I left the passport in the blue drawer."), (4.5, 8.0, "The blue drawer by the front door."),
         (9.0, 11.5, "Then we walked to the station for the train.")]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """The card: a 12 s clip (a test pattern and a tone), a portrait photo, and a still from the clip."""
    card = tmp_path_factory.mktemp("media") / "card"
    card.mkdir()
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x180:rate=10", "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "12", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(card / "clip.mp4"))
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=180x320", "-frames:v", "1", str(card / "photo.jpg"))
    _ffmpeg("-ss", "2", "-i", str(card / "clip.mp4"), "-frames:v", "1", str(card.parent / "still.jpg"))
    stamp = GUESSED_AT.timestamp()
    for f in card.iterdir():
        os.utime(f, (stamp, stamp))
    return card


def _store(vault, path: Path, media_kind: str, moments: list[dict], duration: float, still: Path) -> None:
    """One file and its moments through sideload.store.writes, exactly as an import stores them."""
    from lifelog_import.api import Source, WallClock
    from lifelog_import.timeinfo import iso, wall_seconds
    from sideload.store.moments import Moment, make_moment_id
    from sideload.store.writes import store_file

    h = f"{path.name}-content-hash".ljust(64, "0")
    made, emb = [], FakeEmbedder()
    for n, spec in enumerate(moments):
        when = GUESSED_AT + timedelta(seconds=spec["start"])
        keyframe = None
        if spec["kind"] in ("scene", "photo"):
            t_ms = int(round(spec["start"] * 1000))
            for target in (vault.paths.keyframe_file(h, t_ms), vault.paths.thumbnail_file(h, t_ms)):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes((path if spec["kind"] == "photo" else still).read_bytes())
            keyframe = str(vault.paths.keyframe_file(h, t_ms).relative_to(vault.paths.root))
        text = spec.get("text", "")
        made.append(Moment(kind=spec["kind"], start_s=spec["start"], end_s=spec["end"], started_at=iso(when),
                           t_start=wall_seconds(when), t_end=wall_seconds(when) + spec["end"] - spec["start"],
                           day=when.date().isoformat(), text=text, caption=spec.get("caption"),
                           speaker="me" if spec["kind"] == "speech" else None, keyframe=keyframe,
                           moment_id=make_moment_id(h, spec["kind"], spec["start"], n),
                           embedding=emb.encode([f"{text} {spec.get('caption') or ''}"])[0]))
    task = SimpleNamespace(source=Source(path, "test", media_kind, WallClock(GUESSED_AT, "mtime")), warnings=[],
                           content_hash=h, importer=SimpleNamespace(name="test"), path=path, duration=duration,
                           moments=made)
    with vault.transaction() as tx:
        store_file(tx, task, path, path.stat(), emb.name)


@pytest.fixture
def vault_dir(tmp_path, media, home) -> Path:
    diary = tmp_path / "diary.jsonl"
    diary.write_text(json.dumps({"date": "2026-02-12", "text": "Ruth phoned: her cello recital moved to Saturday."}) + "\n")
    context = fake_context(tmp_path / "vault")
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])  # the real import (text needs no model)
        speech = [{"kind": "speech", "start": a, "end": b, "text": t} for a, b, t in LINES]
        scene = [{"kind": "scene", "start": 2.0, "end": 9.0, "caption": "a test pattern of coloured bars"}]
        _store(v, media / "clip.mp4", "video", speech + scene, 12.0, media.parent / "still.jpg")
        _store(v, media / "photo.jpg", "photo", [{"kind": "photo", "start": 0.0, "end": 0.0,
                                                  "caption": "a portrait photo of coloured bars"}], 0.0, media / "photo.jpg")
    return tmp_path / "vault"


@pytest.fixture
def make_window(qtbot, vault_dir):
    made = []

    def make(*, family: bool = False):
        from ui.app import MainWindow

        if family:
            import sqlite3
            from contextlib import closing

            with closing(sqlite3.connect(vault_dir / "sideload.db")) as c:
                c.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('legacy', '1')")
                c.commit()
        context = fake_context(vault_dir, llm=FakeLLM())
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


def _moment(win, kind: str, start: float | None = None) -> dict:
    rows = [m for m in win.vault.moments() if m["kind"] == kind and (start is None or m["start_s"] == start)]
    assert rows, f"no {kind} moment"
    return rows[0]


def _lands(qtbot, win, cited: dict) -> None:
    """The player shows the cited moment at the cited second (photos and writing: shown, at 0)."""
    player = win.player
    assert win.stack.currentWidget() is player and player.moment["moment_id"] == cited["moment_id"]
    if cited["kind"] in ("speech", "scene"):
        qtbot.waitUntil(lambda: abs(player.position_s() - cited["start_s"]) < 0.5, timeout=15_000)
        assert player.stage.currentWidget() is player.video
        assert f"at {int(cited['start_s']) // 60}:{int(cited['start_s']) % 60:02d}" in player.title.text()
    else:
        assert player.position_s() == 0.0
        assert player.stage.currentWidget() is (player.photo if cited["kind"] == "photo" else player.text)


def test_a_citation_opens_the_player_at_its_second_for_every_kind(qtbot, make_window):
    from PySide6.QtCore import QUrl

    from ui.chat_view import citation_href

    win = make_window()
    chat = win.chat
    cited = [_moment(win, "speech", 4.5), _moment(win, "scene"), _moment(win, "photo"), _moment(win, "text")]
    # a search result merged from neighbouring lines keeps its best line's id but starts at the first
    merged = {**_moment(win, "speech", 4.5), "start_s": 1.0, "started_at": "2026-03-01T07:45:01"}
    chat.turns = [("user", "where is my passport?", []), ("assistant", "In the blue drawer.", [merged, *cited])]
    chat._render()
    html = chat.log.toHtml()
    assert "0:01" in html and "@ " not in html  # the label says the second its link opens at
    for c in [merged, *cited]:
        href = citation_href(c).replace("&amp;", "&")
        assert href in html.replace("&amp;", "&")
        chat.log.anchorClicked.emit(QUrl(href))
        _lands(qtbot, win, c)
    # the merged citation lands on its first line, and the transcript says so
    chat.log.anchorClicked.emit(QUrl(citation_href(merged).replace("&amp;", "&")))
    _lands(qtbot, win, merged)
    assert LINES[0][2] in win.player.transcript.currentItem().text()


def test_a_search_result_opens_at_the_second_it_shows(qtbot, make_window):
    from ui.app import VIEWS

    win = make_window()
    win.show_view(VIEWS.index("Search"))
    view = win.search
    qtbot.keyClicks(view.query, "blue drawer passport")
    qtbot.waitUntil(lambda: view.results.count() > 0, timeout=20_000)
    top = view.last_results[0]
    assert top["kind"] == "speech" and top["start_s"] == 1.0  # two lines, one result, from the first
    row = view.results.itemWidget(view.results.item(0))
    head = row.findChild(type(row.thumb), "resultHead").text()
    assert "at 0:01" in head and "~07:45, guessed from the file date" in head
    view.results.itemActivated.emit(view.results.item(0))
    _lands(qtbot, win, top)
    # results of every kind carry a picture where one exists (the words said in the clip: its scene)
    qtbot.waitUntil(lambda: not view.results.itemWidget(view.results.item(0)).thumb.pixmap().isNull(), timeout=10_000)


def test_the_wheel_does_not_change_a_number_setting_it_scrolls_past(qtbot, make_window):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from ui.app import VIEWS

    win = make_window()
    win.show_view(VIEWS.index("Settings"))
    beam = win.settings.editors["whisper_beam_size"]
    before = beam.value()
    centre = QPointF(beam.rect().center())

    def wheel(widget) -> None:
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)

    win.settings.save_btn.setFocus()
    wheel(beam)
    assert beam.value() == before  # unfocused: the page scrolls instead
    beam.setFocus()
    qtbot.waitUntil(beam.hasFocus, timeout=2_000)
    wheel(beam)
    assert beam.value() == before - 1  # focused: the wheel is the person's choice
    trustees = win.jobs.trustees  # number fields elsewhere in the window too
    trustees.setValue(3)
    win.settings.save_btn.setFocus()
    wheel(trustees)
    assert trustees.value() == 3


def test_a_guessed_time_is_marked_and_corrected_for_a_whole_folder(qtbot, make_window, media):
    win = make_window()
    tl = win.timeline
    tl.show_day("2026-03-01")
    texts = [tl.moments.item(i).text() for i in range(tl.moments.count())]
    assert texts and all("~07:4" in t and "guessed from the file date" in t for t in texts), texts
    assert tl.header.text().startswith("Sunday 1 March 2026")
    item = next(tl.moments.item(i) for i in range(tl.moments.count()) if "photo" in tl.moments.item(i).text())
    actions = {a.text(): a for a in tl.menu_for(item).actions()}  # the right-click menu on the guessed photo
    assert "Correct the time of this file…" in actions and "~07:45 was guessed from the file date" in actions
    actions["Correct the time of this folder…"].trigger()
    dialog = tl.retime_dialog
    assert dialog.isVisible() and dialog.path == media and dialog.only_guessed.isChecked()
    from PySide6.QtCore import QDateTime

    dialog.at.setDateTime(QDateTime(datetime(2026, 3, 7, 10, 0)))  # the photo was taken on Saturday at 10:00
    dialog.run()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)
    moved = [m for m in win.vault.moments() if m["source"].startswith(str(media))]
    assert len(moved) == 5 and all(m["started_at"].startswith("2026-03-07T10:") for m in moved)
    assert all(m["time_source"] == "owner" for m in moved)
    assert tl.day == "2026-03-07" and tl.header.text().startswith("Saturday 7 March 2026")
    texts = [tl.moments.item(i).text() for i in range(tl.moments.count())]
    assert any(t.startswith("10:00 · photo") for t in texts) and not any("guessed" in t for t in texts), texts
    assert "2026-03-01" not in [d for d, _ in tl.strip.days]  # nothing left behind on the guessed day


def test_family_mode_leaves_no_write_enabled(qtbot, make_window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QWidget

    win = make_window(family=True)
    writers = [w for w in win.findChildren(QWidget) if w.property("writes")]
    actions = [a for a in win.findChildren(QAction) if a.property("writes")]
    # the known writes are all marked: import, settings, facts, consolidation, export, the File menu's
    names = {w.objectName() for w in writers} | {a.objectName() for a in actions}
    for name in ("importChoose", "settingsSave", "removeFact", "runConsolidation", "exportButton",
                 "fileImport", "fileExport"):
        assert name in names, name
    assert writers and not [w.objectName() for w in writers if w.isEnabled()]
    assert not [a.objectName() for a in actions if a.isEnabled()]
    assert not win.settings.editors["threads"].isEnabled()


def test_the_dark_theme_restyles_every_heading_at_once(qtbot, make_window):
    from PySide6.QtWidgets import QApplication, QLabel

    win = make_window()
    try:
        win.set_theme("dark")
        QApplication.processEvents()
        headings = [w for w in win.findChildren(QLabel) if w.property("heading")]
        assert len(headings) >= 2
        window_bg = win.palette().window().color().lightness()
        assert window_bg < 80
        for h in headings:
            img = h.grab().toImage()
            lightest = max(img.pixelColor(x, y).lightness() for x in range(0, img.width(), 2)
                           for y in range(0, img.height(), 2))
            assert lightest > 150, f"{h.objectName()} is dark on dark"
    finally:
        win.set_theme("light")


def test_the_export_passphrase_does_not_stay_on_screen(qtbot, make_window, tmp_path):
    win = make_window()
    jobs = win.jobs
    jobs.passphrase.setText("a long passphrase")
    jobs.again.setText("a long passphrase")
    jobs.export(tmp_path / "out.legacy")
    assert jobs.passphrase.text() == "" and jobs.again.text() == ""
    qtbot.waitUntil(lambda: jobs.export_note.text().startswith(("Wrote", "Something", "The")), timeout=30_000)


def test_retime_on_the_command_line_shifts_a_folder_and_refuses_nonsense(vault_dir, media, capsys):
    from sideload import cli

    def run(*args):
        code = cli.main(["--vault", str(vault_dir), *args, "--json"])
        return code, json.loads(capsys.readouterr().out)

    code, doc = run("retime", str(media), "--shift=-0:45", "--only-guessed")
    assert code == 0 and doc["moments"] == 5 and doc["shift_s"] == -2700 and len(doc["files"]) == 2
    code, doc = run("moments", "--source", str(media / "photo.jpg"))
    assert doc["moments"][0]["started_at"] == "2026-03-01T07:00:00" and doc["moments"][0]["time_source"] == "owner"
    code, doc = run("retime", str(media / "photo.jpg"), "--at", "2026-03-07T10:00")
    assert code == 0 and doc["moments"] == 1
    code, doc = run("moments", "--day", "2026-03-07")
    assert [m["started_at"] for m in doc["moments"]] == ["2026-03-07T10:00:00"]
    code, doc = run("retime", str(media), "--shift", "+1:00", "--only-guessed")  # nothing guessed is left
    assert code == 2 and doc["error"]["kind"] == "input"
    code, doc = run("retime", str(media), "--shift", "soon")
    assert code == 2 and "+HH:MM" in doc["error"]["message"]


def test_time_in_words():
    from sideload import timefmt

    assert timefmt.when("2026-03-02T07:45:00.824+00:00") == "Monday 2 March 2026, 07:45"
    assert timefmt.short_when("2026-03-02T07:45:00", guessed=True) == "Mon 2 Mar 2026, ~07:45, guessed from the file date"
    assert timefmt.when("2026-03-02") == "Monday 2 March 2026" and timefmt.clock("2026-03-02") == "all day"
    assert timefmt.clock("2026-03-02T07:45:10", guessed=True) == "~07:45, guessed from the file date"
    assert [timefmt.offset(s) for s in (0.8, 9.3, 65, 3725.5)] == ["0:00", "0:09", "1:05", "1:02:05"]
    assert timefmt.when(None) == "an unknown time" and timefmt.signed_shift(-2700) == "-0:45"
    # before Britain took the Gregorian calendar a writer's date may be Julian: no weekday is guessed
    # (Pepys's "20th (Lord's day)" of December 1663 would show as a Thursday)
    assert timefmt.when("1663-12-20") == "20 December 1663" and timefmt.short_when("1663-12-20") == "20 Dec 1663"
    assert timefmt.day_words("1752-09-14") == "Thursday 14 September 1752"


def test_settings_speak_plainly_and_redo_what_the_core_can(qtbot, make_window):
    from ui.app import VIEWS

    win = make_window()
    win.show_view(VIEWS.index("Settings"))
    s = win.settings
    rank = s.editors["train_rank"]
    assert "train_rank" in rank.toolTip() and rank.accessibleName() == "How much the persona learns each night (LoRA rank)"
    assert "bundled" not in s.editors["owner_voice_sample"].placeholderText()  # it has no bundled default
    assert "built-in" in s.editors["llm_model"].placeholderText()
    applies = {n: s.findChild(type(s.note), f"applies_{n}").text() for n in ("whisper_beam_size", "embedding_model")}
    assert applies["whisper_beam_size"].startswith("Applies to new imports")
    assert s.findChild(type(s.save_btn), "browse_llm_model") is not None
    s.redo_buttons["embedding_model"].click()  # re-embedding with the same model: nothing to redo, and says so
    qtbot.waitUntil(lambda: s.note.text().startswith(("Done", "Something", "the")), timeout=30_000)
    assert s.note.text().startswith("Done: re-embedding"), s.note.text()
