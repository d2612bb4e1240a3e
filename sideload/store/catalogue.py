"""The SQLite catalogue: connections, and the forward migrations (`migrations.py`) run on open.

SQLite is the source of truth; the chromadb index and every derived file can be rebuilt from it.
Schema versions live in `user_version`; a catalogue written by a newer Sideload is refused
before anything is written to it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sideload.errors import SideloadError
from sideload.store.migrations import MIGRATIONS

APPLICATION_ID = 0x51DE10AD  # marks a file as a Sideload catalogue

SCHEMA_VERSION = len(MIGRATIONS)


def _configure(conn: sqlite3.Connection, read_only: bool) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")  # forgotten text must not linger in free pages


def peek_version(path: Path) -> tuple[int, int]:
    """(application_id, user_version), read without writing anything to the vault.

    Both live in the file header (offsets 68 and 60). Only when a write-ahead log with content
    sits beside the file can the header be stale; then SQLite itself is asked, read-only.
    """
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise SideloadError(f"{path} cannot be read ({exc.strerror})", kind="permission") from None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise SideloadError(f"{path} is not a readable Sideload catalogue (not a SQLite database)",
                            kind="corrupt")
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size > 0):
        return int.from_bytes(header[68:72], "big"), int.from_bytes(header[60:64], "big")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SideloadError(f"{path} is not a readable Sideload catalogue ({exc})", kind="corrupt") from None
    return app_id, version


def create(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    _configure(conn, read_only=False)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrate(conn)
    return conn


def ensure_compatible(path: Path) -> int:
    """The schema version of a Sideload catalogue; refuses foreign and future ones, touching nothing."""
    app_id, version = peek_version(path)
    if app_id != APPLICATION_ID:
        raise SideloadError(f"{path} is a SQLite file but not a Sideload catalogue", kind="not-a-vault")
    if version > SCHEMA_VERSION:
        raise SideloadError(
            f"this vault was written by a newer Sideload (catalogue schema {version}; this version "
            f"knows up to {SCHEMA_VERSION}); it was left untouched",
            kind="schema", hint="upgrade Sideload to open it")
    return version


def open_existing(path: Path, *, read_only: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """Open a catalogue; refuse foreign or future ones untouched; migrate older ones forward.

    A reader opens it read-only: reading never writes. On read-only media (a family sideload on a
    DVD, a read-only mount) no lock or shared-memory file can be made beside it either, so there it
    is opened as immutable: nobody can be writing to it."""
    version = ensure_compatible(path)
    if read_only:
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(f"file:{path}?{flags}", uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    _configure(conn, read_only)
    quick_check(conn, path)
    if version < SCHEMA_VERSION:
        if read_only:
            raise SideloadError(f"this vault uses an older catalogue schema ({version}); open it once "
                                "with write access to upgrade it", kind="schema")
        migrate(conn)
    return conn


def needs_migration(path: Path) -> bool:
    return ensure_compatible(path) < SCHEMA_VERSION


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """Cheap corruption check on open: the schema must parse and the core tables must be readable."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("SELECT rid FROM moments ORDER BY rid DESC LIMIT 1").fetchone()
        conn.execute("SELECT file_id FROM files ORDER BY file_id DESC LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SideloadError(f"the vault's catalogue {path} is damaged ({exc})", kind="corrupt",
                            hint="restore it from a backup or an exported sideload") from None


def full_check(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA integrity_check; an empty list means healthy."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version + 1, SCHEMA_VERSION + 1):
        # executescript commits on its own; the version bump is part of the same script
        conn.executescript(f"BEGIN;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;")
