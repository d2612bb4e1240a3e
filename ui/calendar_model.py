"""The calendar's rows, made from the day counts: a heading per year, then each month with the moments
of each of its days and how full each day was among all the others (its shade). Plain Python, so the
app makes them on a worker thread; the calendar (ui/life_calendar.py) only paints them.
"""
from __future__ import annotations

import bisect
import calendar as cal
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Row:
    """One line of the calendar: a year's heading, or a month with its days (count, level; -1 outside the span)."""
    kind: str  # "year" | "month"
    year: int
    month: int = 0
    total: int = 0
    counts: list[int] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)
    top: int = 0
    height: int = 0


@dataclass
class Model:
    counts: dict[str, int]
    rows: list[Row]
    first: date | None
    last: date | None


def build(days: tuple[tuple[str, int], ...]) -> Model:
    """The calendar's rows from (day, moments) in day order; plain Python, safe on a worker thread."""
    counts = dict(days)
    if not days:
        return Model(counts, [], None, None)
    first, last = date.fromisoformat(days[0][0]), date.fromisoformat(days[-1][0])
    nonzero = sorted(n for _, n in days if n)
    # quantiles, so a few enormous days do not wash every other day out
    cuts = [nonzero[min(len(nonzero) - 1, int(len(nonzero) * f))] for f in (0.2, 0.4, 0.6, 0.8)]
    rows: list[Row] = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        if m == 1 or not rows:
            rows.append(Row("year", y))
        row = Row("month", y, m)
        for d in range(1, cal.monthrange(y, m)[1] + 1):
            day = date(y, m, d)
            n = counts.get(day.isoformat(), 0) if first <= day <= last else -1
            row.counts.append(n)
            row.levels.append(n if n <= 0 else 1 + bisect.bisect_left(cuts, n))
        row.total = sum(c for c in row.counts if c > 0)
        rows.append(row)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    heading = None
    for row in rows:  # each year's heading carries the year's total
        if row.kind == "year":
            heading = row
        else:
            heading.total += row.total
    return Model(counts, rows, first, last)
