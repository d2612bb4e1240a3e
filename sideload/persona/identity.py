"""Who someone is to the owner: "who was Balty?", "what was Will Hewer to me?" are answered from what
the owner called them ("my wife's brother, Balty"), read into the profile's mentions, with the
moment that says so as the evidence. A search for the name alone finds the hundred moments that
mention them, rarely the one that says who they are."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sideload.persona.profile import TITLE_WORDS
from sideload.store import profile_facts, retrieval

# the name capitalised, the question words in any case
_WHO = re.compile(r"^\s*(?i:and\s+)?(?:(?i:who\s+(?P<tense1>was|is))\s+(?P<a>[A-Z][\w.' -]+?)|(?i:what\s+(?P<tense2>was|is))\s+"
                  r"(?P<b>[A-Z][\w.' -]+?)\s+(?i:to\s+(?:me|us)))\s*[?.!]?\s*$")


_ADDRESS = {"lord", "lady", "master"}


@dataclass
class Identity:
    name: str
    relation: str  # "wife's brother", "clerk"
    moment_id: str  # where the owner says so first
    tense: str  # "was" or "is", as asked
    owners_word: bool = False  # the relation is the owner's own correction ("my clerk, who lives with us")

    def sentence(self) -> str:
        if self.owners_word:
            said = self.relation.strip().rstrip(".")
            return f"{self.name} {self.tense} {said}." if said.lower().startswith(("my ", "a ", "an ", "the ")) \
                else f"{self.name}: {said}."
        return f"{self.name} {self.tense} my {self.relation}."


# "Who was Deb Willet, the girl who came to live with us?": the name, whatever follows it
_WHO_FIRST = re.compile(r"^\s*(?i:and\s+)?(?i:who\s+(?:was|is))\s+((?:[A-Z][\w'.-]*\s?)+?)\s*(?:[,?.!]|$)")


def asked_about(question: str) -> tuple[str, str] | None:
    """(name, tense) when the question asks who someone is, in the owner's perspective."""
    m = _WHO.match(question)
    if not m:
        return None
    name = (m.group("a") or m.group("b")).strip()
    return name, (m.group("tense1") or m.group("tense2")).lower()


def never_named(db, question: str, known: list[str]) -> str | None:
    """The name asked about ("who was Deb Willet, ...?") when the vault never holds it: not a word of
    anything written or said, nor a voice or a chat the persona knows. Then the persona says it does
    not remember them, instead of quoting the nearest stranger."""
    m = _WHO_FIRST.match(question)
    if not m:
        return None
    name = m.group(1).strip().rstrip(".")
    words = [w.strip(".").lower() for w in name.split()]
    surname = next((w for w in reversed(words) if len(w) > 2 and w not in TITLE_WORDS | {"lord", "the"}), None)
    if surname is None or any(surname in k.lower().split() for k in known):
        return None
    return name if retrieval.doc_freq(db, surname, 1) == 0 else None


def identity(db, question: str) -> Identity | None:
    """Who the person asked about is to the owner, when the owner ever said so."""
    asked = asked_about(question)
    if asked is None:
        return None
    name, tense = asked
    owner = profile_facts.owner_word_on_person(db, name)
    if owner is not None and owner[1]:
        return None  # the owner removed this person from the profile: the persona does not say who they are
    # said at least twice ("my wife, Sir W. Penn and I" once is a list, not a marriage), and a
    # relation, not a form of address ("my Lord Sandwich", "my Lady Batten")
    rows = [r for r in profile_facts.person_relations(db, name) if r[1] >= 2 and r[0] not in _ADDRESS]
    if owner is not None and owner[0]:  # the owner's word wins; the evidence is where they are named
        named = rows or profile_facts.mention_moments(db, "person", name)
        return Identity(name, owner[0], named[0]["moment_id"], tense, owners_word=True) if named else None
    if not rows:
        return None
    relation, _, moment_id, _ = rows[0]
    return Identity(name, relation, moment_id, tense)
