"""How search weighs what its legs found: each moment's hit (its rank in each leg, its similarity,
the share of the question's words it holds, its best passage), the weighted reciprocal rank fusion of
the legs, and the rerank by rare-word coverage and similarity."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Fusion weights each leg: a passage's vector sees one stretch of a long entry, an entry's vector only
# its first ~200 words. Chosen on benchmarks/recall.py --questions dev, checked on its unseen test set.
RRF_K = 20
LEG_WEIGHTS = {"dense": 0.5, "dense_passage": 2.0, "keyword": 1.0, "keyword_passage": 0.5}
SHORT_LEG_WEIGHTS = {**LEG_WEIGHTS, "dense": 2.0}  # a short moment's own vector is its one passage's
RERANK_COVERAGE = 0.2  # the share of the question's rare words a hit holds, added to its fused score
RERANK_DENSE = 0.6  # and its similarity: ranks hide that 0.54 is far nearer than 0.29 (search_quality 0.71 -> 0.76)


@dataclass
class Hit:
    rid: int
    score: float = 0.0
    dense: float | None = None
    ranks: dict[str, int] = field(default_factory=dict)
    coverage: float = 0.0  # share of the query's words the moment (or its best passage) holds
    weighted: float = 0.0  # the same, each word weighted by its rarity in the vault (idf)
    passage: int | None = None  # the best passage of a long moment, where the evidence stands
    passage_sim: float = -1.0

    def evidence(self) -> dict[str, Any]:
        """Why this hit: returned with it, so the persona judges relevance without asking again."""
        return {"dense": None if self.dense is None else round(self.dense, 4),
                "coverage": round(self.coverage, 4), "weighted_coverage": round(self.weighted, 4),
                "ranks": dict(self.ranks)}

    def took_passage(self, pid: int, sim: float | None) -> None:
        if sim is not None and sim > self.passage_sim:
            self.passage, self.passage_sim = pid, sim
            self.dense = sim if self.dense is None else max(self.dense, sim)
        elif self.passage is None:
            self.passage = pid


def fuse(hits: list[Hit], long: set[int]) -> None:
    """Each hit's fused score: its legs' weighted reciprocal ranks (a first place counts a quarter of
    its leg's weight). A long moment's own vector reads only its first ~200 words, so there its
    passages weigh more."""
    for h in hits:
        w = LEG_WEIGHTS if h.rid in long else SHORT_LEG_WEIGHTS
        h.score = sum(w[leg] / (RRF_K + 1 + r) for leg, r in h.ranks.items()) * (RRF_K + 1) / 4


def rerank(ranked: list[Hit]) -> list[Hit]:
    """The fused rank plus the share of the question's rare words a hit holds and its similarity."""
    for h in ranked:
        h.score += RERANK_COVERAGE * h.weighted + RERANK_DENSE * max(h.dense or 0.0, 0.0)
    return sorted(ranked, key=lambda h: -h.score)
