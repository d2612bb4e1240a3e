"""Search your life: dense and keyword retrieval fused, filtered, merged into tight moments.

    filters (SQLite)  ->  keyword (FTS5, BM25)  +  dense (embeddings), each over moments and passages
                      ->  weighted reciprocal rank fusion  ->  rerank (rare-word coverage)  ->  merge

Filters come first. A selective one (a day, a month, a speaker over a short range) leaves few
enough candidates to score exactly; broad or none go to the chromadb index, oversampled and
filtered after (chromadb's own `where` was about 35x slower at 100k vectors: never on the hot path).
"""
from __future__ import annotations

import calendar
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from sideload.recall import reviews, timephrases
from sideload.recall.fusion import Hit, fuse, rerank
from sideload.recall.legs import Legs, QueryVectors
from sideload.recall.merge import merge_neighbours, passage_json
from sideload.recall.passage_matrix import PassageMatrix
from sideload.recall.prefilter import Prefilter, best
from sideload.recall.spelling import Spellings
from sideload.recall.words import keyword_terms, stem  # the persona's phrasing takes them from here too
from sideload.store import passages as passage_rows
from sideload.store import retrieval
from sideload.store.moments import row_to_json
from sideload.store.queries import vectors_of

CANDIDATES = 100  # per retriever
EXACT_MAX = 30_000  # candidates scored exactly from SQLite; above this the ANN index is used
SMALL_VAULT = 10_000  # a vault this small is scored whole (a few ms) and never starts chromadb (a second)
MIN_DENSE = 0.22  # cosine below which a dense neighbour is no evidence at all (all-MiniLM-L6-v2)


@dataclass
class SearchRequest:
    text: str
    limit: int = 10
    date_from: date | None = None
    date_to: date | None = None
    speaker: str | None = None
    kind: str | None = None
    source: str | None = None
    mode: str = "hybrid"  # hybrid | dense | keyword
    rerank: bool = True
    merge: bool = True
    include_private: bool = True  # the owner sees their own; a family copy holds none
    hours: tuple[int, int] | None = None
    weekday: int | None = None  # "on Sundays": every Sunday (Monday is 0)
    understood: dict[str, Any] = field(default_factory=dict)


class Searcher:
    """Searches one vault. `embedder` is a callable list[str] -> vectors; `index` a VectorIndex, or a
    callable that opens one (or None) on first need: a small vault is scored exactly and never waits
    for chromadb to start."""

    def __init__(self, db: sqlite3.Connection, embedder, index=None, vectors=None, model: str | None = None,
                 *, remember: int = 256, parallel: bool = True, prefilter: bool = True):
        self.db = db
        self.embedder = embedder
        self._index = index
        self.vectors = vectors  # sideload.vectors.VectorStore, for exact scoring of filtered candidates
        self.model = model  # the embedding model's name: passages are scored only with its vectors
        self._passages: PassageMatrix | None = None  # loaded once, scored exactly in memory
        self._passages_upto = None  # the newest passage then: a newer one loads them again
        self._n_cache: int | None = None
        self._df: dict[str, int] = {}  # document frequency of query words, looked up once each
        self._queries = QueryVectors(embedder, remember) if embedder is not None else None
        self._parallel = parallel  # the vector leg beside the keyword leg (benchmarks turn it off to compare)
        self._pool: ThreadPoolExecutor | None = None
        self.spellings = Spellings(db)  # the vault's spelling of a word it never holds as asked
        self.legs = Legs()  # each leg's time in the last search (benchmarks/search_scale.py prints them)
        # a filter's candidates from in-memory columns, not SQL (benchmarks turn it off to compare)
        self.prefilter = Prefilter(db) if prefilter else None

    @property
    def index(self):
        if callable(self._index) and not hasattr(self._index, "query"):
            self._index = self._index()  # opened on first need (chromadb takes a second to start)
        return self._index

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding; the persona asks for the same one right after a search."""
        with self.legs.timed("embed"):
            return self._queries(text)

    def _corpus_size(self) -> int:
        if self._n_cache is None:
            self._n_cache = retrieval.corpus_size(self.db)
        return self._n_cache

    def _doc_freq(self, term: str, cap: int) -> int:
        """How many moments hold `term`, counted up to `cap` (a common word costs no more than a rare one)."""
        if term not in self._df:
            self._df[term] = retrieval.doc_freq(self.db, term, cap)
        return self._df[term]

    def _cap(self) -> int:
        """Words are counted up to this many moments: past it, all are common."""
        return max(1000, self._corpus_size() // 100)

    def _weights(self, terms: list[str]) -> dict[str, float]:
        """Rare words weigh most: a question about "the internet" is not answered by "opinion"."""
        n = max(self._corpus_size(), 1)
        cap = self._cap()
        # a word the vault never holds ("Dad, ...") cannot tell one memory from another: it weighs nothing
        return {t: (float(np.log((n + 1) / (min(df, n) + 0.5))) if (df := self._doc_freq(t, cap)) else 0.0)
                for t in terms}

    def _useful_terms(self, terms: list[str]) -> list[str]:
        """Drop words so common in this vault that ranking by them costs much and tells little."""
        n = self._corpus_size()
        limit = self._cap()
        if n <= limit:
            return terms
        return [t for t in terms if self._doc_freq(t, limit) <= limit]

    # -- filters -------------------------------------------------------------------------------
    def _where(self, req: SearchRequest) -> tuple[str, list[Any]]:
        return retrieval.filter_clause(include_private=req.include_private, date_from=req.date_from,
                                       date_to=req.date_to, speaker=req.speaker, kind=req.kind,
                                       source=req.source, hours=req.hours, weekday=req.weekday)

    def _filtered(self, req: SearchRequest) -> bool:
        return any((req.date_from, req.date_to, req.speaker, req.kind, req.source, req.hours)) or req.weekday is not None

    # -- retrievers ----------------------------------------------------------------------------
    def _held(self, term: str) -> bool:
        """Whether the vault holds the word (or phrase) anywhere."""
        return self._doc_freq(term, self._cap()) > 0

    def _terms(self, text: str) -> list[str]:
        """The question's words, each the vault never holds spelt as the vault spells it ("Monck": monk)."""
        return self.spellings.respelt(keyword_terms(text), self._held)

    def as_written(self, words: list[str]) -> list[str]:
        """The words as the vault writes them, one word each ("Monck": monk; "cockfight": cock, fight),
        and as asked too: a quote is chosen by the words it holds."""
        respelt = [w for t in self.spellings.respelt(words, self._held) for w in t.split()]
        return list(dict.fromkeys(words + respelt))

    def keyword(self, req: SearchRequest, where: str, args: list) -> list[int]:
        terms = self._useful_terms(self._terms(req.text))
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        return retrieval.keyword_rids(self.db, match, where, args, CANDIDATES, join_files=bool(req.source))

    def passage_keyword(self, req: SearchRequest, where: str, args: list) -> list[tuple[int, int]]:
        terms = self._useful_terms(self._terms(req.text))
        if not terms:
            return []
        return passage_rows.keyword_pids(self.db, " OR ".join(f'"{t}"' for t in terms), where, args, CANDIDATES)

    def passage_dense(self, req: SearchRequest, qvec: np.ndarray, where: str,
                      args: list) -> list[tuple[int, int, float]]:
        """(pid, rid, similarity) of the passages nearest the query, within the filter."""
        if self.model is None:
            return []
        latest = passage_rows.latest(self.db)
        if self._passages is None or latest != self._passages_upto:  # an import or a re-cut since
            self._passages = PassageMatrix(*passage_rows.matrix(self.db, self.model))
            self._passages_upto = latest
        matrix = self._passages
        if not len(matrix) or matrix.dims != qvec.shape[0]:
            return []
        pids, rids = matrix.pids, matrix.rids
        sims = matrix.sims(qvec)
        if self._filtered(req) or not req.include_private:
            allowed = self._filter_rids(req, where, args, 1 << 62)
            sims = np.where(np.isin(rids, allowed), sims, -1.0)
        top = best(sims, CANDIDATES)
        return [(int(pids[i]), int(rids[i]), float(sims[i])) for i in top if sims[i] >= MIN_DENSE]

    def _filter_rids(self, req: SearchRequest, where: str, args: list, limit: int) -> np.ndarray:
        """The rids within the filter (at most `limit`): from the in-memory columns where they answer
        it, else from SQLite; the same rows in the same order either way."""
        rids = self.prefilter.rids(req) if self.prefilter else None
        if rids is None:
            rids = np.asarray(retrieval.filtered_rids(self.db, where, args, limit, join_files=bool(req.source)),
                              np.int64)
        return rids[:limit]

    def _exact(self, req: SearchRequest) -> bool:
        """Score every candidate exactly: a selective filter, a small vault, or no index to ask."""
        return self._filtered(req) or self._corpus_size() <= SMALL_VAULT or self.index is None

    def dense(self, req: SearchRequest, qvec: np.ndarray, where: str, args: list,
              found: list[tuple[str, float]] | None = None) -> list[tuple[int, float]]:
        if found is None and self._exact(req):
            # with no index (read-only media, or one being rebuilt) every candidate is scored exactly
            ann = self._corpus_size() > SMALL_VAULT and self.index is not None
            rids = self._filter_rids(req, where, args, EXACT_MAX + 1 if ann else 1 << 62)
            if len(rids) <= EXACT_MAX or not ann:
                if self.vectors is not None and len(rids) and self.vectors.covers(int(rids.max())):
                    if self.prefilter is None:
                        sims = self.vectors.score(rids, qvec)
                        return [(int(rids[i]), float(sims[i])) for i in best(sims, CANDIDATES)]
                    return self.prefilter.nearest(self.vectors, rids, qvec, CANDIDATES,
                                                  quick=self._corpus_size() > SMALL_VAULT)
                return retrieval.exact_scores(self.db, qvec, where, args, CANDIDATES)
        return self._ann_filter(found if found is not None else self._ann_query(req, qvec), where, args)

    def _ann_query(self, req: SearchRequest, qvec: np.ndarray) -> list[tuple[str, float]]:
        """(moment id, similarity) from the HNSW index, oversampled when a filter will drop some."""
        return self.index.query(qvec, CANDIDATES * (4 if self._filtered(req) or not req.include_private else 1))

    def _ann_filter(self, found: list[tuple[str, float]], where: str, args: list) -> list[tuple[int, float]]:
        if not found:
            return []
        sims = dict(found)
        out = [(rid, sims[mid]) for rid, mid in retrieval.rids_for_moment_ids(self.db, list(sims), where, args)]
        out.sort(key=lambda x: -x[1])
        return out[:CANDIDATES]

    def _vector_leg(self, req: SearchRequest, exact: bool) -> tuple[np.ndarray, list[tuple[str, float]] | None]:
        """The query's vector and, where the index will be asked, its neighbours: no SQL here, so it
        runs on a worker thread beside the keyword leg (onnxruntime and chromadb let go of the GIL)."""
        qvec = self.query_vector(req.text)
        if exact:
            return qvec, None
        with self.legs.timed("dense"):
            return qvec, self._ann_query(req, qvec)

    def prepare(self) -> None:
        """Read what filtered searches pick from (the columns, the int8 copy of the vectors) now,
        rather than at the first filtered search: a second or two at a million moments."""
        if self.prefilter is not None:
            self.prefilter.prepare(self.vectors)

    # -- the whole search ----------------------------------------------------------------------
    def search(self, req: SearchRequest) -> list[dict[str, Any]]:
        self.legs.reset()
        if not req.text.strip():
            return []
        where, args = self._where(req)
        if not keyword_terms(req.text) and self._filtered(req):
            return self._browse(req, where, args)  # "what did I do on Monday": the day itself
        hits: dict[int, Hit] = {}
        qvec = None
        if self.embedder is None:  # vectors from another embedding model: words only until re-embedded
            req.mode = "keyword"
        leg = None
        if req.mode in ("hybrid", "dense"):
            self._corpus_size()  # asked here: the worker thread must not touch the catalogue
            leg = self._start_vector_leg(req, beside_words=req.mode == "hybrid")
        words, passage_words = [], []
        if req.mode in ("hybrid", "keyword"):
            with self.legs.timed("keyword"):
                words = self.keyword(req, where, args)
                passage_words = self.passage_keyword(req, where, args)
        if leg is not None:
            qvec, found = leg.result() if hasattr(leg, "result") else leg
            with self.legs.timed("dense"):
                dense = [(rid, s) for rid, s in self.dense(req, qvec, where, args, found) if s >= MIN_DENSE]
                passages = self.passage_dense(req, qvec, where, args)
            for rank, (rid, sim) in enumerate(dense):
                h = hits.setdefault(rid, Hit(rid))
                h.ranks["dense"], h.dense = rank, sim
            # long moments are also searched passage by passage: a moment takes its best passage's rank
            for rank, (pid, rid, sim) in enumerate(passages):
                h = hits.setdefault(rid, Hit(rid))
                h.ranks.setdefault("dense_passage", rank)
                h.took_passage(pid, sim)
        for rank, rid in enumerate(words):
            hits.setdefault(rid, Hit(rid)).ranks["keyword"] = rank
        # a passage found by its words is weighed by its meaning too, from the vectors in memory: the
        # quote is the nearest of all the passages the legs brought
        sims = self._passage_sims([pid for pid, _ in passage_words], qvec) if qvec is not None else {}
        for rank, (pid, rid) in enumerate(passage_words):
            h = hits.setdefault(rid, Hit(rid))
            h.ranks.setdefault("keyword_passage", rank)
            h.took_passage(pid, sims.get(pid))
        if not hits:
            return []
        with self.legs.timed("fusion"):
            fuse(list(hits.values()), set() if self._passages is None else self._passages.long)
            ordered = sorted(hits.values(), key=lambda h: -h.score)
            ranked = ordered[: max(3 * req.limit, 30)]
        period = req.rerank and req.mode == "hybrid" and reviews.asks_about_a_period(req.date_from, req.date_to)
        with self.legs.timed("fetch"):
            rows = retrieval.rows_by_rid(self.db, [h.rid for h in ranked])
            if period:  # the stretch's reckoning may rank below the cut; it is looked for among the rest
                ranked += reviews.below_the_cut(ranked, ordered[len(ranked):], rows,
                                                lambda rids: retrieval.rows_by_rid(self.db, rids))
            held = passage_rows.by_pid(self.db, [h.passage for h in ranked if h.passage is not None])
        with self.legs.timed("fusion"):  # each hit's evidence, and the rerank by it
            self._evidence(req, ranked, rows, qvec)
            if req.rerank and req.mode == "hybrid":
                ranked = rerank(ranked)
                if period:  # read only for such questions
                    ranked = reviews.review_among_first(
                        ranked, is_review=lambda h: h.rid in rows and reviews.is_review(rows[h.rid]["day"], rows[h.rid]["text"]))
        with self.legs.timed("fetch"):
            return self._results(req, ranked, rows, held)

    def _start_vector_leg(self, req: SearchRequest, *, beside_words: bool):
        """The vector leg on the worker thread when there are words to look up meanwhile, else here.
        Whether the index is asked is settled here: opening it reads the catalogue."""
        exact = self._exact(req)
        text_known = req.text in self._queries  # nothing to do beside the words: no thread to wake
        if not (beside_words and self._parallel) or (exact and text_known):
            return self._vector_leg(req, exact)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sideload-search")
        return self._pool.submit(self._vector_leg, req, exact)

    def _results(self, req: SearchRequest, ranked: list[Hit], rows: dict, held: dict) -> list[dict[str, Any]]:
        """The ranked hits as moments, neighbours merged, each with its evidence."""
        top = max(h.score for h in ranked) or 1.0
        results = [(rows[h.rid], h.score / top, {**h.evidence(), **passage_json(held.get(h.passage))})
                   for h in ranked if h.rid in rows]
        if req.merge:
            results = merge_neighbours(results)
        out = []
        for r, s, ev in results[: req.limit]:
            passage = ev.pop("passage", None)
            out.append({**row_to_json(r, s), "evidence": ev, **({"passage": passage} if passage else {})})
        return out

    def _browse(self, req: SearchRequest, where: str, args: list) -> list[dict[str, Any]]:
        return [row_to_json(r, 1.0) for r in retrieval.browse(self.db, where, args, req.limit)]

    def browse(self, req: SearchRequest, limit: int = 100) -> list[dict[str, Any]]:
        """The moments within the request's filters (a day, a month), in time order, unranked."""
        where, args = self._where(req)
        return [row_to_json(r) for r in retrieval.browse(self.db, where, args, limit)]

    def words_by_day(self, req: SearchRequest) -> dict[str, int]:
        """How much was said or written on each day within the request's filters."""
        return retrieval.words_by_day(self.db, *self._where(req))

    def _evidence(self, req: SearchRequest, ranked: list[Hit], rows: dict, qvec) -> None:
        """Each hit's similarity to the query and how many (and how rare) of its words it holds."""
        terms = list(dict.fromkeys(self._terms(req.text)))
        weights = self._weights(terms) if terms else {}
        total = sum(weights.values())
        missing = [h.rid for h in ranked if h.dense is None]
        if missing and qvec is not None:
            by_rid = {h.rid: h for h in ranked}
            for rid, blob in vectors_of(self.db, missing).items():
                by_rid[rid].dense = float(np.frombuffer(blob, np.float32) @ qvec)
        for h in ranked:
            row = rows.get(h.rid)
            # over the whole moment: a long entry holding the question's words apart still ranks (the
            # quote stands in its passage)
            body = f"{row['text']} {row['caption'] or ''}" if row else ""
            if row and row["speaker_name"]:
                body += f" {row['speaker_name']}"  # a message from Ruth is about Ruth
            words = set(keyword_terms(body))
            stems = {stem(w) for w in words}
            found = [t for t in terms if t in words or stem(t) in stems
                     or (" " in t and all(stem(w) in stems for w in t.split()))]  # "cock fight"
            h.coverage = len(found) / len(terms) if terms else 0.0
            h.weighted = sum(weights[t] for t in found) / total if total else 0.0

    def _passage_sims(self, pids: list[int], qvec: np.ndarray) -> dict[int, float]:
        """The query's similarity to each of these passages, from the passage vectors in memory."""
        return self._passages.own_sims(pids, qvec) if self._passages is not None and len(self._passages) else {}

def build_request(vault_days: list[str], text: str, **kw: Any) -> SearchRequest:
    """A request with the time phrases of the text turned into filters (explicit flags win)."""
    clean, tf = timephrases.parse(text, vault_days)
    req = SearchRequest(text=clean, **kw)
    if tf.phrases:
        if req.date_from is None and req.date_to is None:
            req.date_from, req.date_to = tf.date_from, tf.date_to
        req.hours, req.weekday = tf.hours, tf.weekday
        req.understood = {"time_phrases": list(tf.phrases),
                          "from": tf.date_from.isoformat() if tf.date_from else None,
                          "to": tf.date_to.isoformat() if tf.date_to else None,
                          "hours": list(tf.hours) if tf.hours else None}
        if tf.weekday is not None:
            req.understood["weekday"] = calendar.day_name[tf.weekday]
    return req
