"""Time phrases in a search query ("on Wednesday", "last March", "in the morning"), resolved
against the vault's own dates: "yesterday" is the day before the newest day in the vault, not
before today, because a lifelog is often searched long after it was recorded.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
PARTS_OF_DAY = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 22), "night": (21, 29),
                "lunchtime": (11, 15), "breakfast": (6, 10), "dinner": (17, 22)}


@dataclass
class TimeFilter:
    date_from: date | None = None
    date_to: date | None = None
    hours: tuple[int, int] | None = None  # [start, end) in local hours; end may pass 24
    weekday: int | None = None  # "on Sundays", "every Friday": each of them (Monday is 0), not one day
    phrases: tuple[str, ...] = ()


def _strip(text: str, span: tuple[int, int]) -> str:
    return (text[: span[0]] + " " + text[span[1]:]).strip()


def parse(query: str, vault_days: list[str]) -> tuple[str, TimeFilter]:
    """(the query without its time phrases, the time filter they mean)."""
    days = sorted(date.fromisoformat(d) for d in vault_days if d)
    latest = days[-1] if days else date.today()
    tf = TimeFilter()
    text = query
    found: list[str] = []
    # "the week before Christmas 1665", "the day after 2 September 1666": the time named, then moved
    shift = re.search(r"\b(?:(?:in|during|on)\s+)?the\s+(day|week|fortnight|month)\s+(before|after)\s+", text, re.I)
    if shift:
        text = _strip(text, shift.span())

    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        tf.date_from = tf.date_to = d
        found.append(m.group(0))
        text = _strip(text, m.span())

    month_names = "|".join(sorted(MONTHS, key=len, reverse=True))
    m = re.search(rf"\b(?:on\s+)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({month_names})|({month_names})\s+(\d{{1,2}})(?:st|nd|rd|th)?)\b(?:,?\s+(\d{{4}}))?",
                  text, re.I)
    if m and tf.date_from is None:
        day = int(m.group(1) or m.group(4))
        month = MONTHS[(m.group(2) or m.group(3)).lower()]
        year = int(m.group(5)) if m.group(5) else _latest_year_with(days, month, latest)
        try:
            tf.date_from = tf.date_to = date(year, month, day)
            found.append(m.group(0))
            text = _strip(text, m.span())
        except ValueError:
            pass

    # months from one to another: "between March and May 1665", "from June to August 1662"
    m = re.search(rf"\b(?:from|between)\s+({month_names})\s*(?:to|and|until|till|-|\u2013)\s*({month_names})"
                  rf"(?:,?\s+(\d{{4}}))?\b", text, re.I)
    if m and tf.date_from is None and MONTHS[m.group(1).lower()] <= MONTHS[m.group(2).lower()]:
        first, last = MONTHS[m.group(1).lower()], MONTHS[m.group(2).lower()]
        year = int(m.group(3)) if m.group(3) else _latest_year_with(days, last, latest)
        tf.date_from, tf.date_to = date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
        found.append(m.group(0))
        text = _strip(text, m.span())

    # a part of a year: "early 1663", "in late 1665", "mid-1664", "the second half of 1663"; a year's end
    # reaches into the next fortnight, as a year does below
    m = re.search(r"\b(?:in\s+)?(?:(early|late|mid-?)\s*|the\s+(first|second)\s+half\s+of\s+)(1[5-9]\d\d|20\d\d)\b",
                  text, re.I)
    if m and tf.date_from is None:
        y, part = int(m.group(3)), (m.group(1) or m.group(2)).lower().rstrip("-")
        tf.date_from, tf.date_to = {"early": (date(y, 1, 1), date(y, 4, 30)), "mid": (date(y, 5, 1), date(y, 8, 31)),
                                    "first": (date(y, 1, 1), date(y, 6, 30)),
                                    "late": (date(y, 9, 1), date(y + 1, 1, 14)),
                                    "second": (date(y, 7, 1), date(y + 1, 1, 14))}[part]
        found.append(m.group(0))
        text = _strip(text, m.span())

    # a month is meant when it is marked as one ("in May", "last March", "May 1662", "how was March?"):
    # "may I" is not May
    # and a part of it: "at the end of May 1660", "early March", "mid-June", "the first week of July"
    m = next((m for m in re.finditer(rf"\b(?:{_PART_OF_MONTH})?(?:in\s+|during\s+|(?:how|what)\s+was\s+)?(?P<rel>last|this)?"
                                     rf"\s*(?P<month>{month_names})\b(?:\s+(?P<year>\d{{4}}))?", text, re.I)
              if m.group("part") or m.group("rel") or m.group("year")
              or re.match(r"\s*(in|during|how|what)\b", m.group(0), re.I)), None)
    if m and tf.date_from is None:
        month = MONTHS[m.group("month").lower()]
        if m.group("year"):
            year = int(m.group("year"))
        elif (m.group("rel") or "").lower() == "last":
            year = latest.year if month < latest.month else latest.year - 1
        else:
            year = _latest_year_with(days, month, latest)
        tf.date_from = date(year, month, 1)
        tf.date_to = date(year, month, calendar.monthrange(year, month)[1])
        if m.group("part"):
            tf.date_from, tf.date_to = _part_of_month(m.group("part"), tf.date_from, tf.date_to)
        found.append(m.group(0))
        text = _strip(text, m.span())

    # Christmas: "at Christmas 1662", "Christmas Day", "on Christmas Eve in 1665", "last Christmas" (the
    # newest in the record); the word stays a thing to look for, and plain Christmas is its first days,
    # where its dinners are written
    m = re.search(r"\b(?:at\s+|on\s+|over\s+|last\s+|this\s+)?christmas(?:\s+(day|eve))?"
                  r"(?:\s+(?:of\s+|in\s+)?(1[5-9]\d\d|20\d\d))?\b", text, re.I)
    if m and tf.date_from is None and (m.group(2) or re.match(r"(at|on|over|last|this)\b", m.group(0), re.I)):
        kept = [d.year for d in days if d.month == 12 and 24 <= d.day <= 28]  # a record ending on 21 December
        year = int(m.group(2)) if m.group(2) else max(kept) if kept else _latest_year_with(days, 12, latest)
        first, last = {"day": (25, 25), "eve": (24, 24)}.get((m.group(1) or "").lower(), (24, 28))
        tf.date_from, tf.date_to = date(year, 12, first), date(year, 12, last)
        found.append(m.group(0).strip())
        if m.group(2):  # "at Christmas 1662" is looked for as "at Christmas"
            named = m.end(1) if m.group(1) else m.start() + m.group(0).lower().index("christmas") + len("christmas")
            text = _strip(text, (named, m.end()))

    # a season: "in spring 1666", "the summer of 1665", "last autumn", "the winter of 1664-65" (a
    # winter is the one that begins in the December of its year)
    m = re.search(r"\b(?:(?:in|during|over)\s+(?:the\s+)?|(last|this)\s+|the\s+)?(spring|summer|autumn|fall|winter)"
                  r"(?:\s+of)?(?:\s+(1[5-9]\d\d|20\d\d)(?:\s*[-\u2013/]\s*\d{2,4})?)?\b", text, re.I)
    if m and tf.date_from is None and (m.group(1) or m.group(3) or re.match(r"(in|during|over)\b", m.group(0), re.I)):
        first = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}[m.group(2).lower()]
        if m.group(3):
            year = int(m.group(3))
        else:  # the newest such season in the vault (that is over, for "last")
            ended = [d for d in days if (d.month - first) % 12 < 3 and ((m.group(1) or "").lower() != "last"
                                                                       or d < latest - timedelta(days=92))]
            year = (ended[-1].year - (1 if first == 12 and ended[-1].month < 3 else 0)) if ended else latest.year
        end_year, end_month = (year + 1, 2) if first == 12 else (year, first + 2)
        tf.date_from = date(year, first, 1)
        tf.date_to = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
        found.append(m.group(0))
        text = _strip(text, m.span())

    # the turn of a year: "at the end of 1661", "going into 1665", "New Year 1665"; what is written
    # of a year's end is often written in its last weeks or the first of the next
    m = re.search(r"\b(?:(?:at|by|towards?|near)\s+the\s+(end|close|start|beginning)\s+of|new\s+year(?:'s)?"
                  r"(?:\s+(?:day|eve))?(?:\s+(?:going\s+)?(?:into|of))?|going\s+into)\s+(1[5-9]\d\d|20\d\d)\b", text, re.I)
    if m and tf.date_from is None:
        y = int(m.group(2))
        if (m.group(1) or "").lower() in ("end", "close"):
            tf.date_from, tf.date_to = date(y, 12, 1), date(y + 1, 1, 31)
        elif (m.group(1) or "").lower() in ("start", "beginning"):
            tf.date_from, tf.date_to = date(y - 1, 12, 20), date(y, 1, 31)
        else:  # the new year itself, and the days after it when it is written of: "New Year" stays a thing to look for
            tf.date_from, tf.date_to = date(y - 1, 12, 20), date(y, 1, 14)
        found.append(m.group(0))
        text = _strip(text, m.span() if m.group(1) else m.span(2))

    # years from one to another: "from 1662 to 1664", "between 1660 and 1662"
    m = re.search(r"\b(?:from|between)\s+(1[5-9]\d\d|20\d\d)\s*(?:to|and|until|till|-|\u2013)\s*(1[5-9]\d\d|20\d\d)\b",
                  text, re.I)
    if m and tf.date_from is None and int(m.group(1)) <= int(m.group(2)):
        tf.date_from, tf.date_to = date(int(m.group(1)), 1, 1), date(int(m.group(2)) + 1, 1, 14)
        found.append(m.group(0))
        text = _strip(text, m.span())

    # a year ("in 1665", "my portrait from 1666", "the fire of 1666", "the plague year of 1665", "how was
    # 1663?"), and
    # the first fortnight of the next: a year's reckoning is often written just after it ends ("by how
    # much did my fortune grow in 1665?")
    m = re.search(r"\b(?:in|during|from|of|year\s+(of)|the\s+year|(?:how|what)\s+was)\s+(1[5-9]\d\d|20\d\d)\b"
                  r"|\babout\s+(1[5-9]\d\d|20\d\d)\s*[?.!]?$", text, re.I)  # "tell me about 1663", not "about 1500 men"
    if m and tf.date_from is None:
        y = int(m.group(2) or m.group(3))
        tf.date_from, tf.date_to = date(y, 1, 1), date(y + 1, 1, 14)
        found.append(m.group(0))
        text = _strip(text, (m.start(1), m.end()) if m.group(1) else m.span())  # "plague year" stays

    # a decade: "in the 1660s"
    m = re.search(r"\b(?:(?:in|during|through)\s+)?the\s+(1[5-9]\d0|20\d0)s\b", text, re.I)
    if m and tf.date_from is None:
        y = int(m.group(1))
        tf.date_from, tf.date_to = date(y, 1, 1), date(y + 9, 12, 31)
        found.append(m.group(0))
        text = _strip(text, m.span())

    # a week, a month or a year counted back from the newest day: "this week", "last month", "last year"
    m = re.search(r"\b(?:(?:in|during|over)\s+)?(this|last|the\s+past)\s+(week|month|year)\b", text, re.I)
    if m and tf.date_from is None:
        tf.date_from, tf.date_to = _relative(m.group(1).lower().split()[-1], m.group(2).lower(), latest)
        found.append(m.group(0))
        text = _strip(text, m.span())

    m = re.search(r"\b(today|yesterday|the day before yesterday)\b", text, re.I)
    if m and tf.date_from is None:
        back = {"today": 0, "yesterday": 1, "the day before yesterday": 2}[m.group(1).lower()]
        tf.date_from = tf.date_to = latest - timedelta(days=back)
        found.append(m.group(0))
        text = _strip(text, m.span())

    # a weekday as a habit: "on Sundays", "every Friday", "on a Saturday"; within the time named, if any
    m = re.search(r"\b(?:(?:on\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s"
                  r"|(?:every|each|on\s+an?)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", text, re.I)
    if m:
        tf.weekday = WEEKDAYS[(m.group(1) or m.group(2)).lower()]
        found.append(m.group(0))
        text = _strip(text, m.span())

    m = re.search(r"\b(?:on\s+|last\s+|this\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b", text, re.I)
    if m and tf.date_from is None and tf.weekday is None:
        wd = WEEKDAYS[m.group(1).lower()]
        match = [d for d in days if d.weekday() == wd]
        target = match[-1] if match else latest - timedelta(days=(latest.weekday() - wd) % 7)
        tf.date_from = tf.date_to = target
        found.append(m.group(0))
        text = _strip(text, m.span())

    m = re.search(r"\b(?:in the|this|at|during|over)\s+(morning|afternoon|evening|night|lunchtime|breakfast|dinner)\b",
                  text, re.I)
    if m:
        tf.hours = PARTS_OF_DAY[m.group(1).lower()]
        found.append(m.group(0))
        text = _strip(text, m.span())

    if shift and tf.date_from is not None:
        wide = {"day": 1, "week": 7, "fortnight": 14, "month": 30}[shift.group(1).lower()]
        if shift.group(2).lower() == "before":
            tf.date_from, tf.date_to = tf.date_from - timedelta(days=wide), tf.date_from - timedelta(days=1)
        else:
            tf.date_from, tf.date_to = tf.date_to + timedelta(days=1), tf.date_to + timedelta(days=wide)
        found[0] = shift.group(0) + found[0]
    elif shift:  # "the day before he left": no time named, the words stay
        text = query
    tf.phrases = tuple(found)
    text = re.sub(r"\s+([?.!,;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,")
    return (text or query), tf


_PART_OF_MONTH = (r"(?P<part>(?:(?:at|by|towards?|near|in|around)\s+)?the\s+(?:end|close|start|beginning|middle)\s+of\s+|"
                  r"(?:in\s+)?(?:early|late|mid-?)\s*(?:in\s+)?|the\s+(?:first|last)\s+(?:week|days?)\s+of\s+)")


def _part_of_month(part: str, first: date, last: date) -> tuple[date, date]:
    """The stretch of a month a phrase means, a few days wide at its edges: what is written of a month's
    end is often written on its last day or the first days after ("how much was I worth at the end of
    January?")."""
    part = part.lower()
    if re.search(r"\b(end|close|late|last)\b", part):
        return last - timedelta(days=10), last + timedelta(days=3)
    if re.search(r"\b(middle|mid)", part):
        return first + timedelta(days=7), first + timedelta(days=21)
    return first - timedelta(days=3), first + timedelta(days=9)  # start, beginning, early, the first week


def _relative(which: str, unit: str, latest: date) -> tuple[date, date]:
    """"this week" (its Monday to the newest day), "last week" (the Monday to Sunday before), "the past
    week" (the seven days to the newest), and the same of a month or a year."""
    if which == "past":
        back = {"week": 6, "month": 30, "year": 364}[unit]
        return latest - timedelta(days=back), latest
    if unit == "week":
        monday = latest - timedelta(days=latest.weekday())
        return (monday, latest) if which == "this" else (monday - timedelta(days=7), monday - timedelta(days=1))
    if unit == "month":
        if which == "this":
            return latest.replace(day=1), latest
        end = latest.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if which == "this":
        return date(latest.year, 1, 1), latest
    return date(latest.year - 1, 1, 1), date(latest.year - 1, 12, 31)


def _latest_year_with(days: list[date], month: int, latest: date) -> int:
    years = [d.year for d in days if d.month == month]
    if years:
        return max(years)
    return latest.year if month <= latest.month else latest.year - 1
