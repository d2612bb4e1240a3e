"""A vault: one folder holding the catalogue, the vector index, derived files and settings.

Originals stay where they are (referenced by absolute path and content hash) unless the
`copy_originals` setting says otherwise. One process writes at a time: writers take an exclusive
lock file and a second writer is told the vault is busy; readers need no lock (SQLite WAL).
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sideload.store import catalogue
from sideload.errors import SideloadError
from sideload.store.moments import MOMENT_COLUMNS, row_to_json
from sideload.paths import VaultPaths
from sideload.settings import Settings

log = logging.getLogger(__name__)


class Vault:
    def __init__(self, paths: VaultPaths, conn: sqlite3.Connection, *, writable: bool,
                 lock_fd: int | None = None):
        self.paths = paths
        self.db = conn
        self.writable = writable
        self._lock_fd = lock_fd
        self._closed = False
        self.settings = Settings(paths.settings_file)

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def init(cls, root: Path) -> "Vault":
        paths = VaultPaths(Path(root).resolve())
        if paths.catalogue.exists():
            return cls.open(root, write=True)
        if paths.root.exists() and not paths.root.is_dir():
            raise SideloadError(f"{paths.root} exists and is not a folder", kind="usage")
        first = None
        if not paths.settings_file.exists():
            from sideload.paths import new_vault_settings_file

            first = Settings(paths.settings_file)
            first.start_from(new_vault_settings_file())  # refused here, before anything is made
        for d in paths.dirs():
            d.mkdir(parents=True, exist_ok=True)
        lock_fd = _take_write_lock(paths)
        if first is not None:
            first.save()
        conn = catalogue.create(paths.catalogue)
        return cls(paths, conn, writable=True, lock_fd=lock_fd)

    @classmethod
    def open(cls, root: Path, *, write: bool = False) -> "Vault":
        paths = VaultPaths(Path(root).resolve())
        if not paths.catalogue.is_file():
            why = "does not exist" if not paths.root.exists() else "is not a Sideload vault (no catalogue in it)"
            raise SideloadError(f"{paths.root} {why}", kind="not-a-vault",
                                hint=f"create one with `sideload --vault {paths.root} init`")
        # Refuse a future schema before taking locks or creating anything in the folder.
        catalogue.ensure_compatible(paths.catalogue)
        legacy = is_legacy(paths.catalogue)
        if write and legacy:
            raise SideloadError("this is a preserved sideload in family mode: it can be read, searched and "
                                "asked, never changed", kind="read-only")
        on_read_only_media = not os.access(paths.root, os.W_OK)
        if not write and not legacy and not on_read_only_media and catalogue.needs_migration(paths.catalogue):
            cls.open(root, write=True).close()  # an older schema is brought forward once, under the lock
        lock_fd = _take_write_lock(paths) if write else None
        try:
            # reading never writes: a reader's connection is read-only (immutable on read-only media)
            try:
                conn = catalogue.open_existing(paths.catalogue, read_only=legacy or not write,
                                               immutable=on_read_only_media)
            except (SideloadError, sqlite3.OperationalError):
                # On a full disk a reader cannot make the shared-memory file beside the catalogue. With
                # no writer and no unfinished log, the file on disk is the whole truth: read it as is.
                if write or on_read_only_media or not _at_rest(paths):
                    raise
                conn = catalogue.open_existing(paths.catalogue, read_only=True, immutable=True)
        except SideloadError as exc:
            if lock_fd is not None:
                os.close(lock_fd)
            if exc.kind == "corrupt":
                exc.hint = restore_hint(paths)
            raise
        except BaseException:
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        if write:
            for d in paths.dirs():
                d.mkdir(parents=True, exist_ok=True)
        return cls(paths, conn, writable=write, lock_fd=lock_fd)

    @property
    def closed(self) -> bool:
        """Closed already: a late callback (a save finishing after its window closed) must not touch it."""
        return self._closed

    def close(self) -> None:
        self._closed = True
        try:
            self.db.close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None

    def __enter__(self) -> "Vault":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------
    def require_writable(self) -> None:
        if not self.writable:
            raise SideloadError("this vault is open read-only", kind="read-only")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: the data and the resume state that describes it commit together."""
        self.require_writable()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------
    def moments(self, *, day: str | None = None, source: str | None = None,
                include_private: bool = True) -> list[dict[str, Any]]:
        where, args = [], []
        if day:
            where.append("m.day = ?")
            args.append(day)
        if source:
            where.append("f.path = ?")
            args.append(str(Path(source).expanduser().resolve()))
        if not include_private:
            where.append("m.private = 0")
        sql = (f"SELECT {MOMENT_COLUMNS} FROM moments m JOIN files f USING (file_id)"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + " ORDER BY m.t_start IS NULL, m.t_start, f.path, m.start_s")
        return [row_to_json(r) for r in self.db.execute(sql, args)]

    def counts(self) -> dict[str, int]:
        files = self.db.execute("SELECT count(*) FROM files").fetchone()[0]
        moments = self.db.execute("SELECT count(*) FROM moments").fetchone()[0]
        days = self.db.execute("SELECT count(DISTINCT day) FROM moments").fetchone()[0]
        return {"files": files, "moments": moments, "days": days}

    def days(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT day, count(*) FROM moments WHERE day IS NOT NULL GROUP BY day ORDER BY day")]

    def data_version(self) -> int:
        """Changes when another connection (an import, another process) commits: a long-lived reader
        such as `sideload serve` reopens its engines then, so new moments are found."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]


def _at_rest(paths: VaultPaths) -> bool:
    """No process writes the vault and its write-ahead log holds nothing."""
    from sideload.locks import held

    wal = paths.catalogue.with_name(paths.catalogue.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return False
    return not held(paths.write_lock)


def restore_hint(paths: VaultPaths) -> str:
    from sideload.store import backups

    newest = backups.newest(paths)
    if newest is None:
        return "restore it from a copy or an exported sideload; consolidation keeps backups from its next run on"
    return (f"the newest backup is {newest} ({newest.stat().st_size:,} bytes); with Sideload closed, copy it over "
            f"{paths.catalogue} (and delete sideload.db-wal beside it) to go back to it")


def is_legacy(catalogue_path: Path) -> bool:
    """A preserved sideload (family mode) is marked in its catalogue; read without writing."""
    try:
        conn = sqlite3.connect(f"file:{catalogue_path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM kv WHERE key = 'legacy'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row and row[0] == "1")


def _take_write_lock(paths: VaultPaths) -> int:
    paths.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.write_lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        try:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        finally:
            os.close(fd)
        who = f" (process {holder})" if holder else ""
        raise SideloadError(f"the vault is busy: another Sideload process{who} is writing to it; "
                            "reading still works", kind="busy",
                            hint="wait for it to finish, or stop it") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
