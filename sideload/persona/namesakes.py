"""Someone asked about by a full name the owner never wrote: "did you ever meet Isaac Newton?" over a
diary whose only Newton is "Tom Newton, my old comrade". Search quoted Tom as the answer. The persona
says it does not remember the person asked, and whom of that name it does remember; or, where the
surname is nowhere in the record, that it remembers nobody called so.

A first name is told from a list of common English given names and their short forms (no model
reads names here), so "Isaac Newton" is a person and "Royal Society" or "Castle Rising" is not; and
a record that writes only "Mr. Dryden" names no other Dryden, so "John Dryden" is left to search.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sideload.store import retrieval

# a name's forms, each group one name: "Will Hewer" is the diary's "William Hewer"
_FORMS = [set(g.split()) for g in """
    william will bill billy willy | thomas tom tommy | john jack johnny jon | robert rob bob robin bobby
    richard dick rick | edward ned ted ed eddie | henry harry hal hank | james jim jamie jem
    samuel sam sammy | elizabeth bess betty beth eliza betsy liz lizzie | margaret peg peggy meg madge maggie
    mary moll molly polly mary | anne ann nan nancy annie | catherine katherine kate kitty kathy
    christopher kit chris | charles charlie charley | deborah deb debbie | susan sue susanna susannah
    francis frank | frances fanny | joseph joe | benjamin ben | nicholas nick | anthony tony | isaac
    george | peter | paul | mark | matthew matt | michael mike | david dave | daniel dan | stephen steven
    andrew andy | philip phil | walter wat | roger | ralph | hugh | humphrey | lawrence laurence larry
    jonathan | nathaniel nat | timothy tim | simon | martin | oliver | arthur | alfred alf | albert bert
    frederick fred | alexander alex | edmund | gilbert | giles | luke | owen | isaiah | jeremy jeremiah
    abraham abe | adam | aaron | jacob | joshua josh | moses | solomon | tobias toby | clement | lewis louis
    jane jean | joan | alice | agnes | barbara | dorothy doll dolly | ellen helen nell nelly | emma | grace
    hannah | judith judy | lucy | martha patty | rachel | rebecca becky | rose | sarah sally | ruth
    esther | isabel isabella bella | eleanor | julia | maria | diana | lydia | priscilla | prudence
    """.replace("\n", " ").split("|")]
GIVEN_NAMES = {name: forms for forms in _FORMS for name in forms}
NAME_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord", "captain", "capt", "sergeant", "colonel",
           "general", "admiral", "major", "master", "madam", "mistress", "old", "young", "cousin", "uncle",
           "aunt", "brother", "sister", "father", "mother", "the", "my", "st", "saint", "king", "queen"}
_PAIR = re.compile(r"\b([A-Z][a-z]+)\s+([A-Z][a-z]{2,})\b")
READ = 400  # moments naming the surname read at most: enough to meet every first name used with it


@dataclass
class Namesake:
    asked: str  # "Isaac Newton"
    others: list[str]  # the same surname with other first names, as the owner wrote them: ["Tom Newton"]
    moment_id: str | None  # where the first of them is named

    def sentence(self) -> str:
        if not self.others:
            return f"I don't remember anyone called {self.asked}."
        surname = self.asked.split()[-1]
        shown = self.others[:3] + (["others"] if len(self.others) > 3 else [])
        named = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        which = f"The {surname} I remember is" if len(self.others) == 1 else f"The {surname}s I remember are"
        return f"I don't remember {self.asked}. {which} {named}."


def namesake(db, question: str, nearest=None) -> Namesake | None:
    """The full name asked about, where the record holds neither it nor another form of its first name
    with that surname. `nearest(word)` gives the vault's spellings of a word it never holds as asked:
    a surname spelt otherwise ("Willett" for "Willet") is left to search."""
    for m in _PAIR.finditer(question):
        first, surname = m.group(1), m.group(2)
        forms = GIVEN_NAMES.get(first.lower())
        if forms is None or surname.lower() in GIVEN_NAMES or surname.lower() in NAME_TITLES:
            continue
        if any(retrieval.doc_freq(db, f"{f} {surname}", 1) for f in forms):
            return None  # written as asked, or by another form of the first name: search finds them
        if not retrieval.doc_freq(db, surname, 1):
            if nearest is not None and nearest(surname.lower()):
                return None
            return Namesake(f"{first} {surname}", [], None)
        others, where = _others(db, surname, forms)
        if not others:
            return None  # "Mr. Dryden" only: perhaps the one asked about
        return Namesake(f"{first} {surname}", others, where)
    return None


def _others(db, surname: str, forms: set[str]) -> tuple[list[str], str | None]:
    """The other first names written before the surname ("Tom Newton", "Matt. Wren"), most written
    first, and the moment where the most written is first named."""
    pattern = re.compile(rf"\b([A-Z][a-z]+)(\.?)\s+{re.escape(surname)}\b")
    counts: dict[str, int] = {}
    first_at: dict[str, tuple[bool, str, str]] = {}
    for row in retrieval.texts_holding(db, surname, READ):
        for given, dot in pattern.findall(row["text"] or ""):
            if given.lower() in GIVEN_NAMES and given.lower() not in forms:
                full = f"{given} {surname}"
                counts[full] = counts.get(full, 0) + 1
                # cited where written in full: a quote cut at "Matt." would not show the surname
                at = (bool(dot), row["started_at"] or "", row["moment_id"])
                first_at[full] = min(first_at.get(full, at), at)
    if not counts:
        return [], None
    others = sorted(counts, key=lambda n: (-counts[n], first_at[n]))
    return others, first_at[others[0]][2]
