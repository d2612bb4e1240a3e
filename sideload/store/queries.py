"""The catalogue's read queries for everything above the store: the one place their SQL is written.

Engines and faces (the persona, the command line, the app) ask here by name ("the moments with these
ids", "the speech of this file") instead of writing SQL, so the schema can change in one room.
Write paths stay with the module that owns their transaction (the vault, the import session, ...).
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from sideload.store.moments import MOMENT_COLUMNS, row_to_json

_MOMENT_FROM = f"SELECT {MOMENT_COLUMNS} FROM moments m JOIN files f USING (file_id)"


def embedding_model(db: sqlite3.Connection) -> str | None:
    """The model the vault's vectors were made with (None before the first vector)."""
    row = db.execute("SELECT model FROM embeddings LIMIT 1").fetchone()
    return row[0] if row else None


def other_embedding_model(db: sqlite3.Connection, current: str) -> str | None:
    """A model other than `current` that some stored vectors were made with (mid re-embedding, or
    after the setting changed), or None."""
    # two range seeks on the model index (a `!=` would walk all of it)
    row = db.execute("SELECT model FROM (SELECT model FROM embeddings WHERE model < ? LIMIT 1) UNION ALL "
                     "SELECT model FROM (SELECT model FROM embeddings WHERE model > ? LIMIT 1) LIMIT 1",
                     (current, current)).fetchone()
    return row[0] if row else None


def newest_timed_start(db: sqlite3.Connection) -> str | None:
    """The start of the newest moment that has a time of day (not a day-precision diary entry)."""
    return db.execute("SELECT max(started_at) FROM moments WHERE length(started_at) > 10").fetchone()[0]


def moments_by_ids(db: sqlite3.Connection, ids: list[str]) -> list[dict[str, Any]]:
    """Moments in their JSON form, in the order of `ids` (unknown ids are left out)."""
    if not ids:
        return []
    found: dict[str, dict] = {}
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        marks = ",".join("?" * len(part))
        for r in db.execute(f"{_MOMENT_FROM} WHERE m.moment_id IN ({marks})", part):
            found[r["moment_id"]] = row_to_json(r)
    return [found[i] for i in ids if i in found]


def moment_detail(db: sqlite3.Connection, moment_id: str) -> dict[str, Any] | None:
    """One moment with what the player needs beside its JSON form (keyframe, file, day)."""
    row = db.execute(f"SELECT {MOMENT_COLUMNS}, f.content_hash, m.file_id FROM moments m "
                     "JOIN files f USING (file_id) WHERE m.moment_id = ?", (moment_id,)).fetchone()
    if row is None:
        return None
    out = row_to_json(row)
    out.update(keyframe=row["keyframe"], content_hash=row["content_hash"], file_id=row["file_id"],
               speaker_name=row["speaker_name"], day=row["day"])
    return out


def file_speech(db: sqlite3.Connection, file_id: int) -> list[sqlite3.Row]:
    """Every speech moment of one file, in order: the transcript beside the player."""
    return db.execute("SELECT moment_id, start_s, end_s, speaker, speaker_name, text FROM moments "
                      "WHERE file_id = ? AND kind = 'speech' ORDER BY start_s", (file_id,)).fetchall()


def day_moments(db: sqlite3.Connection, day: str) -> list[sqlite3.Row]:
    """The moments of one day in time order, with their file's hash and path (the timeline)."""
    return db.execute(
        "SELECT m.moment_id, m.kind, m.started_at, m.speaker, m.speaker_name, m.text, m.caption, m.keyframe, "
        "m.start_s, m.end_s, m.private, f.content_hash, f.path, f.time_source FROM moments m JOIN files f USING (file_id) "
        "WHERE m.day = ? ORDER BY m.t_start, m.start_s", (day,)).fetchall()


def thumbnail_keys(db: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[str, float]]:
    """moment id -> (content hash, keyframe second) of the picture that shows it: its own keyframe, or
    for words said in a video the scene they were said in (else the nearest one). Moments with no
    picture are left out."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        "SELECT m.moment_id, f.content_hash, CASE WHEN m.keyframe IS NOT NULL THEN m.start_s ELSE "
        "coalesce((SELECT max(s.start_s) FROM moments s WHERE s.file_id = m.file_id AND s.keyframe IS NOT NULL "
        "AND s.start_s <= m.start_s + 0.5), (SELECT min(s.start_s) FROM moments s WHERE s.file_id = m.file_id "
        "AND s.keyframe IS NOT NULL)) END AS t "
        f"FROM moments m JOIN files f USING (file_id) WHERE m.moment_id IN ({marks})", ids).fetchall()
    return {r["moment_id"]: (r["content_hash"], r["t"]) for r in rows if r["t"] is not None}


# -- files (the import session) ---------------------------------------------------------------------

def file_known_at(db: sqlite3.Connection, path: str, size: int, mtime: float) -> bool:
    """The same path, size and modification time as a stored file: skipped without hashing."""
    return db.execute("SELECT 1 FROM files WHERE path = ? AND size = ? AND mtime = ?",
                      (path, size, mtime)).fetchone() is not None


def is_forgotten(db: sqlite3.Connection, content_hash: str) -> bool:
    return db.execute("SELECT 1 FROM forgotten_files WHERE content_hash = ?", (content_hash,)).fetchone() is not None


def file_by_hash(db: sqlite3.Connection, content_hash: str) -> sqlite3.Row | None:
    return db.execute("SELECT file_id, path FROM files WHERE content_hash = ?", (content_hash,)).fetchone()


def chapter_end(db: sqlite3.Connection, recording: str, chapter: int) -> datetime | None:
    """Where a stored chapter of a (GoPro) recording ended on the wall clock, if it had a clock."""
    row = db.execute("SELECT started_at, duration_s FROM files WHERE json_extract(meta, '$.recording') = ? "
                     "AND json_extract(meta, '$.chapter') = ?", (recording, chapter)).fetchone()
    if not row or not row["started_at"]:
        return None
    return datetime.fromisoformat(row["started_at"]) + timedelta(seconds=row["duration_s"] or 0)


def max_vector_rid(db: sqlite3.Connection) -> int:
    return db.execute("SELECT max(rid) FROM embeddings").fetchone()[0] or 0


def private_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM moments WHERE private = 1").fetchone()[0]


def vectors_of(db: sqlite3.Connection, rids: list[int]) -> dict[int, bytes]:
    """Stored vectors (float32 bytes) by row id."""
    out: dict[int, bytes] = {}
    for i in range(0, len(rids), 500):
        part = rids[i:i + 500]
        marks = ",".join("?" * len(part))
        out.update(db.execute(f"SELECT rid, vector FROM embeddings WHERE rid IN ({marks})", part).fetchall())
    return out


# -- chat sessions ---------------------------------------------------------------------------------

def chat_sessions(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(session id, title, started at), newest first."""
    return [tuple(r) for r in db.execute(
        "SELECT session_id, title, started_at FROM chat_sessions ORDER BY started_at DESC")]


def chat_messages(db: sqlite3.Connection, session_id: str) -> list[dict[str, Any]]:
    """A session's turns in order, each with the moments it cited (and, in a long one, the passage its
    quote stood in)."""
    out = []
    for role, content, cites, passages in db.execute(
            "SELECT role, content, citations, passages FROM chat_messages WHERE session_id = ? ORDER BY id",
            (session_id,)):
        cited = moments_by_ids(db, json.loads(cites or "[]"))
        where = json.loads(passages or "{}")
        for m in cited:
            span = where.get(m["moment_id"])
            if span and 0 <= span[0] < span[1] <= len(m["text"] or ""):  # the text may have been edited since
                m["passage"] = {"start": span[0], "end": span[1], "text": m["text"][span[0]:span[1]]}
        out.append({"role": role, "content": content, "citations": cited})
    return out


def save_chat_exchange(tx: sqlite3.Connection, session_id: str, question: str, answer: str,
                       cited_ids: list[str], at: str, passages: dict[str, list[int]] | None = None) -> None:
    """One question and its answer; `passages`: where the quote stood in each long cited moment."""
    tx.execute("INSERT OR IGNORE INTO chat_sessions (session_id, title, started_at) VALUES (?, ?, ?)",
               (session_id, question[:80], at))
    tx.execute("INSERT INTO chat_messages (session_id, role, content, at) VALUES (?, 'user', ?, ?)",
               (session_id, question, at))
    tx.execute("INSERT INTO chat_messages (session_id, role, content, citations, passages, at) "
               "VALUES (?, 'assistant', ?, ?, ?, ?)",
               (session_id, answer, json.dumps(cited_ids), json.dumps(passages or {}), at))
