"""Backups of the catalogue: SQLite's online backup, taken by each consolidation, the newest few kept.

A damaged catalogue is refused with a pointer to the newest backup. Forgetting removes every backup
(they hold what was forgotten) and takes a fresh one of the cleaned catalogue.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

KEEP = 3


def make(db: sqlite3.Connection, paths) -> Path:
    """A consistent copy of the catalogue as it is now (readers and the writer carry on meanwhile)."""
    paths.backups_dir.mkdir(parents=True, exist_ok=True)
    name = f"sideload-{datetime.now():%Y%m%d-%H%M%S-%f}.db"
    tmp = paths.backups_dir / (name + ".partial")
    dst = sqlite3.connect(tmp)
    try:
        db.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
    finally:
        dst.close()
    os.chmod(tmp, 0o600)
    out = paths.backups_dir / name
    os.replace(tmp, out)
    rotate(paths)
    return out


def rotate(paths, keep: int = KEEP) -> None:
    for old in existing(paths)[keep:]:
        old.unlink(missing_ok=True)
    for partial in paths.backups_dir.glob("*.partial"):  # a kill in the middle of a backup
        partial.unlink(missing_ok=True)


def existing(paths) -> list[Path]:
    """Backups, newest first."""
    if not paths.backups_dir.is_dir():
        return []
    return sorted(paths.backups_dir.glob("sideload-*.db"), reverse=True)


def newest(paths) -> Path | None:
    found = existing(paths)
    return found[0] if found else None


def remove_all(paths) -> None:
    for p in list(paths.backups_dir.glob("*")) if paths.backups_dir.is_dir() else []:
        p.unlink(missing_ok=True)
