"""The columns a search filters on (day, speaker, kind, private), read out of the catalogue at once
into arrays, so a filtered search picks its candidates in memory instead of asking SQLite.

At a million moments the statement behind a month and speaker filter took about 24 ms (8,000 rows
through the cursor); picking them from these arrays takes well under one. The arrays are read once
(about a second at a million moments, grouped in SQLite so that few rows cross into Python) and
again only when the catalogue changed: `signature` tells.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import numpy as np

NO_DAY = -1  # a moment without a day: SQL's `day >= ?` / `day <= ?` never hold for it
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class FilterColumns:
    """Every moment's rid in the order of the filter index (day, speaker, kind, private, rid), with
    its day as YYYYMMDD beside it (so a date range is one slice); the other columns as codes by rid."""
    rids: np.ndarray  # int64, in index order
    days: np.ndarray  # int32 YYYYMMDD (NO_DAY for none), aligned with `rids`, ascending
    speaker: np.ndarray  # int32 code by rid (-1: none)
    kind: np.ndarray  # int16 code by rid (-1: none)
    private: np.ndarray  # bool by rid
    speakers: dict[str, int]
    kinds: dict[str, int]


def day_number(day: str) -> int:
    """'2021-03-04' -> 20210304: ordered exactly as SQLite orders the ISO text."""
    return int(day.replace("-", ""))


def signature(db: sqlite3.Connection) -> tuple[int, int]:
    """Changes whenever anything was committed: by another connection (data_version) or by this one
    (total_changes). A few microseconds; checked before each filtered search."""
    return db.execute("PRAGMA data_version").fetchone()[0], db.total_changes


def load(db: sqlite3.Connection) -> FilterColumns | None:
    """The columns of every moment, or None where a day is not plain ISO text (then ordering by
    number would not be ordering by text, and the search asks SQLite)."""
    groups = db.execute("SELECT day, speaker, kind, private, group_concat(rid) FROM moments "
                        "GROUP BY day, speaker, kind, private").fetchall()  # walks the covering index
    size = int(db.execute("SELECT coalesce(max(rid), 0) FROM moments").fetchone()[0]) + 1
    speakers: dict[str, int] = {}
    kinds: dict[str, int] = {}
    speaker = np.full(size, -1, np.int32)
    kind = np.full(size, -1, np.int16)
    private = np.zeros(size, bool)
    parts, days = [], []
    for day, spk, knd, priv, joined in groups:
        if day is not None and not (isinstance(day, str) and _DAY.match(day)):
            return None
        rids = np.array(joined.split(","), dtype=np.int64) if isinstance(joined, str) else np.array([joined])
        rids.sort()  # the index holds them in rid order within a group; sorted here so order is certain
        if spk is not None:
            speaker[rids] = speakers.setdefault(str(spk), len(speakers))
        if knd is not None:
            kind[rids] = kinds.setdefault(str(knd), len(kinds))
        private[rids] = bool(priv)
        parts.append(rids)
        days.append(np.full(len(rids), NO_DAY if day is None else day_number(day), np.int32))
    rids = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    day_col = np.concatenate(days) if days else np.zeros(0, np.int32)
    order = np.argsort(day_col, kind="stable")  # NULL days come first in SQLite's order too; kept stable
    return FilterColumns(rids[order], day_col[order], speaker, kind, private, speakers, kinds)
