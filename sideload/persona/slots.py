"""Groups of moments that take turns in the same slots of the week are one routine told in other words.

Clustering by meaning splits a routine the person describes in several ways ("handover on ward six",
"took report from the night team"): each wording becomes its own small group, some too small to
count, and a prediction then spends its guesses on one routine twice. What gives such groups away is
when they happen: they fill the same slots of the week (the same weekday, within the hour, in other
weeks) and never happen together (one routine is done once at a time). Two different activities do
not: either they keep to other slots (Monday's nap, Tuesday's bowls), or they happen on the same day
one after the other (the drive home, then the call to Mum). So two groups merge when most of their
moments find the other group in their slot in another week, and almost none find it on the same day;
a group of one moment shows no routine and merges with nothing here.
"""
from __future__ import annotations

from datetime import datetime

import numpy as np

SLOT_HOURS = 1.0      # the same weekday, this close in the time of day: the same slot of the week
SLOT_SHARE = 0.5      # at least this share of both groups' moments have the other group in their slot
CLASH_HOURS = 3.0     # the other group this close on the same day is a clash: two things, not one
CLASH_SHARE = 0.1     # at most this share of the moments clash (a routine written about twice)
MIN_GROUP = 2         # one moment shows no routine: two one-offs at the same hour are a coincidence


def _share(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> tuple[float, float]:
    """(slot share, clash share) of two groups' moments."""
    same_wd = a["wd"][:, None] == b["wd"][None, :]
    other_day = a["day"][:, None] != b["day"][None, :]
    near = np.abs(a["tod"][:, None] - b["tod"][None, :]) <= SLOT_HOURS
    slot = same_wd & other_day & near
    clash = np.abs(a["t"][:, None] - b["t"][None, :]) <= CLASH_HOURS
    n = len(a["t"]) + len(b["t"])
    return ((slot.any(1).sum() + slot.any(0).sum()) / n, (clash.any(1).sum() + clash.any(0).sum()) / n)


def _slot_counts(group: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Moments per hour of the week, and the hours of the week within one hour of one of them."""
    counts = np.zeros((7, 24))
    np.add.at(counts, (group["wd"], group["tod"].astype(int) % 24), 1)
    near = (counts + np.roll(counts, 1, 1) + np.roll(counts, -1, 1)) > 0
    return counts.ravel(), near.ravel().astype(float)


def merge_taking_turns(labels: np.ndarray, starts: list[datetime]) -> np.ndarray:
    """Labels (one group per value, -1 none) with the groups that take turns in one slot merged,
    the pair sharing most slots first. Only pairs whose hours of the week could share enough slots
    are compared moment by moment, so thousands of small groups stay cheap."""
    labels = np.asarray(labels).copy()
    hours = np.array([s.timestamp() / 3600 for s in starts])

    def group(idx: np.ndarray) -> dict[str, np.ndarray]:
        when = [starts[i] for i in idx]
        return {"t": hours[idx], "day": np.array([w.toordinal() for w in when]),
                "wd": np.array([w.weekday() for w in when]),
                "tod": np.array([w.hour + w.minute / 60 for w in when])}

    ids = sorted(c for c in set(labels.tolist()) if c >= 0)
    groups = [group(np.flatnonzero(labels == c)) for c in ids]
    if len(groups) < 2:
        return labels
    counts, near = map(np.array, zip(*(_slot_counts(g) for g in groups)))
    sizes = counts.sum(1)
    alive = np.ones(len(groups), bool)
    scores: dict[tuple[int, int], float] = {}

    def rescore(c: int) -> None:
        bound = (near @ counts[c] + counts @ near[c]) / (sizes + sizes[c])  # slot share at most
        for d in np.flatnonzero(alive & (bound >= SLOT_SHARE)).tolist():
            if d != c and min(sizes[c], sizes[d]) >= MIN_GROUP:
                slot, clash = _share(groups[c], groups[d])
                if slot >= SLOT_SHARE and clash <= CLASH_SHARE:
                    scores[(min(c, d), max(c, d))] = slot

    for c in range(len(groups)):
        rescore(c)
    while scores:
        (c, d), _ = max(scores.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
        labels[labels == ids[d]] = ids[c]
        groups[c] = group(np.flatnonzero(labels == ids[c]))
        counts[c], near[c] = _slot_counts(groups[c])
        sizes[c] = counts[c].sum()
        alive[d] = False
        for key in [k for k in scores if c in k or d in k]:
            del scores[key]
        rescore(c)
    return labels
