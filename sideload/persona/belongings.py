"""Whether the owner had something, asked as a family asks it: "did you have any children?", "did
you ever keep a dog?", "do you own a car?". Search quoted whatever mentioned children (a lady's, at
dinner). The answer is what the owner calls theirs: "my dog", "our dogs", in their own words, counted
and cited; and where they never once wrote of one as theirs, the persona says so.

A word that names a kind ("children", "pets") is looked for as the words a person writes of theirs
("my son", "our cat"). Kin by name ("who was my brother?") is persona/kin.py's."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sideload.store import retrieval

_ASKED = re.compile(r"^\s*(?:and\s+)?(?:[A-Za-z]+,\s*)?(?:did|do|have)\s+(?:you|we|I)\s+(?:ever\s+)?(?:got\s+|ever\s+)?"
                    r"(?P<verb>have|had|own|owned|keep|kept|got)\s+(?:a|an|any|some|your\s+own)\s+"
                    r"(?P<thing>[a-z][a-z-]*|brothers\s+or\s+sisters)\s*(?:of\s+(?:your|my|our)\s+own)?\s*[?.!]?\s*$", re.I)
# a kind, and the words for one of it that a person calls theirs
_KINDS = {
    "children": ["son", "sons", "daughter", "daughters", "child", "children", "baby"],
    "kids": ["son", "sons", "daughter", "daughters", "child", "children", "baby"],
    "pets": ["dog", "dogs", "cat", "cats", "bird", "birds", "canary", "canaries", "parrot", "puppy", "kitten",
             "rabbit", "hamster", "pony"],
    "pet": ["dog", "cat", "bird", "canary", "parrot", "puppy", "kitten", "rabbit", "hamster", "pony"],
    "brothers or sisters": ["brother", "brothers", "sister", "sisters"],
    "siblings": ["brother", "brothers", "sister", "sisters"],
}
READ = 1000  # moments read at most for one word: counted past it as "over"


@dataclass
class Belonging:
    thing: str  # as asked: "children", "dog"
    said: dict[str, int]  # "my son": moments, most first, of the owner's own words
    moment_ids: list[str]  # where each is first written, then the latest

    @property
    def words(self) -> str:  # what the quotes are chosen by
        return " ".join(self.said)

    def sentence(self) -> str:
        if not self.said:
            return f"I never wrote of {_a(self.thing)} of my own."
        counts = [f"{w} in {'over ' if n >= READ else ''}{n} moments" if n > 1 else f"{w} once"
                  for w, n in self.said.items()][:3]
        listed = counts[0] if len(counts) == 1 else f"{', '.join(counts[:-1])} and {counts[-1]}"
        return ("Yes. " if sum(self.said.values()) > 1 else "") + f"I wrote of {listed}."


def _a(thing: str) -> str:
    if thing in _KINDS or (thing.endswith("s") and not thing.endswith("ss")):  # "children", "pets"
        return f"any {thing}"
    return f"{'an' if thing[:1] in 'aeiou' else 'a'} {thing}"


def belonging_asked(db, question: str) -> Belonging | None:
    """What the owner called theirs of the thing asked, or None where the question asks no such thing."""
    m = _ASKED.match(question)
    if not m:
        return None
    thing = " ".join(m.group("thing").lower().split())
    words = _KINDS.get(thing) or ([thing, thing + "s"] if not thing.endswith("s") else [thing, thing[:-1]])
    said: dict[str, int] = {}
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    # "our dog", "our little dog": one word may stand between; "my canary birds" is a canary
    alt = "|".join(re.escape(w) for w in words)
    pattern = re.compile(rf"\b(my|our)\s+(?:({alt})|[a-z]+\s+({alt}))\b", re.I)
    rows = {r["moment_id"]: r for word in dict.fromkeys(words)
            for r in retrieval.texts_holding(db, word, READ, speaker="me")}
    for row in sorted(rows.values(), key=lambda r: r["started_at"] or ""):
        for owner, near, far in pattern.findall(row["text"] or ""):
            phrase = f"{owner.lower()} {(near or far).lower()}"
            if last.get(phrase) != row["moment_id"]:  # moments, not mentions
                said[phrase] = said.get(phrase, 0) + 1
            first.setdefault(phrase, row["moment_id"])
            last[phrase] = row["moment_id"]
    if not said and thing not in _KINDS and m.group("verb").lower() in ("have", "had", "got"):
        return None  # "did you have a cold?": had, not owned; search answers it
    said = dict(sorted(said.items(), key=lambda kv: -kv[1]))
    ids = list(dict.fromkeys(first[p] for p in said))[:3]
    if said and len(ids) < 3:  # how it went on: the latest moment of the most written
        ids += [i for i in [last[next(iter(said))]] if i not in ids]
    return Belonging(thing, said, ids)
