"""What a search keeps between queries and measures of each: recent query vectors, and the time of
each leg (embedding, dense, keyword, fusion, fetch) of the last search."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np

LEGS = ("embed", "dense", "keyword", "fusion", "fetch")


class QueryVectors:
    """The embeddings of the most recent queries (least recently used go first).

    A search as you type, the persona right after a search, a script asking again: the same text is
    embedded once. A vector is 1.5 KB, so 256 of them cost less than half a megabyte."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], size: int = 256):
        self._embed = embed
        self._size = size
        self._held: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def __contains__(self, text: str) -> bool:
        return text in self._held

    def __call__(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._held.get(text)
            if vec is not None:
                self._held.move_to_end(text)
                self.hits += 1
                return vec
        vec = np.asarray(self._embed([text])[0], np.float32)
        vec.setflags(write=False)  # shared by every search that asks again
        with self._lock:
            self._held[text] = vec
            while len(self._held) > self._size:
                self._held.popitem(last=False)
        return vec


class Legs:
    """Seconds spent in each leg of the last search. The embedding and the index run on a worker
    thread beside the keyword leg, so the legs may add up to more than the whole."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(LEGS, 0.0)

    def reset(self) -> None:
        self.seconds = dict.fromkeys(LEGS, 0.0)

    @contextmanager
    def timed(self, leg: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[leg] = self.seconds.get(leg, 0.0) + time.perf_counter() - t
