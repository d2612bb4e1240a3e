"""One way to show time, for every face (the app's views and the command line's human output).

Stored times are ISO 8601 wall-clock times (`started_at`), with an offset where one is known. A person
reads them as they lived them: the local wall clock, in words ("Monday 2 March 2026, 07:45"). Three
lengths, each for one place, and nothing else anywhere:

- `when(iso)`: a moment on its own (the player's title, a citation): "Monday 2 March 2026, 07:45"
- `short_when(iso)`: in a list across days (search results, evidence): "Mon 2 Mar 2026, 07:45"
- `clock(iso)`: inside a day that is already named (the timeline): "07:45"

Offsets into a recording are `offset(s)`: "m:ss", "h:mm:ss" from an hour on. A time guessed from the
file's modification date (nothing in or around the file said when it was made) is marked wherever it is
shown, on the time itself: "Sun 1 Mar 2026, ~07:45, guessed from the file date". English names are written out here rather than taken from
the C library's locale, so the words do not change with the machine the app happens to run on.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

# Where a time came from (lifelog_import.api.WallClock.source): these are guesses, everything else was
# written by a camera, a phone, a name or the owner. "none": no time at all (the file could not be read).
GUESSED_SOURCES = ("mtime",)
GUESS_NOTE = "guessed from the file date"
UNKNOWN = "an unknown time"


def parse(iso: str | None) -> datetime | None:
    """The wall clock of a stored time (its zone dropped: the person's own clock then), or None."""
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return dt.replace(tzinfo=None)


def has_time_of_day(iso: str | None) -> bool:
    """A diary entry dated by day only ('2026-03-02') has none."""
    return bool(iso) and len(iso) > 10


def is_guess(time_source: str | None) -> bool:
    return time_source in GUESSED_SOURCES


# The Gregorian calendar reached Britain and its colonies on 14 September 1752 (most of Europe earlier,
# Russia later). A day before that may be the writer's own Julian date: Pepys's "20th (Lord's day)" of
# December 1663 was a Sunday by his calendar and a Thursday by ours. Its weekday is left unsaid rather
# than shown wrong beside his own words.
WEEKDAYS_SURE_FROM = date(1752, 9, 14)


def weekday(day: date | datetime, short: bool = False) -> str:
    """'Monday' (short: 'Mon'), or '' for a day whose calendar is in doubt."""
    if (day.date() if isinstance(day, datetime) else day) < WEEKDAYS_SURE_FROM:
        return ""
    name = DAYS[day.weekday()]
    return name[:3] if short else name


def day_words(day: date | datetime | str, short: bool = False) -> str:
    """'Monday 2 March 2026' (short: 'Mon 2 Mar 2026'); '21 December 1663' before 1752 (`weekday`)."""
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    month = MONTHS[day.month - 1][:3] if short else MONTHS[day.month - 1]
    named = weekday(day, short)
    return f"{named + ' ' if named else ''}{day.day} {month} {day.year}"


def _mark(text: str, guessed: bool) -> str:
    return f"~{text}, {GUESS_NOTE}" if guessed else text


def when(iso: str | None, *, guessed: bool = False) -> str:
    """A moment on its own: 'Monday 2 March 2026, 07:45' (a day-only entry: 'Monday 2 March 2026')."""
    dt = parse(iso)
    if dt is None:
        return iso or UNKNOWN
    if not has_time_of_day(iso):
        return _mark(day_words(dt), guessed)
    return f"{day_words(dt)}, {_mark(f'{dt:%H:%M}', guessed)}"


def short_when(iso: str | None, *, guessed: bool = False) -> str:
    """In a list across days: 'Mon 2 Mar 2026, 07:45'."""
    dt = parse(iso)
    if dt is None:
        return iso or UNKNOWN
    if not has_time_of_day(iso):
        return _mark(day_words(dt, short=True), guessed)
    return f"{day_words(dt, short=True)}, {_mark(f'{dt:%H:%M}', guessed)}"


def clock(iso: str | None, *, guessed: bool = False) -> str:
    """Inside a named day: '07:45' ('all day' for a day-only entry)."""
    dt = parse(iso)
    if dt is None:
        return "—"
    if not has_time_of_day(iso):
        return "all day"
    return _mark(f"{dt:%H:%M}", guessed)


def offset(seconds: float | None) -> str:
    """Where in a recording: '0:07', '12:05', '1:02:09' (whole seconds, rounded down: the second it is in)."""
    s = max(int(seconds or 0), 0)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def at_offset(iso: str | None, start_s: float, at_s: float) -> str | None:
    """The stored wall clock of a moment moved from its start to another second of the same file."""
    dt = parse(iso)
    if dt is None or not has_time_of_day(iso) or abs(at_s - start_s) < 1e-6:
        return iso
    return (dt + timedelta(seconds=at_s - start_s)).isoformat(timespec="seconds")


def duration(seconds: float) -> str:
    """A length of time in words, for reports: '45 s', '3 min 05 s', '1 h 02 min'."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def signed_shift(seconds: float) -> str:
    """A correction as the owner would say it: '+1:30' (hours and minutes), '-0:05', '+2 days 1:00'."""
    sign = "-" if seconds < 0 else "+"
    total = abs(int(round(seconds / 60)))
    days, rest = divmod(total, 24 * 60)
    hm = f"{rest // 60}:{rest % 60:02d}"
    return f"{sign}{days} day{'s' if days != 1 else ''} {hm}" if days else f"{sign}{hm}"
