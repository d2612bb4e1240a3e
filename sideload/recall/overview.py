"""A life at a glance, for the home view, the calendar and any face that wants it: the span of the
lifelog, moments on this day in earlier years, the last days, the people heard most, the portrait.

Everything is read from the catalogue through sideload.store.overview; the per-day counts of the
whole life are one aggregate, cached per vault state (the catalogue's files as they stand on disk),
so reopening the calendar or the home view after nothing changed reads nothing again.
"""
from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sideload.errors import SideloadError
from sideload.store import overview as q
from sideload.store.vault import Vault

PORTRAIT_MAX_BYTES = 512 * 1024  # a face for the home view, not an archive: the app scales it first


@dataclass(frozen=True)
class DayCounts:
    """Moments per day over the whole lifelog, in day order."""
    days: tuple[tuple[str, int], ...]

    @property
    def first(self) -> str | None:
        return self.days[0][0] if self.days else None

    @property
    def last(self) -> str | None:
        return self.days[-1][0] if self.days else None

    @property
    def moments(self) -> int:
        return sum(n for _, n in self.days)

    def as_dict(self) -> dict[str, int]:
        return dict(self.days)


@dataclass
class DaySummary:
    day: str
    moments: int
    kinds: dict[str, int]
    line: str            # one thing said, written or seen that day ('' when nothing has words)
    moment_id: str | None  # the moment the line comes from


@dataclass
class Memory:
    """A moment from an earlier year on this day."""
    moment_id: str
    day: str
    started_at: str | None
    kind: str
    who: str   # 'me', a name, or '' when not known
    text: str
    keyframe: str | None = None


@dataclass
class Overview:
    owner: str
    first_day: str | None
    last_day: str | None
    days: int
    moments: int
    on_this_day: list[Memory] = field(default_factory=list)
    recent: list[DaySummary] = field(default_factory=list)
    people: list[tuple[str, int]] = field(default_factory=list)
    unnamed_voices: int = 0

    @property
    def empty(self) -> bool:
        return self.moments == 0


_cache: dict[tuple[str, str], tuple[tuple, object]] = {}
_cache_lock = threading.Lock()


def _state(vault: Vault) -> tuple:
    """What changes whenever anything is committed to the catalogue: its file and its write-ahead log
    as they stand on disk (a commit grows or rewrites the log; a checkpoint rewrites the file)."""
    out = []
    for path in (vault.paths.catalogue, vault.paths.catalogue.with_name(vault.paths.catalogue.name + "-wal")):
        try:
            st = path.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def _memo(vault: Vault, what: str, read):
    """`read()` once per vault state; again only after the catalogue changed."""
    key = (str(Path(vault.paths.catalogue).resolve()), what)
    state = _state(vault)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit[0] == state:
        return hit[1]
    value = read()
    with _cache_lock:
        _cache[key] = (state, value)
    return value


def day_counts(vault: Vault) -> DayCounts:
    """Moments per day, one aggregate query, cached until the catalogue changes."""
    return _memo(vault, "days", lambda: DayCounts(tuple(q.day_counts(vault.db))))


def people(vault: Vault, limit: int = 6) -> list[tuple[str, int]]:
    """(name, moments) of the people heard or read most, besides the owner (cached like the days); in
    a life only written (a diary: no voices, no chats), those the owner writes of most."""
    return _memo(vault, f"people{limit}",
                 lambda: q.people_heard(vault.db, limit) or q.people_written_of(vault.db, limit))


def unnamed_voices(vault: Vault) -> int:
    return _memo(vault, "unnamed", lambda: q.unnamed_voices(vault.db))


def _who(speaker: str | None, name: str | None) -> str:
    return "me" if speaker == "me" else (name or "")


def _line(text: str | None, caption: str | None, limit: int = 160) -> str:
    words = " ".join((text or caption or "").split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def on_this_day(vault: Vault, today: date, limit: int = 6) -> list[Memory]:
    """Moments from this day of the year in earlier years, newest year first, one or two per year."""
    counts = day_counts(vault)
    if not counts.days:
        return []
    first_year = int(counts.first[:4])
    wanted = []
    for year in range(today.year - 1, first_year - 1, -1):
        try:
            wanted.append(date(year, today.month, today.day).isoformat())
        except ValueError:  # 29 February in a common year
            continue
    have = counts.as_dict()
    out: list[Memory] = []
    for day in (d for d in wanted if d in have):
        # at most two a year, so one busy year does not fill the list
        for r in q.telling_moments(vault.db, day, min(2, limit - len(out))):
            out.append(Memory(r["moment_id"], r["day"], r["started_at"], r["kind"],
                              _who(r["speaker"], r["speaker_name"]), _line(r["text"], r["caption"]), r["keyframe"]))
        if len(out) >= limit:
            break
    return out


def recent_days(vault: Vault, limit: int = 5) -> list[DaySummary]:
    """The last days of the lifelog that hold anything, newest first, each with a line."""
    out = []
    for day, n in reversed(day_counts(vault).days[-limit:]):
        row = q.day_line(vault.db, day)
        line = ""
        if row is not None:
            who = _who(row["speaker"], row["speaker_name"])
            said = _line(row["text"], row["caption"], 120)
            verb = "wrote" if row["kind"] == "text" else "said"
            line = f"{'I' if who == 'me' else who or 'Someone'} {verb}: “{said}”" if row["text"] else said
        out.append(DaySummary(day, n, q.day_kinds(vault.db, day), line, row["moment_id"] if row else None))
    return out


def build(vault: Vault, today: date, *, top: int = 6) -> Overview:
    """Everything the home view shows, read in one go (a background job in the app)."""
    counts = day_counts(vault)
    ov = Overview(owner=vault.settings["owner_name"] or "", first_day=counts.first, last_day=counts.last,
                  days=len(counts.days), moments=counts.moments)
    if ov.empty:
        return ov
    ov.on_this_day = on_this_day(vault, today)
    ov.recent = recent_days(vault)
    ov.people = people(vault, top)
    ov.unnamed_voices = unnamed_voices(vault)
    return ov


# -- the portrait ----------------------------------------------------------------------------------

def portrait(vault: Vault) -> bytes | None:
    """The image the owner chose for the home view (JPEG or PNG bytes), or None."""
    encoded = q.portrait(vault.db)
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        return None


def set_portrait(vault: Vault, image: bytes | None) -> None:
    """Keep `image` (JPEG or PNG bytes, already scaled) as the owner's portrait, in the catalogue so it
    travels with an exported sideload; None removes it. Family mode refuses, as every write does."""
    vault.require_writable()
    if image is not None:
        if not (image.startswith(b"\xff\xd8\xff") or image.startswith(b"\x89PNG\r\n\x1a\n")):
            raise SideloadError("the portrait must be a JPEG or PNG image", kind="usage")
        if len(image) > PORTRAIT_MAX_BYTES:
            raise SideloadError(f"the portrait is {len(image) // 1024} KiB; at most {PORTRAIT_MAX_BYTES // 1024} KiB "
                                "is kept", kind="usage", hint="choose a smaller picture")
    with vault.transaction() as tx:
        q.set_portrait(tx, base64.b64encode(image).decode("ascii") if image is not None else None)
