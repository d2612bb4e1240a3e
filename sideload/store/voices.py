"""Voiceprints and the speaker labels made from them."""
from __future__ import annotations

import sqlite3


def voiceprints(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every voiceprint with its moment: rid, vector (float32 bytes), dur (seconds) and speaker, by rid."""
    return db.execute(
        "SELECT v.rid, v.vector, m.end_s - m.start_s AS dur, m.speaker FROM voiceprints v "
        "JOIN moments m USING (rid) ORDER BY v.rid").fetchall()


def set_speakers(tx: sqlite3.Connection, changed: list[tuple[str, int]]) -> None:
    """New (speaker, rid) labels, inside the caller's transaction."""
    tx.executemany("UPDATE moments SET speaker = ? WHERE rid = ?", changed)
    # the index carries the speaker for filtering: re-send these vectors
    tx.executemany("UPDATE embeddings SET indexed = 0 WHERE rid = ?", [(rid,) for _, rid in changed])
