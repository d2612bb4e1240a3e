"""Activities discovered from the moments (tables `activities`, `moment_activities`).

An activity keeps its id across rediscovery, so the owner's name (`named_by = 'owner'`), a merge
(`status = 'merged'`, `merged_into`) and a split (`split_from`) keep applying to the new clusters.
Writes run inside the caller's transaction.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Iterator

import numpy as np

# -- reading ---------------------------------------------------------------------------------------

def moment_rows(db: sqlite3.Connection, *, rids_after: int = 0) -> Iterator[sqlite3.Row]:
    """Every shared moment with a time of day and a vector, in time order, streamed: rid, moment_id,
    started_at, t_start, t_end, file_id, kind, text, caption, speaker, speaker_name, vector."""
    return db.execute(
        "SELECT m.rid, m.moment_id, m.started_at, m.t_start, m.t_end, m.file_id, m.kind, m.text, m.caption, "
        "m.speaker, m.speaker_name, e.vector FROM moments m JOIN embeddings e USING (rid) "
        "WHERE m.t_start IS NOT NULL AND length(m.started_at) > 10 AND m.private = 0 AND m.rid > ? "
        "ORDER BY m.t_start, m.rid", (rids_after,))


def activity_rows(db: sqlite3.Connection, *, every: bool = False) -> list[sqlite3.Row]:
    """Activities (the active ones unless `every`), most moments first."""
    return db.execute(
        "SELECT a.*, count(ma.rid) AS moments, count(DISTINCT ma.episode) AS episodes FROM activities a "
        "LEFT JOIN moment_activities ma USING (activity_id) "
        + ("" if every else "WHERE a.status = 'active' ")
        + "GROUP BY a.activity_id ORDER BY episodes DESC, a.activity_id").fetchall()


def activity_row(db: sqlite3.Connection, activity_id: int) -> sqlite3.Row | None:
    return db.execute("SELECT * FROM activities WHERE activity_id = ?", (activity_id,)).fetchone()


def centroid(row: sqlite3.Row) -> np.ndarray | None:
    return None if row["centroid"] is None else np.frombuffer(row["centroid"], np.float32)


def assignments(db: sqlite3.Connection) -> dict[int, int]:
    """rid -> activity id, for every moment that has one."""
    return dict(db.execute("SELECT rid, activity_id FROM moment_activities").fetchall())


def max_assigned_rid(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(rid), 0) FROM moment_activities").fetchone()[0]


def episode_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """One row per episode with an activity, in time order: episode, activity_id, started_at (of its
    first moment), moment_ids (comma-joined), captions (joined by ' | ')."""
    return db.execute(
        "SELECT ma.episode, ma.activity_id, min(m.started_at) AS started_at, "
        "group_concat(m.moment_id) AS moment_ids, group_concat(coalesce(m.caption, ''), ' | ') AS captions "
        "FROM moment_activities ma JOIN moments m USING (rid) WHERE m.private = 0 "
        "GROUP BY ma.episode ORDER BY min(m.t_start)").fetchall()


def recent_caption(db: sqlite3.Connection, before: float, after: float) -> str | None:
    row = db.execute("SELECT caption FROM moments WHERE t_start < ? AND t_start >= ? AND caption IS NOT NULL "
                     "AND private = 0 ORDER BY t_start DESC LIMIT 1", (before, after)).fetchone()
    return row[0] if row else None


# -- writing ---------------------------------------------------------------------------------------

def insert_activity(tx: sqlite3.Connection, name: str, created_at: str, *, split_from: int | None = None) -> int:
    cur = tx.execute("INSERT INTO activities (name, split_from, created_at) VALUES (?, ?, ?)",
                     (name, split_from, created_at))
    return int(cur.lastrowid)


def describe(tx: sqlite3.Connection, activity_id: int, *, name: str, phrase: str, terms: dict[str, float],
             vector: np.ndarray | None, stats: dict[str, Any]) -> None:
    """A rediscovered activity's automatic name (never over the owner's), phrase, terms and centroid."""
    tx.execute("UPDATE activities SET name = CASE WHEN named_by = 'owner' THEN name ELSE ? END, phrase = ?, "
               "terms = ?, centroid = ?, stats = ?, status = CASE WHEN status = 'gone' THEN 'active' ELSE status END "
               "WHERE activity_id = ?",
               (name, phrase, json.dumps(terms), None if vector is None else np.asarray(vector, np.float32).tobytes(),
                json.dumps(stats), activity_id))


def set_gone(tx: sqlite3.Connection, ids: Iterable[int]) -> None:
    tx.executemany("UPDATE activities SET status = 'gone' WHERE activity_id = ? AND status = 'active'",
                   [(i,) for i in ids])


def rename(tx: sqlite3.Connection, activity_id: int, name: str) -> None:
    tx.execute("UPDATE activities SET name = ?, named_by = 'owner' WHERE activity_id = ?", (name, activity_id))


def merge(tx: sqlite3.Connection, source: int, target: int) -> None:
    """`source` becomes part of `target` for good: its moments now, and what rediscovery maps onto it later."""
    tx.execute("UPDATE activities SET status = 'merged', merged_into = ? WHERE activity_id = ?", (target, source))
    tx.execute("UPDATE activities SET merged_into = ? WHERE merged_into = ?", (target, source))
    tx.execute("UPDATE moment_activities SET activity_id = ? WHERE activity_id = ?", (target, source))


def replace_assignments(tx: sqlite3.Connection, rows: Iterable[tuple[int, int, int]]) -> None:
    """(rid, activity id, episode) for every assigned moment; the rest have none."""
    tx.execute("DELETE FROM moment_activities")
    add_assignments(tx, rows)


def add_assignments(tx: sqlite3.Connection, rows: Iterable[tuple[int, int, int]]) -> None:
    tx.executemany("INSERT OR REPLACE INTO moment_activities (rid, activity_id, episode) VALUES (?, ?, ?)", rows)


def move(tx: sqlite3.Connection, rids: list[int], activity_id: int) -> None:
    tx.executemany("UPDATE moment_activities SET activity_id = ? WHERE rid = ?", [(activity_id, r) for r in rids])


def moment_ids_of(db: sqlite3.Connection, activity_id: int, limit: int = 50) -> list[str]:
    """An activity's moments, newest first."""
    return [r[0] for r in db.execute(
        "SELECT m.moment_id FROM moment_activities ma JOIN moments m USING (rid) WHERE ma.activity_id = ? "
        "AND m.private = 0 ORDER BY m.t_start DESC LIMIT ?", (activity_id, limit))]


def set_centroid(tx: sqlite3.Connection, activity_id: int, vector: np.ndarray) -> None:
    tx.execute("UPDATE activities SET centroid = ? WHERE activity_id = ?",
               (np.asarray(vector, np.float32).tobytes(), activity_id))
