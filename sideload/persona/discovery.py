"""Activities discovered from the moments themselves: no fixed list of categories.

1. Episodes: moments close in time that belong together (the sentences and scenes of one recording
   within ten minutes, or written moments within ten minutes that mean much the same) become one.
2. Each episode is a point: the mean of its moments' stored text vectors (what was said, written and
   seen, with the scene and place labels of the captions), plus a small part for the time of day
   and for who was there, so "coffee with Sam at eight" sits apart from "coffee alone at four".
3. Average-linkage clustering by cosine with a fixed threshold (no number of activities is assumed);
   groups with fewer than three episodes are left as occasional moments, not activities.
4. The clusters are matched to the stored activities by their members (and by centroid), so ids
   stay stable: the owner's names, merges and splits keep applying; unmatched clusters are new
   activities, stored ones no longer found are 'gone' (kept, so a rename survives a quiet month).
5. Each activity is named in the person's words (`naming`).

New moments after an import join the nearest activity (`assign_new`); consolidation rediscovers.
"""
from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from sideload.persona import naming, slots
from sideload.store import activities as store

EPISODE_GAP_S = 600          # moments this close may be one episode
EPISODE_SIMILAR = 0.35       # ... when from one recording, or this similar
LINK_DISTANCE = 0.62         # average-linkage cut (cosine distance) between activities
ASSIGN_SIMILAR = 0.40        # a new episode joins the nearest activity at least this similar
MIN_EPISODES = 3             # fewer is an occasional moment, not an activity
MAX_CLUSTERED = 4000         # the newest episodes clustered; older ones join the nearest activity
TIME_WEIGHT = 0.30           # the time of day's part of an episode's point
PEOPLE_WEIGHT = 0.30         # who was there
MATCH_CENTROID = 0.85        # an unmatched cluster this close to a stored activity is that activity


@dataclass
class Episode:
    rids: list[int]
    start: datetime
    t_start: float
    t_end: float
    file_ids: set[int]
    vector: np.ndarray
    texts: list[str] = field(default_factory=list)
    people: set[str] = field(default_factory=set)

    @property
    def key(self) -> int:
        return self.rids[0]

    @property
    def text(self) -> str:
        return " ".join(t for t in self.texts if t)


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n else v


def load_episodes(db, *, rids_after: int = 0) -> list[Episode]:
    out: list[Episode] = []
    cur: Episode | None = None
    for r in store.moment_rows(db, rids_after=rids_after):
        v = _unit(np.frombuffer(r["vector"], np.float32).astype(np.float32))
        text = " ".join(x for x in (r["text"], r["caption"]) if x)
        who = r["speaker_name"] if r["speaker"] != "me" else None
        if (cur is not None and r["t_start"] - max(cur.t_end, cur.t_start) <= EPISODE_GAP_S
                and ((r["file_id"] in cur.file_ids and r["kind"] != "text")  # one recording, not one diary
                     or float(_unit(cur.vector) @ v) >= EPISODE_SIMILAR)):
            cur.rids.append(r["rid"])
            cur.vector = cur.vector + v
            cur.t_end = max(cur.t_end, r["t_end"] or r["t_start"])
            cur.file_ids.add(r["file_id"])
            cur.texts.append(text)
            if who:
                cur.people.add(who)
            continue
        cur = Episode([r["rid"]], datetime.fromisoformat(r["started_at"]).replace(tzinfo=None), r["t_start"],
                      r["t_end"] or r["t_start"], {r["file_id"]}, v.copy(), [text], {who} if who else set())
        out.append(cur)
    for e in out:
        e.vector = _unit(e.vector).astype(np.float32)
    return out


def points(episodes: list[Episode]) -> np.ndarray:
    """Meaning, time of day and company as one unit vector per episode."""
    if not episodes:
        return np.zeros((0, 0), np.float32)
    meaning = np.stack([e.vector for e in episodes])
    hours = np.array([e.start.hour + e.start.minute / 60 for e in episodes]) * (2 * np.pi / 24)
    clock = np.stack([np.cos(hours), np.sin(hours)], 1) * TIME_WEIGHT
    company = np.zeros((len(episodes), 16), np.float32)
    for i, e in enumerate(episodes):
        for p in e.people:
            company[i, zlib.crc32(p.encode()) % 16] = 1.0
    norms = np.linalg.norm(company, axis=1, keepdims=True)
    company = np.divide(company, norms, out=np.zeros_like(company), where=norms > 0) * PEOPLE_WEIGHT
    x = np.concatenate([meaning, clock, company], 1).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def cluster(x: np.ndarray, starts: list[datetime] | None = None) -> np.ndarray:
    """Labels 0..k-1 for groups of at least MIN_EPISODES, -1 for the occasional rest. Given the
    episodes' start times, groups that take turns in the same slots of the week merge (`slots`)."""
    n = len(x)
    if n < MIN_EPISODES:
        return -np.ones(n, int)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    d = np.clip(pdist(x.astype(np.float64), "cosine"), 0, 2)
    raw = fcluster(linkage(d, "average"), LINK_DISTANCE, "distance")
    if starts is not None:
        raw = slots.merge_taking_turns(raw, starts)
    sizes = Counter(raw.tolist())
    keep = {c: i for i, c in enumerate(c for c, s in sizes.most_common() if s >= MIN_EPISODES)}
    return np.array([keep.get(c, -1) for c in raw.tolist()], int)


def nearest(x: np.ndarray, centroids: np.ndarray, floor: float) -> np.ndarray:
    if not len(centroids) or not len(x):
        return -np.ones(len(x), int)
    sims = x @ centroids.T
    best = sims.argmax(1)
    return np.where(sims[np.arange(len(x)), best] >= floor, best, -1)


def _centroids(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    c = np.stack([x[labels == i].mean(0) if (labels == i).any() else np.zeros(x.shape[1]) for i in range(k)])
    n = np.linalg.norm(c, axis=1, keepdims=True)
    return (c / np.where(n > 0, n, 1)).astype(np.float32)


def discover(vault, *, now: datetime | None = None) -> dict[str, Any]:
    """Rediscover every activity; returns what changed (new ones by name, gone ones, counts)."""
    db = vault.db
    episodes = load_episodes(db)
    x = points(episodes)
    labels = -np.ones(len(episodes), int)
    if len(episodes):
        recent = slice(max(0, len(episodes) - MAX_CLUSTERED), len(episodes))
        labels[recent] = cluster(x[recent], [e.start for e in episodes[recent]])
        k = int(labels.max()) + 1
        if k and recent.start:
            labels[:recent.start] = nearest(x[:recent.start], _centroids(x, labels, k), ASSIGN_SIMILAR)
    k = int(labels.max()) + 1 if len(labels) else 0
    stamp = (now or datetime.now()).isoformat(timespec="seconds")
    with vault.transaction() as tx:
        ids, new = _match(tx, episodes, labels, x, k, stamp)
        by_id = np.array([ids[c] if c >= 0 else -1 for c in labels.tolist()], int)
        by_id = _apply_splits(tx, x, by_id)
        store.replace_assignments(tx, [(rid, int(a), e.key) for e, a in zip(episodes, by_id.tolist()) if a >= 0
                                       for rid in e.rids])
        live = sorted({int(a) for a in by_id.tolist() if a >= 0})
        _describe(tx, episodes, x, by_id, live)
        gone = [r["activity_id"] for r in store.activity_rows(tx) if r["activity_id"] not in live]
        store.set_gone(tx, gone)
        names = {r["activity_id"]: r["name"] for r in store.activity_rows(tx, every=True)}
    return {"activities": len(live), "episodes": len(episodes), "assigned": int((by_id >= 0).sum()),
            "new": [names[i] for i in new if i in live], "gone": [names[i] for i in gone]}


def _resolve(rows: dict[int, Any], aid: int) -> int:
    seen = set()
    while rows.get(aid) is not None and rows[aid]["merged_into"] and aid not in seen:
        seen.add(aid)
        aid = rows[aid]["merged_into"]
    return aid


def _match(tx, episodes, labels, x, k, stamp) -> tuple[dict[int, int], list[int]]:
    """Cluster -> stored activity id, by the members they share (then by centroid); new ids for the rest."""
    old = store.assignments(tx)
    rows = {r["activity_id"]: r for r in store.activity_rows(tx, every=True)}
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(labels.tolist()):
        if c >= 0:
            members[c].append(i)
    cents = _centroids(x, labels, k) if k else np.zeros((0, x.shape[1] if len(x) else 0), np.float32)
    taken: set[int] = set()
    ids: dict[int, int] = {}
    new: list[int] = []
    for c in sorted(members, key=lambda c: -len(members[c])):
        votes = Counter(old[rid] for i in members[c] for rid in episodes[i].rids if rid in old)
        choice = None
        for aid, n in votes.most_common():
            target = _resolve(rows, aid)
            if n >= 0.3 * sum(votes.values()) and (target not in taken or target != aid):
                choice = target
                break
        if choice is None:
            for aid, r in rows.items():
                cent = store.centroid(r)
                if cent is not None and len(cent) == cents.shape[1] and float(cent @ cents[c]) >= MATCH_CENTROID:
                    target = _resolve(rows, aid)
                    if target not in taken or target != aid:
                        choice = target
                        break
        if choice is None:
            choice = store.insert_activity(tx, "…", stamp)
            new.append(choice)
        taken.add(choice)
        ids[c] = choice
    return ids, new


def _apply_splits(tx, x, by_id: np.ndarray) -> np.ndarray:
    """An activity the owner split stays split: its episodes go to the nearest of its parts."""
    rows = store.activity_rows(tx)
    children: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r["split_from"] is not None:
            children[r["split_from"]].append(r["activity_id"])
    cents = {r["activity_id"]: store.centroid(r) for r in rows}
    for parent, kids in children.items():
        family = [a for a in [parent, *kids] if cents.get(a) is not None and len(cents[a]) == x.shape[1]]
        if len(family) < 2:
            continue
        inside = np.isin(by_id, family)
        if inside.any():
            c = np.stack([cents[a] for a in family])
            by_id[inside] = np.array(family)[(x[inside] @ c.T).argmax(1)]
    return by_id


def _describe(tx, episodes, x, by_id, live) -> None:
    """Name, phrase, terms, centroid and figures of every live activity."""
    groups = {a: [i for i in range(len(episodes)) if by_id[i] == a] for a in live}
    rest = [i for i in range(len(episodes)) if by_id[i] < 0]
    texts = {a: [episodes[i].text for i in idx] for a, idx in groups.items()}
    if rest:
        texts[-1] = [episodes[i].text for i in rest]  # the occasional moments are 'the rest of the life' too
    scored = naming.characteristic(texts)
    found: dict[int, dict[str, Any]] = {}
    for a, idx in groups.items():
        cent = x[idx].mean(0)
        cent = cent / (np.linalg.norm(cent) or 1)
        central = idx[int((x[idx] @ cent).argmax())]
        people = [next(iter(sorted(episodes[i].people)), None) for i in idx]
        peak = Counter(episodes[i].start.hour for i in idx).most_common(1)[0][0]
        weekend = sum(episodes[i].start.weekday() >= 5 for i in idx) / len(idx)
        stats = {"episodes": len(idx), "peak_hour": peak, "weekend_share": round(weekend, 2),
                 "first": episodes[idx[0]].start.isoformat(timespec="minutes"),
                 "last": episodes[idx[-1]].start.isoformat(timespec="minutes"),
                 "typical_moment": episodes[central].key}
        found[a] = {"name": naming.name_from(scored.get(a, []), episodes[central].text, people),
                    "phrase": naming.short(episodes[central].text), "terms": naming.term_weights(scored.get(a, [])),
                    "vector": cent, "stats": stats}
    clash = Counter(f["name"] for f in found.values())
    for f in found.values():  # two activities, one phrase: the time of day tells them apart
        if clash[f["name"]] > 1:
            f["name"] = f"{f['name']} ({naming.period(f['stats']['peak_hour'])})"
    for a, f in found.items():
        store.describe(tx, a, **f)


def assign_new(vault) -> dict[str, Any]:
    """After an import: new moments join the nearest activity (cheap; consolidation rediscovers).
    A vault with no activities yet discovers them now."""
    db = vault.db
    rows = store.activity_rows(db)
    if not rows:
        return discover(vault)
    after = store.max_assigned_rid(db)
    episodes = load_episodes(db, rids_after=after)
    if not episodes:
        return {"assigned": 0}
    x = points(episodes)
    cents = [(r["activity_id"], store.centroid(r)) for r in rows if r["centroid"] is not None]
    cents = [(a, c) for a, c in cents if len(c) == x.shape[1]]
    if not cents:
        return {"assigned": 0}
    best = nearest(x, np.stack([c for _, c in cents]), ASSIGN_SIMILAR)
    out = [(rid, cents[b][0], e.key) for e, b in zip(episodes, best.tolist()) if b >= 0 for rid in e.rids]
    with vault.transaction() as tx:
        store.add_assignments(tx, out)
    return {"assigned": len(out)}
