"""An int8 copy of the vector file in memory, for picking a filtered search's nearest moments fast;
the float16 file stays what is scored.

Gathering a month's 8,000 scattered float16 rows from the memory-mapped file and widening them to
float32 took about 8 ms warm and 35 ms at the 95th percentile at a million moments (page faults and
the float16 conversion); the same rows in int8 from memory take about one. Each row keeps its scale
and the norm of its rounding error, so the int8 score is off by at most that norm (for a unit query):
`top` rescores from the file every row that could still belong to the best k, so its answer is the
exact float16 answer. A million vectors take 392 MB here (the file is 768 MB).

The copy is rebuilt, on a thread of its own, when the file changed (grown, rewritten, replaced), at
most every 30 s; until it is ready a search scores from the file, as before.
"""
from __future__ import annotations

import logging
import os
import threading
import time

import numpy as np

from sideload.store.vectors import DTYPE, VectorStore, dot_rows

log = logging.getLogger(__name__)

CHUNK = 65_536  # rows quantized (or scored) at a time: bounded scratch memory
SLACK = 1e-5  # float32 rounding in the two dot products
REBUILD_EVERY = 30.0


_SHARED: dict[str, "VectorMirror"] = {}
_SHARED_LOCK = threading.Lock()


def shared(store: VectorStore) -> "VectorMirror":
    """The one copy of a vector file in this process: searchers opened again (the API server reopens
    its engines when an import commits) keep it while the file is unchanged."""
    key = str(store.path.resolve())
    with _SHARED_LOCK:
        mirror = _SHARED.get(key)
        if mirror is None or mirror.store.dim != store.dim:
            mirror = _SHARED[key] = VectorMirror(store)
        return mirror


class VectorMirror:
    def __init__(self, store: VectorStore):
        self.store = store
        self._held: tuple[tuple, np.ndarray, np.ndarray, np.ndarray] | None = None  # stamp, codes, scale, err
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self.build_s: float | None = None
        self._started = float("-inf")  # when the last rebuild beside the searches began

    def _stamp(self) -> tuple | None:
        try:
            st = os.stat(self.store.path)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_size, st.st_mtime_ns

    def build(self) -> bool:
        """Quantize the whole file now (about 2 s a million rows). False when there is no file."""
        t = time.perf_counter()
        stamp = self._stamp()
        if stamp is None:
            return False
        dim = self.store.dim
        rows = stamp[1] // (dim * 2)
        codes = np.empty((rows, dim), np.int8)
        scale = np.zeros(rows, np.float32)
        err = np.zeros(rows, np.float32)
        with open(self.store.path, "rb") as fh:
            for lo in range(0, rows, CHUNK):
                n = min(CHUNK, rows - lo)
                x = np.fromfile(fh, dtype=DTYPE, count=n * dim).astype(np.float32).reshape(n, dim)
                s = np.abs(x).max(axis=1) / 127.0
                s[s == 0] = 1.0  # a zero row (forgotten, not yet embedded) stays zero
                q = np.rint(x / s[:, None])
                codes[lo:lo + n] = q
                q *= s[:, None]
                x -= q
                err[lo:lo + n] = np.sqrt(np.einsum("ij,ij->i", x, x))
                scale[lo:lo + n] = s
        with self._lock:
            self._held = (stamp, codes, scale, err)
        self.build_s = time.perf_counter() - t
        return True

    def ready(self) -> bool:
        return self._held is not None and self._held[0] == self._stamp()

    def _current(self):
        """The copy if it matches the file; else None, with a rebuild started beside the searches."""
        held = self._held
        if held is not None and held[0] == self._stamp():
            return held
        with self._lock:
            idle = self._building is None or not self._building.is_alive()
            # while an import keeps writing, rebuild at most every REBUILD_EVERY seconds (5 s of a core
            # a million rows): the searches between score from the file
            if idle and time.monotonic() - self._started >= REBUILD_EVERY:
                self._started = time.monotonic()
                self._building = threading.Thread(target=self._rebuild, name="sideload-vector-mirror", daemon=True)
                self._building.start()
        return None

    def _rebuild(self) -> None:
        try:
            self.build()
        except (OSError, ValueError) as exc:  # the file changed under us: the next search tries again
            log.warning("the in-memory vector copy could not be built: %s", exc)

    def top(self, rids: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The `k` rids most like `query` among `rids` and their float16 scores, best first, exactly as
        scoring every row from the file would give them; None while the copy is not ready."""
        held = self._current()
        if held is None:
            return None
        _, codes, scale, err = held
        q = np.asarray(query, np.float32)
        if not len(rids) or rids.max() > len(codes):
            return None  # rows the copy does not hold yet: the caller scores from the file
        approx = np.empty(len(rids), np.float32)
        for lo in range(0, len(rids), CHUNK):
            part = rids[lo:lo + CHUNK] - 1
            approx[lo:lo + len(part)] = dot_rows(codes[part], q) * scale[part]
        if len(rids) <= k:
            chosen = np.arange(len(rids))
            exact = self.store.score(rids, q)
        else:
            chosen = np.sort(np.argpartition(-approx, k - 1)[:k])
            exact = self.store.score(rids[chosen], q)
            # a row left out is worth at most approx + err: rescore every one that could beat the k-th
            reach = approx + err[rids - 1] * float(np.linalg.norm(q))
            more = np.setdiff1d(np.flatnonzero(reach >= float(exact.min()) - SLACK), chosen, assume_unique=True)
            if len(more):
                chosen = np.concatenate([chosen, more])
                exact = np.concatenate([exact, self.store.score(rids[more], q)])
                order = np.argsort(chosen, kind="stable")  # back in the filter's order: ties break as before
                chosen, exact = chosen[order], exact[order]
        best = np.argsort(-exact, kind="stable")[:k]
        return rids[chosen][best], exact[best]
