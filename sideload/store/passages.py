"""Passages of long moments: where they are cut, and their rows (vectors and full text).

A passage is a sentence or two of a long moment's text, about 30 words, with its character offsets
into the moment. Search scores passages beside whole moments, so a fact in the 1,500th word of a diary
entry is found and cited where it stands.

How a text is cut has a version (`CUT_VERSION`): a vault cut another way is cut again by consolidation,
a migration (`kv passages_cut` holds an older vault's version; none means the current one).
"""
from __future__ import annotations

import re
import sqlite3
from typing import Iterable

import numpy as np

from sideload.sentences import ends_in_abbreviation

LONG_WORDS = 90  # a moment longer than this is also indexed as passages
# a passage grows sentence by sentence up to about this many words. Chosen on the recall benchmark's
# dev questions (70, 55, 40, 30 words): a short passage's vector is about one thing, so the one that
# holds the fact is nearer the question, and its quote is shorter
PASSAGE_WORDS = 30
# 1: up to 70 words, cut after a title ("Mrs. | Knipp"); 2: up to 30 words, titles and initials kept
CUT_VERSION = 2
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=\S)")


def cut(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each passage of a long text; [] for a short one. Sentences stay whole
    (a single very long sentence is cut at a word boundary)."""
    if len(text.split()) <= LONG_WORDS:
        return []
    bounds, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if ends_in_abbreviation(text, m.start() - 1):
            continue  # "Sir W. Penn": the title stays with its name
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    out: list[tuple[int, int, str]] = []
    cur_start, cur_end, words = None, None, 0
    for a, b in bounds:
        n = len(text[a:b].split())
        if cur_start is not None and words + n > PASSAGE_WORDS:
            out.append((cur_start, cur_end, text[cur_start:cur_end]))
            cur_start, words = None, 0
        if n > PASSAGE_WORDS * 2:  # one endless sentence: cut it into word windows
            for s, e in _word_windows(text, a, b):
                out.append((s, e, text[s:e]))
            continue
        cur_start = a if cur_start is None else cur_start
        cur_end, words = b, words + n
    if cur_start is not None:
        out.append((cur_start, cur_end, text[cur_start:cur_end]))
    return [p for p in out if p[2].strip()]


def _word_windows(text: str, a: int, b: int) -> Iterable[tuple[int, int]]:
    spans = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    for i in range(0, len(spans), PASSAGE_WORDS):
        chunk = spans[i:i + PASSAGE_WORDS]
        yield chunk[0][0], chunk[-1][1]


def insert(tx: sqlite3.Connection, rid: int, passages: list[tuple[int, int, str]], model: str,
           vectors) -> None:
    tx.executemany('INSERT INTO passages (rid, k, start, "end", text, model, vector) VALUES (?,?,?,?,?,?,?)',
                   [(rid, k, s, e, t, model, None if vectors is None else np.asarray(v, np.float32).tobytes())
                    for k, ((s, e, t), v) in enumerate(zip(passages, vectors if vectors is not None
                                                           else [None] * len(passages)))])


def long_moments(db: sqlite3.Connection, limit: int, after: int = 0, *, uncut: bool = False) -> list[sqlite3.Row]:
    """Long moments (by length; the cut decides) after row `after`: those a new way of cutting cuts
    again, or with `uncut` only those with no passages yet (an older vault's)."""
    return db.execute(
        "SELECT m.rid, m.text FROM moments m WHERE m.rid > ? AND length(m.text) > ? "
        + ("AND NOT EXISTS (SELECT 1 FROM passages p WHERE p.rid = m.rid) " if uncut else "")
        + "ORDER BY m.rid LIMIT ?", (after, LONG_WORDS * 4, limit)).fetchall()


def count_long(db: sqlite3.Connection, after: int = 0, upto: int | None = None) -> int:
    """How many long moments there are (with row ids in (after, upto]): a migration's progress."""
    return db.execute("SELECT count(*) FROM moments WHERE rid > ? AND rid <= ? AND length(text) > ?",
                      (after, (1 << 62) if upto is None else upto, LONG_WORDS * 4)).fetchone()[0]


def drop(tx: sqlite3.Connection, rids: list[int]) -> None:
    """Drop the passages of these moments (their full-text rows go with them), to be cut again."""
    tx.executemany("DELETE FROM passages WHERE rid = ?", [(r,) for r in rids])


def cut_version(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM kv WHERE key = 'passages_cut'").fetchone()
    return int(row[0]) if row else CUT_VERSION


def recut_upto(db: sqlite3.Connection) -> int:
    """Moments up to this row id have been cut again by the running migration."""
    row = db.execute("SELECT value FROM kv WHERE key = 'passages_recut_upto'").fetchone()
    return int(row[0]) if row else 0


def set_recut_upto(tx: sqlite3.Connection, rid: int | None) -> None:
    """Where the migration stands; None: done, every passage is cut the current way."""
    if rid is None:
        tx.execute("DELETE FROM kv WHERE key IN ('passages_recut_upto', 'passages_cut')")
    else:
        tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('passages_recut_upto', ?)", (str(rid),))


def cut_upto(db: sqlite3.Connection) -> int:
    """Moments up to this row id have been looked at by the migration (imports cut their own)."""
    row = db.execute("SELECT value FROM kv WHERE key = 'passages_cut_upto'").fetchone()
    return int(row[0]) if row else 0


def set_cut_upto(tx: sqlite3.Connection, rid: int) -> None:
    tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('passages_cut_upto', ?)", (str(rid),))


def stale(db: sqlite3.Connection, model: str, limit: int) -> list[sqlite3.Row]:
    """Passages whose vector is missing or made by another model."""
    return db.execute("SELECT pid, text FROM passages WHERE model != ? OR vector IS NULL LIMIT ?",
                      (model, limit)).fetchall()


def set_vectors(tx: sqlite3.Connection, pids: list[int], model: str, vectors) -> None:
    tx.executemany("UPDATE passages SET vector = ?, model = ? WHERE pid = ?",
                   [(np.asarray(v, np.float32).tobytes(), model, pid) for pid, v in zip(pids, vectors)])


def matrix(db: sqlite3.Connection, model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pids, rids, vectors) of every passage with a vector of `model`: scored exactly in memory."""
    rows = db.execute("SELECT pid, rid, vector FROM passages WHERE model = ? AND vector IS NOT NULL "
                      "ORDER BY pid", (model,)).fetchall()
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
    pids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    rids = np.fromiter((r[1] for r in rows), np.int64, len(rows))
    vecs = np.frombuffer(b"".join(r[2] for r in rows), np.float32).reshape(len(rows), -1)
    return pids, rids, vecs


def keyword_pids(db: sqlite3.Connection, match: str, where: str, args: list, limit: int) -> list[tuple[int, int]]:
    """(pid, rid) of passages matching the FTS query, best first, within the moments' filter."""
    sql = ("SELECT p.pid, p.rid FROM passages_fts JOIN passages p ON p.pid = passages_fts.rowid "
           "JOIN moments m ON m.rid = p.rid JOIN files f USING (file_id) "
           f"WHERE passages_fts MATCH ? AND {where} ORDER BY bm25(passages_fts) LIMIT {int(limit)}")
    return [(r[0], r[1]) for r in db.execute(sql, [match, *args])]


def by_pid(db: sqlite3.Connection, pids: list[int]) -> dict[int, sqlite3.Row]:
    if not pids:
        return {}
    marks = ",".join("?" * len(pids))
    return {r["pid"]: r for r in db.execute(
        f'SELECT pid, rid, k, start, "end", text FROM passages WHERE pid IN ({marks})', pids)}


def latest(db: sqlite3.Connection) -> int:
    """The newest passage's id (0 with none): instant, so a searcher sees when passages came or changed."""
    return db.execute("SELECT coalesce(max(pid), 0) FROM passages").fetchone()[0]


def count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM passages").fetchone()[0]
