"""Correct when a file, or a whole folder of files, was recorded: the owner knows better than the clock.

Files whose time nothing in or around them told (no container time, no EXIF, no date in the name) are
stamped at import with the file's modification time and marked as guessed. Here the owner moves them:
`shift` moves every moment by the same amount (the camera's clock was an hour off), `at` sets the
start (this card was recorded on Saturday at 10:00). With `at` over several files, the earliest one
starts then and the others keep their distance to it, as they were recorded one after another. The
moments' times, days and the index follow in one transaction; the file's time is then the owner's
("owner"), no longer a guess. Privacy rules by day are applied again and the profile (routines by
hour) is distilled again, since both read the times.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sideload import timefmt
from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.store import privacy_rules, retiming
from sideload.store.vault import Vault

_SHIFT = re.compile(r"^([+-])(?:(\d+)d)?\s*(\d{1,4}):([0-5]\d)$")


@dataclass
class Retimed:
    files: list[str] = field(default_factory=list)
    moments: int = 0
    shift_s: float | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "moments": self.moments, "shift_s": self.shift_s, "skipped": self.skipped}


def parse_shift(text: str) -> timedelta:
    """'+01:30', '-0:05', '+2d 03:00' (days, hours and minutes, signed) as a timedelta."""
    m = _SHIFT.match(text.strip())
    if not m:
        raise SideloadError(f"a shift is +HH:MM or -HH:MM, with optional days as +2d 03:00 (got {text!r})",
                            kind="usage")
    sign = -1 if m.group(1) == "-" else 1
    return sign * timedelta(days=int(m.group(2) or 0), hours=int(m.group(3)), minutes=int(m.group(4)))


def parse_at(text: str) -> datetime:
    """A local wall-clock time, as ISO 8601 ('2026-03-07T10:00'); a zone, if given, is dropped (the
    vault keeps the wall clock as it was lived)."""
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        raise SideloadError(f"--at takes a date and time as YYYY-MM-DDTHH:MM (got {text!r})", kind="usage") from None


def retime(vault: Vault, path: Path | str, *, at: datetime | None = None, shift: timedelta | None = None,
           only_guessed: bool = False, ctx: JobContext | None = None) -> Retimed:
    """Move every moment of the files at or under `path` (see the module's words). Exactly one of `at`
    and `shift`."""
    vault.require_writable()
    if (at is None) == (shift is None):
        raise SideloadError("say either when it started (at) or by how much to move it (shift), not both",
                            kind="usage")
    ctx = ctx or JobContext()
    where = Path(path).expanduser().resolve()
    rows = retiming.files_under(vault.db, where)
    if only_guessed:
        rows = [r for r in rows if timefmt.is_guess(r["time_source"]) or r["time_source"] == "none"]
    if not rows:
        what = "guessed times" if only_guessed else "imported files"
        raise SideloadError(f"no {what} at or under {where}", kind="input",
                            hint="`sideload moments --source PATH` lists what a file holds")
    out = Retimed()
    if at is not None:
        starts = [(_start_of(vault, r), r) for r in rows]
        timed = [s for s, _ in starts if s is not None]
        base = min(timed) if timed else None
        shift = at - base if base is not None else None
    out.shift_s = shift.total_seconds() if shift is not None else None
    ctx.report(0.0, "moving moments", force=True)
    with vault.transaction() as tx:
        for i, r in enumerate(rows):
            ctx.check()
            if r["started_at"] is None and retiming.first_moment_start(tx, r["file_id"]) is None:
                if at is None:
                    out.skipped.append({"path": r["path"], "reason": "it has no time to shift; give --at instead"})
                    continue
                n = retiming.move_file(tx, r["file_id"], start=at)
            else:
                n = retiming.move_file(tx, r["file_id"], delta=shift)
            out.files.append(r["path"])
            out.moments += n
            ctx.report((i + 1) / len(rows), "moving moments", Path(r["path"]).name, done=i + 1, total=len(rows))
        privacy_rules.recompute_private(tx)  # a rule for a day covers what is now on that day
    _refresh_index(vault, ctx)
    from sideload.persona.profile import distil

    distil(vault)  # routines are read from the hours of the timeline
    ctx.report(1.0, "done", force=True)
    return out


def _start_of(vault: Vault, row) -> datetime | None:
    text = row["started_at"] or retiming.first_moment_start(vault.db, row["file_id"])
    return timefmt.parse(text)


def _refresh_index(vault: Vault, ctx: JobContext) -> None:
    """Send the moved moments' day and time to the vector index when there is one; a missing one is
    built, with them, by the next import or `repair`."""
    if not (vault.paths.index_dir / "chroma.sqlite3").exists():
        return
    from sideload.store import index as store_index
    from sideload.store.vectors import VectorStore

    health, index = store_index.check(vault.db, vault.paths.index_dir)
    if index is None:
        return
    try:
        store_index.index_pending(vault.db, index, check=ctx.check, store=VectorStore(vault.paths.vectors_file))
    finally:
        index.close()
