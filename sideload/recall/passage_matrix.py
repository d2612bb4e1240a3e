"""The passage vectors of a vault, held in memory and scored exactly, each also within its neighbours.

A fact often straddles a passage's cut: "Jane called us up about three in the morning, | to tell us
of a great fire they saw in the City". Neither half alone is near "who woke us when the fire broke
out?". So a passage is also scored as part of each window of WINDOW consecutive passages of its
moment, by the normalised sum of their vectors. The model's sentence vector is the mean of its
word vectors, so that sum is near what it makes of the joined text, and it costs no embedding.

A window's score is discounted a little: a passage that holds the whole match alone still wins.
Among the passages of a winning window, the quote goes to the one nearest the question by itself.
"""
from __future__ import annotations

import numpy as np

from sideload.store.vectors import dot_rows

# Chosen on benchmarks/recall.py --questions dev (top 1 / top 5 / top 10 of 55: 26/42/45 passages
# alone, 27/42/47 with windows of 3 at 0.93), then checked once on the unseen test set (12/25/34 of
# 51 -> 12/29/36). Windows of 2, or of 4, and discounts 0.90-0.97 were each no better on dev.
WINDOW = 3
WINDOW_DISCOUNT = 0.93
OWN_TIEBREAK = 1e-3  # within a window, the member nearest by itself takes the window's score first


class PassageMatrix:
    """pids (ascending), their moments' rids and unit vectors; the windows are made once, on load."""

    def __init__(self, pids: np.ndarray, rids: np.ndarray, vecs: np.ndarray, window: int = WINDOW):
        self.pids, self.rids, self.vecs = pids, rids, vecs
        self.long = set(np.unique(rids).tolist())  # the moments long enough to have passages
        self._members, self._windows = _windows(rids, vecs, window) if len(pids) else (None, None)

    def __len__(self) -> int:
        return len(self.pids)

    @property
    def dims(self) -> int:
        return self.vecs.shape[1] if len(self.pids) else 0

    def sims(self, qvec: np.ndarray) -> np.ndarray:
        """Each passage's similarity to the query: its own, or its best window's, discounted."""
        own = dot_rows(self.vecs, qvec)
        if self._windows is None or not len(self._windows):
            return own
        windowed = WINDOW_DISCOUNT * dot_rows(self._windows, qvec)
        eff = own.copy()
        for col in self._members.T:  # each position in the window: its passage may take the window's score
            np.maximum.at(eff, col, windowed + OWN_TIEBREAK * own[col])
        return eff

    def own_sims(self, pids: list[int], qvec: np.ndarray) -> dict[int, float]:
        """The query's similarity to each of these passages by itself (a passage found by its words)."""
        at = np.searchsorted(self.pids, pids)
        ok = (at < len(self.pids)) & (self.pids[np.minimum(at, len(self.pids) - 1)] == pids)
        return {int(pid): float(self.vecs[i] @ qvec) for pid, i, good in zip(pids, at, ok) if good}


def _windows(rids: np.ndarray, vecs: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(members, vectors): the rows of each run of `size` consecutive passages of one moment, and
    their normalised sum. A moment's passages are stored in the order of its text (one cut inserts
    them in turn), so rows sorted by (rid, pid) are neighbours in the text."""
    order = np.argsort(rids, kind="stable")  # rows come sorted by pid: stable keeps that within a moment
    n = len(order)
    if n < size or size < 2:
        return np.zeros((0, size), np.int64), np.zeros((0, vecs.shape[1]), np.float32)
    starts = np.arange(n - size + 1)
    members = np.stack([order[starts + k] for k in range(size)], axis=1)
    same = (rids[members] == rids[members[:, :1]]).all(axis=1)
    members = members[same]
    summed = vecs[members].sum(axis=1)
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    return members, (summed / np.maximum(norms, 1e-9)).astype(np.float32)
