"""A filtered search picks its candidates from in-memory columns and its nearest moments through an
int8 copy of the vectors: the same rows, and the same top results, as SQL and brute force give."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from sideload.recall.search import CANDIDATES, SearchRequest, Searcher
from sideload.store import bulk_moments, retrieval
from sideload.store.vault import Vault
from sideload.store.vectors import VectorStore

DIM = 384


def _add(db, rng, lo: int, n: int, centroids: np.ndarray) -> None:
    days = [date(2022, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 120, n)]
    vecs = centroids[rng.integers(0, len(centroids), n)] + 0.05 * rng.standard_normal((n, DIM))
    vecs = (vecs / np.linalg.norm(vecs, axis=1, keepdims=True)).astype(np.float32)
    rows = [(lo + j, f"m{lo + j:08d}", 1, ("speech", "text")[j % 2], 0.0, 1.0,
             None if j % 97 == 0 else f"{days[j]}T10:00:00", float(lo + j),
             None if j % 97 == 0 else days[j].isoformat(), ("me", "other", None)[j % 3], f"word{j % 50}")
            for j in range(n)]
    bulk_moments.add_moments(db, rows, [(lo + j, "synthetic", vecs[j].tobytes()) for j in range(n)])


@pytest.fixture
def scale_vault(tmp_path):
    rng = np.random.default_rng(7)
    centroids = rng.standard_normal((12, DIM))  # clustered: many close scores near the cut
    with Vault.init(tmp_path / "v") as vault:
        bulk_moments.add_files(vault.db, ["/footage/a.mp4"])
        _add(vault.db, rng, 1, 3000, centroids)
        store = VectorStore(vault.paths.vectors_file)
        store.rebuild(vault.db)
        yield vault, store, rng, centroids


REQUESTS = [dict(date_from=date(2022, 2, 1), date_to=date(2022, 2, 28), speaker="me"),
            dict(date_from=date(2022, 1, 10)), dict(date_to=date(2022, 1, 20), kind="text"),
            dict(speaker="other", include_private=False), dict(speaker="nobody"), dict(kind="speech")]


def _brute(store, rids, q):
    sims = store.score(rids, q)
    top = np.argsort(-sims, kind="stable")[:CANDIDATES]
    return [int(r) for r in rids[top]], sims[top]


def _ranked(pairs) -> list[tuple[float, int]]:
    """Best first; moments with the very same score (to 1e-6) in rid order, as either may come first."""
    return sorted((-round(float(s), 6), int(r)) for r, s in pairs)


def test_filtered_candidates_and_nearest_match_sql_and_brute_force(scale_vault):
    vault, store, rng, centroids = scale_vault
    searcher = Searcher(vault.db, None, None, store)
    searcher.prepare()  # the int8 copy is used from now on, as at a million moments
    for kw in REQUESTS:
        req = SearchRequest("x", **kw)
        where, args = searcher._where(req)
        rids = searcher.prefilter.rids(req)
        assert sorted(rids.tolist()) == sorted(retrieval.filtered_rids(vault.db, where, args, 1 << 62,
                                                                      join_files=False))
        for _ in range(3):
            q = centroids[rng.integers(0, len(centroids))] + 0.3 * rng.standard_normal(DIM)
            q = (q / np.linalg.norm(q)).astype(np.float32)
            got = searcher.prefilter.nearest(store, rids, q, CANDIDATES, quick=True)
            assert _ranked(got) == _ranked(zip(*_brute(store, rids, q)))


def test_new_moments_are_found_before_and_after_the_copy_is_rebuilt(scale_vault):
    vault, store, rng, centroids = scale_vault
    searcher = Searcher(vault.db, None, None, store)
    searcher.prepare()
    _add(vault.db, rng, 3001, 500, centroids)  # an import: the columns and the vector file change
    store.rebuild(vault.db)
    req = SearchRequest("x", date_from=date(2022, 1, 1), date_to=date(2022, 4, 30), speaker="me")
    rids = searcher.prefilter.rids(req)
    assert rids.max() > 3000 and searcher.prefilter.loads == 2
    q = centroids[0] + 0.3 * rng.standard_normal(DIM)
    q = (q / np.linalg.norm(q)).astype(np.float32)
    for _ in range(2):  # stale copy (scored from the file), then the rebuilt one
        got = searcher.prefilter.nearest(store, rids, q, CANDIDATES, quick=True)
        assert _ranked(got) == _ranked(zip(*_brute(store, rids, q)))
        searcher.prefilter.prepare(store)


def test_a_searcher_asked_once_never_reads_the_columns(scale_vault):
    vault, store, rng, centroids = scale_vault
    searcher = Searcher(vault.db, None, None, store)  # a script's cold `search`: no prepare
    first = SearchRequest("x", speaker="me")
    assert searcher.prefilter.rids(first) is None and searcher.prefilter.rids(first) is None  # SQLite answers
    assert searcher.prefilter.loads == 0 and searcher.prefilter.mirror is None
    again = SearchRequest("x", speaker="me")  # a second request: a searcher that lives on
    where, args = searcher._where(again)
    assert sorted(searcher.prefilter.rids(again).tolist()) == sorted(
        retrieval.filtered_rids(vault.db, where, args, 1 << 62, join_files=False))
    assert searcher.prefilter.loads == 1
