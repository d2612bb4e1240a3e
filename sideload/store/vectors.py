"""A memory-mapped matrix of every moment's vector (float16, row = rid - 1), beside the catalogue.

SQLite stays the source of truth (table `embeddings`); this file is a derived copy laid out for
exact scoring of filtered candidates: gathering 10,000 rows from it takes milliseconds, where
reading the same vectors out of SQLite took 80 ms at a million moments. Rows are written when
vectors are indexed, zeroed when moments are forgotten, and the file is rebuilt from SQLite when
missing or stale.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np

DTYPE = np.float16


def dot_rows(mat: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each row of `mat` dotted with `query`, on this thread. Not `mat @ query`: OpenBLAS splits a
    matrix-vector product over both cores and waits for the other one, so with another job busy an
    8,000-row product took 12 ms instead of 0.5 (einsum stays on this thread; it reads int8 rows
    without widening them first)."""
    return np.einsum("ij,j->i", mat, query)


class VectorStore:
    def __init__(self, path: Path, dim: int = 384):
        self.path = path
        self.dim = dim
        self._map: np.memmap | None = None
        self._rows = 0

    def _open(self) -> np.ndarray | None:
        if not self.path.exists():
            return None
        size = self.path.stat().st_size
        rows = size // (self.dim * 2)
        if self._map is None or rows != self._rows:
            self._map = np.memmap(self.path, dtype=DTYPE, mode="r", shape=(rows, self.dim)) if rows else None
            self._rows = rows
        return self._map

    def write(self, rids: np.ndarray, vectors: np.ndarray) -> None:
        if len(rids) == 0:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        need = int(rids.max())
        with open(self.path, "r+b" if self.path.exists() else "w+b") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() < need * self.dim * 2:
                fh.truncate(need * self.dim * 2)
            data = vectors.astype(DTYPE)
            for rid, row in zip(rids.tolist(), data):
                fh.seek((rid - 1) * self.dim * 2)
                fh.write(row.tobytes())
        self._map = None

    def zero(self, rids: list[int]) -> None:
        if rids and self.path.exists():
            self.write(np.asarray(rids), np.zeros((len(rids), self.dim), np.float32))

    def covers(self, max_rid: int) -> bool:
        return self.path.exists() and self.path.stat().st_size >= max_rid * self.dim * 2

    def score(self, rids: np.ndarray, query: np.ndarray) -> np.ndarray:
        m = self._open()
        if m is None:
            return np.zeros(len(rids), np.float32)
        inside = rids <= m.shape[0]
        out = np.zeros(len(rids), np.float32)
        if inside.any():
            # read in file order: a month's rows lie scattered when footage was imported out of order
            order = np.argsort(rids[inside], kind="stable")
            rows = np.asarray(m[rids[inside][order] - 1], dtype=np.float32)
            scores = np.empty(len(order), np.float32)
            scores[order] = dot_rows(rows, query.astype(np.float32))
            out[inside] = scores
        return out

    def rebuild(self, db: sqlite3.Connection, batch: int = 20000) -> int:
        """Write every indexed vector from the catalogue (after a crash, or for an older vault)."""
        tmp = self.path.with_suffix(".rebuild")
        tmp.unlink(missing_ok=True)
        store = VectorStore(tmp, self.dim)
        n, last = 0, 0
        while True:
            rows = db.execute("SELECT rid, vector FROM embeddings WHERE rid > ? ORDER BY rid LIMIT ?",
                              (last, batch)).fetchall()
            if not rows:
                break
            rids = np.array([r[0] for r in rows])
            vecs = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(len(rows), self.dim)
            store.write(rids, vecs)
            n += len(rows)
            last = rows[-1][0]
        if tmp.exists():
            os.replace(tmp, self.path)
        self._map = None
        return n
