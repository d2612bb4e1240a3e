"""The owner's favourite of a kind, asked as a family asks it: "what was your favourite play?", "which
food did you like best?". Search quoted any entry where a play was seen. The answer is where the
owner called one the best, in their words ("the best comedy that ever I saw", "never eat a better
venison pasty"), with the day.

Where none was praised, what the owner said of the kind at all answers, as a feeling does ("I don't
remember ever saying what I think about opera"). Praise is read from the words a person uses for it,
and a verdict against ("the most insipid ridiculous play that ever I saw", "not the best") is none."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sideload.persona.phrasing import sentence_spans
from sideload.store import retrieval

_ASKED = re.compile(r"^\s*(?:and\s+)?(?:[A-Za-z]+,\s*)?(?:(?:what|which|who)\s+(?:was|were|is|are)\s+(?:your|my)\s+"
                    r"(?:very\s+)?(?:favou?rite|best[- ]loved)\s+(?P<a>[a-z]+)"
                    r"|(?:what|which)\s+(?:kind\s+of\s+)?(?P<b>[a-z]+)\s+did\s+(?:you|I)\s+(?:like|love|enjoy)\s+"
                    r"(?:the\s+)?(?:best|most))\s*[?.!]?\s*$", re.I)
_BEST = (r"(?:best|finest|prettiest|pleasantest|sweetest|rarest|noblest|bravest|merriest|favou?rite|"
         r"most\s+(?:excellent|pleasant|delightful|pretty|beautiful|admirable|delicious|lovely|wonderful|rare|"
         r"noble|ingenious))")
_PRAISE = rf"(?:{_BEST}|(?:a\s+)?(?:better|finer|prettier|pleasanter|sweeter))"  # "better wine I never drank"
# the praise before the thing it governs ("the best venison pasty", "my favourite song", "never saw a
# better play"), or after it, standing alone ("a puppet play ..., the best that ever I saw", "... is my
# favourite")
_LINK = r"(?:to|in|at|of|and|or|with|for|from|on|by|into|as|but|than|that|which|when|where|while|so)"
_BEFORE = re.compile(rf"\b{_PRAISE}\s+(?:(?!{_LINK}\b)[\w’'-]+\s+){{0,2}}$", re.I)  # "best gown to church" is no church
_AFTER = re.compile(rf"[^;]{{0,90}}?\b{_BEST}(?=\s+(?:that|which|I|ever|of\s+all|in\s+the\s+world|than)\b|\s*[.,!?]|$)",
                    re.I)
_AGAINST = re.compile(r"\b(?:worst|insipid|ridiculous|dull|dullest|silly|silliest|sorry|sorriest|poor|"
                      r"not\s+(?:the\s+|so\s+|very\s+)?(?:best|finest|pleasant|good)|nothing\s+so)\b", re.I)
READ = 1000  # moments holding the word, read at most
SHOWN = 3


@dataclass
class Favourite:
    kind: str  # as asked: "play"
    praised: int  # sentences where the owner praised one
    moment_ids: list[str]  # where, the most emphatic first ("ever")
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # the praising sentence in each

    @property
    def words(self) -> str:  # what the quotes are chosen by
        return self.kind

    def sentence(self) -> str:
        where = "once" if self.praised == 1 else f"in {self.praised} moments"
        return f"I praised {_a(self.kind)} as the best, or near it, {where}. In my own words:"


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _praised(sentence: str, word: re.Pattern) -> str | None:
    """The words where the thing is praised, or None: "the best story that ever I heard" beside white
    wine praises no wine, and "her best gown, to church" no church."""
    for thing in word.finditer(sentence):
        before = sentence[max(0, thing.start() - 60):thing.start()]
        after = _AFTER.match(sentence, thing.end())
        said = (before + thing.group(0)) if _BEFORE.search(before) else \
            sentence[thing.start():after.end() + 30] if after else None
        if said and not _AGAINST.search(sentence[max(0, thing.start() - 60):thing.end() + 100]):
            return said
    return None


def favourite_asked(db, question: str) -> Favourite | None:
    """Where the owner praised one of the kind asked; None where the question asks no favourite."""
    m = _ASKED.match(question)
    if not m:
        return None
    kind = (m.group("a") or m.group("b")).lower()
    plural = kind[:-1] + "ies" if kind.endswith("y") and kind[-2:-1] not in "aeiou" else kind + "s"
    word = re.compile(rf"\b(?:{re.escape(kind)}|{re.escape(plural)})\b", re.I)
    found: list[tuple[bool, str, str, tuple[int, int]]] = []  # (not emphatic, when, moment, span)
    rows = {r["moment_id"]: r for w in (kind, plural) for r in retrieval.texts_holding(db, w, READ, speaker="me")}
    for row in rows.values():
        text = row["text"] or ""
        for a, b in sentence_spans(text):
            said = text[a:b]
            near = _praised(said, word)
            if near is not None:
                found.append((" ever" not in near.lower(), row["started_at"] or "", row["moment_id"], (a, b)))
                break  # one sentence a moment: the moment is what is cited
    if not found:
        return None  # never praised one: what they said of it at all answers (a feeling), or that they never did
    found.sort()
    chosen = found[:SHOWN]
    return Favourite(kind, len(found), [f[2] for f in chosen], {f[2]: f[3] for f in chosen})
