"""Behaviour prediction: what the person would most likely do next.

Learned from the timeline: every moment with a recognisable activity becomes an event (time,
activity). The next activity is scored from how often it followed the current one, how often it
happens at this hour and on this kind of day, and how often at all, each smoothed and combined
(a naive-Bayes style product with back-off), so sparse evidence degrades to the person's general
habits instead of to nothing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sideload.persona.activities import LEXICON, activity_of
from sideload.store.profile_facts import timed_moments


@dataclass
class Event:
    when: datetime
    activity: str
    moment_id: str = ""


@dataclass
class Prediction:
    activity: str
    probability: float
    evidence: list[str] = field(default_factory=list)  # moment ids


def hour_bucket(h: int) -> int:
    return h // 2  # two-hour slots: routines drift by an hour from day to day


def day_kind(dt: datetime) -> str:
    return "weekend" if dt.weekday() >= 5 else "weekday"


class Predictor:
    """A mixture of smoothed conditional frequencies, most specific first:

    this weekday near this hour (people keep weekly routines), what followed the last activity on
    this kind of day at this time, this kind of day (weekday or weekend) at this time, and overall.
    A mixture degrades gracefully where the specific evidence is thin.
    """

    WEIGHTS = (0.30, 0.50, 0.15, 0.05)

    def __init__(self, events: list[Event]):
        self.events = sorted(events, key=lambda e: e.when)
        self.activities = sorted({e.activity for e in self.events} or set(LEXICON))
        self.total = Counter(e.activity for e in self.events)
        self.weekday_hour: dict[tuple, Counter] = defaultdict(Counter)
        self.kind_slot: dict[tuple, Counter] = defaultdict(Counter)
        self.after: dict[tuple, Counter] = defaultdict(Counter)
        self.examples: dict[tuple, list[str]] = defaultdict(list)
        prev = None
        for e in self.events:
            self.weekday_hour[(e.when.weekday(), e.when.hour)][e.activity] += 1
            slot = (day_kind(e.when), hour_bucket(e.when.hour))
            self.kind_slot[slot][e.activity] += 1
            if prev is not None and (e.when - prev.when).total_seconds() < 6 * 3600:
                self.after[(prev.activity, slot)][e.activity] += 1
            self.examples[(slot, e.activity)].append(e.moment_id)
            prev = e

    def _dist(self, counter: Counter) -> dict[str, float] | None:
        total = sum(counter.values())
        if not total:
            return None
        alpha = 0.1
        return {a: (counter.get(a, 0) + alpha) / (total + alpha * len(self.activities)) for a in self.activities}

    def predict(self, at: datetime, previous: str | None = None, top: int = 3) -> list[Prediction]:
        if not self.events:
            return []
        slot = (day_kind(at), hour_bucket(at.hour))
        near = Counter()
        for dh, w in ((-1, 1), (0, 2), (1, 1)):  # routines drift by an hour from day to day
            h = at.hour + dh
            if 0 <= h < 24:
                for a, c in self.weekday_hour[(at.weekday(), h)].items():
                    near[a] += w * c
        parts = [self._dist(near), self._dist(self.after[(previous, slot)]) if previous else None,
                 self._dist(self.kind_slot[slot]), self._dist(self.total)]
        used = [(w, d) for w, d in zip(self.WEIGHTS, parts) if d is not None]
        norm = sum(w for w, _ in used)
        probs = {a: sum(w * d[a] for w, d in used) / norm for a in self.activities}
        ranked = sorted(probs, key=lambda a: -probs[a])[:top]
        return [Prediction(a, probs[a], self.examples.get((slot, a), [])[-3:]) for a in ranked]


def events_from_vault(db, *, before: float | None = None) -> list[Event]:
    """Timeline events from every timed moment (day-precision entries have no hour and are left out)."""
    out = []
    for mid, started, text, caption in timed_moments(db, before=before):
        act = activity_of(f"{text} {caption or ''}")
        if act:
            out.append(Event(datetime.fromisoformat(started).replace(tzinfo=None), act, mid))
    return out


def predict_json(db, at: datetime, context: str | None, moments_by_id) -> dict[str, Any]:
    events = events_from_vault(db, before=None)
    previous = activity_of(context) if context else None
    if previous is None:
        earlier = [e for e in events if e.when <= at]
        previous = earlier[-1].activity if earlier else None
    preds = Predictor(events).predict(at, previous)
    return {"predictions": [{"activity": p.activity, "probability": round(p.probability, 3),
                             "evidence": moments_by_id(p.evidence)} for p in preds],
            "previous": previous}
