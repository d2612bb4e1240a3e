"""Forget: remove moments everywhere the vault keeps anything of them.

Catalogue rows (with their vectors, voiceprints and profile mentions), the full-text index (merged
so no segment keeps the words), the chromadb index, the vector matrix, keyframes and thumbnails,
chat messages that quote or cite them, and SQLite's free pages and write-ahead log (secure delete,
then a checkpoint that truncates the log). A forgotten file's content hash is kept (a hash, not
its content) so that importing the same folder again does not bring it back.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sideload.errors import SideloadError
from sideload.store.vault import Vault


def _moment_rows(vault: Vault, moment_ids: list[str] | None, source: str | None):
    if source:
        path = str(Path(source).expanduser().resolve())
        return vault.db.execute(
            "SELECT m.rid, m.moment_id, m.text, m.keyframe, m.start_s, f.file_id, f.content_hash, f.path "
            "FROM moments m JOIN files f USING (file_id) WHERE f.path = ?", (path,)).fetchall(), path
    marks = ",".join("?" * len(moment_ids or []))
    return vault.db.execute(
        "SELECT m.rid, m.moment_id, m.text, m.keyframe, m.start_s, f.file_id, f.content_hash, f.path "
        f"FROM moments m JOIN files f USING (file_id) WHERE m.moment_id IN ({marks})", moment_ids or []).fetchall(), None


def forget(vault: Vault, *, moment_ids: list[str] | None = None, source: str | None = None, index=None) -> int:
    vault.require_writable()
    rows, path = _moment_rows(vault, moment_ids, source)
    file_row = None
    if path is not None:
        file_row = vault.db.execute("SELECT file_id, content_hash, path FROM files WHERE path = ?", (path,)).fetchone()
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
        for chunk in range(0, len(rids), 500):
            part = rids[chunk:chunk + 500]
            tx.execute(f"DELETE FROM moments WHERE rid IN ({','.join('?' * len(part))})", part)
        # chat messages that cite or quote what is forgotten
        for mid, cites in tx.execute("SELECT id, citations FROM chat_messages").fetchall():
            if set(json.loads(cites or "[]")) & set(ids):
                tx.execute("DELETE FROM chat_messages WHERE id = ?", (mid,))
        for text in texts:
            needle = text[:80]
            if len(needle) >= 12:
                tx.execute("DELETE FROM chat_messages WHERE instr(content, ?) > 0", (needle,))
        if file_row is not None:
            tx.execute("DELETE FROM files WHERE file_id = ?", (file_row["file_id"],))
            tx.execute("INSERT OR REPLACE INTO forgotten_files (content_hash, at) VALUES (?, ?)",
                       (file_row["content_hash"], datetime.now().isoformat(timespec="seconds")))
        # profile facts are rebuilt below from the mentions that remain
        tx.execute("DELETE FROM profile_facts WHERE source = 'auto'")
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
    vault.db.execute("INSERT INTO moments_fts(moments_fts) VALUES ('optimize')")
    vault.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return len(ids)
