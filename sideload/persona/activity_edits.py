"""The owner's word on the discovered activities: list, rename, merge, split, rediscover.

Corrections are kept on the activity's stable id, so the next rediscovery maps its clusters onto
them: a renamed activity keeps the owner's name, a merged one keeps sending its moments to the
activity it was merged into, and a split one stays split (each episode goes to the nearest part).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np

from sideload.errors import SideloadError
from sideload.persona import discovery
from sideload.persona.predict import describe
from sideload.store import activities as store


def _as_json(db, row) -> dict[str, Any]:
    stats = json.loads(row["stats"] or "{}")
    return {"activity_id": row["activity_id"], "name": row["name"], "named_by": row["named_by"],
            "description": describe(row), "phrase": row["phrase"], "status": row["status"],
            "episodes": row["episodes"], "moments": row["moments"], "peak_hour": stats.get("peak_hour"),
            "weekend_share": stats.get("weekend_share"), "first": stats.get("first"), "last": stats.get("last"),
            "merged_into": row["merged_into"], "split_from": row["split_from"],
            "evidence": store.moment_ids_of(db, row["activity_id"], 3)}


def listing(db) -> list[dict[str, Any]]:
    return [_as_json(db, r) for r in store.activity_rows(db)]


def _row(db, activity_id: int):
    row = next((r for r in store.activity_rows(db, every=True) if r["activity_id"] == activity_id), None)
    if row is None or row["status"] != "active":
        what = (f"no activity has the number {activity_id}" if row is None
                else f"activity {activity_id} is {row['status']}" + (f" into {row['merged_into']}" if row["merged_into"] else ""))
        raise SideloadError(what, kind="usage",
                            hint="`sideload activities` lists them with their numbers")
    return row


def one(db, activity_id: int) -> dict[str, Any]:
    return _as_json(db, _row(db, activity_id))


def rename(vault, activity_id: int, name: str) -> dict[str, Any]:
    name = " ".join(name.split())
    if not name:
        raise SideloadError("an activity's name cannot be empty", kind="usage")
    _row(vault.db, activity_id)
    with vault.transaction() as tx:
        store.rename(tx, activity_id, name)
    return {"activity": one(vault.db, activity_id)}


def merge(vault, source: int, target: int) -> dict[str, Any]:
    """`source` becomes part of `target` (which keeps its number and name)."""
    if source == target:
        raise SideloadError("an activity cannot be merged into itself", kind="usage")
    _row(vault.db, source), _row(vault.db, target)
    with vault.transaction() as tx:
        store.merge(tx, source, target)
    return {"activity": one(vault.db, target), "merged": [source]}


def split(vault, activity_id: int) -> dict[str, Any]:
    """Two activities where there was one: its episodes in two groups by meaning and time (2-means);
    the second group becomes a new activity that rediscovery keeps apart."""
    row = _row(vault.db, activity_id)
    mine = {rid for rid, a in store.assignments(vault.db).items() if a == activity_id}
    episodes = [e for e in discovery.load_episodes(vault.db) if e.rids[0] in mine]
    if len(episodes) < 2 * discovery.MIN_EPISODES:
        raise SideloadError(f"activity {activity_id} has {len(episodes)} episode(s): too few to split",
                            kind="usage", hint=f"an activity needs {2 * discovery.MIN_EPISODES} to split")
    x = discovery.points(episodes)
    part = _two_means(x)
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        child = store.insert_activity(tx, f"{row['name']} (part 2)", now, split_from=activity_id)
        for side, aid in ((0, activity_id), (1, child)):
            c = x[part == side].mean(0)
            store.set_centroid(tx, aid, c / (np.linalg.norm(c) or 1))
        store.move(tx, [rid for e, p in zip(episodes, part.tolist()) if p == 1 for rid in e.rids], child)
    discovery.discover(vault)  # names both parts in the person's words
    return {"activities": [one(vault.db, activity_id), one(vault.db, child)]}


def _two_means(x: np.ndarray, iters: int = 20) -> np.ndarray:
    """Two groups: seeded by the point farthest from the mean and the point farthest from it."""
    a = x[int((x @ x.mean(0)).argmin())]
    b = x[int((x @ a).argmin())]
    c = np.stack([a, b])
    part = np.zeros(len(x), int)
    for _ in range(iters):
        part = (x @ c.T).argmax(1)
        if part.min() == part.max():
            break
        c = np.stack([x[part == i].mean(0) for i in (0, 1)])
    return part


def refresh(vault) -> dict[str, Any]:
    return {**discovery.discover(vault), "list": listing(vault.db)}
