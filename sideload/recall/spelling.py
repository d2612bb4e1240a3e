"""The vault's own spelling of a word the question spells otherwise: "General Monck" where the diary
has "Monk", "Willet" for "Willett", a typo ("pasport"). A word the vault never holds finds nothing in
the keyword legs and weighs nothing; its nearest spellings in the keyword index (one letter added,
or dropped inside it) stand in for it, the most used first.

The vocabulary is read once from the full-text index (fts5vocab: its terms are already Porter stems,
which is how the index matches them) and again only when the vault has grown by a twentieth.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable
from itertools import islice

from sideload.recall.words import other_forms
from sideload.store import retrieval

MIN_LENGTH = 5  # shorter stems have too many neighbours one letter away ("eeri", eerie: "everi", every)
MIN_SPLIT = 3  # letters in each half of a word the vault writes as two
MAX_SPELLINGS = 1  # the most used: "monck" is "monk" (66 entries), not "mock" (7)


def spelt_otherwise(a: str, b: str) -> bool:
    """Whether one of a and b is the other with a letter added inside it, or a last letter doubled:
    "monck" and "monk", "willet" and "willett", "pasport" and "passport". A changed letter, or one added
    at the end, makes another word too often ("career" and "carter", "clever" and "cleve"), so neither
    counts."""
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    if i == 0 or long[i + 1:] != short[i:]:
        return False
    return i < len(long) - 1 or long[i] == long[i - 1]


class Spellings:
    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._by_initial: dict[str, list[tuple[str, int]]] | None = None
        self._upto: int | None = None
        self._found: dict[str, list[str]] = {}  # asked once per search leg: looked up once
        self._split: dict[str, str | None] = {}

    def _vocabulary(self) -> dict[str, list[tuple[str, int]]]:
        upto = retrieval.corpus_size(self.db)
        # read again once the vault has grown by a twentieth: reading it is a scan of the whole keyword
        # index, and an import adds moments by the hundred
        if self._by_initial is None or upto > (self._upto or 0) * 1.05 or upto < (self._upto or 0):
            by_initial: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for term, docs in retrieval.vocabulary(self.db):
                if len(term) >= MIN_LENGTH - 1 and term.isalpha():  # "monk" is one letter from "monck"
                    by_initial[term[0]].append((term, docs))
            self._by_initial, self._upto = dict(by_initial), upto
            self._found.clear()
            self._split.clear()
        return self._by_initial

    def nearest(self, word: str) -> list[str]:
        """The vault's spellings one letter from `word` (compared as stemmed), most used first, as words
        the keyword index finds them by; [] for a short word."""
        if len(word) < MIN_LENGTH or not word.isalpha():
            return []
        vocabulary = self._vocabulary()
        if word not in self._found:
            self._found[word] = self._nearest(word, vocabulary)
        return self._found[word]

    def _nearest(self, word: str, vocabulary: dict[str, list[tuple[str, int]]]) -> list[str]:
        stemmed = retrieval.porter(self.db, word)
        if len(stemmed) < MIN_LENGTH:
            return []
        near = [(docs, term) for term, docs in vocabulary.get(stemmed[:1], [])
                if spelt_otherwise(stemmed, term)]
        words = (self._word_for(term) for _, term in sorted(near, reverse=True))
        return list(islice((w for w in words if w), MAX_SPELLINGS))  # no probing past the first found

    def _word_for(self, term: str) -> str | None:
        """A word whose stem is `term`, to ask the index with: it stems what it is asked ("suitcas"
        itself would become "suitca"), so the stem alone may not find itself."""
        for word in (term, term + "e", term[:-1] + "y" if term.endswith("i") else "", term + "es"):
            if word and retrieval.porter(self.db, word) == term:
                return word
        return None

    def split(self, word: str, held: Callable[[str], bool]) -> str | None:
        """A word the vault writes as two: "cockfight" is the diary's "cock-fighting", "playhouse" a
        writer's "play-house". The phrase of the two halves ("cock fight"), where the vault holds it; the
        longest first half wins. Halves of two letters make too many ("to night" is not "tonight"
        everywhere it is written), so each has three at least."""
        if len(word) < 2 * MIN_SPLIT or not word.isalpha():
            return None
        if word not in self._split:
            self._split[word] = next((f"{word[:i]} {word[i:]}" for i in range(len(word) - MIN_SPLIT, MIN_SPLIT - 1, -1)
                                      if held(word[:i]) and held(word[i:]) and held(f"{word[:i]} {word[i:]}")), None)
        return self._split[word]

    def respelt(self, words: list[str], held: Callable[[str], bool]) -> list[str]:
        """The words, each that is not `held` in the vault replaced by the forms of it the vault holds
        ("what did I buy?" of a day that "bought sourdough bread"), else by its nearest spellings, else
        by the two words the vault writes it as (kept as it is where there are none). A word the vault
        holds is left alone: Pepys writes "buy" too, and "bought" beside it found more wrong entries
        (dev set: top 5 44 -> 43)."""
        out: list[str] = []
        for w in words:
            out += [w] if held(w) else [f for f in other_forms(w) if held(f)] or self.nearest(w) \
                or [p for p in [self.split(w, held)] if p] or [w]
        return out
