"""What the storage report and the retention policy read and write of the catalogue.

Each original file is one `files` row: its path (inside or outside the vault), its kind, its size at
import and the wall clock of its start. Retention rewrites a row's path to the reduced copy and keeps
what it did in the row's `meta` (`retention`), in one transaction.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any


def originals(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every original, with the day it was recorded (the import day when its time is unknown)."""
    rows = db.execute(
        "SELECT file_id, content_hash, path, size, media_kind, started_at, imported_at, duration_s, meta,"
        " coalesce(substr(started_at, 1, 10), substr(imported_at, 1, 10)) AS day FROM files ORDER BY day, path")
    out = []
    for r in rows:
        try:
            meta = json.loads(r["meta"] or "{}")
        except json.JSONDecodeError:
            meta = {}
        out.append({"file_id": r["file_id"], "content_hash": r["content_hash"], "path": r["path"],
                    "size": r["size"], "media_kind": r["media_kind"], "started_at": r["started_at"],
                    "duration_s": r["duration_s"], "day": r["day"], "retention": meta.get("retention")})
    return out


def latest_moment_end(db: sqlite3.Connection, file_id: int) -> float:
    """The furthest second any moment of the file reaches: a reduced copy must reach it too."""
    return float(db.execute("SELECT coalesce(max(end_s), 0) FROM moments WHERE file_id = ?",
                            (file_id,)).fetchone()[0])


def mark_retained(tx: sqlite3.Connection, file_id: int, path: str, record: dict[str, Any]) -> None:
    """The file now lives at `path` (its reduced copy, or where it was for a deleted original), and
    `record` says what retention did; the moments follow the row, so they open on the new file."""
    meta = json.loads(tx.execute("SELECT meta FROM files WHERE file_id = ?", (file_id,)).fetchone()[0] or "{}")
    meta["retention"] = record
    tx.execute("UPDATE files SET path = ?, meta = ? WHERE file_id = ?", (path, json.dumps(meta), file_id))
