"""Behaviour prediction: what the person would most likely do next, over their discovered activities.

Every episode with an activity is an event (time, activity, where the person was just before, what
happened just before). The next activity is a mixture of smoothed conditional frequencies, from the
most specific to the most general: this weekday at this hour (the baseline), this weekday near this
hour, the same after the previous activity, this kind of day (weekday or weekend) near this hour
with and without the previous activity, what follows the previous activity at any hour, where the
person is, and overall. An empty condition falls back to overall habits.

The mixing weights are chosen on the person's own history: the last weeks are predicted from the
weeks before them, the weights are fitted to those held-out weeks (EM on their likelihood), and the
mixture is used only where it ranks the held-out weeks at least as well as the same-weekday-and-hour
baseline does (top 3, then top 1). With less than two weeks of history the predictor IS that
baseline. So it is never worse than the baseline on the history it can check itself against.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Hashable

import numpy as np

COMPONENTS = ("weekday and hour", "weekday near the hour", "weekday near the hour, after the last activity",
              "kind of day near the hour, after the last activity", "kind of day near the hour",
              "after the last activity", "where I am", "overall")
BASELINE = np.array([1.0, 0, 0, 0, 0, 0, 0, 1e-6])  # most frequent at this weekday and hour, then overall
AFTER_S = 6 * 3600          # an activity longer ago than this is not "what just happened"
MIN_HISTORY_DAYS = 14       # below this there is nothing to validate a mixture on: the baseline
NEAR = ((-1, 1.0), (0, 2.0), (1, 1.0))  # routines drift by an hour from day to day


@dataclass
class Event:
    when: datetime
    activity: Hashable
    moment_id: str = ""
    place: str | None = None  # where the person was just before it, when known


@dataclass
class Prediction:
    activity: Hashable
    probability: float
    evidence: list[str] = field(default_factory=list)  # moment ids


def day_kind(dt: datetime) -> str:
    return "weekend" if dt.weekday() >= 5 else "weekday"


def previous_of(events: list[Event], i: int) -> Hashable | None:
    if i > 0 and (events[i].when - events[i - 1].when).total_seconds() <= AFTER_S:
        return events[i - 1].activity
    return None


class Predictor:
    def __init__(self, events: list[Event], weights: np.ndarray | None = None, activities: list | None = None):
        self.events = sorted(events, key=lambda e: e.when)
        self.activities = activities or sorted({e.activity for e in self.events}, key=str)
        self.index = {a: i for i, a in enumerate(self.activities)}
        self.weights = BASELINE.copy() if weights is None else np.asarray(weights, float)
        self.tables: list[dict[Any, Counter]] = [defaultdict(Counter) for _ in COMPONENTS]
        self.examples: dict[tuple, list[str]] = defaultdict(list)
        for i, e in enumerate(self.events):
            prev = previous_of(self.events, i)
            for key, table in zip(self._keys(e.when, prev, e.place, own=True), self.tables):
                if key is not None:
                    table[key][e.activity] += 1
            self.examples[(e.activity, e.when.weekday(), e.when.hour)].append(e.moment_id)
            self.examples[(e.activity, e.when.hour)].append(e.moment_id)
            self.examples[(e.activity,)].append(e.moment_id)
        self.overall = self._dist(self.tables[-1][()])

    @staticmethod
    def _keys(at: datetime, prev, place, own: bool = False) -> list:
        wd, h, kind = at.weekday(), at.hour, day_kind(at)
        return [(wd, h), (wd, h), (wd, h, prev) if prev is not None else None,
                (kind, h, prev) if prev is not None else None, (kind, h),
                prev if prev is not None else None, place, ()]

    def _dist(self, counter: Counter) -> np.ndarray:
        v = np.zeros(len(self.activities))
        for a, c in counter.items():
            if a in self.index:
                v[self.index[a]] += c
        return v

    def components(self, at: datetime, previous=None, place=None) -> np.ndarray:
        """One distribution over the activities per component (rows); an empty one is overall's."""
        keys = self._keys(at, previous, place)
        out = np.zeros((len(COMPONENTS), len(self.activities)))
        for k, (key, table) in enumerate(zip(keys, self.tables)):
            if key is None:
                continue
            if COMPONENTS[k].startswith(("weekday near", "kind of day near")):  # the hour and its neighbours
                c = Counter()
                for dh, w in NEAR:
                    near = (*key[:1], (at.hour + dh) % 24, *key[2:])
                    for a, n in table.get(near, {}).items():
                        c[a] += w * n
                out[k] = self._dist(c)
            else:
                out[k] = self._dist(table.get(key, Counter()))
        total = self.overall.sum()
        for k in range(len(COMPONENTS)):
            s = out[k].sum()
            out[k] = out[k] / s if s else (self.overall / total if total else out[k])
        return out

    def distribution(self, at: datetime, previous=None, place=None) -> np.ndarray:
        p = self.weights @ self.components(at, previous, place)
        s = p.sum()
        return p / s if s else p

    def predict(self, at: datetime, previous=None, top: int = 3, place=None) -> list[Prediction]:
        if not self.events:
            return []
        p = self.distribution(at, previous, place)
        ranked = sorted(range(len(p)), key=lambda i: (-p[i], -self.overall[i]))[:top]
        return [Prediction(self.activities[i], float(p[i]), self.evidence(self.activities[i], at)) for i in ranked]

    def evidence(self, activity, at: datetime, n: int = 3) -> list[str]:
        """The moments that show it: this weekday at this hour, else this hour, else any, newest first."""
        for key in ((activity, at.weekday(), at.hour), (activity, at.hour), (activity,)):
            if self.examples.get(key):
                return self.examples[key][-n:][::-1]
        return []

    @classmethod
    def fit(cls, events: list[Event]) -> "Predictor":
        """Weights chosen on the person's own history (see the module's docstring)."""
        events = sorted(events, key=lambda e: e.when)
        activities = sorted({e.activity for e in events}, key=str)
        choice = {"used": "baseline", "why": "less than two weeks of history"}
        weights = BASELINE
        if events and (events[-1].when - events[0].when).days >= MIN_HISTORY_DAYS:
            weights, choice = _choose(events, activities)
        model = cls(events, weights, activities)
        model.choice = choice
        return model


def _validation(events: list[Event], activities: list) -> tuple[np.ndarray, np.ndarray]:
    """Component distributions and true indexes of the last two weeks, each predicted from the weeks before."""
    end = events[-1].when
    comps, truth = [], []
    for weeks_back in (2, 1):
        start = end - timedelta(days=7 * weeks_back)
        train = [e for e in events if e.when < start]
        if (start - events[0].when).days < 7:
            continue
        model = Predictor(train, activities=activities)
        for i, e in enumerate(events):
            if start <= e.when < start + timedelta(days=7):
                comps.append(model.components(e.when, previous_of(events, i), e.place))
                truth.append(activities.index(e.activity))
    return np.array(comps), np.array(truth, int)


def _score(comps: np.ndarray, truth: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    p = np.einsum("k,nka->na", w, comps)
    rank = (p > p[np.arange(len(truth)), truth][:, None]).sum(1)  # ties count for the truth
    ll = float(np.log(p[np.arange(len(truth)), truth] / p.sum(1) + 1e-9).mean())
    return float((rank < 3).mean()), float((rank < 1).mean()), ll


def _em(comps: np.ndarray, truth: np.ndarray, iters: int = 60) -> np.ndarray:
    """Mixing weights that maximise the held-out likelihood (deleted interpolation)."""
    like = comps[np.arange(len(truth)), :, truth] + 1e-4
    w = np.full(comps.shape[1], 1 / comps.shape[1])
    for _ in range(iters):
        r = like * w
        r /= r.sum(1, keepdims=True)
        w = r.mean(0)
    return w


def _choose(events: list[Event], activities: list) -> tuple[np.ndarray, dict[str, Any]]:
    comps, truth = _validation(events, activities)
    if not len(truth):
        return BASELINE, {"used": "baseline", "why": "no week to check a mixture on"}
    base = _score(comps, truth, BASELINE)
    em = _em(comps, truth)
    best, best_score, used = BASELINE, base, "baseline"
    for name, w in (("mixture", em), ("mixture leaning on the baseline", 0.5 * em + 0.5 * BASELINE / BASELINE.sum())):
        s = _score(comps, truth, w)
        if (s[0], s[1]) > (best_score[0], best_score[1]) or (s[:2] == best_score[:2] and s[2] > best_score[2] and used != "baseline"):
            best, best_score, used = w, s, name
    return best, {"used": used, "weights": {c: round(float(x), 3) for c, x in zip(COMPONENTS, best)},
                  "validation_events": int(len(truth)),
                  "validation_top3": round(best_score[0], 3), "baseline_top3": round(base[0], 3),
                  "validation_top1": round(best_score[1], 3), "baseline_top1": round(base[1], 3)}


# -- over a vault ----------------------------------------------------------------------------------

_PLACE = re.compile(r"\b(?:in|at) (?:an? |the )([a-z][a-z ]{2,30}?)(?=\s*(?:\(|,|\.|$))")


def place_in(text: str | None) -> str | None:
    """Where a caption or a context puts the person ('in a restaurant' -> 'restaurant'); the last
    'in ...' of an ImageNet caption is its place guess."""
    found = _PLACE.findall((text or "").lower())
    return found[-1].strip() if found else None


def events_from_vault(db, *, before: float | None = None) -> list[Event]:
    """One event per episode with a discovered activity (the activity's id), in time order; an
    event's place is where the episode before it (within two hours) was."""
    from sideload.store import activities as store

    out: list[Event] = []
    last_place, last_when = None, None
    for r in store.episode_rows(db):
        when = datetime.fromisoformat(r["started_at"]).replace(tzinfo=None)
        if before is not None and when.timestamp() >= before:
            break
        near = last_when is not None and (when - last_when).total_seconds() <= 2 * 3600
        out.append(Event(when, r["activity_id"], r["moment_ids"].split(",")[0], last_place if near else None))
        last_place, last_when = place_in(r["captions"]), when
    return out


def describe(row) -> str:
    """An activity in the person's words: its name, a typical phrase, when it usually happens."""
    import json

    stats = json.loads(row["stats"] or "{}")
    days = ("at weekends" if stats.get("weekend_share", 0) > 0.6 else
            "on weekdays" if stats.get("weekend_share", 1) < 0.15 else "any day")
    when = f"usually around {stats['peak_hour']:02d}:00 {days}" if "peak_hour" in stats else ""
    phrase = f"“{row['phrase']}”" if row["phrase"] and row["phrase"].lower() != row["name"].lower() else ""
    return ", ".join(x for x in (f"{row['name']}: {phrase}" if phrase else row["name"], when) if x)


def predict_json(db, at: datetime, context: str | None, moments_by_id) -> dict[str, Any]:
    """`predict --json`: the likely next activities with probabilities, descriptions and evidence."""
    import json

    from sideload.persona.naming import match
    from sideload.store import activities as store

    rows = {r["activity_id"]: r for r in store.activity_rows(db)}
    events = [e for e in events_from_vault(db) if e.activity in rows]
    earlier = [e for e in events if e.when <= at]
    previous = match(context, {a: json.loads(r["terms"]) for a, r in rows.items()}) if context else None
    if previous is None and earlier and (at - earlier[-1].when).total_seconds() <= AFTER_S:
        previous = earlier[-1].activity
    place = place_in(context) if context else None
    if place is None:
        place = place_in(store.recent_caption(db, at.timestamp(), at.timestamp() - 2 * 3600))
    model = Predictor.fit(earlier)
    preds = model.predict(at, previous, place=place)
    return {"predictions": [{"activity": rows[p.activity]["name"], "activity_id": p.activity,
                             "probability": round(p.probability, 3), "description": describe(rows[p.activity]),
                             "evidence": moments_by_id(p.evidence)} for p in preds],
            "previous": rows[previous]["name"] if previous in rows else None,
            "where": place, "model": getattr(model, "choice", {})}
