"""How old the owner was, and when they were born, from what they wrote on their birthdays. "This my
birthday, 28 years" written on 23 February 1661 makes a birth on 23 February 1633; "how old were you
in 1663?" is answered from it ("I was 29, and 30 from 23 February"), citing the entry. Nothing is
guessed where the owner never wrote their age on a birthday: search answers as for any question.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sideload.persona.personal_days import owners_words_on
from sideload.recall import timephrases
from sideload.recall.words import keyword_terms

_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORDS = {w: i + 1 for i, w in enumerate(_UNITS)} | {w: i + 10 for i, w in enumerate(_TEENS)} \
    | {w: (i + 2) * 10 for i, w in enumerate(_TENS)}
_NUMBER = rf"\d{{1,3}}|(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS)}))?|{'|'.join(_TEENS + _UNITS)}"
# "my birthday, now twenty-seven years", "it being my birthday, 33 years", "my 40th birthday", "forty today"
_AGE = re.compile(rf"\b(?P<n>{_NUMBER})\s+(?:years?(?:\s+(?:old|of\s+age))?|today)\b"
                  r"|\bmy\s+(?P<th>\d{1,3})(?:st|nd|rd|th)\s+birth", re.I)
_BIRTHDAY = re.compile(r"\bmy\s+(?:\w+\s+)?birth-?day\b", re.I)
_HOW_OLD = re.compile(r"\bhow old (?:was I|am I|were you|are you)\b(?P<rest>[^?]*)", re.I)
_WHEN_BORN = re.compile(r"\b(?:when|what year|which year|what day)\s+(?:was I|were you)\s+born\b", re.I)


@dataclass
class Age:
    born: date
    moment_id: str  # where the owner wrote their age on a birthday
    said_on: date
    age_then: int
    at: tuple[date, date] | None  # the time asked about; None for "when was I born?"
    record_ends: date | None = None  # "how old am I?" is told at the last day remembered

    def years_at(self, day: date) -> int:
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))

    def sentence(self) -> str:
        born = f"I was born on {_long(self.born)}."
        if self.at is None:
            return born
        start, end = self.at
        first, last = self.years_at(start), self.years_at(end)
        if self.record_ends is not None:
            return f"When my memories end, on {_long(end)}, I was {last}. {born}"
        when = f"on {_long(start)}" if start == end else _span(start, end)
        if first == last:
            return f"I was {first} {when}. {born}"
        turned = date(end.year, self.born.month, self.born.day) if first + 1 == last else None
        if turned is not None and start <= turned <= end:
            return f"I was {first} {when}, and {last} from {turned.day} {turned:%B}. {born}"
        return f"I was {first} to {last} {when}. {born}"


def age_asked(db, question: str, vault_days) -> Age | None:
    """The owner's age at the time the question names ("how old was I in 1663?"), or their birth
    ("when was I born?"), where they wrote their age on a birthday; None otherwise. `vault_days()`
    gives the days remembered (read only when the question asks an age)."""
    how_old, born = _HOW_OLD.search(question), _WHEN_BORN.search(question)
    if not (how_old or born):
        return None
    found = _birth(db)
    if found is None:
        return None
    if born:
        return Age(*found, at=None)
    days = vault_days()
    _, tf = timephrases.parse(how_old.group("rest"), days)
    if tf.date_from is not None and tf.date_to is not None:
        start, end = tf.date_from, tf.date_to
        if (start.month, start.day) == (1, 1) and end.year == start.year + 1 and end.month == 1:
            end = date(start.year, 12, 31)  # a year read with its first days after (for a reckoning): the year
        return Age(*found, at=(start, end))
    if not days or keyword_terms(how_old.group("rest")):
        return None  # "how old was I when my daughter was born?": an event, left to search
    last = date.fromisoformat(days[-1])
    return Age(*found, at=(last, last), record_ends=last)


def _birth(db) -> tuple[date, str, date, int] | None:
    """(birth, the moment that says the age, its day, the age it says): the birth the owner's birthday
    entries agree on most."""
    births: Counter = Counter()
    first: dict[date, tuple[str, date, int]] = {}
    for row in owners_words_on(db, "birthday", _BIRTHDAY.pattern):
        day = date.fromisoformat(row["day"])
        for sentence in re.split(r"(?<=[.!?;])\s+", row["text"] or ""):
            if not _BIRTHDAY.search(sentence) or "'s birth" in sentence.lower() or "’s birth" in sentence.lower():
                continue
            m = _AGE.search(sentence)
            if not m:
                continue
            age = int(m.group("th")) if m.group("th") else _value(m.group("n"))
            if not age or age > 120:
                continue
            try:
                birth = date(day.year - age, day.month, day.day)
            except ValueError:  # 29 February in a year without one
                birth = date(day.year - age, 3, 1)
            births[birth] += 1
            first.setdefault(birth, (row["moment_id"], day, age))
    if not births:
        return None
    birth = births.most_common(1)[0][0]
    return (birth, *first[birth])


def _value(words: str) -> int:
    if words.isdigit():
        return int(words)
    return sum(_WORDS.get(w, 0) for w in re.split(r"[- ]", words.lower()))


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _span(start: date, end: date) -> str:
    if start.year == end.year and (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31):
        return f"in {start.year}"
    if start.year == end.year and start.month == end.month:
        return f"in {start:%B %Y}"
    return f"from {_long(start)} to {_long(end)}"
