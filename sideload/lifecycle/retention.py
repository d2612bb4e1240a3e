"""The retention policy: after N months, an original video is kept as a low-bitrate copy (or, only
when the owner said so twice, deleted), while its keyframes, transcripts and moments stay.

`plan` says what the policy would do now (files, bytes freed) and changes nothing: the app and
`sideload storage --plan` show it before consolidation acts. `apply` does it, one file at a time,
each in this order so that a kill at any point loses nothing: the copy is written beside its final
name, checked with ffprobe to reach every moment's second, renamed into `originals/reduced/`, the
catalogue points the file's row (and so its moments) at it in one transaction, and only then is the
original removed. A copy inside the vault (`copy_originals`) is replaced by `reduce`; an original
kept where it was found (a camera card, a NAS) is never touched unless `retention_allow_delete` is
set. Photos and writing are never touched: they are the moment itself and small.
"""
from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from sideload.errors import Cancelled, SideloadError
from sideload.jobs import JobContext
from sideload.store import storage_stats
from sideload.store.vault import Vault

log = logging.getLogger(__name__)
REDUCED_BYTES_PER_S = (250_000 + 48_000) / 8  # what a 360p CRF 32 copy takes, about, for the estimate
MEDIA = {"reduce": ("video",), "delete": ("video", "audio")}


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    import calendar

    y, m = divmod(now.year * 12 + (now.month - 1) - months, 12)
    day = min(now.day, calendar.monthrange(y, m + 1)[1])
    return now.replace(year=y, month=m + 1, day=day)


def plan(vault: Vault, now: datetime | None = None) -> dict[str, Any]:
    """What retention would do now, changing nothing: each file with its bytes and what would be freed."""
    s = vault.settings
    months, action, allow_delete = s["retention_originals_months"], s["retention_action"], s["retention_allow_delete"]
    doc: dict[str, Any] = {"action": action, "months": months, "allow_delete": allow_delete, "active": False,
                           "cutoff": None, "files": [], "skipped": [], "bytes": 0, "bytes_freed_estimate": 0}
    if action == "keep" or months == 0:
        doc["note"] = ("retention is off: originals are kept whole forever (set retention_originals_months and "
                       "retention_action to reduce old videos to low-bitrate copies)")
        return doc
    if action == "delete" and not allow_delete:
        doc["note"] = "retention_action is delete but retention_allow_delete is false: nothing will be deleted"
        return doc
    cutoff = months_before(now or datetime.now(), months)
    doc.update(active=True, cutoff=cutoff.isoformat(timespec="minutes"))
    root = vault.paths.root
    for f in storage_stats.originals(vault.db):
        if f["retention"] or f["media_kind"] not in MEDIA[action]:
            continue
        path = Path(f["path"])
        if not f["started_at"]:
            doc["skipped"].append({"path": str(path), "reason": "recorded at an unknown time"})
            continue
        if datetime.fromisoformat(f["started_at"]).replace(tzinfo=None) >= cutoff:
            continue  # younger than the policy's months
        if not path.is_file():
            doc["skipped"].append({"path": str(path), "reason": "the original is not there (an unplugged drive?)"})
            continue
        inside = path.resolve().is_relative_to(root)
        if not inside and not allow_delete:
            doc["skipped"].append({"path": str(path), "reason": "kept outside the vault: never touched without "
                                                                 "retention_allow_delete"})
            continue
        size = path.stat().st_size
        freed = size if action == "delete" else size - int((f["duration_s"] or 0) * REDUCED_BYTES_PER_S)
        if freed <= 0:
            doc["skipped"].append({"path": str(path), "reason": "already small: a low-bitrate copy would not be smaller"})
            continue
        doc["files"].append({"file_id": f["file_id"], "content_hash": f["content_hash"], "path": str(path),
                             "day": f["day"], "kind": f["media_kind"], "bytes": size, "inside_vault": inside,
                             "duration_s": f["duration_s"], "action": action, "bytes_freed_estimate": freed})
        doc["bytes"] += size
        doc["bytes_freed_estimate"] += freed
    return doc


def apply(vault: Vault, ctx: JobContext | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Carry the plan out (consolidation's `retention` step); each file wholly done or not at all."""
    vault.require_writable()
    ctx = ctx or JobContext()
    finished = _finish_interrupted(vault)
    todo = plan(vault, now)
    out: dict[str, Any] = {"action": todo["action"], "files": 0, "bytes_before": 0, "bytes_after": 0,
                           "bytes_freed": 0, "failed": [], "skipped": len(todo["skipped"]),
                           "finished_from_before": finished}
    if not todo["active"]:
        out["note"] = todo.get("note", "")
        return out
    threads = vault.settings["threads"]
    for i, item in enumerate(todo["files"]):
        ctx.check()
        ctx.report(i / max(len(todo["files"]), 1), "retention", Path(item["path"]).name)
        try:
            after = _reduce(vault, item, threads, ctx) if item["action"] == "reduce" else _delete(vault, item)
        except (Cancelled, KeyboardInterrupt):
            raise
        except Exception as exc:  # one file failing leaves it whole, and the rest goes on
            log.warning("retention of %s failed: %s", item["path"], exc)
            out["failed"].append({"path": item["path"], "reason": str(exc) or type(exc).__name__})
            continue
        out["files"] += 1
        out["bytes_before"] += item["bytes"]
        out["bytes_after"] += after
    out["bytes_freed"] = out["bytes_before"] - out["bytes_after"]
    return out


def _reduce(vault: Vault, item: dict[str, Any], threads: int, ctx: JobContext) -> int:
    from lifelog_import.probe import ProbeError, probe
    from models.transcode import reduce_video

    src, dst = Path(item["path"]), vault.paths.reduced_copy(item["content_hash"])
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".part")
    try:
        reduce_video(src, tmp, threads=threads, check=ctx.check)
        try:
            got = probe(tmp).duration
        except ProbeError as exc:
            raise SideloadError(f"the low-bitrate copy is not readable ({exc})", kind="input") from None
        need = max(storage_stats.latest_moment_end(vault.db, item["file_id"]), 0.9 * (item["duration_s"] or 0))
        if got + 0.5 < need:  # every moment must still open at its second on the copy
            raise SideloadError(f"the low-bitrate copy lasts {got:.1f} s, short of {need:.1f} s", kind="input")
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    size = dst.stat().st_size
    record = {"action": "reduce", "at": datetime.now().isoformat(timespec="seconds"), "original_path": str(src),
              "original_bytes": item["bytes"], "bytes": size}
    with vault.transaction() as tx:
        storage_stats.mark_retained(tx, item["file_id"], str(dst), record)
    src.unlink(missing_ok=True)  # only now: the catalogue already points at the copy
    return size


def _delete(vault: Vault, item: dict[str, Any]) -> int:
    src = Path(item["path"])
    record = {"action": "delete", "at": datetime.now().isoformat(timespec="seconds"), "original_path": str(src),
              "original_bytes": item["bytes"], "bytes": 0}
    with vault.transaction() as tx:  # the moments keep their keyframes and words; the path says where it was
        storage_stats.mark_retained(tx, item["file_id"], str(src), record)
    src.unlink(missing_ok=True)
    return 0


def _finish_interrupted(vault: Vault) -> int:
    """A run killed between the catalogue's switch and the removal left the old file: remove it now,
    as the policy had already decided (and never one that is still what a row points at)."""
    n = 0
    for f in storage_stats.originals(vault.db):
        done = f["retention"] or {}
        old = Path(done.get("original_path") or "")
        if done.get("action") == "reduce" and old.name and str(old) != f["path"] and old.is_file():
            inside = old.resolve().is_relative_to(vault.paths.root)
            if inside or vault.settings["retention_allow_delete"]:
                old.unlink()
                n += 1
    return n
