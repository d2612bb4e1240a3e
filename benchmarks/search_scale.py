"""Scale benchmark: search over a vault of synthetic moments (default 1,000,000; five years of a
lifelog is about 12 million).

Prints build time, disk size, and query latency p50/p95 unfiltered and with a date-range plus
speaker filter, beside the baseline of chromadb's own `where` filter for the filtered case.
Target on 2 cores: p95 <= 50 ms for both.

    .venv/bin/python benchmarks/search_scale.py [--n 1000000] [--queries 100] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DIM = 384
YEARS = 5


def synthetic_vocab(rng, n_words: int = 6000) -> list[str]:
    syll = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fi", "go", "ha", "ju", "pe", "zo", "ar", "en"]
    words = set()
    while len(words) < n_words:
        words.add("".join(rng.choice(syll, size=int(rng.integers(2, 5)))))
    return sorted(words)


def build(vault_dir: Path, n: int, rng) -> dict:
    from sideload.store.index import VectorIndex, index_pending
    from sideload.store.vault import Vault

    vocab = np.array(synthetic_vocab(rng))
    zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    zipf /= zipf.sum()
    centroids = rng.standard_normal((4000, DIM)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    start_day = date(2021, 1, 1)
    seconds = YEARS * 365 * 86400
    timings = {}
    t0 = time.perf_counter()
    with Vault.init(vault_dir) as vault:
        db = vault.db
        db.execute("PRAGMA synchronous = OFF")
        files = max(1, n // 1000)
        db.execute("BEGIN")
        db.executemany("INSERT INTO files (file_id, content_hash, path, size, mtime, importer, media_kind, time_source,"
                       " imported_at) VALUES (?, ?, ?, 0, 0, 'synthetic', 'video', 'synthetic', '')",
                       [(i + 1, f"{i:064x}", f"/footage/clip{i:06d}.mp4") for i in range(files)])
        db.execute("COMMIT")
        batch = 20_000
        for lo in range(0, n, batch):
            k = min(batch, n - lo)
            t = rng.integers(0, seconds, size=k)
            topic = rng.integers(0, len(centroids), size=k)
            vecs = centroids[topic] + 0.35 * rng.standard_normal((k, DIM)).astype(np.float32) / np.sqrt(DIM) * 8
            vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
            words = rng.choice(len(vocab), size=(k, 12), p=zipf)
            rows, emb = [], []
            for j in range(k):
                rid = lo + j + 1
                ts = int(t[j])
                day = start_day + timedelta(seconds=ts)
                rows.append((rid, f"m{rid:010d}", int(rid % files) + 1, "speech", 0.0, 8.0,
                             day.isoformat() + "T12:00:00", float(ts + 1609459200), day.isoformat(),
                             "me" if (topic[j] + j) % 2 else "other", " ".join(vocab[words[j]])))
                emb.append((rid, "synthetic", vecs[j].tobytes()))
            db.execute("BEGIN")
            db.executemany("INSERT INTO moments (rid, moment_id, file_id, kind, start_s, end_s, started_at, t_start, day,"
                           " speaker, text) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT INTO embeddings (rid, model, vector) VALUES (?,?,?)", emb)
            db.execute("COMMIT")
            print(f"\rcatalogue {lo + k:,}/{n:,}", end="", file=sys.stderr)
        timings["catalogue (SQLite + FTS5)"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        from sideload.store.vectors import VectorStore

        index = VectorIndex(vault.paths.index_dir)
        store = VectorStore(vault.paths.vectors_file)
        done = 0
        while True:
            got = index_pending(db, index, batch=5000, store=store)
            done += got
            if got == 0:
                break
        print(file=sys.stderr)
        timings["vector index (chromadb HNSW)"] = time.perf_counter() - t1
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"timings": timings, "vocab": vocab.tolist(), "centroids": centroids}


def disk_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the built vault here")
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    from sideload.context import AppContext
    from sideload.store.index import VectorIndex
    from sideload.recall.search import SearchRequest, Searcher
    from sideload.store.vault import Vault

    rng = np.random.default_rng(1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sideload-scale-"))
    vault_dir = work / f"vault-{args.n}"
    try:
        info_file = work / f"build-{args.n}.json"
        if not vault_dir.exists():
            built = build(vault_dir, args.n, rng)
            info_file.write_text(json.dumps({"timings": built["timings"]}))
        timings = json.loads(info_file.read_text())["timings"]
        size = disk_size(vault_dir)
        from sideload.store.vectors import VectorStore

        with Vault.open(vault_dir, write=True) as vault:  # migrates a vault built by an older version
            store = VectorStore(vault.paths.vectors_file)
            max_rid = vault.db.execute("SELECT max(rid) FROM embeddings").fetchone()[0]
            if not store.covers(max_rid):
                t = time.perf_counter()
                store.rebuild(vault.db)
                print(f"vector matrix rebuilt from the catalogue in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        with Vault.open(vault_dir) as vault:
            embed = AppContext(vault_dir).hub(vault.settings).embedder
            index = VectorIndex(vault.paths.index_dir)
            searcher = Searcher(vault.db, lambda texts: embed.encode(texts), index, store)
            texts = [r[0] for r in vault.db.execute(
                "SELECT text FROM moments WHERE rid IN (SELECT abs(random()) % ? + 1 FROM moments LIMIT ?)",
                (args.n, args.queries))]
            queries = [" ".join(t.split()[2:5]) for t in texts]
            for q in queries[:3]:  # warm caches the way a running app has them
                searcher.search(SearchRequest(q))
            lat = {"unfiltered": [], "filtered": [], "embed": [], "chroma where": []}
            for i, q in enumerate(queries):
                t = time.perf_counter()
                qv = embed.encode([q])[0]
                lat["embed"].append(time.perf_counter() - t)
                t = time.perf_counter()
                searcher.search(SearchRequest(q, limit=10))
                lat["unfiltered"].append(time.perf_counter() - t)
                y = 2021 + i % YEARS
                m = 1 + i % 12
                d0 = date(y, m, 1)
                d1 = (d0 + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                t = time.perf_counter()
                searcher.search(SearchRequest(q, limit=10, date_from=d0, date_to=d1, speaker="me"))
                lat["filtered"].append(time.perf_counter() - t)
                if i < 20:  # the baseline: chromadb filtering itself
                    t = time.perf_counter()
                    index.query(qv, 100, where={"$and": [{"day": {"$gte": int(d0.strftime('%Y%m%d'))}},
                                                         {"day": {"$lte": int(d1.strftime('%Y%m%d'))}},
                                                         {"speaker": "me"}]})
                    lat["chroma where"].append(time.perf_counter() - t)
        print(f"\nSearch at scale: {args.n:,} moments, {os.cpu_count()} cores, {len(queries)} queries\n")
        for name, secs in timings.items():
            print(f"build {name:<32}{secs / 60:8.1f} min")
        print(f"disk size of the vault{'':<20}{size / 2**30:8.2f} GB ({size / args.n:,.0f} bytes a moment)\n")
        print(f"{'query (hybrid, top 10)':<46}{'p50 ms':>8}{'p95 ms':>8}")
        print(f"{'unfiltered (embed + ANN + FTS5 + fuse)':<46}{pct(lat['unfiltered'], 50):>8.1f}{pct(lat['unfiltered'], 95):>8.1f}")
        print(f"{'one month + speaker filter (ours: SQLite first)':<46}{pct(lat['filtered'], 50):>8.1f}{pct(lat['filtered'], 95):>8.1f}")
        print(f"{'  baseline: chromadb where, vector part only':<46}{pct(lat['chroma where'], 50):>8.1f}{pct(lat['chroma where'], 95):>8.1f}")
        print(f"{'  of which: embedding the query':<46}{pct(lat['embed'], 50):>8.1f}{pct(lat['embed'], 95):>8.1f}")
        ok = pct(lat["unfiltered"], 95) <= 50 and pct(lat["filtered"], 95) <= 50
        print(f"\ntarget p95 <= 50 ms for both: {'met' if ok else 'NOT met'}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
