"""A writer's look back over a month or a year ("Thus ends this month, with ...", "this year I have
...") and its place among the answers to a question about that stretch of time.

Pepys closed most months, and every year, with a reckoning of his purse, his health, his house and
his family; a quarter of the recall benchmark's questions are answered there and nowhere else
("where was I sleeping in summer 1662, while the house was being built up?"). Such an entry covers
many things at once, so it matches no single question closely, and ranked below the day entries
that share the question's words. Raising every review (by score) cost the dev set's first answers
(top 1: 28 -> 23-27), so the best review of the period asked about is given one place among the
first few instead.
"""
from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from typing import Any

# "yeare": as Pepys spells it at the end of 1664 ("So ends the old yeare")
LOOKS_BACK = re.compile(r"\b(?:this|the)(?: old)? (?:month|yeare?)\b|\bends? (?:of )?(?:the|this)(?: old)? (?:month|yeare?)\b",
                        re.I)
REVIEW_PLACE = 4  # the fifth result (dev set: entry in top 5 42 -> 43 of 55, top 1 unchanged at 28)
PERIOD_DAYS = 28  # a question about a month or longer


def looks_back(text: str) -> bool:
    return bool(LOOKS_BACK.search(text or ""))


def at_a_month_end(day: str) -> bool:
    """The last three days of a month, or the first of the next: where a reckoning of it is written."""
    try:
        d = date.fromisoformat(day or "")
    except ValueError:
        return False
    return d.day == 1 or d.day > monthrange(d.year, d.month)[1] - 3


def is_review(day: str, text: str) -> bool:
    """A moment that looks back over its month or year, written at the month's end: "this month"
    on the 12th of June is a plan, not a reckoning (Pepys: 159 entries say it, 62 at a month's end)."""
    return at_a_month_end(day) and looks_back(text)


def asks_about_a_period(date_from: date | None, date_to: date | None) -> bool:
    return date_from is not None and date_to is not None and (date_to - date_from).days + 1 >= PERIOD_DAYS


def review_among_first(ranked: list, place: int = REVIEW_PLACE,
                       is_review: Callable[[Any], bool] = lambda h: h.review) -> list:
    """`ranked` (hits with .score, best first) with its best review moved up to `place` where it stood
    below; it takes the score of the hit it passes, so the order still reads by score. Only the hits
    above the first review are asked `is_review`."""
    at = next((i for i, h in enumerate(ranked) if is_review(h)), None)
    if at is None or at <= place:
        return ranked
    out = list(ranked)
    hit = out.pop(at)
    hit.score = max(hit.score, out[place].score)
    out.insert(place, hit)
    return out


def below_the_cut(ranked: list, rest: list, rows: dict, fetch: Callable[[list[int]], dict],
                  chunk: int = 100) -> list:
    """[the best review among `rest`] when none of `ranked` is one: a reckoning shares few words with
    any question and can fall below the cut ("summer 1662 ... where was I sleeping?": July's end
    ranked below 30 of the window's entries). Rows read on the way join `rows`."""
    if any(h.rid in rows and is_review(rows[h.rid]["day"], rows[h.rid]["text"]) for h in ranked):
        return []
    for i in range(0, len(rest), chunk):
        part = rest[i:i + chunk]
        got = fetch([h.rid for h in part])
        found = next((h for h in part if h.rid in got and is_review(got[h.rid]["day"], got[h.rid]["text"])), None)
        if found is not None:
            rows[found.rid] = got[found.rid]
            return [found]
    return []
