"""A name the question gives that the record never holds: "what was it like being the Member of
Parliament for Castle Rising?" over a diary that ends years before the seat. Search still finds the
nearest memories (Mr. Castle's ship draught), and they are still shown, but the persona first says,
truly, that it never wrote those words, and does not claim the memories answer.

Only a name of two or more capitalised words is read ("Castle Rising", "All for Love"): one word may
be spelt otherwise or written small ("Paris", "plague"). A name with a title, a first name, kin or a
day in it is a person or a date, which other readers answer ("Sir W. Penn", "Will Hewer", "Aunt
Pall", "Christmas Day"). A word the record holds only spelt otherwise leaves the name to search.
"""
from __future__ import annotations

import re
from typing import Callable

from sideload.persona.namesakes import GIVEN_NAMES, NAME_TITLES
from sideload.store import retrieval

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_JOINS = {"of", "the", "de", "upon"}  # inside a name: "Battle of Lowestoft", "Newcastle upon Tyne"
_BETWEEN = {"for", "on", "in", "at", "a"}  # between names, or inside a title ("All for Love")
_NOT_A_NAME = {
    "i", "mum", "mom", "mummy", "mother", "dad", "daddy", "father", "grandad", "grandpa", "grandma", "granny",
    "nan", "nanna", "gran", "grandfather", "grandmother", "son", "daughter", "day", "eve", "night", "morning",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "christmas", "easter", "whitsun", "lent", "michaelmas", "candlemas", "god", "lord's",
} | NAME_TITLES


def _names(question: str) -> list[str]:
    """Runs of two or more capitalised words, not at a sentence's start, joined at most by small words."""
    runs: list[str] = []
    run: list[str] = []
    joins: list[str] = []

    def close() -> None:
        if len(run) >= 2:
            runs.append(" ".join(run))
        run.clear()
        joins.clear()

    last = 0
    for m in _WORD.finditer(question):
        word, before = m.group(0), question[:m.start()].rstrip()
        starts = not before or before[-1] in ".?!:;\"“(—"
        if question[last:m.start()].strip():
            close()  # "Creed, Hewer" are two names; "Q3 Budget" is no name of words
        last = m.end()
        possessive = word.endswith(("'s", "’s"))
        word = word[:-2] if possessive else word.rstrip("'’")
        if word[:1].isupper() and not starts and word.lower() not in _NOT_A_NAME:
            run.extend(joins)
            joins.clear()
            run.append(word)
            if possessive:  # "Dryden's All for Love": the play is another name
                close()
        elif run and word.lower() in _JOINS | _BETWEEN and len(joins) < 2:
            joins.append(word)
        else:
            close()
    close()
    return runs


def _parts(name: str) -> list[str]:
    """The names inside a run joined by a word between names: "Member of Parliament for Castle Rising"
    holds "Member of Parliament" and "Castle Rising"; "Battle of Lowestoft" is one."""
    parts, part = [], []
    for word in name.split() + ["for"]:
        if word in _BETWEEN:
            while part and part[-1] in _JOINS:
                part.pop()
            if len([w for w in part if w[:1].isupper()]) >= 2:
                parts.append(" ".join(part))
            part = []
        else:
            part.append(word)
    return parts


def unwritten_names(db, question: str, nearest: Callable[[str], list[str]] | None = None) -> list[str]:
    """The names of the question that the record never holds as asked ([] where each is written, or
    none is given). `nearest(word)` gives the record's spellings of a word it never holds as asked:
    a "Castle Risinge" in the record would leave "Castle Rising" to search."""
    def written(name: str) -> bool:
        words = name.split()
        return (any(w.lower() in GIVEN_NAMES for w in words)  # a person: the namesakes reader tells those
                or bool(retrieval.doc_freq(db, name.lower(), 1))
                or (nearest is not None and any(not retrieval.doc_freq(db, w.lower(), 1) and nearest(w.lower())
                                                for w in words)))
    out: list[str] = []
    for run in _names(question):
        parts = _parts(run)
        out += [p for p in parts if not written(p)] if parts else [] if written(run) else [run]
    return out


def never_wrote(names: list[str], nearest: bool = True) -> str:
    """The persona's first words where the question's names are nowhere in the record."""
    quoted = [f"“{n}”" for n in names]
    said = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"I never wrote the words {said}. " + ("This is the nearest I remember." if nearest
                                                  else "Nothing I remember comes near it.")
