"""Who the owner's kin and household were: "who was my brother?", "what was my wife's name?", "who
are my cousins?" are answered from the people the owner calls so ("my brother Tom", said 59 times),
with the moments that say so as the evidence; and where the owner never called anyone so, the
persona says it does not remember, instead of quoting whatever mentions a sister.

A relation must be said of a name in two moments, in a tenth as many as the relation is said alone,
and a fifth as many as of the most named; "my wife, Ashwell, and I" is a list (persona/profile.py) and
makes no wife; "Wayneman" and "Waynman" are one boy, spelt two ways."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sideload.persona.profile import TITLE_WORDS
from sideload.recall.spelling import spelt_otherwise
from sideload.store import profile_facts

MIN_SAID = 2
# kin one has or not, and whom a diarist names when they write of them ("my brother Tom")
FAMILY = {"wife", "husband", "partner", "mother", "father", "mum", "mom", "dad", "brother", "sister", "son",
          "daughter", "cousin", "uncle", "aunt", "grandmother", "grandfather", "niece", "nephew",
          "brother-in-law", "sister-in-law", "father-in-law", "mother-in-law", "son-in-law", "daughter-in-law"}
_FORMS = TITLE_WORDS | {"lord", "master", "madam", "mistress", "the", "st"}
# in the owner's perspective ("your wife" has become "my wife")
_RELATION = r"[a-z]+(?:-[a-z]+)*(?:'s\s+[a-z]+(?:-[a-z]+)*)?"  # "brother", "wife's brother", "sister-in-law"
_KIN = re.compile(r"^\s*(?:and\s+)?(?:who\s+(?P<t1>was|is|were|are)\s+my\s+(?P<r1>{rel})"
                  r"|what\s+(?P<t2>was|is|were|are)\s+my\s+(?P<r2>{rel})(?:'s|s')\s+names?"
                  r"|what\s+(?P<t3>was|is|were|are)\s+my\s+(?P<r3>{rel})\s+called"
                  r"|what\s+(?P<t4>was|is|were|are)\s+the\s+names?\s+of\s+my\s+(?P<r4>{rel}))"
                  r"\s*[?.!]?\s*$".replace("{rel}", _RELATION), re.I)


@dataclass
class Kin:
    relation: str  # as asked, singular: "brother", "wife's brother"
    tense: str  # "was" or "is"
    names: list[str]  # most said first; empty where the owner never named one
    moment_ids: list[str]  # where the owner first calls each so
    unnamed: int = 0  # the moments that speak of "my father" without a name, where no name is sure

    def sentence(self) -> str:
        if not self.names and self.unnamed:
            return f"I wrote of my {self.relation} in {self.unnamed} moments, but seldom or never by name."
        if not self.names:
            return f"I don't remember ever saying who my {self.relation} {self.tense}."
        if len(self.names) == 1:
            return f"My {self.relation} {self.tense} {self.names[0]}."
        plural = "were" if self.tense in ("was", "were") else "are"
        return f"My {_plural(self.relation)} {plural} {', '.join(self.names[:-1])} and {self.names[-1]}."


def _plural(relation: str) -> str:
    if relation.endswith("wife"):
        return relation[:-2] + "ves"
    return relation + "es" if relation.endswith(("s", "x", "ch", "sh")) else relation + "s"


def _singular(relation: str) -> str:
    if relation.endswith("wives"):
        return relation[:-3] + "fe"
    if relation.endswith("sses"):
        return relation[:-2]
    return relation[:-1] if relation.endswith("s") and not relation.endswith("ss") else relation


def kin_asked(db, question: str) -> Kin | None:
    """The kin asked about and who the owner says they are, when the question asks for a relation's
    name; None for any other question, and where the relation is said of names but too seldom."""
    m = _KIN.match(question)
    if not m:
        return None
    relation = next(m.group(g) for g in ("r1", "r2", "r3", "r4") if m.group(g)).lower()
    tense = next(m.group(g) for g in ("t1", "t2", "t3", "t4") if m.group(g)).lower()
    tense = {"were": "was", "are": "is"}.get(tense, tense)
    relation = _singular(relation)
    found = profile_facts.people_by_relation(db, relation)
    # [name, times said, first moment id]: "Roger" and "Roger Pepys" are one cousin, named as most often
    # (the rows come most said first); "St. John", said once, does not rename the brother John
    groups: list[list] = []
    for name, said, moment_id, _ in found:
        words = {w.strip(".").lower() for w in name.split()} - _FORMS  # "Lord" alone names no one
        if not words:
            continue
        same = next((g for g in groups if words <= g[3] or g[3] <= words
                     or spelt_otherwise(name.lower(), g[0].lower())), None)
        if same is None:
            groups.append([name, said, moment_id, words])
        else:
            same[1] += said
    # a name said of the relation at least a tenth as often as the relation is said alone: Pepys wrote "my
    # father" in 416 entries and "my father Bowyer" (an old friend, so called) in 7; his father he never named
    unnamed = profile_facts.relation_count(db, relation)
    groups = sorted((g for g in groups if g[1] >= max(MIN_SAID, unnamed / 10) and not _removed(db, g[0])),
                    key=lambda g: -g[1])
    chosen = [g for g in groups if g[1] * 5 >= groups[0][1]][:3] if groups else []
    if not chosen and unnamed >= MIN_SAID:
        return Kin(relation, tense, [], [], unnamed=unnamed)
    if not chosen and (found or relation.split("'s ")[-1] not in FAMILY):
        # named so, but too seldom to be sure ("my clerk, W. Hewer" once), or a friend, a colleague: a
        # diarist writes "Mr. Creed and I" more than "my friend Creed", and search answers
        return None
    return Kin(relation, tense, [g[0] for g in chosen], [g[2] for g in chosen])


def _removed(db, name: str) -> bool:
    owner = profile_facts.owner_word_on_person(db, name)
    return owner is not None and bool(owner[1])
