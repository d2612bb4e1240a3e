"""Stretches of time asked about: which days a question means, the moments that tell a stretch (days
spread over all of it, and the writer's own reckoning at its end), and what is said when the time
lies outside the record. Over the vault's days and the searcher; no model."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from sideload.persona.choosing import relevant
from sideload.recall import reviews, timephrases
from sideload.recall.search import SearchRequest, Searcher, build_request
from sideload.store import passages as passage_rows

DAY_PARTS = 4  # quotes that tell a day: of its moments, or of the parts of the one long entry it is


def stretch(days: list[str], query: str) -> tuple[list[str], SearchRequest]:
    """The days of the stretch of time asked about (the newest day when none is named), and its request."""
    req = build_request(days, query, limit=8)
    if req.weekday is not None:  # "what did I do on Sundays?": each Sunday of the time asked, or of the record
        days = [d for d in days if date.fromisoformat(d).weekday() == req.weekday]
        if req.date_from is None and days:
            req.date_from, req.date_to = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if req.date_from is None and days:
        req.date_from = req.date_to = date.fromisoformat(days[-1])
    if req.date_from is None:
        return [], req
    return [d for d in days if req.date_from.isoformat() <= d <= req.date_to.isoformat()], req


def period(searcher: Searcher, days: list[str], query: str, n: int = 6) -> list[dict]:
    """Moments of the stretch asked about: of one day, n of its moments spread over it; of many, one
    of each of n days spread over them, the fullest of each stretch (several of each of a few), and
    the writer's own reckoning of the stretch where there is one ("how was March 1663?": what he wrote
    at its end of his health, purse and house). "How was 1663?" was told from its first 200 moments,
    January to July."""
    inside, req = stretch(days, query)
    if len(inside) <= 1:
        moments = spread(searcher.browse(req, limit=200), n)
        if len(moments) >= DAY_PARTS:
            return moments
        # a diary's day is one long entry: told from parts of it, not from one sentence
        return [part for m in moments for part in parts(m, max(1, DAY_PARTS // len(moments)))] if moments else []
    reckoning = _reckoning(searcher, req, inside) if reviews.asks_about_a_period(req.date_from, req.date_to) else None
    others = [d for d in inside if reckoning is None or d != reckoning[0]]
    room = n - (reckoning is not None)
    chosen = fullest(others, room, searcher.words_by_day(req))
    each = max(1, room // max(1, len(chosen)))
    out = [m for d in chosen for m in spread(searcher.browse(
        replace(req, date_from=date.fromisoformat(d), date_to=date.fromisoformat(d)), 50), each)]
    return out + ([reckoning[1]] if reckoning else [])


def parts(moment: dict, k: int) -> list[dict]:
    """A long moment as k of its passages, spread from its first to its last: "what happened on
    2 September 1666?" is the course of the day (Jane calling us up at three in the morning, the King's
    command to pull down houses, the evening on the water), where it was one sentence from its middle.
    Each part is the moment with that passage marked, quoted like a search hit's."""
    text = moment.get("text") or ""
    spans = passage_rows.cut(text)
    k = min(k, len(spans) // 3)  # each part is quoted with the sentences beside it: parts apart
    if k <= 1:
        return [moment]
    chosen = evenly(spans, k)
    chosen[-1] = spans[-1]  # how the day ended
    return [{**moment, "passage": {"start": a, "end": b, "text": t}} for a, b, t in chosen]


def _reckoning(searcher: Searcher, req: SearchRequest, inside: list[str]) -> tuple[str, dict] | None:
    """The look back written at the end of the stretch (in its last five weeks), marked "review", and
    its day: a month's last days first, newest first, and only then a month's first day (the stretch
    "1663" runs into January 1664, whose first day looks forward: "this year I will ...")."""
    ends = sorted((d for d in inside if reviews.at_a_month_end(d)
                   and (date.fromisoformat(inside[-1]) - date.fromisoformat(d)).days <= 35),
                  key=lambda d: (not d.endswith("-01"), d), reverse=True)
    for d in ends:
        day = date.fromisoformat(d)
        found = [m for m in searcher.browse(replace(req, date_from=day, date_to=day), 50)
                 if reviews.is_review(d, m.get("text") or "")]
        if found:
            return d, {**found[0], "review": True}
    return None


def outside_the_record(searcher: Searcher, days: list[str], query: str) -> str | None:
    """What to say when the time asked about lies wholly before the first memory or after the last
    ("what did I eat on New Year's Day 1661?" over a diary from December 1661 quoted venison pasties of
    1662), unless a memory speaks of that time in the words asked ("what happened at our wedding in
    1999?")."""
    if not days:
        return None
    _, tf = timephrases.parse(query, days)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    if tf.date_from is None or tf.date_to is None or (tf.date_to >= first and tf.date_from <= last):
        return None
    when = _AS_ASKED.sub("", tf.phrases[0]).strip() if tf.phrases else "then"
    said = re.compile(rf"\b{re.escape(when)}\b", re.I)
    if any(said.search(h.get("text") or "") for h in searcher.search(SearchRequest(text=query, limit=8))
           if relevant(h)):
        return None
    span = (f"all I remember is of {_long_date(first)}" if first == last
            else f"what I remember runs from {_long_date(first)} to {_long_date(last)}")
    return f"I have no memories of {when}: {span}."


# the words of a time phrase that belong to the question, not the time: "how was March 1664" is March 1664
_AS_ASKED = re.compile(r"^(?:(?:how|what) (?:was|were|is|about)|about|the year|in|on|at|during|from|of|over)\s+", re.I)


def _long_date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def spread(moments: list[dict], n: int) -> list[dict]:
    """Up to n moments spread over the period, preferring words (speech, writing) over scenes."""
    return evenly([m for m in moments if m.get("kind") in ("speech", "text")] or moments, n)


def fullest(days: list[str], n: int, words: dict[str, int]) -> list[str]:
    """n of the days, one from each of n even stretches of them: the one most was said or written on.
    A diarist writes most on the days something happened ("the Chapel, where preached one Dr. Lewes"
    is a Sunday like any other; the day the Dutch burnt the fleet runs to three pages)."""
    if len(days) <= n:
        return days
    bounds = [int(i * len(days) / n) for i in range(n + 1)]
    return [max(days[a:b], key=lambda d: (words.get(d, 0), d)) for a, b in zip(bounds, bounds[1:])]


def evenly(items: list, n: int) -> list:
    """Up to n of the items, evenly spaced from the first."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]
