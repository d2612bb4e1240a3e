"""The import's writes to the catalogue, each inside the caller's transaction.

A file, its moments, their voiceprints and vectors, and the end of its failure record go in one
transaction (the import session opens it), so a killed import leaves the file wholly stored or not
at all.
"""
from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np

from lifelog_import.timeinfo import wall_seconds
from sideload.store import passages


def store_file(tx: sqlite3.Connection, task, stored_path: Path, st: os.stat_result, embed_model: str) -> int:
    """One finished pipeline task: its `files` row and every moment with what belongs to it."""
    src = task.source
    clock = src.clock
    meta = dict(src.meta)
    if task.warnings:
        meta["warnings"] = task.warnings
    cur = tx.execute(
        "INSERT INTO files (content_hash, path, size, mtime, importer, media_kind, started_at, t_start,"
        " time_source, duration_s, meta, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (task.content_hash, str(stored_path), st.st_size, st.st_mtime, task.importer.name,
         src.media_kind, clock.start.isoformat() if clock.start else None,
         wall_seconds(clock.start) if clock.start else None,
         clock.source, task.duration, json.dumps(meta), datetime.now().isoformat(timespec="seconds")))
    file_id = cur.lastrowid
    for m in task.moments:
        m.meta.setdefault("time_source", clock.source)
        cur = tx.execute(
            "INSERT INTO moments (moment_id, file_id, kind, start_s, end_s, started_at, t_start, t_end, day,"
            " speaker, speaker_name, text, caption, keyframe, meta) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (m.moment_id, file_id, m.kind, m.start_s, m.end_s, m.started_at, m.t_start, m.t_end, m.day,
             m.speaker, m.speaker_name, m.text, m.caption, m.keyframe, json.dumps(m.meta)))
        rid = cur.lastrowid
        if m.voiceprint is not None:
            tx.execute("INSERT INTO voiceprints (rid, vector) VALUES (?, ?)",
                       (rid, np.asarray(m.voiceprint, np.float32).tobytes()))
        if m.embedding is not None:
            tx.execute("INSERT INTO embeddings (rid, model, vector) VALUES (?, ?, ?)",
                       (rid, embed_model, np.asarray(m.embedding, np.float32).tobytes()))
        if m.passages:
            passages.insert(tx, rid, m.passages, embed_model, m.passage_vectors)
    tx.execute("DELETE FROM failures WHERE path = ?", (str(task.path),))
    return file_id


def move_file(tx: sqlite3.Connection, file_id: int, path: str, size: int, mtime: float) -> None:
    """The same bytes found at a new place: the file was moved or renamed."""
    tx.execute("UPDATE files SET path = ?, size = ?, mtime = ? WHERE file_id = ?", (path, size, mtime, file_id))
    tx.execute("DELETE FROM failures WHERE path = ?", (path,))


def record_failure(tx: sqlite3.Connection, path: str, reason: str) -> None:
    tx.execute("INSERT OR REPLACE INTO failures (path, reason, at) VALUES (?, ?, ?)",
               (path, reason, datetime.now().isoformat(timespec="seconds")))


BULK_SHARE = 0.1  # an import that adds this share of the vault (or more) is a bulk import
SMALL_VAULT = 100_000  # below this many moments merging the whole full-text index takes a moment


def optimize_fulltext(db: sqlite3.Connection, new_moments: int) -> bool:
    """After a bulk import: the full-text indexes merged into one segment each, so a keyword query
    reads one posting list per word instead of one per segment (FTS5 merges only part of the way on
    its own). Costs a rewrite of the index, so only when the import added much. True when it ran."""
    total = int(db.execute("SELECT coalesce(max(rid), 0) FROM moments").fetchone()[0])
    if not new_moments or (total > SMALL_VAULT and new_moments < BULK_SHARE * total):
        return False
    db.execute("INSERT INTO moments_fts(moments_fts) VALUES ('optimize')")
    db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('optimize')")
    return True
