"""Bulk synthetic moments for tests and benchmarks only: years of a lifelog in seconds, no media.

Python decides how full each day is; SQLite makes the rows itself (one INSERT ... SELECT over a
recursive sequence, in one transaction, in time order so every index is appended to). The full-text
index is left out for these rows (indexing half a million texts costs more than the rest together),
so a vault made here is for reading the catalogue (calendars, counts, the home view), not for
searching words. The app never calls this.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from sideload.store.vault import Vault

LINES = ("coffee with Maria at the market", "the train was late again", "we talked about the garden",
         "Sam called about the weekend", "a long walk by the river", "dinner at my mother's",
         "the meeting ran over", "reading in the park", "fixing the bicycle", "rain all afternoon")
NAMES = ("Maria",) * 4 + ("Sam",) * 3 + ("Ruth",) * 2 + ("Will", "Jonas")  # some matter more


def day_sizes(days: int, moments: int, seed: int) -> list[int]:
    """Moments per day: most days ordinary, some busy, about one in twenty empty; summing to `moments`."""
    rng = random.Random(seed)
    weights = [0.0 if rng.random() < 0.05 else rng.choice((0.3, 0.7, 1.0, 1.0, 1.4, 2.5)) for _ in range(days)]
    total = sum(weights) or 1.0
    sizes = [int(moments * w / total) for w in weights]
    sizes[max(range(days), key=lambda i: weights[i])] += moments - sum(sizes)
    return sizes


def fill(vault: Vault, *, first: date, days: int, moments: int, seed: int = 7) -> dict:
    """`moments` speech moments over `days` days from `first`, one file per day, spread over the
    waking hours; half the owner's, the rest named people or unnamed voices. Returns the counts."""
    sizes = day_sizes(days, moments, seed)
    db = vault.db
    db.execute("PRAGMA synchronous = OFF")
    rid0 = db.execute("SELECT coalesce(max(rid), 0) FROM moments").fetchone()[0]
    fid0 = db.execute("SELECT coalesce(max(file_id), 0) FROM files").fetchone()[0]
    plan, fid, rid = [], fid0, rid0
    for i, n in enumerate(sizes):
        if n:
            day = first + timedelta(days=i)
            fid += 1
            t0 = datetime(day.year, day.month, day.day, 7, 0, tzinfo=timezone.utc).timestamp()
            plan.append((fid, day.isoformat(), n, t0, 15 * 3600 / n, rid))
            rid += n
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'moments_ai'").fetchone()
    with vault.transaction() as tx:
        tx.execute("CREATE TEMP TABLE plan (file_id, day, n, t0, step, rid0)")
        tx.executemany("INSERT INTO plan VALUES (?,?,?,?,?,?)", plan)
        tx.execute("INSERT INTO files (file_id, content_hash, path, size, mtime, importer, media_kind, started_at, "
                   "t_start, time_source, imported_at) SELECT file_id, printf('synthetic%055d', file_id), "
                   "'/synthetic/' || day || '.mp4', 0, 0, 'synthetic', 'video', "
                   "strftime('%Y-%m-%dT%H:%M:%S+00:00', t0, 'unixepoch'), t0, 'synthetic', '' FROM plan")
        if trigger:
            tx.execute("DROP TRIGGER moments_ai")
        tx.execute(
            "INSERT INTO moments (rid, moment_id, file_id, kind, start_s, end_s, started_at, t_start, t_end, day, "
            "speaker, speaker_name, text) "
            "WITH RECURSIVE seq(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM seq WHERE j < (SELECT max(n) FROM plan)) "
            "SELECT rid0 + j + 1, printf('syn%012d', rid0 + j + 1), file_id, 'speech', j * step, j * step + 5, "
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', t0 + j * step, 'unixepoch'), t0 + j * step, t0 + j * step + 5, day, "
            "CASE WHEN (rid0 + j) % 10 < 5 THEN 'me' ELSE 'other' END, "
            f"CASE WHEN (rid0 + j) % 10 BETWEEN 5 AND 7 THEN {_pick(NAMES, '(rid0 + j) / 10')} END, "
            f"{_pick(LINES, 'rid0 + j')} "
            "FROM plan JOIN seq ON seq.j < plan.n ORDER BY file_id, j")
        if trigger:
            tx.execute(trigger[0])
        tx.execute("DROP TABLE temp.plan")
    return {"days": len(plan), "moments": sum(sizes), "first": plan[0][1] if plan else None,
            "last": plan[-1][1] if plan else None}


def _pick(words: tuple[str, ...], of: str) -> str:
    """A SQL expression choosing one of `words` by the integer expression `of`."""
    arms = " ".join(f"WHEN {i} THEN '{w.replace(chr(39), chr(39) * 2)}'" for i, w in enumerate(words))
    return f"CASE ({of}) % {len(words)} {arms} END"
