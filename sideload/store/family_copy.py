"""The catalogue of a preserved sideload: a copy released to the family, and settling it when opened.

The copy is made from a backup of the owner's catalogue and stripped before it leaves: no private
moments, no chats, no rules, no hidden facts. Secure delete is on while it is stripped, and it is
vacuumed after, so nothing removed survives in its free pages.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path


def learnt_from_private(db: sqlite3.Connection, adapter_id: int) -> bool:
    """Whether the adapter was trained on any moment the owner now keeps private."""
    return db.execute("SELECT 1 FROM adapter_sources s JOIN moments m USING (rid) WHERE s.adapter_id = ? "
                      "AND m.private = 1 LIMIT 1", (adapter_id,)).fetchone() is not None


def open_copy(db: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A backup of `db` at `path`, ready to be stripped (rows readable by column name)."""
    dst = sqlite3.connect(path)
    dst.row_factory = sqlite3.Row
    db.backup(dst)
    dst.execute("PRAGMA secure_delete = ON")
    dst.execute("PRAGMA foreign_keys = ON")
    return dst


def drop_private(dst: sqlite3.Connection) -> None:
    """What stays with the owner: private moments, chats, failures, rules, hidden facts, runs."""
    dst.execute("DELETE FROM moments WHERE private = 1")
    # a person whose every moment is private leaves no name behind
    dst.execute("DELETE FROM people WHERE person_id NOT IN (SELECT person_id FROM moment_people)")
    dst.execute("DELETE FROM chat_messages")
    dst.execute("DELETE FROM chat_sessions")
    dst.execute("DELETE FROM failures")
    # the rules name who and what is private: they stay with the owner
    dst.execute("DELETE FROM privacy_rules")
    dst.execute("DELETE FROM profile_facts WHERE hidden = 1")
    dst.execute("DELETE FROM consolidation_runs")


def keep_only_adapter(dst: sqlite3.Connection, adapter_id: int | None) -> None:
    """Only the released adapter's row remains (none with None), without its training folder and
    without the record of which moments it learnt from."""
    dst.execute("DELETE FROM adapter_sources")
    dst.execute("DELETE FROM adapters WHERE adapter_id != ?", (adapter_id if adapter_id is not None else -1,))
    if adapter_id is not None:
        dst.execute("UPDATE adapters SET peft_dir = NULL WHERE adapter_id = ?", (adapter_id,))


def drop_files_without_moments(dst: sqlite3.Connection) -> None:
    dst.execute("DELETE FROM files WHERE file_id NOT IN (SELECT DISTINCT file_id FROM moments)")


def mark_unindexed(dst: sqlite3.Connection) -> None:
    """Every vector is indexed again into the copy's own vector index."""
    dst.execute("UPDATE embeddings SET indexed = 0")


def write_meta(dst: sqlite3.Connection, meta: dict[str, str]) -> None:
    dst.executemany("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", meta.items())


def media_files(dst: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(file id, content hash, path) of every file in the copy."""
    return [tuple(r) for r in dst.execute("SELECT file_id, content_hash, path FROM files").fetchall()]


def point_file_at(dst: sqlite3.Connection, file_id: int, path: str) -> None:
    dst.execute("UPDATE files SET path = ? WHERE file_id = ?", (path, file_id))


def compact(dst: sqlite3.Connection) -> None:
    """Commit the stripping, rebuild the full-text index from the moments that remain, and vacuum."""
    dst.commit()
    dst.execute("INSERT INTO moments_fts(moments_fts) VALUES ('rebuild')")
    dst.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
    dst.commit()
    dst.execute("VACUUM")


def hash_prefixes(dst: sqlite3.Connection) -> set[str]:
    """The first 24 characters of each file's content hash: the names of its derived folders."""
    return {r[0][:24] for r in dst.execute("SELECT content_hash FROM files")}


def moment_count(dst: sqlite3.Connection) -> int:
    return dst.execute("SELECT count(*) FROM moments").fetchone()[0]


def close_copy(dst: sqlite3.Connection) -> None:
    """Back to a rollback journal: the copy travels as one file, with no write-ahead log beside it."""
    dst.execute("PRAGMA journal_mode = DELETE")
    dst.close()


def settle(catalogue_path: Path, dest: Path) -> dict[str, int]:
    """Media that travelled inside point at where they will lie; done in one transaction before the
    vault appears at `dest`, so an interrupted open leaves no half-settled vault. Returns the
    catalogue's counts (files, moments, days)."""
    conn = sqlite3.connect(catalogue_path)
    try:
        with conn:
            conn.execute("UPDATE files SET path = ? || '/' || path WHERE path LIKE 'media/%'", (str(dest),))
        counts = {"files": conn.execute("SELECT count(*) FROM files").fetchone()[0],
                  "moments": conn.execute("SELECT count(*) FROM moments").fetchone()[0],
                  "days": conn.execute("SELECT count(DISTINCT day) FROM moments").fetchone()[0]}
    finally:
        conn.close()
    return counts
