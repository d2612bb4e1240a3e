"""The vector index (chromadb), owned by one object per vault.

SQLite keeps every vector too (table `embeddings`), so this index can always be rebuilt; its
`indexed` flag is what makes indexing resumable: a vector is flagged only after chromadb has it.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "moments"


def _day_int(day: str | None) -> int:
    return int(day.replace("-", "")) if day else 0


class VectorIndex:
    """Single owner of the chromadb client: every call goes through this object's lock."""

    def __init__(self, folder: Path, *, bulk: bool = False):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._client = chromadb.PersistentClient(
                path=str(folder), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
            # chromadb writes its whole HNSW graph to disk every `sync_threshold` additions (1000 by
            # default): building a million vectors so wrote about 800 GB. A bulk build (benchmarks) saves
            # it every 100,000 instead; the graph and its search are the same.
            meta = {"hnsw:space": "cosine", **({"hnsw:sync_threshold": 100_000, "hnsw:batch_size": 10_000}
                                                if bulk else {})}
            self._col = self._client.get_or_create_collection(COLLECTION, metadata=meta)
        except Exception:
            _forget_system(folder)  # chromadb caches the half-started client per folder: a rebuilt index must not meet it
            raise

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

    def present(self, ids: list[str]) -> set[str]:
        with self._lock:
            return set(self._col.get(ids=ids, include=[])["ids"]) if ids else set()

    def close(self) -> None:
        """Let go of chromadb's files: its system is shared per folder within a process and stops
        when its last client closes, so a folder swapped by a rebuild is opened afresh."""
        with self._lock:
            try:
                self._client.close()
            except Exception:  # closing is best effort; a damaged index may not close cleanly
                log.debug("closing the vector index failed", exc_info=True)


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
        metas = [_meta(r) for r in rows]
        index.upsert([r["moment_id"] for r in rows], vecs, metas)
        if store is not None:
            store.write(np.array([r["rid"] for r in rows]), vecs)
        db.execute("BEGIN IMMEDIATE")
        db.executemany("UPDATE embeddings SET indexed = 1 WHERE rid = ?", [(r["rid"],) for r in rows])
        db.execute("COMMIT")
        done += len(rows)


def _forget_system(folder: Path) -> None:
    from chromadb.api.shared_system_client import SharedSystemClient

    for key in [k for k in SharedSystemClient._identifier_to_system if k == str(folder)]:
        SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)


@dataclass
class IndexHealth:
    """What the index holds against what the catalogue says it holds."""
    state: str  # ok | missing | damaged | behind | ahead | unavailable (a full disk, read-only files)
    expected: int  # vectors the catalogue has flagged as indexed
    found: int | None = None
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "expected": self.expected, "found": self.found, "detail": self.detail}


def check(db: sqlite3.Connection, folder: Path, *, sample: int = 24) -> tuple[IndexHealth, VectorIndex | None]:
    """Counts and a sample of ids against the catalogue. Returns the health, and the open index
    when it can be used as it is. Between the vectors flagged as indexed and all vectors (some may
    have landed without their flag before a kill: they are sent again, harmlessly) is healthy;
    fewer is behind, more means the index holds what the catalogue no longer has."""
    expected = db.execute("SELECT count(*) FROM embeddings WHERE indexed = 1").fetchone()[0]
    total = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    if not (folder / "chroma.sqlite3").exists():
        return IndexHealth("missing" if expected else "ok", expected, 0, "no index folder"), None
    try:
        index = VectorIndex(folder)
        found = index.count()
        # a sample by random row ids (key lookups): `ORDER BY random()` would read every row, and this
        # check runs each time a search opens the index
        top = db.execute("SELECT coalesce(max(rid), 0) FROM embeddings").fetchone()[0]
        picks = sorted({int(x) for x in np.random.default_rng().integers(1, top + 1, size=sample)}) if top else []
        marks = ",".join("?" * len(picks))
        ids = [r[0] for r in db.execute(
            f"SELECT m.moment_id FROM embeddings e JOIN moments m USING (rid) WHERE e.indexed = 1 "
            f"AND e.rid IN ({marks})", picks)] if picks else []
        absent = len(ids) - len(index.present(ids))
    except Exception as exc:  # chromadb raises its own types for a damaged file
        log.warning("the vector index cannot be read: %s", exc)
        text = str(exc).lower()
        if "disk is full" in text or "readonly" in text or "read-only" in text:  # the place, not the index
            why = "the disk is full" if "full" in text else "its files cannot be written"
            return IndexHealth("unavailable", expected, None, why), None
        return IndexHealth("damaged", expected, None, f"{type(exc).__name__}: {exc}"[:200]), None
    if found < expected or found > total or absent:
        index.close()
        detail = f"{found} vectors for {expected} indexed moments" + (
            f"; {absent} of {len(ids)} sampled ids missing" if absent else "")
        return IndexHealth("behind" if found <= total else "ahead", expected, found, detail), None
    return IndexHealth("ok", expected, found), index


def rebuild(db: sqlite3.Connection, folder: Path, *, check_cancel: Callable[[], None] = lambda: None,
            report: Callable[[int, int], None] = lambda done, total: None, batch: int = 1024) -> int:
    """Build the index anew from the catalogue's vectors beside the old one, then swap it in.

    SQLite holds every vector, so nothing is lost: a kill leaves the old index (or none) in place
    and the next check finds it again. Afterwards no byte of a removed vector is left in chromadb's
    files (its log keeps what was deleted; a fresh build keeps only what is there)."""
    fresh = folder.with_name(folder.name + ".rebuild")
    shutil.rmtree(fresh, ignore_errors=True)
    total = db.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    index = VectorIndex(fresh)
    done, last = 0, 0
    while True:
        check_cancel()
        rows = db.execute(
            "SELECT e.rid, e.vector, m.moment_id, m.kind, m.day, m.t_start, m.speaker, m.file_id, m.private "
            "FROM embeddings e JOIN moments m USING (rid) WHERE e.rid > ? ORDER BY e.rid LIMIT ?",
            (last, batch)).fetchall()
        if not rows:
            break
        index.upsert([r["moment_id"] for r in rows], np.stack([np.frombuffer(r["vector"], np.float32) for r in rows]),
                     [_meta(r) for r in rows])
        done += len(rows)
        last = rows[-1]["rid"]
        report(done, total)
    index.close()
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(fresh, folder)
    shutil.rmtree(old, ignore_errors=True)
    return done  # vectors still flagged unindexed are upserted again by index_pending (idempotent)


def _meta(r) -> dict[str, Any]:
    return {"kind": r["kind"], "day": _day_int(r["day"]), "t": float(r["t_start"] or 0.0),
            "speaker": r["speaker"] or "unknown", "file_id": int(r["file_id"]), "private": int(r["private"])}


def ensure(db: sqlite3.Connection, folder: Path, ctx) -> tuple[VectorIndex, IndexHealth, int]:
    """The index, checked first and rebuilt from the catalogue when it is missing, damaged, behind
    or ahead (with progress, cancellable). Returns (index, what the check found, vectors rebuilt)."""
    health, index = check(db, folder)
    if index is not None:
        return index, health, 0
    rebuilt = 0
    if health.state == "unavailable":
        from sideload.errors import SideloadError

        raise SideloadError(f"the search index cannot be written: {health.detail}", kind="disk-full",
                            hint="free some space and run the same command again: finished work is kept")
    if health.state != "ok":
        log.warning("rebuilding the vector index from the catalogue: %s (%s)", health.state, health.detail)
        ctx.report(0.0, "rebuilding the search index", health.state, force=True)
        rebuilt = rebuild(db, folder, check_cancel=ctx.check,
                          report=lambda done, total: ctx.report(done / max(total, 1), "rebuilding the search index",
                                                                done=done, total=total))
    return VectorIndex(folder), health, rebuilt
