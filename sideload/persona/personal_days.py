"""The owner's own days, asked by name: "what did you do on your birthday in 1664?" is 23 February
1664 in a diary whose writer put "my birthday" on 23 February four times. The day is learnt from the
owner's own words (the month and day they most often wrote it on), never from a setting, and the
question is asked again with the date in its place, which the time phrases read.

"on my birthday" with no year is the last one in the record; "in 1664" or "1664" after it is that
year's. Written once is enough: a diarist names their birthday once a year at most."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sideload.store import retrieval

# name -> (how a question names it, the word the owner's writing is found by, how the writing says it)
_DAYS = {
    "birthday": (r"(?:my|our)\s+(?:last\s+)?birth-?day", "birthday", r"\bmy\s+birth-?day\b"),
    "anniversary": (r"(?:my|our)\s+(?:last\s+)?(?:wedding\s+anniversary|wedding[- ]day|anniversary)", "wedding",
                    r"\b(?:my|our)\s+wedding[- ](?:day|anniversary|night)\b"),
}
# "what's your birthday?" asks for the day, not about it: left as asked
_ASKS_WHICH = re.compile(r"\b(?:what|when|which)(?:\s+day)?(?:'s|’s|\s+(?:is|was|were|are))\s+"
                         r"(?:my|our)\s+(?:last\s+)?(?:birth|wedding|anniversary)", re.I)
_YEAR = r"(?:\s+(?:in|of)\s+|,?\s+)(?P<year>1[5-9]\d\d|20\d\d)\b"
READ = 200  # moments holding the word read at most


def with_personal_days(db, question: str) -> str:
    """The question with each of the owner's days it names put as its date ("on 23 February 1664");
    as it was where the owner never wrote of that day."""
    if _ASKS_WHICH.search(question):
        return question
    for name, (asked, word, written) in _DAYS.items():
        pattern = re.compile(rf"\b(?P<on>on\s+|at\s+)?{asked}(?:{_YEAR})?", re.I)
        m = pattern.search(question)
        if not m:
            continue
        day = _learnt(db, word, written)
        if day is None:
            continue
        year = f" {m.group('year')}" if m.group("year") else ""
        when = ("on " if m.group("on") else "") + f"{day.day} {day:%B}{year}"
        question = question[:m.start()] + when + question[m.end():]
    return question


def owners_words_on(db, word: str, written: str) -> list:
    """The owner's own dated moments that hold `word` and say it as `written` ("my birthday"), in time
    order: what the days and the age are learnt from."""
    said = re.compile(written, re.I)
    return [r for r in retrieval.texts_holding(db, word, READ, speaker="me")
            if r["day"] and said.search(r["text"] or "")]


def _learnt(db, word: str, written: str) -> date | None:
    """The month and day the owner most often wrote of the day on (as a date in a leap year, so that
    29 February is one), or None where they never did."""
    said = re.compile(written, re.I)
    days: Counter = Counter()
    for r in owners_words_on(db, word, written):
        text, m = r["text"], said.search(r["text"])
        # the clause that names it says which day it was: "kept in lieu of yesterday, for my wedding day"
        clause = re.split(r"[.;!?]", text[:m.start()])[-1] + re.split(r"[.;!?]", text[m.start():])[0]
        moved = -1 if re.search(r"\byesterday\b", clause, re.I) else 1 if re.search(r"\btomorrow\b", clause, re.I) else 0
        days[(date.fromisoformat(r["day"]) + timedelta(days=moved)).replace(year=2000).isoformat()[5:]
             if r["day"][5:] != "02-29" else "02-29"] += 1
    if not days:
        return None
    month, day = (int(x) for x in days.most_common(1)[0][0].split("-"))
    return date(2000, month, day)
