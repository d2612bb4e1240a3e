"""The catalogue's reads (and its one write) for the research dataset export.

Only moments that are not private are ever read here: a private moment never reaches the code that
writes the dataset, so no later step can leak it by mistake. Forgotten moments have no row at all.
The source path is never selected (a path holds names); the file's content hash is, so moments of
one recording can be grouped under a pseudonym.
"""
from __future__ import annotations

import sqlite3
from typing import Iterator

SECRET_KEY = "dataset_secret"  # the volunteer's per-vault secret behind every pseudonym in an export

# A speech moment's speaker is named by a chat export, or by the owner naming a voice (people); a
# name the app only guessed from speech never counts, since consent is matched against it.
_COLUMNS = ("m.moment_id, m.kind, m.start_s, m.end_s, m.started_at, m.day, m.speaker, "
            "coalesce(m.speaker_name, (SELECT p.name FROM moment_people mp JOIN people p USING (person_id) "
            "WHERE mp.rid = m.rid AND p.named_by = 'owner')) AS speaker_name, "
            "m.text, m.caption, m.keyframe, m.meta, f.content_hash")


def exportable_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM moments WHERE private = 0").fetchone()[0]


def exportable_moments(db: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """Every moment that is not private, in a fixed order (time, then id): the same vault always
    yields the same sequence, so two exports write the same shards."""
    yield from db.execute(
        f"SELECT {_COLUMNS} FROM moments m JOIN files f USING (file_id) WHERE m.private = 0 "
        "ORDER BY m.t_start IS NULL, m.t_start, m.moment_id")


def volunteer_secret(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM kv WHERE key = ?", (SECRET_KEY,)).fetchone()
    return row[0] if row else None


def keep_volunteer_secret(tx: sqlite3.Connection, secret: str) -> str:
    """Stores `secret` unless one is kept already; returns the one kept (the first one wins, so the
    pseudonym never changes between exports)."""
    tx.execute("INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", (SECRET_KEY, secret))
    return tx.execute("SELECT value FROM kv WHERE key = ?", (SECRET_KEY,)).fetchone()[0]
