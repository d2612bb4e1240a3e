"""Forget: remove moments everywhere the vault keeps anything of them.

Catalogue rows (with their vectors, voiceprints and profile mentions), the full-text index (merged
so no segment keeps the words), the chromadb index, the vector matrix, keyframes and thumbnails
(and their folders once empty), chat messages that quote or cite them, the catalogue's backups,
and SQLite's free pages and write-ahead log (secure delete, then a checkpoint that truncates the
log). chromadb keeps a log of every vector it was given, deletions included, and its graph keeps
deleted vectors' data, so its index is rebuilt from the catalogue instead of deleted from. A
forgotten file's content hash is kept (a hash, not its content) so that importing the same folder
again does not bring it back.
"""
from __future__ import annotations

from pathlib import Path

from sideload.errors import SideloadError
from sideload.store import forgetting
from sideload.store.vault import Vault


def _moment_rows(vault: Vault, moment_ids: list[str] | None, source: str | None):
    if source:
        path = str(Path(source).expanduser().resolve())
        return forgetting.moments_of_file(vault.db, path), path
    return forgetting.moments_with_ids(vault.db, moment_ids or []), None


def forget(vault: Vault, *, moment_ids: list[str] | None = None, source: str | None = None, ctx=None) -> int:
    vault.require_writable()
    rows, path = _moment_rows(vault, moment_ids, source)
    file_row = None
    if path is not None:
        file_row = forgetting.file_at(vault.db, path)
        if file_row is None:
            raise SideloadError(f"no imported file at {path}", kind="input")
    elif moment_ids and len(rows) < len(set(moment_ids)):
        missing = sorted(set(moment_ids) - {r["moment_id"] for r in rows})
        raise SideloadError(f"no such moment: {', '.join(missing[:5])}", kind="input")
    ids = [r["moment_id"] for r in rows]
    rids = [r["rid"] for r in rows]
    texts = [r["text"] for r in rows if r["text"]]
    # 1. the vector matrix (a crash after it: the catalogue still has the vectors, the matrix is rebuilt)
    if ids:
        from sideload.store.vectors import VectorStore

        VectorStore(vault.paths.vectors_file).zero(rids)
    # 2. the catalogue, in one transaction
    with vault.transaction() as tx:
        # adapters that learnt from these moments stop serving and are retrained from scratch
        from sideload.persona.serving import withdraw_trained_on

        withdraw_trained_on(tx, vault, rids)
        forgetting.delete_moments(tx, rids)
        # chat messages that cite or quote what is forgotten
        forgetting.delete_chats_citing(tx, ids)
        forgetting.delete_chats_quoting(tx, texts)
        if file_row is not None:
            forgetting.forget_file(tx, file_row["file_id"], file_row["content_hash"])
        # profile facts are rebuilt below from the mentions that remain
        forgetting.drop_auto_profile_facts(tx)
    # 3. derived files
    emptied: set[Path] = set()
    for r in rows:
        if r["keyframe"]:
            t_ms = int(round(r["start_s"] * 1000))
            for f in (vault.paths.keyframe_file(r["content_hash"], t_ms), vault.paths.thumbnail_file(r["content_hash"], t_ms)):
                f.unlink(missing_ok=True)
                emptied.add(f.parent)
    for folder in emptied:
        _remove_if_empty(folder)  # named after the file's content hash: no trace of it either
    if file_row is not None:
        copy = vault.paths.original_copy(file_row["content_hash"], Path(file_row["path"]).suffix)
        if str(copy) == file_row["path"]:
            copy.unlink(missing_ok=True)
        _remove_if_empty(copy.parent)
    # 3b. the index, rebuilt from what the catalogue still holds (a crash before: the next check sees
    # it holds more than the catalogue, and rebuilds it then)
    if ids:
        from sideload.jobs import JobContext
        from sideload.store import index as store_index

        store_index.rebuild(vault.db, vault.paths.index_dir, check_cancel=lambda: None,
                            report=lambda done, total: (ctx or JobContext()).report(
                                done / max(total, 1), "rebuilding the search index", done=done, total=total))
        _remove_backups(vault)
    # 4. the profile, then no copy left in the full-text segments, free pages or the log
    from sideload.persona.profile import distil

    distil(vault)
    forgetting.scrub(vault.db)
    return len(ids)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (other keyframes of the same file), or not there
        pass


def _remove_backups(vault: Vault) -> None:
    """Backups of the catalogue still hold what was forgotten: they go, and a fresh one is made."""
    from sideload.store import backups

    backups.remove_all(vault.paths)
    backups.make(vault.db, vault.paths)
