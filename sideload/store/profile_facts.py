"""The profile's tables: mentions read from moments, the facts distilled from them, the owner's word.

`mentions` rows go with their moment; `profile_facts` holds automatic facts (`source = 'auto'`),
replaced on each distillation, and the owner's corrections and removals (`source = 'owner'`,
`hidden`), which no distillation overwrites. Writes run inside the caller's transaction.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable, Iterator


# -- mentions --------------------------------------------------------------------------------------

def mentions_read_up_to(db: sqlite3.Connection) -> int:
    """The last moment (rid) already read for mentions; 0 before the first reading."""
    row = db.execute("SELECT value FROM kv WHERE key = 'profile_rid'").fetchone()
    return int(row[0]) if row else 0


def reader_version(db: sqlite3.Connection) -> int:
    """Which version of the mention reader read the vault's moments (1 before versions were kept)."""
    row = db.execute("SELECT value FROM kv WHERE key = 'profile_reader'").fetchone()
    return int(row[0]) if row else 1


def restart_reading(tx: sqlite3.Connection, version: int) -> None:
    """Forget every mention, to read all moments again with a better reader."""
    tx.execute("DELETE FROM mentions")
    tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('profile_rid', '0')")
    tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('profile_reader', ?)", (str(version),))


def person_relations(db: sqlite3.Connection, name: str) -> list[sqlite3.Row]:
    """(relation, count, first moment id) of what the owner calls a person ("Balty": "wife's brother"),
    from shared moments, most said first; the name may be the whole key or its last part."""
    return db.execute(
        # with min(), SQLite takes the bare moment_id from the earliest row: where the owner first says so
        "SELECT n.detail, count(*) AS c, m.moment_id, min(m.t_start) FROM mentions n JOIN moments m USING (rid) "
        "WHERE n.kind = 'person' AND (n.key = ? OR n.key LIKE ?) AND n.detail NOT IN ('', 'chat') "
        "AND m.private = 0 GROUP BY n.detail ORDER BY c DESC", (name, f"% {name}")).fetchall()


def people_by_relation(db: sqlite3.Connection, relation: str) -> list[sqlite3.Row]:
    """(name, moments, first moment id) of the people the owner calls by this relation ("my brother
    Tom": "brother"), from shared moments, most said first."""
    return db.execute(
        "SELECT n.key, count(DISTINCT n.rid) AS c, m.moment_id, min(m.t_start) FROM mentions n JOIN moments m "
        "USING (rid) WHERE n.kind = 'person' AND n.detail = ? AND m.private = 0 GROUP BY n.key ORDER BY c DESC",
        (relation,)).fetchall()


def relation_count(db: sqlite3.Connection, relation: str) -> int:
    """The shared moments that speak of a relation without a name ("my father")."""
    return db.execute("SELECT count(DISTINCT n.rid) FROM mentions n JOIN moments m USING (rid) "
                      "WHERE n.kind = 'relation' AND n.key = ? AND m.private = 0", (relation,)).fetchone()[0]


def owner_word_on_person(db: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    """(value, hidden) of the owner's own fact about a person ("my clerk, who lives with us", or
    removed), where the owner gave one; the name may be the whole key or its last part."""
    return db.execute("SELECT value, hidden FROM profile_facts WHERE kind = 'person' AND source = 'owner' "
                      "AND (key = ? OR key LIKE ?) ORDER BY key = ? DESC LIMIT 1", (name, f"% {name}", name)).fetchone()


def moments_after(db: sqlite3.Connection, rid: int) -> list[sqlite3.Row]:
    """(rid, text, speaker, speaker_name) of every moment after `rid`, private ones included, in rid order."""
    return db.execute("SELECT rid, text, speaker, speaker_name FROM moments WHERE rid > ? "
                      "ORDER BY rid", (rid,)).fetchall()


def save_mentions(tx: sqlite3.Connection, found: Iterable[tuple[int, str, str, str]], read_up_to: int) -> None:
    """Store (rid, kind, key, detail) mentions and the mark of how far moments were read, in one transaction."""
    tx.executemany("INSERT INTO mentions (rid, kind, key, detail) VALUES (?, ?, ?, ?)", found)
    tx.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('profile_rid', ?)", (str(read_up_to),))


def mention_counts(db: sqlite3.Connection, kind: str, min_count: int, limit: int) -> list[sqlite3.Row]:
    """(key, count, details joined by '|') of the keys of one kind mentioned in at least `min_count`
    shared (not private) moments, most mentioned first."""
    return db.execute(
        "SELECT n.key, count(*) AS c, group_concat(n.detail, '|') AS details FROM mentions n "
        "JOIN moments m USING (rid) WHERE n.kind = ? AND m.private = 0 GROUP BY n.key HAVING c >= ? "
        "ORDER BY c DESC LIMIT ?", (kind, min_count, limit)).fetchall()


def mention_moments(db: sqlite3.Connection, kind: str, key: str) -> list[sqlite3.Row]:
    """(moment id, started at) of the shared moments that mention one key, in time order."""
    return db.execute("SELECT m.moment_id, m.started_at FROM mentions n JOIN moments m USING (rid) "
                      "WHERE n.kind = ? AND n.key = ? AND m.private = 0 ORDER BY m.t_start", (kind, key)).fetchall()


# -- moments the profile reads as a whole ----------------------------------------------------------

def own_speech(db: sqlite3.Connection) -> list[str]:
    """The text of every shared moment the owner said (speaker 'me'), for their way of speaking."""
    return [r[0] for r in db.execute("SELECT text FROM moments WHERE speaker = 'me' AND private = 0 AND text != ''")]


def timed_moments(db: sqlite3.Connection, *, before: float | None = None) -> Iterator[sqlite3.Row]:
    """(moment id, started at, text, caption) of every shared moment with a time of day, in time order,
    streamed (a long vault has millions). Day-precision entries have no hour and are left out."""
    return db.execute(
        "SELECT moment_id, started_at, text, caption FROM moments WHERE t_start IS NOT NULL "
        "AND length(started_at) > 10 AND private = 0" + (" AND t_start < ?" if before is not None else "")
        + " ORDER BY t_start", ([before] if before is not None else []))


# -- facts -----------------------------------------------------------------------------------------

def fact_rows(db: sqlite3.Connection, *, include_hidden: bool = False) -> list[sqlite3.Row]:
    """(fact_id, kind, key, value, evidence, stats, source, hidden) by kind, most counted first."""
    return db.execute("SELECT fact_id, kind, key, value, evidence, stats, source, hidden FROM profile_facts "
                      + ("" if include_hidden else "WHERE hidden = 0 ")
                      + "ORDER BY kind, json_extract(stats, '$.count') DESC, key").fetchall()


def replace_auto_facts(tx: sqlite3.Connection, facts: Iterable[tuple[str, str, str, list[str], dict]],
                       updated_at: str) -> None:
    """Drop the automatic facts and store (kind, key, value, evidence ids, stats) in their place; a key
    the owner corrected or hid keeps the owner's row."""
    tx.execute("DELETE FROM profile_facts WHERE source = 'auto' AND hidden = 0")
    for kind, key, value, ev, stats in facts:
        tx.execute("INSERT INTO profile_facts (kind, key, value, evidence, stats, source, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, 'auto', ?) ON CONFLICT (kind, key) DO NOTHING",
                   (kind, key, value, json.dumps(ev), json.dumps(stats), updated_at))


def set_owner_fact(tx: sqlite3.Connection, kind: str, key: str, value: str, updated_at: str) -> None:
    """The owner's own value for a fact (shown again if it was hidden)."""
    tx.execute("INSERT INTO profile_facts (kind, key, value, source, hidden, updated_at) VALUES (?, ?, ?, 'owner', 0, ?) "
               "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, source = 'owner', hidden = 0, "
               "updated_at = excluded.updated_at", (kind, key, value, updated_at))


def hide_fact(tx: sqlite3.Connection, kind: str, key: str, updated_at: str) -> bool:
    """Mark a fact hidden by the owner (a row is made if none exists); True if a row was written."""
    cur = tx.execute("INSERT INTO profile_facts (kind, key, value, source, hidden, updated_at) "
                     "VALUES (?, ?, '', 'owner', 1, ?) ON CONFLICT (kind, key) DO UPDATE SET hidden = 1, "
                     "source = 'owner', updated_at = excluded.updated_at", (kind, key, updated_at))
    return cur.rowcount > 0


# -- whose life it is ------------------------------------------------------------------------------

def chat_senders(db: sqlite3.Connection, limit: int = 10) -> list[sqlite3.Row]:
    """(name, files, lines) of the named senders of chat and text lines, the most widespread first:
    the phone's owner writes in every chat, each partner in their own."""
    return db.execute(
        "SELECT speaker_name AS name, count(DISTINCT file_id) AS files, count(*) AS lines FROM moments "
        "WHERE kind = 'text' AND speaker_name IS NOT NULL AND speaker_name != '' "
        "GROUP BY speaker_name ORDER BY files DESC, lines DESC LIMIT ?", (limit,)).fetchall()


def chat_files(db: sqlite3.Connection) -> int:
    """How many files hold named chat lines."""
    return db.execute("SELECT count(DISTINCT file_id) FROM moments WHERE kind = 'text' "
                      "AND speaker_name IS NOT NULL AND speaker_name != ''").fetchone()[0]


def self_introductions(db: sqlite3.Connection, limit: int = 200) -> list[str]:
    """Texts where someone says their own name ("my name is", "I'm ...", "this is ... speaking"),
    from the keyword index (a phrase query, not a scan of every moment), said or written as the
    owner or by nobody known."""
    rows = db.execute(
        "SELECT m.text, m.speaker FROM moments_fts f JOIN moments m ON m.rid = f.rowid "
        "WHERE moments_fts MATCH '\"my name is\" OR \"this is\" OR \"i am\"' LIMIT ?", (limit,)).fetchall()
    return [r[0] for r in rows if r[1] in ("me", "unknown", None)]
