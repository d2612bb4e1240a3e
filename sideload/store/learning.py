"""The catalogue's side of learning: adapters and what they learnt from, consolidation runs,
re-embedding, and the owner's own words that training reads. The one place their SQL is written.

Writes take the caller's transaction (`tx`) and never open one, so the caller decides what commits
together: a promotion's status switch, figures and sources; a forget's withdrawal with the moments
it removes; each re-embedding batch on its own.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

RETRAIN_KEY = "retrain_from_scratch"
REEMBED_KEY = "reembed_started"

# The columns of a trained adapter's row, in the order `record_adapter` writes them.
ADAPTER_COLUMNS = ("adapter_id", "created_at", "status", "parent_id", "base_name", "base_sha256", "gguf_file",
                   "peft_dir", "train_tokens", "train_seconds", "examples", "heldout_tokens", "ppl_base",
                   "ppl_previous", "ppl_new", "note")
# The night's four-way choices (likeness, coherence) before and after, written when they were measured.
CHOICE_COLUMNS = ("likeness_previous", "likeness_new", "likeness_items", "coherence_previous", "coherence_new",
                  "coherence_items", "likeness_note")
REPORTED_PROFILE_KEY = "report_profile_keys"


# -- adapters: reading --------------------------------------------------------------------------

def served_adapter(db: sqlite3.Connection) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM adapters WHERE status = 'served' ORDER BY adapter_id DESC LIMIT 1").fetchone()
    return dict(row) if row else None


def adapter_history(db: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every adapter with its figures, oldest first."""
    return [dict(r) for r in db.execute(
        "SELECT adapter_id, created_at, status, parent_id, train_tokens, train_seconds, examples, heldout_tokens, "
        "ppl_base, ppl_previous, ppl_new, needs_retrain, note, " + ", ".join(CHOICE_COLUMNS) +
        " FROM adapters ORDER BY adapter_id")]


def adapter_sources(db: sqlite3.Connection, adapter_id: int) -> set[int]:
    """The moments (row ids) an adapter learnt from."""
    return {r[0] for r in db.execute("SELECT rid FROM adapter_sources WHERE adapter_id = ?", (adapter_id,))}


def next_adapter_id(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(adapter_id), 0) FROM adapters").fetchone()[0] + 1


def retrain_from_scratch_requested(db: sqlite3.Connection) -> bool:
    """Set by forget: the next training must not continue from weights that saw what was forgotten."""
    return bool(db.execute(f"SELECT 1 FROM kv WHERE key = '{RETRAIN_KEY}' AND value = '1'").fetchone())


# -- adapters: promotion (inside the caller's transaction) --------------------------------------

def retire_served(tx: sqlite3.Connection) -> None:
    tx.execute("UPDATE adapters SET status = 'retired' WHERE status = 'served'")


def record_adapter(tx: sqlite3.Connection, row: dict[str, Any]) -> None:
    """A trained adapter's catalogue row; `row` holds every name in ADAPTER_COLUMNS and may hold those
    in CHOICE_COLUMNS (a figure left out stays NULL: not measured)."""
    cols = ADAPTER_COLUMNS + tuple(c for c in CHOICE_COLUMNS if row.get(c) is not None)
    tx.execute(f"INSERT INTO adapters ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})",
               tuple(row[c] for c in cols))


def add_adapter_sources(tx: sqlite3.Connection, adapter_id: int, rids: Iterable[int]) -> None:
    tx.executemany("INSERT OR IGNORE INTO adapter_sources (adapter_id, rid) VALUES (?, ?)",
                   [(adapter_id, r) for r in rids])


def inherit_adapter_sources(tx: sqlite3.Connection, adapter_id: int, parent_id: int) -> None:
    """An adapter trained on top of another has also learnt everything its parent learnt from."""
    tx.execute("INSERT OR IGNORE INTO adapter_sources (adapter_id, rid) "
               "SELECT ?, rid FROM adapter_sources WHERE adapter_id = ?", (adapter_id, parent_id))


def clear_retrain_from_scratch(tx: sqlite3.Connection) -> None:
    tx.execute(f"DELETE FROM kv WHERE key = '{RETRAIN_KEY}'")


# -- adapters: withdrawal (inside forget's transaction) -----------------------------------------

def adapters_trained_on(tx: sqlite3.Connection, rids: list[int]) -> set[int]:
    """The adapters that learnt from any of `rids` (asked in parts: SQLite limits bound parameters)."""
    hit: set[int] = set()
    for i in range(0, len(rids), 500):
        part = rids[i:i + 500]
        hit |= {r[0] for r in tx.execute(
            f"SELECT DISTINCT adapter_id FROM adapter_sources WHERE rid IN ({','.join('?' * len(part))})", part)}
    return hit


def withdraw_adapter(tx: sqlite3.Connection, adapter_id: int) -> tuple[str | None, str | None]:
    """Mark an adapter withdrawn and to be retrained, forget its sources, and return the names of its
    weight files (gguf, peft folder) that the caller deletes."""
    row = tx.execute("SELECT gguf_file, peft_dir FROM adapters WHERE adapter_id = ?", (adapter_id,)).fetchone()
    tx.execute("UPDATE adapters SET status = 'withdrawn', needs_retrain = 1, gguf_file = NULL, peft_dir = NULL, "
               "note = 'trained on forgotten moments: withdrawn, to be retrained' WHERE adapter_id = ?", (adapter_id,))
    tx.execute("DELETE FROM adapter_sources WHERE adapter_id = ?", (adapter_id,))
    return row["gguf_file"], row["peft_dir"]


def serve_newest_clean_if_none_serves(tx: sqlite3.Connection) -> None:
    """With no adapter serving, the newest retired one that still has its weights serves again."""
    if not tx.execute("SELECT 1 FROM adapters WHERE status = 'served'").fetchone():
        tx.execute("UPDATE adapters SET status = 'served' WHERE adapter_id = (SELECT max(adapter_id) FROM adapters "
                   "WHERE status = 'retired' AND gguf_file IS NOT NULL)")


def request_retrain_from_scratch(tx: sqlite3.Connection) -> None:
    tx.execute(f"INSERT OR REPLACE INTO kv (key, value) VALUES ('{RETRAIN_KEY}', '1')")


# -- consolidation runs -------------------------------------------------------------------------

def running_run_ids(db: sqlite3.Connection) -> list[int]:
    """Runs still marked 'running' (while the caller holds the run lock: runs that were killed)."""
    return [r[0] for r in db.execute("SELECT run_id FROM consolidation_runs WHERE status = 'running'")]


def mark_runs_interrupted(tx: sqlite3.Connection, run_ids: list[int]) -> None:
    tx.executemany("UPDATE consolidation_runs SET status = 'interrupted' WHERE run_id = ?", [(r,) for r in run_ids])


def start_run(tx: sqlite3.Connection, started_at: str, pid: int) -> int:
    return tx.execute("INSERT INTO consolidation_runs (started_at, status, pid) VALUES (?, 'running', ?)",
                      (started_at, pid)).lastrowid


def save_run_steps(tx: sqlite3.Connection, run_id: int, steps: list[dict[str, Any]]) -> None:
    """The steps finished so far, recorded as each one ends so a killed run shows how far it got."""
    tx.execute("UPDATE consolidation_runs SET steps = ? WHERE run_id = ?", (json.dumps(steps), run_id))


def finish_run(tx: sqlite3.Connection, run_id: int, status: str, finished_at: str, steps: list[dict[str, Any]],
               report: dict[str, Any]) -> None:
    tx.execute("UPDATE consolidation_runs SET status = ?, finished_at = ?, steps = ?, report = ? WHERE run_id = ?",
               (status, finished_at, json.dumps(steps), json.dumps(report), run_id))


def last_run_report(db: sqlite3.Connection) -> dict[str, Any] | None:
    """The report of the newest run that is not still running."""
    row = db.execute("SELECT report, status FROM consolidation_runs WHERE status != 'running' "
                     "ORDER BY run_id DESC LIMIT 1").fetchone()
    return json.loads(row["report"]) if row else None


def reported_profile_keys(db: sqlite3.Connection) -> dict[str, list[str]] | None:
    """The people and places the last night's report knew of (None before the first report)."""
    row = db.execute(f"SELECT value FROM kv WHERE key = '{REPORTED_PROFILE_KEY}'").fetchone()
    return json.loads(row[0]) if row else None


def set_reported_profile_keys(tx: sqlite3.Connection, keys: dict[str, list[str]]) -> None:
    tx.execute(f"INSERT OR REPLACE INTO kv (key, value) VALUES ('{REPORTED_PROFILE_KEY}', ?)", (json.dumps(keys),))


# -- re-embedding ---------------------------------------------------------------------------------

def stale_vector_count(db: sqlite3.Connection, model: str) -> int:
    """Vectors made by another embedding model than `model`."""
    return db.execute("SELECT count(*) FROM embeddings WHERE model != ?", (model,)).fetchone()[0]


def reembed_started(db: sqlite3.Connection) -> bool:
    """A re-embedding began (and emptied the index) but has not finished."""
    return db.execute(f"SELECT 1 FROM kv WHERE key = '{REEMBED_KEY}'").fetchone() is not None


def start_reembed(tx: sqlite3.Connection, model: str) -> None:
    """Every vector is to be indexed again, and the re-embedding is remembered as begun."""
    tx.execute("UPDATE embeddings SET indexed = 0")
    tx.execute(f"INSERT OR REPLACE INTO kv (key, value) VALUES ('{REEMBED_KEY}', ?)", (model,))


def stale_vector_batch(db: sqlite3.Connection, model: str, limit: int = 256) -> list[sqlite3.Row]:
    """Up to `limit` moments (rid, text, caption, kind) whose vectors another model made."""
    return db.execute("SELECT e.rid, m.text, m.caption, m.kind FROM embeddings e JOIN moments m USING (rid) "
                      "WHERE e.model != ? LIMIT ?", (model, limit)).fetchall()


def replace_vectors(tx: sqlite3.Connection, model: str, vectors: Iterable[tuple[int, bytes]]) -> None:
    """New vectors (rid, float32 bytes) made by `model`, each to be indexed again."""
    tx.executemany("UPDATE embeddings SET vector = ?, model = ?, indexed = 0 WHERE rid = ?",
                   [(vec, model, rid) for rid, vec in vectors])


def finish_reembed(tx: sqlite3.Connection) -> None:
    tx.execute(f"DELETE FROM kv WHERE key = '{REEMBED_KEY}'")


# -- the owner's own words (training sets) --------------------------------------------------------

def owner_word_rows(db: sqlite3.Connection, *, include_private: bool) -> list[sqlite3.Row]:
    """The owner's own speech and writing (at least 12 characters), oldest first, untimed last."""
    private = "" if include_private else "AND m.private = 0"
    return db.execute(
        f"""SELECT m.rid, m.kind, m.text, m.t_start, m.started_at, m.file_id, m.meta
            FROM moments m WHERE m.speaker = 'me' AND m.kind IN ('speech', 'text')
            AND length(trim(m.text)) >= 12 {private}
            ORDER BY m.t_start IS NULL, m.t_start, m.rid""").fetchall()


def said_before(db: sqlite3.Connection, file_id: int, t_start: float, window_s: float, *,
                include_private: bool) -> list[sqlite3.Row]:
    """The last two things (text, speaker_name) others said in the same file up to `window_s` before
    `t_start`, newest first."""
    private = "" if include_private else "AND m.private = 0"
    return db.execute(
        f"""SELECT text, speaker_name FROM moments m WHERE file_id = ? AND kind IN ('speech', 'text')
            AND (speaker IS NULL OR speaker != 'me') AND t_start <= ? AND t_start >= ? {private}
            ORDER BY t_start DESC LIMIT 2""",
        (file_id, t_start, t_start - window_s)).fetchall()


def others_words(db: sqlite3.Connection, kind: str, limit: int = 5000, *, owner: str = "") -> list[str]:
    """What other people said or wrote (shared moments of one kind, in time order): the likeness
    test's candidates that are not the owner's. Words of a named author not known to be the owner
    (a file of letters with an "author" field) count too; an unnamed unknown voice does not."""
    return [r[0] for r in db.execute(
        "SELECT text FROM moments WHERE (speaker = 'other' OR (speaker = 'unknown' AND coalesce(speaker_name, '') "
        "NOT IN ('', ?))) AND private = 0 AND kind = ? AND text != '' ORDER BY t_start LIMIT ?",
        (owner, kind, limit))]
