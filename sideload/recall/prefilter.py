"""A filtered search's candidates picked in memory: a date range is a slice of the moments sorted by
day (two binary searches), a speaker, a kind or privacy a mask over that slice.

The same rows, in the same order, as the catalogue's filter statement (which it replaces on the hot
path); filters it cannot answer (a source folder, hours of the day) still go to SQLite. The arrays
are reread when the catalogue changed, but at most every `REFRESH_EVERY` seconds once a read costs
more than `SLOW_LOAD`: while an import commits every few seconds, a search between two rereads asks
SQLite instead (correct, only slower).
"""
from __future__ import annotations

import sqlite3
import time
from typing import Any

import numpy as np

from sideload.store import filter_columns
from sideload.store.filter_columns import FilterColumns, day_number
from sideload.store import vector_mirror
from sideload.store.vector_mirror import VectorMirror
from sideload.store.vectors import VectorStore

SLOW_LOAD = 0.05  # seconds: a vault this quick to read is simply reread on every change
REFRESH_EVERY = 30.0  # seconds between rereads of a slow-to-read catalogue that keeps changing


class Prefilter:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._cols: FilterColumns | None = None
        self._sig: tuple[int, int] | None = None
        self._loaded_at = float("-inf")
        self._load_s = 0.0
        self.loads = 0
        self.mirror: VectorMirror | None = None  # the int8 copy of the vectors, built on first need
        # the first filtered request goes to SQLite: a searcher asked once (a script's cold `search`)
        # never pays a second of reading a million rows' columns, nor builds the int8 copy
        self._first: Any = None

    def prepare(self, vectors: VectorStore | None) -> None:
        """Read the columns, and build the int8 copy unless it is current, now."""
        self._columns()
        if vectors is not None and not self._mirror_of(vectors).ready():
            self._mirror_of(vectors).build()

    def _mirror_of(self, vectors: VectorStore) -> VectorMirror:
        if self.mirror is None or self.mirror.store.path != vectors.path:
            self.mirror = vector_mirror.shared(vectors)
        return self.mirror

    def nearest(self, vectors: VectorStore, rids: np.ndarray, qvec: np.ndarray, k: int,
                *, quick: bool) -> list[tuple[int, float]]:
        """(rid, similarity) of the `k` of `rids` most like the query, best first: through the int8 copy
        when `quick` (a large vault) or already built, else scored straight from the vector file."""
        if (quick and self._cols is not None) or (self.mirror is not None and self.mirror.build_s is not None):
            picked = self._mirror_of(vectors).top(rids, qvec, k)
            if picked is not None:
                return list(zip(picked[0].tolist(), picked[1].tolist()))
        sims = vectors.score(rids, qvec)
        return [(int(rids[i]), float(sims[i])) for i in best(sims, k)]

    def _columns(self) -> FilterColumns | None:
        sig = filter_columns.signature(self.db)
        if sig == self._sig:
            return self._cols
        now = time.monotonic()
        if self._sig is not None and self._load_s > SLOW_LOAD and now - self._loaded_at < REFRESH_EVERY:
            return None  # stale, and rereading now would cost more than asking SQLite this once
        t = time.perf_counter()
        self._cols = filter_columns.load(self.db)
        self._load_s = time.perf_counter() - t
        self._sig = sig  # read before the arrays: a commit during the read shows as a change next time
        self._loaded_at = now
        self.loads += 1
        return self._cols

    def rids(self, req: Any) -> np.ndarray | None:
        """The rids within the request's filters, in the catalogue's index order; None where the
        filter needs SQLite (a source, hours) or the arrays are stale."""
        if req.source or req.hours:
            return None
        if self._cols is None and (self._first is None or self._first is req):
            self._first = req  # the same request asks twice (moments, then passages): still the first
            return None
        cols = self._columns()
        if cols is None:
            return None
        lo, hi = 0, len(cols.days)
        if req.date_from or req.date_to:
            lo = int(np.searchsorted(cols.days, day_number(req.date_from.isoformat()) if req.date_from else 0))
        if req.date_to:
            hi = int(np.searchsorted(cols.days, day_number(req.date_to.isoformat()), side="right"))
        rids = cols.rids[lo:max(lo, hi)]
        keep = None
        if req.speaker:
            code = cols.speakers.get(req.speaker)
            if code is None:
                return rids[:0]
            keep = cols.speaker[rids] == code
        if req.kind:
            code = cols.kinds.get(req.kind)
            if code is None:
                return rids[:0]
            keep = (cols.kind[rids] == code) if keep is None else keep & (cols.kind[rids] == code)
        if not req.include_private:
            keep = ~cols.private[rids] if keep is None else keep & ~cols.private[rids]
        return rids if keep is None else rids[keep]


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` highest scores, highest first: a partition, then a sort of those only."""
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        return part[np.argsort(-scores[part])]
    return np.argsort(-scores)
