"""A family's question turned into the owner's own words, for searching their life.

The family asks "Dad, where did you and Mum live?"; the owner wrote "my wife and I lodged in Axe
Yard". Search compares the question with what the owner said, so the question is first put in the
owner's perspective: "you" becomes "I", "your" becomes "my", and the asker's kin become the owner's
(the asker's mother is the owner's wife, a grandfather the owner's father, an uncle the owner's
brother). The kin words are the ones a child or grandchild uses; a name after "Uncle" or "Aunt" is
kept as it is, since the name finds the person better than a guessed relation.
"""
from __future__ import annotations

import re

# the asker's word -> the owner's (a child asking a parent)
_OWN = r"(?:\b(?:my|our)\s+)?(?<!your )"  # the asker's: "our mum" is the owner's wife, "your mother" the owner's mother
_KIN = [
    (_OWN + r"\b(?:mum|mom|mummy|mommy|mother|mama)\b", "my wife"),
    (_OWN + r"\b(?:gran(?:d)?dad|grandpa|grandfather|gramps)\b", "my father"),
    (_OWN + r"\b(?:grandma|grandmother|granny|gran|nan|nana)\b", "my mother"),
    (r"\b(?i:uncle|aunt|auntie)\s+(?=[A-Z])", ""),  # "Uncle Tom" -> "Tom": the name finds him
    (_OWN + r"\buncle\b", "my brother"),
    (_OWN + r"\b(?:aunt|auntie)\b", "my sister"),
]
_ADDRESS = re.compile(r"^\s*(?:dad|daddy|papa|pa|mum|mom|mummy|grandad|grandpa|granny|grandma)\s*[,!]\s*", re.I)
_PRONOUNS = [
    (r"\byou(?:'re| are)\b", "I am"),
    (r"\byou(?:'ve| have)\b", "I have"),
    (r"\byou(?:'d| would)\b", "I would"),
    (r"\b(were|was) you\b", r"was I"),
    (r"\bare you\b", "am I"),  # "were you watching" -> "was I watching"
    (r"\byou were\b", "I was"),
    (r"\byourself\b", "myself"),
    (r"\byours\b", "mine"),
    (r"\byour\b", "my"),
    # "you" after a verb or a preposition is "me"; elsewhere "I"
    (r"\b(to|for|with|of|at|from|about|by|gave|give|told|tell|asked|ask|made|make|showed|show|took|take|leave|left|sent|send|call|called|see|saw|meet|met|visit|visited|help|helped|pay|paid|love|loved|like|liked|set|woke|wake|keep|kept|cost|bring|brought|teach|taught) you\b",
     r"\1 me"),
    (r"\byou(?=\s*(?:[?.!,;]|$| all\b| back\b| up\b))", "me"),  # "what did it set you back?", "gave it to you?"
    (r"\byou\b", "I"),
]


def owner_perspective(question: str) -> str:
    """The question in the owner's words: 'Dad, where did you and Mum live?' -> 'where did I and my wife live?'"""
    out = _ADDRESS.sub("", question)
    for pattern, repl in _KIN:
        out = re.sub(pattern, repl, out, flags=0 if "(?i:" in pattern else re.I)
    for pattern, repl in _PRONOUNS:
        out = re.sub(pattern, lambda m, r=repl: _match_case(m.group(0), m.expand(r)), out, flags=re.I)
    return re.sub(r"\s{2,}", " ", out).strip()


def _match_case(found: str, repl: str) -> str:
    return repl[0].upper() + repl[1:] if found[:1].isupper() else repl


def in_known_forms(question: str, names: list[str]) -> str:
    """Full names written the way the owner writes them: a diarist who writes "Sir W. Penn" and
    "W. Hewer" is asked about "Sir William Penn" and "Will Hewer". Only names the owner abbreviates
    to an initial are rewritten, and only where the first name starts with that initial."""
    for name in names:
        m = re.fullmatch(r"((?:[A-Z][a-z]+\.?\s+)?)([A-Z])\.\s+([A-Z][\w'-]+)", name)
        if not m:
            continue
        title, initial, surname = m.groups()
        title_pattern = rf"{re.escape(title.strip())}\s+" if title else ""  # "William Penn" may be the son
        question = re.sub(rf"\b{title_pattern}{initial}[a-z]+\.?\s+{re.escape(surname)}\b", name, question)
    return question


_THIRD = re.compile(r"\b(he|him|his|she|her|hers|himself|herself)\b", re.I)


def with_person(question: str, person: str) -> str:
    """A follow-up's "he", "him", "his" (and "she", "her") as the person the question before named:
    "did you trust him?" after "who was Will Hewer?" is "did you trust W. Hewer?". "Her" before a word
    is hers ("what was her name?"); before the end, or a word that ends a clause, it is her."""
    def name(m: re.Match) -> str:
        word = m.group(1).lower()
        after = question[m.end():].lstrip()
        possessive = word in ("his", "hers") or (word == "her" and after[:1].isalpha()
                                                  and not re.match(r"(?:and|or|but|so|then|too|again|very|much|well)\b", after, re.I))
        return f"{person}'s" if possessive else person
    return _THIRD.sub(name, question)


def names_a_third_person(question: str) -> bool:
    return bool(_THIRD.search(question))


def names_person(lead: str, person: str) -> bool:
    """Whether the lead names the person (their surname or first name, not a title)."""
    from sideload.persona.profile import TITLE_WORDS

    words = [w.strip(".").lower() for w in person.split()]
    names = [w for w in words if len(w) > 1 and w not in TITLE_WORDS | {"lord", "the", "st"}]
    said = {w.lower() for w in re.findall(r"[\w']+", lead)}
    return any(n in said for n in names)
