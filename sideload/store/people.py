"""People: voices grouped across recordings and chat partners (tables `people`, `moment_people`).

A speech moment belongs to the person whose voice it is, a chat line to the person who wrote it.
The person's name is copied into `moments.speaker_name` of their speech moments (`sync_names`), so
every reader of moments (the JSON form, the timeline, search, the persona, privacy rules by person)
sees it without a join. Writes run inside the caller's transaction.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable

# -- reading ---------------------------------------------------------------------------------------

def voice_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every voiceprint with its moment and person (None when not grouped yet): rid, vector
    (float32 bytes), dur (seconds), speaker, person_id; by rid."""
    return db.execute(
        "SELECT v.rid, v.vector, m.end_s - m.start_s AS dur, m.speaker, mp.person_id FROM voiceprints v "
        "JOIN moments m USING (rid) LEFT JOIN moment_people mp USING (rid) ORDER BY v.rid").fetchall()


_PERSON = ("SELECT p.person_id, p.name, p.named_by, p.is_owner, p.created_at, count(mp.rid) AS moments, "
           "min(m.started_at) AS first_seen, max(m.started_at) AS last_seen, "
           "coalesce(sum(m.kind = 'speech'), 0) AS spoken, "
           "coalesce(sum(CASE WHEN m.kind = 'speech' THEN m.end_s - m.start_s END), 0) AS voice_s "
           "FROM people p LEFT JOIN moment_people mp USING (person_id) LEFT JOIN moments m USING (rid) ")


def person_rows(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every person with their moments' count and span, and how much of it is their voice; the owner
    first, then by moments."""
    return db.execute(_PERSON + "GROUP BY p.person_id ORDER BY p.is_owner DESC, moments DESC, p.person_id").fetchall()


def person_row(db: sqlite3.Connection, person_id: int) -> sqlite3.Row | None:
    return db.execute(_PERSON + "WHERE p.person_id = ? GROUP BY p.person_id", (person_id,)).fetchone()


def person_by_name(db: sqlite3.Connection, name: str) -> list[int]:
    """The people already called `name` (any case)."""
    return [r[0] for r in db.execute("SELECT person_id FROM people WHERE name = ? COLLATE NOCASE "
                                     "ORDER BY person_id", (name,))]


def person_moment_ids(db: sqlite3.Connection, person_id: int, *, include_private: bool = True,
                      kind: str | None = None, longest_first: bool = False) -> list[str]:
    """The ids of one person's moments, in time order (or the longest first: the clearest sample)."""
    where = "mp.person_id = ?" + ("" if include_private else " AND m.private = 0") + (" AND m.kind = ?" if kind else "")
    order = "m.end_s - m.start_s DESC, mp.confidence DESC" if longest_first else "m.t_start IS NULL, m.t_start, m.start_s"
    return [r[0] for r in db.execute(
        f"SELECT m.moment_id FROM moment_people mp JOIN moments m USING (rid) WHERE {where} ORDER BY {order}",
        (person_id, kind) if kind else (person_id,))]


def spoken_by(db: sqlite3.Connection, name: str) -> list[str]:
    """The ids of the moments said or written by the person called `name` (their voice, their chat
    lines), in time order."""
    return [r[0] for r in db.execute(  # through the person: an index seek, not a walk over every moment
        "SELECT m.moment_id, m.t_start IS NULL AS untimed, m.t_start, m.start_s FROM people p "
        "JOIN moment_people mp USING (person_id) JOIN moments m USING (rid) WHERE p.name = ? COLLATE NOCASE "
        "AND p.is_owner = 0 AND m.kind IN ('speech', 'text') AND coalesce(m.speaker, '') != 'me' "
        "UNION SELECT m.moment_id, m.t_start IS NULL, m.t_start, m.start_s FROM moments m "
        "WHERE m.speaker_name = ? COLLATE NOCASE AND coalesce(m.speaker, '') != 'me' "
        "ORDER BY untimed, t_start, start_s", (name, name))]


def known_names(db: sqlite3.Connection) -> list[str]:
    """The names of everyone but the owner: named people and the senders of chat lines."""
    return [r[0] for r in db.execute(
        "SELECT name FROM people WHERE name IS NOT NULL AND name != '' AND is_owner = 0 "
        "UNION SELECT DISTINCT speaker_name FROM moments WHERE speaker_name IS NOT NULL AND speaker_name != '' "
        "AND coalesce(speaker, '') != 'me'")]


def chat_partners(db: sqlite3.Connection) -> list[tuple[int, str]]:
    """(rid, sender name) of every chat line written by someone else and not yet given to a person."""
    return [tuple(r) for r in db.execute(
        "SELECT m.rid, m.speaker_name FROM moments m LEFT JOIN moment_people mp USING (rid) "
        "WHERE m.kind = 'text' AND m.speaker_name IS NOT NULL AND m.speaker_name != '' "
        "AND coalesce(m.speaker, '') != 'me' AND mp.rid IS NULL ORDER BY m.rid")]


def speech_turns(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every speech moment in file and time order with its person: what was said just before a turn
    may name the one who speaks it ("thanks, Maria")."""
    return db.execute(
        "SELECT m.rid, m.file_id, m.start_s, m.end_s, m.speaker, m.text, mp.person_id FROM moments m "
        "LEFT JOIN moment_people mp USING (rid) WHERE m.kind = 'speech' ORDER BY m.file_id, m.start_s").fetchall()


def named_voices(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Named people other than the owner with their shared (not private) speech: name, count, and the
    (moment id, started at) of each, in time order. The profile's people facts read it."""
    out: dict[int, dict[str, Any]] = {}
    for pid, name, mid, at in db.execute(
            "SELECT p.person_id, p.name, m.moment_id, m.started_at FROM people p JOIN moment_people mp "
            "USING (person_id) JOIN moments m USING (rid) WHERE p.name IS NOT NULL AND p.is_owner = 0 "
            "AND m.kind = 'speech' AND m.private = 0 ORDER BY p.person_id, m.t_start"):
        d = out.setdefault(pid, {"name": name, "moments": []})
        d["moments"].append((mid, at))
    return list(out.values())


# -- writing (inside the caller's transaction) ------------------------------------------------------

def new_person(tx: sqlite3.Connection, at: str, name: str | None = None, named_by: str | None = None) -> int:
    return tx.execute("INSERT INTO people (name, named_by, created_at) VALUES (?, ?, ?)",
                      (name, named_by, at)).lastrowid


def assign(tx: sqlite3.Connection, rows: Iterable[tuple[int, int, float]]) -> None:
    """(rid, person id, confidence): each moment to its person."""
    tx.executemany("INSERT OR REPLACE INTO moment_people (rid, person_id, confidence) VALUES (?, ?, ?)", rows)


def set_owner(tx: sqlite3.Connection, person_id: int | None) -> None:
    """Exactly one person (or none) is the owner: the voice of the one who wears the camera."""
    tx.execute("UPDATE people SET is_owner = (person_id IS ?)", (person_id,))


def set_name(tx: sqlite3.Connection, person_id: int, name: str | None, named_by: str | None) -> None:
    tx.execute("UPDATE people SET name = ?, named_by = ? WHERE person_id = ?", (name, named_by, person_id))


def merge(tx: sqlite3.Connection, into: int, other: int) -> None:
    """Every moment of `other` becomes `into`'s, and `other` goes."""
    tx.execute("UPDATE moment_people SET person_id = ? WHERE person_id = ?", (into, other))
    tx.execute("UPDATE people SET is_owner = 1 WHERE person_id = ? AND "
               "(SELECT is_owner FROM people WHERE person_id = ?) = 1", (into, other))
    tx.execute("DELETE FROM people WHERE person_id = ?", (other,))


def drop_empty(tx: sqlite3.Connection) -> int:
    """People left with no moment (all forgotten, or merged away) go, names and all."""
    return tx.execute("DELETE FROM people WHERE person_id NOT IN (SELECT DISTINCT person_id FROM moment_people)"
                      ).rowcount


def sync_names(tx: sqlite3.Connection) -> int:
    """Each speech moment's `speaker_name` from its person's name: none for the owner's own voice (that
    is "I said"), none for a person not named. Only what differs is written; returns how many."""
    name = ("CASE WHEN m.speaker = 'me' THEN NULL ELSE (SELECT p.name FROM moment_people mp JOIN people p "
            "USING (person_id) WHERE mp.rid = m.rid AND p.is_owner = 0) END")
    return tx.execute(f"UPDATE moments AS m SET speaker_name = {name} "
                      f"WHERE m.kind = 'speech' AND m.speaker_name IS NOT {name}").rowcount
