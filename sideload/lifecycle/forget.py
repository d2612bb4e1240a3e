"""Forget: remove moments everywhere the vault keeps anything of them.

Catalogue rows (with their vectors, voiceprints and profile mentions), the full-text index (merged
so no segment keeps the words), the chromadb index, the vector matrix, keyframes and thumbnails,
chat messages that quote or cite them, and SQLite's free pages and write-ahead log (secure delete,
then a checkpoint that truncates the log). A forgotten file's content hash is kept (a hash, not
its content) so that importing the same folder again does not bring it back.
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


def forget(vault: Vault, *, moment_ids: list[str] | None = None, source: str | None = None, index=None) -> int:
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
    # 1. the vector index first: a crash after it leaves catalogue rows whose vectors re-index next time
    if ids:
        if index is None:
            from sideload.store.index import VectorIndex

            index = VectorIndex(vault.paths.index_dir)
        index.delete(ids)
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
    for r in rows:
        if r["keyframe"]:
            t_ms = int(round(r["start_s"] * 1000))
            for f in (vault.paths.keyframe_file(r["content_hash"], t_ms), vault.paths.thumbnail_file(r["content_hash"], t_ms)):
                f.unlink(missing_ok=True)
    if file_row is not None:
        copy = vault.paths.original_copy(file_row["content_hash"], Path(file_row["path"]).suffix)
        if str(copy) == file_row["path"]:
            copy.unlink(missing_ok=True)
    # 4. the profile, then no copy left in the full-text segments, free pages or the log
    from sideload.persona.profile import distil

    distil(vault)
    forgetting.scrub(vault.db)
    return len(ids)
