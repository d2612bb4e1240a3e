"""The search's reads of the catalogue: filters, the keyword index, stored vectors, result rows.

Every query here is on the search's hot path (benchmarked at a million moments), so each is one
statement per call, with no per-row round trips. The filter clause is built once per search and
handed back in: it is written against `moments m` joined with `files f`.
"""
from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import numpy as np

from sideload.store.moments import MOMENT_COLUMNS

_ROWS_FROM = f"SELECT m.rid, m.file_id, {MOMENT_COLUMNS} FROM moments m JOIN files f USING (file_id)"


def filter_clause(*, include_private: bool = True, date_from: date | None = None, date_to: date | None = None,
                  speaker: str | None = None, kind: str | None = None, source: str | None = None,
                  hours: tuple[int, int] | None = None, weekday: int | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (over `moments m JOIN files f`) and its arguments; "1" when nothing filters."""
    where, args = [], []
    if not include_private:
        where.append("m.private = 0")
    if date_from:
        where.append("m.day >= ?")
        args.append(date_from.isoformat())
    if date_to:
        where.append("m.day <= ?")
        args.append(date_to.isoformat())
    if speaker:
        where.append("m.speaker = ?")
        args.append(speaker)
    if kind:
        where.append("m.kind = ?")
        args.append(kind)
    if source:
        where.append("(f.path = ? OR f.path LIKE ? ESCAPE '\\')")
        src = source.rstrip("/")
        args += [src, src.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"]
    if hours:
        lo, hi = hours
        # hour of the wall clock; day-precision entries (a diary) have no hour and drop out
        where.append("length(m.started_at) > 10 AND "
                     "((((CAST(m.t_start AS INTEGER) % 86400) + 86400) % 86400) / 3600 BETWEEN ? AND ? "
                     "OR (((CAST(m.t_start AS INTEGER) % 86400) + 86400) % 86400) / 3600 + 24 BETWEEN ? AND ?)")
        args += [lo, hi - 1, lo, hi - 1]
    if weekday is not None:  # Monday 0, as Python counts; SQLite counts from Sunday
        where.append("CAST(strftime('%w', m.day) AS INTEGER) = ?")
        args.append((weekday + 1) % 7)
    return (" AND ".join(where) or "1"), args


def corpus_size(db: sqlite3.Connection) -> int:
    """The number of moments ever stored: max(rid) is instant where count(*) scans a million rows."""
    return int(db.execute("SELECT coalesce(max(rid), 0) FROM moments").fetchone()[0])


def doc_freq(db: sqlite3.Connection, term: str, cap: int) -> int:
    """How many moments hold `term`, counted up to `cap` + 1 (a common word costs no more than a rare one)."""
    return db.execute("SELECT count(*) FROM (SELECT 1 FROM moments_fts WHERE moments_fts MATCH ? LIMIT ?)",
                      (f'"{term}"', cap + 1)).fetchone()[0]


def texts_holding(db: sqlite3.Connection, term: str, limit: int, speaker: str | None = None) -> list[sqlite3.Row]:
    """(moment_id, started_at, day, speaker, text) of the first `limit` moments holding the word `term`
    (said or written by `speaker` only, where given: "me" for the owner's own words), in time order."""
    return db.execute("SELECT m.moment_id, m.started_at, m.day, m.speaker, m.text FROM moments m WHERE m.rid IN "
                      "(SELECT rowid FROM moments_fts WHERE moments_fts MATCH ?) AND (? IS NULL OR m.speaker = ?) "
                      "ORDER BY m.t_start LIMIT ?", (f'"{term}"', speaker, speaker, limit)).fetchall()


def keyword_rids(db: sqlite3.Connection, match: str, where: str, args: list, limit: int, *,
                 join_files: bool = True) -> list[int]:
    """Row ids matching the FTS5 expression `match` within the filter, best BM25 first. Every row that
    matches is joined before the best are kept, so the joins go where nothing needs them: none when
    nothing filters (at a million moments a common word matched tens of thousands of rows), `files`
    only for a source filter."""
    if where == "1":
        sql = f"SELECT rowid FROM moments_fts WHERE moments_fts MATCH ? ORDER BY bm25(moments_fts) LIMIT {int(limit)}"
        return [r[0] for r in db.execute(sql, [match])]
    join = " JOIN files f USING (file_id)" if join_files else ""
    sql = (f"SELECT m.rid FROM moments_fts JOIN moments m ON m.rid = moments_fts.rowid{join} "
           f"WHERE moments_fts MATCH ? AND {where} ORDER BY bm25(moments_fts) LIMIT {int(limit)}")
    return [r[0] for r in db.execute(sql, [match, *args])]


def filtered_rids(db: sqlite3.Connection, where: str, args: list, limit: int, *, join_files: bool) -> list[int]:
    """Row ids within the filter, at most `limit`. `join_files` only when the clause names `f`
    (a source filter): the join costs a lookup per row."""
    join = " JOIN files f USING (file_id)" if join_files else ""
    return [r[0] for r in db.execute(f"SELECT m.rid FROM moments m{join} WHERE {where} LIMIT ?", [*args, limit])]


def exact_scores(db: sqlite3.Connection, qvec: np.ndarray, where: str, args: list,
                 limit: int) -> list[tuple[int, float]]:
    """(rid, cosine) of the `limit` stored vectors within the filter most like `qvec`, scored from SQLite
    (the fallback where the memory-mapped vector file does not cover them)."""
    rows = db.execute(f"SELECT e.rid, e.vector FROM embeddings e JOIN moments m USING (rid) "
                      f"JOIN files f USING (file_id) WHERE {where}", args).fetchall()
    if not rows:
        return []
    dim = qvec.shape[0]
    mat = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(len(rows), dim)
    sims = mat @ qvec
    top = np.argsort(-sims)[:limit]
    return [(rows[i][0], float(sims[i])) for i in top]


def rids_for_moment_ids(db: sqlite3.Connection, moment_ids: list[str], where: str,
                        args: list) -> list[tuple[int, str]]:
    """(rid, moment id) of those moments that pass the filter (the ANN index knows moment ids)."""
    out: list[tuple[int, str]] = []
    for chunk in range(0, len(moment_ids), 500):
        part = moment_ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        out.extend((rid, mid) for rid, mid in db.execute(
            f"SELECT m.rid, m.moment_id FROM moments m JOIN files f USING (file_id) "
            f"WHERE m.moment_id IN ({marks}) AND {where}", [*part, *args]))
    return out


def rows_by_rid(db: sqlite3.Connection, rids: list[int]) -> dict[int, sqlite3.Row]:
    """The moment rows (rid, file_id and MOMENT_COLUMNS) of `rids`, by rid."""
    if not rids:
        return {}
    marks = ",".join("?" * len(rids))
    return {r["rid"]: r for r in db.execute(f"{_ROWS_FROM} WHERE m.rid IN ({marks})", rids)}


def browse(db: sqlite3.Connection, where: str, args: list, limit: int) -> list[sqlite3.Row]:
    """The first `limit` moments within the filter in time order ("what did I do on Monday")."""
    return db.execute(f"{_ROWS_FROM} WHERE {where} ORDER BY m.t_start, m.start_s LIMIT ?",
                      [*args, limit]).fetchall()


def words_by_day(db: sqlite3.Connection, where: str, args: list) -> dict[str, int]:
    """How much was said or written each day within the filter (characters of text), by day."""
    return {r[0]: r[1] or 0 for r in db.execute(
        f"SELECT m.day, sum(length(m.text)) FROM moments m JOIN files f USING (file_id) WHERE {where} "
        "GROUP BY m.day", args)}


def vocabulary(db: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every term of the keyword index (Porter stems) and how many moments hold it. The fts5vocab
    table is a temporary one: it adds nothing to the vault's schema, and a read-only copy can have it."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.moments_vocab USING fts5vocab(main, moments_fts, row)")
    return db.execute("SELECT term, doc FROM temp.moments_vocab").fetchall()


def porter(db: sqlite3.Connection, word: str) -> str:
    """`word` as the keyword index stores it (its tokenizer's Porter stem), from a scratch index in
    the temporary schema."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe USING fts5(w, tokenize='porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stem_probe_vocab USING fts5vocab(temp, stem_probe, row)")
    db.execute("DELETE FROM temp.stem_probe")
    db.execute("INSERT INTO temp.stem_probe (w) VALUES (?)", (word,))
    row = db.execute("SELECT term FROM temp.stem_probe_vocab LIMIT 1").fetchone()
    db.execute("DELETE FROM temp.stem_probe")
    return row[0] if row else word.lower()
