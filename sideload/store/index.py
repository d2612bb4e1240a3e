"""The vector index (chromadb), owned by one object per vault.

SQLite keeps every vector too (table `embeddings`), so this index can always be rebuilt; its
`indexed` flag is what makes indexing resumable: a vector is flagged only after chromadb has it.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "moments"


def _day_int(day: str | None) -> int:
    return int(day.replace("-", "")) if day else 0


class VectorIndex:
    """Single owner of the chromadb client: every call goes through this object's lock."""

    def __init__(self, folder: Path):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._client = chromadb.PersistentClient(
            path=str(folder), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        self._col = self._client.get_or_create_collection(COLLECTION, metadata={"hnsw:space": "cosine"})

    def count(self) -> int:
        with self._lock:
            return self._col.count()

    def upsert(self, ids: list[str], vectors: np.ndarray, metas: list[dict[str, Any]]) -> None:
        if not ids:
            return
        with self._lock:
            self._col.upsert(ids=ids, embeddings=vectors.astype(np.float32), metadatas=metas)

    def delete(self, ids: list[str]) -> None:
        if ids:
            with self._lock:
                self._col.delete(ids=ids)

    def query(self, vector: np.ndarray, n: int, where: dict | None = None) -> list[tuple[str, float]]:
        # no count() first: at a million vectors it alone took 40 ms, ten times the query
        with self._lock:
            res = self._col.query(query_embeddings=[vector.astype(np.float32)], n_results=n, where=where,
                                  include=["distances"])
        if not res["ids"] or not res["ids"][0]:
            return []
        return list(zip(res["ids"][0], (1.0 - d for d in res["distances"][0])))

    def all_ids(self) -> set[str]:
        with self._lock:
            return set(self._col.get(include=[])["ids"])


def index_pending(db: sqlite3.Connection, index: VectorIndex, *, batch: int = 512,
                  check=lambda: None, store=None) -> int:
    """Copy every not-yet-indexed vector into chromadb (and the vector matrix); flag each batch after
    it lands."""
    done = 0
    while True:
        check()
        rows = db.execute(
            "SELECT e.rid, e.vector, m.moment_id, m.kind, m.day, m.t_start, m.speaker, m.file_id, m.private "
            "FROM embeddings e JOIN moments m USING (rid) WHERE e.indexed = 0 LIMIT ?", (batch,)).fetchall()
        if not rows:
            return done
        vecs = np.stack([np.frombuffer(r["vector"], np.float32) for r in rows])
        metas = [{"kind": r["kind"], "day": _day_int(r["day"]), "t": float(r["t_start"] or 0.0),
                  "speaker": r["speaker"] or "unknown", "file_id": int(r["file_id"]),
                  "private": int(r["private"])} for r in rows]
        index.upsert([r["moment_id"] for r in rows], vecs, metas)
        if store is not None:
            store.write(np.array([r["rid"] for r in rows]), vecs)
        db.execute("BEGIN IMMEDIATE")
        db.executemany("UPDATE embeddings SET indexed = 1 WHERE rid = ?", [(r["rid"],) for r in rows])
        db.execute("COMMIT")
        done += len(rows)
