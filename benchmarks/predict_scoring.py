"""Scoring for benchmarks/predict.py: the held-out week against the true labels, both baselines, and
where the loss comes from.

A discovered activity counts as the true activity most of its weeks 1-3 moments had (majority vote).
Where the loss comes from:
- the confusion between discovered activities and true labels over weeks 1-3: a true activity split
  across several activities (each a share of its moments), and activities that merged two truths;
- each held-out routine moment `sideload predict` missed (not in its top 3), and why:
  'no activity stands for it' (discovery lost or merged it), 'split' (summing the probabilities of
  the activities that stand for one truth would have put it in the top 3: discovery), or
  'prediction' (it ranked lower even summed);
- the same-weekday-and-hour baseline over the discovered activities (what the predictor is
  guaranteed not to fall below on the history it checks itself on);
- the same predictor fitted on the TRUE labels of weeks 1-3 (perfect discovery): the ceiling that
  discovery leaves to prediction.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from sideload.persona.predict import AFTER_S, Event, Predictor

KINDS = ("sideload predict", "three most frequent", "most frequent at that weekday and hour",
         "same, on the discovered activities", "sideload predict on the true labels")


def label_events(events, items) -> dict[int, str | None]:
    """Event index -> the true label of the generated item it came from (nearest in time, 2 minutes)."""
    out = {}
    for k, e in enumerate(events):
        best = min(items, key=lambda it: abs((it["when"] - e.when).total_seconds()))
        if abs((best["when"] - e.when).total_seconds()) <= 120:
            out[k] = best["label"]
    return out


def _previous(events, at):
    before = [e for e in events if e.when < at - timedelta(seconds=1)]
    return before[-1].activity if before and (at - before[-1].when).total_seconds() <= AFTER_S else None


def score(events, items, cut, names: dict) -> dict:
    """Hits (top-1, top-3) per predictor on the held-out routine items, and the diagnosis lines."""
    truth = label_events(events, items)
    history = [e for e in events if e.when < cut]
    votes: dict = defaultdict(Counter)
    for k, e in enumerate(events):
        if e.when < cut and truth.get(k):
            votes[e.activity][truth[k]] += 1
    to_label = {a: c.most_common(1)[0][0] for a, c in votes.items()}
    model = Predictor.fit(history)
    base = Predictor(history)  # the same-weekday-and-hour baseline over the discovered activities
    hist = [i for i in items if i["when"] < cut and i["label"]]
    overall = [a for a, _ in Counter(i["label"] for i in hist).most_common()]
    slot: dict = defaultdict(Counter)
    for i in hist:
        slot[(i["when"].weekday(), i["when"].hour)][i["label"]] += 1
    true_events = [Event(i["when"], i["label"]) for i in hist]
    oracle = Predictor.fit(true_events)
    hits = {k: [0, 0] for k in KINDS}
    scored = [i for i in items if i["when"] >= cut and i["label"]]
    misses = Counter()
    missed_lines = []
    for it in scored:
        at, label = it["when"], it["label"]
        prev = _previous(events, at)
        ours = [to_label.get(p.activity, f"?{p.activity}") for p in model.predict(at, prev)]
        here = [a for a, _ in slot[(at.weekday(), at.hour)].most_common(3)]
        here += [a for a in overall if a not in here][: 3 - len(here)]
        true_prev = next((i["label"] for i in reversed(items) if i["label"] and i["when"] < at - timedelta(seconds=1)
                          and (at - i["when"]).total_seconds() <= AFTER_S), None)
        ceiling = [p.activity for p in oracle.predict(at, true_prev)]
        found = [to_label.get(p.activity, f"?{p.activity}") for p in base.predict(at, prev)]
        for k, ranked in zip(KINDS, (ours, overall[:3], here, found, ceiling)):
            hits[k][0] += ranked[:1] == [label]
            hits[k][1] += label in ranked[:3]
        if label in ours[:3]:
            continue
        if label not in to_label.values():
            why = "discovery: no activity stands for it"
        else:
            p = model.distribution(at, prev)
            summed = Counter()
            for a, q in zip(model.activities, p):
                summed[to_label.get(a, f"?{a}")] += q
            why = ("discovery: split (summed over its activities it is in the top 3)"
                   if label in [x for x, _ in summed.most_common(3)] else "prediction: ranked lower even summed")
        misses[why] += 1
        missed_lines.append(f"      {at:%a %H:%M} {label:<20} guessed {', '.join(ours)}  <- {why}"
                            f"{'' if label in here else ' (the true-label weekday-hour baseline missed it too)'}")
    lines = _confusion(votes, names)
    lines.append(f"    held-out misses: {dict(misses) or 'none'}")
    lines += missed_lines
    return {"scored": len(scored), "hits": hits, "choice": model.choice, "to_label": to_label, "diagnosis": lines}


def _confusion(votes: dict, names: dict) -> list[str]:
    """Which true activities were split across several discovered ones, and which were merged into one."""
    by_label: dict = defaultdict(Counter)
    for a, c in votes.items():
        for label, n in c.items():
            by_label[label][a] += n
    lines = ["    confusion over weeks 1-3 (true activity: its discovered activities, moments each):"]
    for label, c in sorted(by_label.items()):
        parts = ", ".join(f"{names.get(a, f'#{a} (gone)')!r} {n}" for a, n in c.most_common())
        split = sum(1 for a, n in c.items() if votes[a].most_common(1)[0][0] == label)
        lines.append(f"      {label:<20} {'SPLIT in ' + str(split) if split > 1 else 'one':<10} {parts}")
    for a, c in votes.items():
        total = sum(c.values())
        big = [(label, n) for label, n in c.most_common() if n >= 0.2 * total]
        if len(big) > 1:
            lines.append(f"      MERGED: {names.get(a, a)!r} holds " + ", ".join(f"{label} {n}" for label, n in big))
    return lines
