"""What a lifelog takes on disk: per day, per month and per kind, and five years at the current rate.

Originals are counted where they are (inside the vault or out, as they are on disk now, reduced
copies apart), with the keyframes and thumbnails made from each under the day it was recorded. The
vault's shared parts (the catalogue, the search index, the vector matrix, backups, adapters) have no
day of their own; they are totals. The projection is bytes per recorded day times the days of five
years: a day with a camera running costs what the average recorded day cost so far.
"""
from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sideload.lifecycle import retention
from sideload.store import storage_stats
from sideload.store.vault import Vault

YEARS = 5
DAYS = round(YEARS * 365.25)
ORIGINAL_KINDS = ("video", "audio", "photo", "text", "reduced")
SHARED_KINDS = ("catalogue", "index", "vectors", "backups", "adapters", "other")


def dir_size(folder: Path) -> int:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass  # removed while we walked
    return total


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def report(vault: Vault, now: datetime | None = None) -> dict[str, Any]:
    """`sideload storage --json`: bytes per kind, per day, per month, the projection, the retention plan."""
    p = vault.paths
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"bytes": 0, "files": 0})
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    outside = inside = 0
    # what retention already did: the originals' bytes when recorded, and what is left of them
    retained = {"reduce": [0, 0], "delete": [0, 0]}
    missing: list[str] = []
    for f in storage_stats.originals(vault.db):
        path, day = Path(f["path"]), f["day"] or "unknown"
        done = f["retention"] or {}
        if done.get("action") in retained:
            retained[done["action"]][0] += done.get("original_bytes") or 0
            retained[done["action"]][1] += done.get("bytes") or 0
        kind = "reduced" if (f["retention"] or {}).get("action") == "reduce" else f["media_kind"]
        if path.is_file():
            size = _file_size(path)
            kinds[kind]["bytes"] += size
            kinds[kind]["files"] += 1
            per_day[day][kind] += size
            if path.resolve().is_relative_to(p.root):
                inside += size
            else:
                outside += size
        elif (f["retention"] or {}).get("action") != "delete":
            missing.append(str(path))
        folder = p.derived_folder(f["content_hash"])
        frames = dir_size(p.keyframes_dir / folder) + dir_size(p.thumbnails_dir / folder)
        if frames:
            kinds["keyframes"]["bytes"] += frames
            per_day[day]["keyframes"] += frames
    catalogue = sum(_file_size(p.catalogue.with_name(p.catalogue.name + s)) for s in ("", "-wal", "-shm"))
    shared = {"catalogue": catalogue, "index": dir_size(p.index_dir), "vectors": _file_size(p.vectors_file),
              "backups": dir_size(p.backups_dir), "adapters": dir_size(p.adapters_dir)}
    vault_total = dir_size(p.root)
    shared["other"] = max(vault_total - inside - kinds["keyframes"]["bytes"] - sum(shared.values()), 0)
    for k, v in shared.items():
        kinds[k]["bytes"] = v

    days = [{"day": d, "bytes": sum(by.values()), "by_kind": dict(by)} for d, by in sorted(per_day.items())]
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in days:
        for k, v in d["by_kind"].items():
            per_month[d["day"][:7]][k] += v
    months = [{"month": m, "bytes": sum(by.values()), "by_kind": dict(by)} for m, by in sorted(per_month.items())]
    total = inside + outside + kinds["keyframes"]["bytes"] + sum(shared.values())
    recorded = len([d for d in per_day if d != "unknown"]) or len(per_day)
    plan = retention.plan(vault, now)
    doc: dict[str, Any] = {
        "vault": str(p.root), "bytes": total, "vault_bytes": vault_total, "originals_outside_vault_bytes": outside,
        "kinds": {k: dict(kinds[k]) for k in (*ORIGINAL_KINDS, "keyframes", *SHARED_KINDS) if k in kinds},
        "days": days, "months": months, "missing_originals": missing, "recorded_days": recorded,
        "projection": _projection(total, recorded, kinds, vault.settings, plan, retained),
        "retention_plan": plan,
    }
    return doc


def _projection(total: int, recorded: int, kinds, settings, plan: dict[str, Any],
                retained: dict[str, list[int]]) -> dict[str, Any]:
    """Five years at the current rate of recording (what the days took when recorded, before any
    retention); with the retention policy too when one is active (videos older than its months at the
    ratio its reduced copies reached, or the plan's estimate before any)."""
    (reduced_from, reduced_to), (deleted, _) = retained["reduce"], retained["delete"]
    per_day = (total - reduced_to + reduced_from + deleted) / recorded if recorded else 0.0
    out: dict[str, Any] = {"years": YEARS, "days": DAYS, "bytes_per_recorded_day": round(per_day),
                           "bytes": round(per_day * DAYS)}
    if not plan["active"] or not recorded:
        return out
    keep_days = min(round(settings["retention_originals_months"] * 30.44), DAYS)
    media = ("video",) if plan["action"] == "reduce" else ("video", "audio")
    whole = (sum(kinds[k]["bytes"] for k in media if k in kinds) + reduced_from + deleted) / recorded
    if plan["action"] == "delete":
        ratio = 0.0
    elif reduced_from:
        ratio = reduced_to / reduced_from
    elif plan["files"]:
        ratio = 1 - plan["bytes_freed_estimate"] / plan["bytes"]
    else:
        return out  # nothing reduced yet and nothing old enough to estimate from
    out["retention_ratio"] = round(ratio, 4)
    out["bytes_with_retention"] = round(per_day * DAYS - whole * (DAYS - keep_days) * (1 - ratio))
    return out
