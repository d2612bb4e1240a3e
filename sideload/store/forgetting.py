"""Forgetting in the catalogue: the rows that go, and no copy of them left behind.

The deletes run in the caller's transaction (forget opens it, so the moments, the chats that cite
them and the file go together or not at all). `scrub` runs after it, outside any transaction: it
merges the full-text segments and truncates the write-ahead log, so no page keeps the words.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime

_ROWS = ("SELECT m.rid, m.moment_id, m.text, m.keyframe, m.start_s, f.file_id, f.content_hash, f.path "
         "FROM moments m JOIN files f USING (file_id)")


def moments_of_file(db: sqlite3.Connection, path: str) -> list[sqlite3.Row]:
    """Every moment of the file stored at `path`, with what forgetting it touches."""
    return db.execute(f"{_ROWS} WHERE f.path = ?", (path,)).fetchall()


def moments_with_ids(db: sqlite3.Connection, moment_ids: list[str]) -> list[sqlite3.Row]:
    """The moments among `moment_ids` that exist, with what forgetting them touches."""
    marks = ",".join("?" * len(moment_ids))
    return db.execute(f"{_ROWS} WHERE m.moment_id IN ({marks})", moment_ids).fetchall()


def file_at(db: sqlite3.Connection, path: str) -> sqlite3.Row | None:
    return db.execute("SELECT file_id, content_hash, path FROM files WHERE path = ?", (path,)).fetchone()


def delete_moments(tx: sqlite3.Connection, rids: list[int]) -> None:
    """The moments' rows; their vectors, voiceprints, mentions and people links follow by foreign key,
    and a person left with no moment goes with their name."""
    for chunk in range(0, len(rids), 500):
        part = rids[chunk:chunk + 500]
        tx.execute(f"DELETE FROM moments WHERE rid IN ({','.join('?' * len(part))})", part)
    tx.execute("DELETE FROM people WHERE person_id NOT IN (SELECT person_id FROM moment_people)")


def delete_chats_citing(tx: sqlite3.Connection, moment_ids: list[str]) -> None:
    """Chat messages that cite any of `moment_ids`."""
    for mid, cites in tx.execute("SELECT id, citations FROM chat_messages").fetchall():
        if set(json.loads(cites or "[]")) & set(moment_ids):
            tx.execute("DELETE FROM chat_messages WHERE id = ?", (mid,))


def delete_chats_quoting(tx: sqlite3.Connection, texts: list[str]) -> None:
    """Chat messages that quote any of `texts`: its first 80 characters, when there are at least 12."""
    for text in texts:
        needle = text[:80]
        if len(needle) >= 12:
            tx.execute("DELETE FROM chat_messages WHERE instr(content, ?) > 0", (needle,))


def forget_file(tx: sqlite3.Connection, file_id: int, content_hash: str) -> None:
    """The file's row goes; its content hash stays (a hash, not its content) so importing the same
    folder again does not bring it back."""
    tx.execute("DELETE FROM files WHERE file_id = ?", (file_id,))
    tx.execute("INSERT OR REPLACE INTO forgotten_files (content_hash, at) VALUES (?, ?)",
               (content_hash, datetime.now().isoformat(timespec="seconds")))


def drop_auto_profile_facts(tx: sqlite3.Connection) -> None:
    """The facts distilled automatically; they are rebuilt from the mentions that remain."""
    tx.execute("DELETE FROM profile_facts WHERE source = 'auto'")


def scrub(db: sqlite3.Connection) -> None:
    """No copy left in the full-text segments (merged into one) or the write-ahead log (truncated);
    free pages are already zeroed by the catalogue's secure_delete."""
    db.execute("INSERT INTO moments_fts(moments_fts) VALUES ('optimize')")
    db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
