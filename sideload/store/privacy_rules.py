"""The owner's privacy rules (table `privacy_rules`) and the `moments.private` flag they set.

A moment is private while any rule covers it, so the flag is always recomputed from all the rules
that remain (never toggled one rule at a time). Every write here runs in the caller's transaction.
"""
from __future__ import annotations

import sqlite3

from sideload.store.queries import private_count


def _covers(kind: str) -> str:
    """The moments a rule of `kind` covers, as SQL over `moments m` with one parameter."""
    if kind == "moment":
        return "m.moment_id = ?1"
    if kind == "day":
        return "m.day = ?1"
    if kind == "source":
        return "m.file_id IN (SELECT file_id FROM files WHERE path = ?1 OR path LIKE ?1 || '/%')"
    if kind == "place":
        return ("m.rid IN (SELECT rid FROM mentions WHERE kind = 'place' AND key = ?1 COLLATE NOCASE) "
                "OR instr(lower(m.text), lower(?1)) > 0 OR instr(lower(coalesce(m.caption, '')), lower(?1)) > 0")
    if kind == "person":
        return ("m.speaker_name = ?1 COLLATE NOCASE "
                "OR m.rid IN (SELECT rid FROM mentions WHERE kind = 'person' AND key = ?1 COLLATE NOCASE) "
                "OR instr(lower(m.text), lower(?1)) > 0")
    raise AssertionError(f"no rule for {kind!r}")


def moment_exists(db: sqlite3.Connection, moment_id: str) -> bool:
    return db.execute("SELECT 1 FROM moments WHERE moment_id = ?", (moment_id,)).fetchone() is not None


def has_rules(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM privacy_rules LIMIT 1").fetchone() is not None


def rule_rows(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(kind, value, created at) of every rule, oldest first."""
    return [tuple(r) for r in
            db.execute("SELECT kind, value, created_at FROM privacy_rules ORDER BY created_at, kind, value")]


def add_rule(tx: sqlite3.Connection, kind: str, value: str, at: str) -> None:
    """A rule already kept stays as it was (with its first date)."""
    tx.execute("INSERT OR IGNORE INTO privacy_rules (kind, value, created_at) VALUES (?, ?, ?)", (kind, value, at))


def remove_rule(tx: sqlite3.Connection, kind: str, value: str) -> bool:
    """False when no such rule was kept."""
    return bool(tx.execute("DELETE FROM privacy_rules WHERE kind = ? AND value = ?", (kind, value)).rowcount)


def recompute_private(tx: sqlite3.Connection) -> int:
    """Every moment's private flag from the rules; returns how many are private."""
    rules = tx.execute("SELECT kind, value FROM privacy_rules").fetchall()
    tx.execute("UPDATE moments SET private = 0 WHERE private = 1")
    for kind, value in rules:
        tx.execute(f"UPDATE moments AS m SET private = 1 WHERE {_covers(kind)}", (value,))
    return private_count(tx)
