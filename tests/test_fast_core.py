"""The fast tier: the core's logic on a real vault and real SQLite, with fake engines handed in
through the application context (no model is loaded). `make check` runs these with the other
tests that load nothing."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from fakes import FakeLLM, fake_context
from sideload.errors import Cancelled, SideloadError
from sideload.jobs import CancelToken, JobContext

DIARY = [
    {"date": "2026-02-10", "text": "Took the ferry to the island with Ruth. The gulls stole half of my sandwich."},
    {"date": "2026-02-11", "text": "Repaired the garden fence; the old posts had rotted at the base."},
    {"date": "2026-02-12", "text": "Ruth phoned: her cello recital moved to Saturday at the chapel on Mill Lane."},
    {"date": "2026-02-13", "text": "Wrote nothing of note. Rain all day, read a novel about lighthouse keepers."},
    {"date": "2026-02-14", "text": "Bought tulips at the market for the kitchen table."},
]


@pytest.fixture
def diary_file(tmp_path) -> Path:
    p = tmp_path / "diary.jsonl"
    p.write_text("\n".join(json.dumps(e) for e in DIARY) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def vault(tmp_path, home, diary_file):
    """A fresh vault with the diary imported through the real pipeline and a fake embedder."""
    root = tmp_path / "vault"
    context = fake_context(root)
    with context.init() as v:
        result = context.import_session(v, JobContext()).run([diary_file])
    assert result.imported == 1 and result.moments == len(DIARY)
    return context


def test_one_hub_per_process_whatever_asks(vault):
    with vault.open() as v:
        vault.searcher(v)
        vault.persona(v)
        vault.import_session(v, JobContext(), read_only=True)
    assert len(vault.hubs) == 1


def test_search_returns_its_evidence(vault):
    from sideload.recall.search import build_request

    with vault.open() as v:
        hits = vault.searcher(v).search(build_request([d for d, _ in v.days()], "cello recital", limit=3))
    assert hits and "cello" in hits[0]["text"]
    ev = hits[0]["evidence"]
    assert ev["coverage"] == 1.0 and ev["weighted_coverage"] == 1.0 and ev["dense"] > 0.3
    assert set(ev["ranks"]) <= {"dense", "keyword"} and ev["ranks"]
    # a hit holding none of the words has no coverage
    assert all(h["evidence"]["coverage"] < 1.0 for h in hits[1:])


def test_the_persona_judges_relevance_from_the_search_evidence_without_asking_again(vault, monkeypatch):
    with vault.open() as v:
        persona = vault.persona(v)
        executed = []
        v.db.set_trace_callback(executed.append)
        kept = persona.recall("when is the cello recital?")
        v.db.set_trace_callback(None)
    assert kept and "Saturday" in kept[0]["text"]
    # the persona's own judging adds no query over the vectors or the full-text index
    assert not [q for q in executed if "FROM embeddings e JOIN moments" in q]


def test_the_persona_says_when_it_does_not_remember(vault):
    with vault.open() as v:
        answer = vault.persona(v).ask("what is my favourite opera?")
    assert not answer.remembered and answer.citations == []


def test_a_stop_ends_generation_at_once(vault):
    llm = FakeLLM("la", delay_s=0.02, words=5000)
    context = fake_context(vault.vault_dir, llm=llm)
    token = CancelToken()
    ctx = JobContext(cancel=token)
    with context.open() as v:
        persona = context.persona(v)
        import threading

        threading.Timer(0.2, token.cancel).start()
        t0 = time.monotonic()
        with pytest.raises(Cancelled):
            persona.ask("when is the cello recital?", ctx=ctx)
    assert time.monotonic() - t0 < 0.7
    assert llm.stopped.is_set() and llm.generated < 100


def test_a_chat_model_that_fails_still_answers_from_memory(vault):
    class Broken:
        def chat(self, *a, **kw):
            raise SideloadError("setting 'llm_model': /nowhere.gguf does not exist", kind="setting")

    with vault.open() as v:
        persona = vault.persona(v)
        persona.llm_provider = lambda: Broken()
        answer = persona.ask("when is the cello recital?")
    assert answer.remembered and "Saturday" in answer.text
    assert "llm_model" in answer.problem and answer.as_json()["problem"] == answer.problem


def test_dry_run_lists_what_would_be_imported_and_why_not(vault, tmp_path, diary_file):
    new = tmp_path / "more.jsonl"
    new.write_text(json.dumps({"date": "2026-02-15", "text": "Walked the dog."}) + "\n")
    (tmp_path / "notes.xyz").write_text("what is this")
    (tmp_path / "empty.txt").write_text("")
    os.mkfifo(tmp_path / "pipe.wav")
    with vault.open() as v:
        before = v.counts()
        plan = vault.import_session(v, None, read_only=True).plan([diary_file, new, tmp_path / "notes.xyz",
                                                                   tmp_path / "empty.txt", tmp_path / "pipe.wav",
                                                                   tmp_path / "missing.mp4"])
        assert v.counts() == before
    doc = plan.as_json()
    assert [f["path"] for f in doc["would_import"]] == [str(new)]
    assert doc["would_skip"] == [{"path": str(diary_file), "reason": "already in the vault"}]
    reasons = {Path(f["path"]).name: f["reason"] for f in doc["failed"]}
    assert "unsupported" in reasons["notes.xyz"] and "empty" in reasons["empty.txt"]
    assert "named pipe" in reasons["pipe.wav"] and "no such file" in reasons["missing.mp4"]


def test_a_named_pipe_never_blocks_an_import(vault, tmp_path):
    os.mkfifo(tmp_path / "stuck.mp4")
    with vault.open(write=True) as v:
        t0 = time.monotonic()
        result = vault.import_session(v, JobContext()).run([tmp_path / "stuck.mp4"])
    assert time.monotonic() - t0 < 10
    assert result.failed and "named pipe" in result.failed[0]["reason"]


def test_excluded_time_is_dropped_before_it_is_stored(tmp_path, home, diary_file):
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        v.settings.set("import_exclude_ranges", ["2026-02-11/2026-02-12"])
        result = context.import_session(v, JobContext()).run([diary_file])
        days = [d for d, _ in v.days()]
        kept_ids = [m["moment_id"] for m in v.moments()]
    assert result.moments == 3 and "2026-02-11" not in days and "2026-02-12" not in days
    # the entries that remain keep the ids of an import without the exclusion
    other = fake_context(tmp_path / "w")
    with other.init() as w:
        other.import_session(w, JobContext()).run([diary_file])
        all_ids = [m["moment_id"] for m in w.moments()]
    assert set(kept_ids) < set(all_ids)


def test_a_path_setting_is_checked_when_it_is_set(vault, tmp_path):
    with vault.open(write=True) as v:
        with pytest.raises(SideloadError, match="llm_model.*no such file"):
            v.settings.set("llm_model", "/nonexistent.gguf")
        junk = tmp_path / "junk.gguf"
        junk.write_bytes(b"not a model at all")
        with pytest.raises(SideloadError, match="llm_model.*not a GGUF"):
            v.settings.set("llm_model", str(junk))
        with pytest.raises(SideloadError, match="embedding_model.*expected a folder"):
            v.settings.set("embedding_model", str(junk))
        v.settings.set("llm_model", "")  # empty: the bundled default


def test_a_fact_deep_in_a_long_entry_is_found_and_cited_where_it_stands(tmp_path, home):
    filler = " ".join(f"In the forenoon I walked to the office number {i} and back again." for i in range(60))
    entry = filler + " At noon the shipwright told me the new mast came from Norway at great cost. " + filler
    diary = tmp_path / "long.jsonl"
    diary.write_text(json.dumps({"date": "1662-05-01", "text": entry}) + "\n"
                     + json.dumps({"date": "1662-05-02", "text": "A quiet day."}) + "\n")
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
        from sideload.recall.search import build_request

        hits = context.searcher(v).search(build_request([d for d, _ in v.days()], "where did the mast come from", limit=3))
    top = hits[0]
    assert top["started_at"] == "1662-05-01" and "passage" in top
    p = top["passage"]
    assert "Norway" in p["text"] and top["text"][p["start"]:p["end"]] == p["text"]
    assert len(p["text"].split()) < 120 and p["start"] > 1000  # deep inside, and tight


def test_a_chat_reopened_later_still_knows_where_its_quote_stood(tmp_path, home):
    from sideload.persona.sessions import new_session_id, save_exchange
    from sideload.store import queries

    filler = " ".join(f"In the forenoon I walked to the office number {i} and back again." for i in range(60))
    entry = filler + " At noon the shipwright told me the new mast came from Norway at great cost. " + filler
    diary = tmp_path / "long.jsonl"
    diary.write_text(json.dumps({"date": "1662-05-01", "text": entry}) + "\n")
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
        answer = context.persona(v).ask("where did the mast come from?")
        quoted = answer.citations[0]["passage"]
        session = new_session_id()
        save_exchange(v, session, "where did the mast come from?", answer)
    with context.open() as v:  # later, from the vault alone: the app's chat list reopens it
        turns = queries.chat_messages(v.db, session)
    cited = turns[1]["citations"][0]
    assert cited["passage"]["start"] == quoted["start"] > 1000 and "Norway" in cited["passage"]["text"]
    assert cited["text"][cited["passage"]["start"]:cited["passage"]["end"]] == cited["passage"]["text"]


def test_passages_of_an_older_vault_are_cut_by_consolidation(tmp_path, home):
    from sideload.learn.consolidate import step_passages
    from sideload.store import passages

    long_text = " ".join(f"Sentence {i} about the garden and the weather." for i in range(80))
    diary = tmp_path / "d.jsonl"
    diary.write_text(json.dumps({"date": "2026-01-01", "text": long_text}) + "\n")
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
        n = passages.count(v.db)
        assert n > 3
        with v.transaction() as tx:  # as a vault from before passages existed
            tx.execute("DELETE FROM passages")
            tx.execute("DELETE FROM kv WHERE key = 'passages_cut_upto'")
        out = step_passages(v, context.hub(v.settings), JobContext())
        assert out["cut"] == n and passages.count(v.db) == n
        again = step_passages(v, context.hub(v.settings), JobContext())
        assert again["cut"] == 0 and again["reembedded"] == 0


def test_passages_cut_the_old_way_are_cut_again_and_a_kill_resumes(tmp_path, home, monkeypatch):
    """A vault whose passages were cut the first way (up to 70 words, "Mrs. | Knipp") is cut again by
    consolidation, a batch per transaction: stopped after the first, it goes on where it stood."""
    from sideload.learn import consolidate
    from sideload.store import passages

    texts = [" ".join(f"Day {d}, part {i}: to the playhouse with Mrs. Knipp and Sir W. Penn, merry." for i in range(20))
             for d in range(3)]
    diary = tmp_path / "d.jsonl"
    diary.write_text("".join(json.dumps({"date": f"1666-01-0{d + 1}", "text": t}) + "\n" for d, t in enumerate(texts)))
    context = fake_context(tmp_path / "v")
    with context.init() as v:
        context.import_session(v, JobContext()).run([diary])
        hub = context.hub(v.settings)
        rids = [r["rid"] for r in passages.long_moments(v.db, 10)]
        new_cut = {rid: passages.cut(t) for rid, t in zip(rids, texts)}
        assert all(not p[2].startswith(("Knipp", "Penn", "W. Penn")) for ps in new_cut.values() for p in ps)
        with v.transaction() as tx:  # as the first cut left it: each text one long passage, version 1
            passages.drop(tx, rids)
            for rid, t in zip(rids, texts):
                passages.insert(tx, rid, [(0, len(t), t)], hub.embedder.name, hub.embedder.encode([t]))
            tx.execute("INSERT INTO kv (key, value) VALUES ('passages_cut', '1')")
        assert passages.cut_version(v.db) == 1
        monkeypatch.setattr(consolidate, "PASSAGE_BATCH", 1)
        token = CancelToken()

        def stop_after_one(p):
            if "cut again" in p.item:  # after the first batch of one moment
                token.cancel()

        with pytest.raises(Cancelled):
            consolidate.step_passages(v, hub, JobContext(stop_after_one, token))
        cut_now = lambda rid: [tuple(r) for r in v.db.execute(  # noqa: E731
            'SELECT start, "end", text FROM passages WHERE rid = ? ORDER BY k', (rid,))]
        assert cut_now(rids[0]) == new_cut[rids[0]]  # the first moment is cut anew, committed
        assert len(cut_now(rids[1])) == 1 and passages.cut_version(v.db) == 1  # the rest still the old way
        out = consolidate.step_passages(v, hub, JobContext())
        assert out["cut"] == sum(len(new_cut[r]) for r in rids[1:])
        assert all(cut_now(rid) == new_cut[rid] for rid in rids)
        assert passages.cut_version(v.db) == passages.CUT_VERSION
        hits = v.db.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH 'knipp'").fetchone()[0]
        assert hits == sum(len(ps) for ps in new_cut.values())  # the words' index follows the new cut
        assert consolidate.step_passages(v, hub, JobContext())["cut"] == 0


def test_a_new_vault_is_cut_the_current_way():
    from sideload.store import catalogue, passages

    import sqlite3
    db = sqlite3.connect(":memory:")
    catalogue.migrate(db)
    db.row_factory = sqlite3.Row
    assert passages.cut_version(db) == passages.CUT_VERSION


def test_a_passage_never_ends_at_a_title():
    from sideload.store import passages

    filler = " ".join(["and so"] * 14)
    text = (f"Up {filler} to the playhouse with Mrs. Knipp sang her song and we were merry, Sir W. Penn too. " * 6)
    cut = passages.cut(text)
    assert len(cut) > 3
    assert not [p for p in cut if p[2].endswith(("Mrs.", "W.")) or p[2].startswith(("Knipp", "Penn"))]
