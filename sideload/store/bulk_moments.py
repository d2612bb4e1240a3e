"""Synthetic moments with words and vectors in bulk, for the search-at-scale benchmark only.

A million moments go in through these two statements in batches of tens of thousands, one
transaction each, with synchronous writes off (a benchmark vault is thrown away, not trusted): the
full-text index is filled by the catalogue's own triggers, exactly as an import fills it.
"""
from __future__ import annotations

import sqlite3
from typing import Iterable


def fast_writes(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA synchronous = OFF")


def add_files(db: sqlite3.Connection, paths: list[str]) -> None:
    """One synthetic video file per path, file_id 1..n."""
    db.execute("BEGIN")
    db.executemany("INSERT INTO files (file_id, content_hash, path, size, mtime, importer, media_kind, time_source,"
                   " imported_at) VALUES (?, ?, ?, 0, 0, 'synthetic', 'video', 'synthetic', '')",
                   [(i + 1, f"{i:064x}", p) for i, p in enumerate(paths)])
    db.execute("COMMIT")


def add_moments(db: sqlite3.Connection, rows: Iterable[tuple], vectors: Iterable[tuple[int, str, bytes]]) -> None:
    """rows: (rid, moment_id, file_id, kind, start_s, end_s, started_at, t_start, day, speaker, text);
    vectors: (rid, model, float32 bytes). One transaction."""
    db.execute("BEGIN")
    db.executemany("INSERT INTO moments (rid, moment_id, file_id, kind, start_s, end_s, started_at, t_start, day,"
                   " speaker, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO embeddings (rid, model, vector) VALUES (?,?,?)", vectors)
    db.execute("COMMIT")


def checkpoint(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def max_vector_rid(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT coalesce(max(rid), 0) FROM embeddings").fetchone()[0])


def sample_texts(db: sqlite3.Connection, n: int, k: int) -> list[str]:
    """The texts of about `k` moments picked at random among rids 1..n (key lookups, no scan)."""
    return [r[0] for r in db.execute(
        "SELECT text FROM moments WHERE rid IN (SELECT abs(random()) % ? + 1 FROM moments LIMIT ?)", (n, k))]
