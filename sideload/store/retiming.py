"""Moving a file's moments in time (the owner corrects a guessed clock): the reads and writes in SQL.

A file's wall clock is kept twice over: on its `files` row (`started_at`, `t_start`, `time_source`) and
on each moment (`started_at`, `t_start`, `t_end`, `day`, and `time_source` in its meta). Passages point
into their moment's text and carry no time of their own; the vector index carries the day and time for
filtering, so moved moments are flagged to be sent to it again.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from lifelog_import.timeinfo import iso, wall_seconds


def files_under(db: sqlite3.Connection, path: Path) -> list[sqlite3.Row]:
    """The stored files at `path` or anywhere under it (a folder), by path."""
    p = str(path)
    return db.execute("SELECT file_id, path, started_at, time_source, media_kind FROM files "
                      "WHERE path = ?1 OR path LIKE ?2 ESCAPE '\\' ORDER BY path",
                      (p, _like_prefix(p.rstrip("/")) + "/%")).fetchall()


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def first_moment_start(db: sqlite3.Connection, file_id: int) -> str | None:
    """Where a file's earliest moment starts on the wall clock (a file with no clock of its own)."""
    row = db.execute("SELECT started_at FROM moments WHERE file_id = ? AND started_at IS NOT NULL "
                     "ORDER BY t_start LIMIT 1", (file_id,)).fetchone()
    return row[0] if row else None


def _moved(text: str | None, delta: timedelta) -> tuple[str | None, datetime | None]:
    if not text:
        return None, None
    dt = datetime.fromisoformat(text) + delta
    return iso(dt, "day" if len(text) <= 10 else "second"), dt


def move_file(tx: sqlite3.Connection, file_id: int, *, delta: timedelta | None = None,
              start: datetime | None = None, source: str = "owner") -> int:
    """Shift every moment of one file by `delta`, or (a file that had no clock) start it at `start`;
    the file's own clock follows, and its time source becomes `source`. Returns the moments moved."""
    f = tx.execute("SELECT started_at, time_source, meta FROM files WHERE file_id = ?", (file_id,)).fetchone()
    rows = tx.execute("SELECT rid, start_s, end_s, started_at, t_start, t_end, meta FROM moments WHERE file_id = ?",
                      (file_id,)).fetchall()
    updates = []
    for r in rows:
        if delta is not None and r["started_at"]:
            text, dt = _moved(r["started_at"], delta)
            t_end = r["t_end"] + delta.total_seconds() if r["t_end"] is not None else None
        elif start is not None:
            dt = start + timedelta(seconds=r["start_s"])
            text, t_end = iso(dt), wall_seconds(start + timedelta(seconds=r["end_s"]))
        else:
            continue
        meta = _meta(r["meta"])
        meta["time_source"] = source
        updates.append((text, wall_seconds(dt), t_end, dt.date().isoformat(), json.dumps(meta), r["rid"]))
    tx.executemany("UPDATE moments SET started_at = ?, t_start = ?, t_end = ?, day = ?, meta = ? WHERE rid = ?", updates)
    # the index filters by day and time: these vectors go to it again
    tx.executemany("UPDATE embeddings SET indexed = 0 WHERE rid = ?", [(u[-1],) for u in updates])
    file_start = None
    if delta is not None and f["started_at"]:
        file_start = datetime.fromisoformat(f["started_at"]) + delta
    elif start is not None:
        file_start = start
    meta = _meta(f["meta"])
    meta.setdefault("time_source_before", f["time_source"])  # what the importer found, kept for the record
    tx.execute("UPDATE files SET started_at = coalesce(?, started_at), t_start = coalesce(?, t_start), "
               "time_source = ?, meta = ? WHERE file_id = ?",
               (file_start.isoformat() if file_start else None, wall_seconds(file_start) if file_start else None,
                source, json.dumps(meta), file_id))
    return len(updates)


def _meta(text: str | None) -> dict:
    try:
        return json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
