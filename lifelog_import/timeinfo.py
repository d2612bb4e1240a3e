"""Wall-clock time for a file: container metadata, EXIF, file name, folder, modification time.

Times that carry an offset keep it. Container times in UTC are shown in this machine's local
zone (phones write UTC). GoPro cameras write their local clock but label it UTC, so for GoPro
files the label is ignored and the time is taken as local wall-clock time without a zone.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .api import WallClock

EARLIEST_MEDIA_YEAR = 1990  # container clocks before this are unset cameras (1970, 1904)

GOPRO_NAME = re.compile(r"^(GOPR|GP\d\d|GX\d\d|GH\d\d|GL\d\d)(\d{4})\.", re.I)

# Date-time patterns in file names, most specific first. Each must match the whole stamp.
_NAME_PATTERNS = [
    # 20260302_074500, VID_20260302_074500, PXL_20260302_074500123, IMG-20260302-074500
    re.compile(r"(?<!\d)(?P<Y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)[_\-T ]?(?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)(?:\d{0,3})(?!\d)"),
    # 2026-03-02_07-45-00, 2026-03-02 07.45.00, 2026-03-02T07:45:00
    re.compile(r"(?<!\d)(?P<Y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)[_ T\-](?P<H>[0-2]\d)[-.:h](?P<M>[0-5]\d)(?:[-.:m](?P<S>[0-5]\d))?(?!\d)"),
]
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<Y>(?:1[5-9]|20)\d\d)[-_.](?P<m>[01]\d)[-_.](?P<d>[0-3]\d)(?!\d)"),
    re.compile(r"(?<!\d)(?P<Y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
]
_TIME_ONLY = re.compile(r"^(?P<H>[0-2]\d)[-.:_h]?(?P<M>[0-5]\d)(?:[-.:_m]?(?P<S>[0-5]\d))?(?!\d)")


def _build(g: dict) -> datetime | None:
    try:
        return datetime(int(g["Y"]), int(g["m"]), int(g["d"]), int(g.get("H") or 0),
                        int(g.get("M") or 0), int(g.get("S") or 0))
    except (ValueError, TypeError):
        return None


def datetime_from_name(name: str) -> datetime | None:
    for pat in _NAME_PATTERNS:
        m = pat.search(name)
        if m and (dt := _build(m.groupdict())):
            return dt
    return None


def date_from_name(name: str) -> datetime | None:
    for pat in _DATE_PATTERNS:
        m = pat.search(name)
        if m and (dt := _build(m.groupdict())):
            return dt
    return None


def from_path(path: Path) -> tuple[datetime, str] | None:
    """A time from the file name, or from a per-day folder plus a time-only file name."""
    dt = datetime_from_name(path.stem)
    if dt:
        return dt, "filename"
    day = date_from_name(path.parent.name)
    if day:
        m = _TIME_ONLY.match(path.stem)
        if m:
            g = {"Y": day.year, "m": day.month, "d": day.day, **m.groupdict()}
            if (dt := _build(g)):
                return dt, "folder"
    return None


def parse_container_time(value: str, *, gopro: bool = False) -> tuple[datetime, bool] | None:
    """(time, tz_known) from a container tag such as '2026-03-02T07:45:00.000000Z'."""
    if not value:
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)  # +0100 -> +01:00
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.year < EARLIEST_MEDIA_YEAR:
        return None
    if gopro:
        return dt.replace(tzinfo=None), False
    if dt.tzinfo is None:
        return dt, False
    if dt.utcoffset() == timedelta(0):
        return dt.astimezone(), True  # the machine's zone: the person's own
    return dt, True


def parse_exif_time(value: str | None, offset: str | None = None) -> tuple[datetime, bool] | None:
    if not value:
        return None
    try:
        dt = datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if dt.year < EARLIEST_MEDIA_YEAR:
        return None
    if offset:
        m = re.match(r"^([+-])(\d\d):?(\d\d)", offset.strip())
        if m:
            sign = 1 if m.group(1) == "+" else -1
            tz = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
            return dt.replace(tzinfo=tz), True
    return dt, False


def resolve(path: Path, *, container: str | None = None, exif: tuple[datetime, bool] | None = None) -> WallClock:
    """The wall clock of a file, by the order of trust: container, EXIF, name, folder, mtime."""
    if container:
        parsed = parse_container_time(container, gopro=bool(GOPRO_NAME.match(path.name)))
        if parsed:
            return WallClock(parsed[0], "container", parsed[1])
    if exif:
        return WallClock(exif[0], "exif", exif[1])
    named = from_path(path)
    if named:
        return WallClock(named[0], named[1], False)
    try:
        return WallClock(datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0), "mtime", False)
    except OSError:
        return WallClock(None, "none", False)


def gopro_recording(path: Path) -> tuple[str, int] | None:
    """('0001', chapter) for GoPro names: GOPR0001 is chapter 0, GP010001 chapter 1, GX020001 chapter 2."""
    m = GOPRO_NAME.match(path.name)
    if not m:
        return None
    prefix, number = m.group(1).upper(), m.group(2)
    chapter = 0 if prefix == "GOPR" else int(prefix[2:])
    return number, chapter


# -- shared helpers for stored times ---------------------------------------------------------
_EPOCH = datetime(1970, 1, 1)


def wall_seconds(dt: datetime) -> float:
    """Seconds of the local wall clock (the zone dropped): orders a person's days as they lived them."""
    return (dt.replace(tzinfo=None) - _EPOCH).total_seconds()


def iso(dt: datetime, precision: str = "second") -> str:
    if precision == "day":
        return dt.date().isoformat()
    return dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds")
