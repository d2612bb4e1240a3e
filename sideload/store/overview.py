"""The catalogue's reads for a life at a glance: moments per day, on this day, the last days, the people
heard most, and the owner's portrait. The SQL for the home view and the calendar lives here.
"""
from __future__ import annotations

import sqlite3

PORTRAIT_KEY = "home_portrait"  # a small JPEG, base64, in kv: it travels with the catalogue to the family


def day_counts(db: sqlite3.Connection) -> list[tuple[str, int]]:
    """(day, moments) for every day with a moment, in order: ONE aggregate over the day index (which
    covers it), so five years of half a million moments is one index walk, never a query per day."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT day, count(*) FROM moments INDEXED BY moments_day WHERE day IS NOT NULL GROUP BY day ORDER BY day")]


def telling_moments(db: sqlite3.Connection, day: str, limit: int) -> list[sqlite3.Row]:
    """The most telling moments of one day: the owner's own words first, then anything said or written
    with some length, then photos and scenes (they have a picture)."""
    return db.execute(
        "SELECT m.moment_id, m.day, m.kind, m.started_at, m.speaker, m.speaker_name, m.text, m.caption, "
        "m.keyframe, m.start_s, f.content_hash FROM moments m JOIN files f USING (file_id) "
        "WHERE m.day = ? AND (m.text != '' OR coalesce(m.caption, '') != '' OR m.keyframe IS NOT NULL) "
        "ORDER BY (m.speaker = 'me') DESC, (length(m.text) > 40) DESC, (m.kind IN ('photo', 'scene')) DESC, "
        "length(m.text) DESC, m.t_start LIMIT ?", (day, limit)).fetchall()


def day_kinds(db: sqlite3.Connection, day: str) -> dict[str, int]:
    """How many moments of each kind one day holds."""
    return {k: n for k, n in db.execute("SELECT kind, count(*) FROM moments WHERE day = ? GROUP BY kind", (day,))}


def day_line(db: sqlite3.Connection, day: str) -> sqlite3.Row | None:
    """One line that says something about a day: the owner's longest words, else anyone's, else a caption."""
    return db.execute(
        "SELECT moment_id, kind, speaker, speaker_name, text, caption FROM moments WHERE day = ? "
        "AND (text != '' OR coalesce(caption, '') != '') "
        "ORDER BY (speaker = 'me') DESC, (text != '') DESC, length(text) DESC LIMIT 1", (day,)).fetchone()


def people_heard(db: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    """(name, moments) of the people other than the owner who speak or write most, by the names the
    catalogue holds (chat senders, named voices)."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT speaker_name, count(*) AS n FROM moments WHERE speaker_name IS NOT NULL AND speaker_name != '' "
        "AND coalesce(speaker, '') != 'me' GROUP BY speaker_name ORDER BY n DESC, speaker_name LIMIT ?", (limit,))]


def people_written_of(db: sqlite3.Connection, limit: int) -> list[tuple[str, int]]:
    """(name, moments) of the people the profile found most often in the owner's own words (a
    diary's), those the owner hid left out: the people of a life that was written, not recorded."""
    return [(r[0], r[1]) for r in db.execute(
        "SELECT key, CAST(json_extract(stats, '$.count') AS INTEGER) AS n FROM profile_facts "
        "WHERE kind = 'person' AND hidden = 0 AND n > 1 ORDER BY n DESC, key LIMIT ?", (limit,))]


def unnamed_voices(db: sqlite3.Connection) -> int:
    """Moments said by someone other than the owner whose name is not known."""
    return db.execute("SELECT count(*) FROM moments WHERE speaker = 'other' "
                      "AND coalesce(speaker_name, '') = ''").fetchone()[0]


def portrait(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM kv WHERE key = ?", (PORTRAIT_KEY,)).fetchone()
    return row[0] if row else None


def set_portrait(tx: sqlite3.Connection, encoded: str | None) -> None:
    if encoded is None:
        tx.execute("DELETE FROM kv WHERE key = ?", (PORTRAIT_KEY,))
    else:
        tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (PORTRAIT_KEY, encoded))
