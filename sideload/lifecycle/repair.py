"""`sideload repair`: check what the vault keeps against its source of truth, and rebuild what is
derived from it.

The catalogue is the truth; the chromadb index and the float16 vector matrix are built from it, so
either can be rebuilt whenever it is lost, damaged, behind or holds what the catalogue no longer
has. A damaged catalogue cannot be rebuilt from anything inside the vault: it is reported, with
the newest backup to go back to.
"""
from __future__ import annotations

from typing import Any

from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.store import catalogue, queries
from sideload.store import index as store_index
from sideload.store.vault import Vault, restore_hint
from sideload.store.vectors import VectorStore


def repair(vault: Vault, ctx: JobContext, *, full: bool = False) -> dict[str, Any]:
    """Check the catalogue (`full`: every page), then the index and the vector matrix, rebuilding
    what needs it. Returns what was found and what was done."""
    vault.require_writable()
    ctx.report(0.0, "checking the catalogue", force=True)
    problems = catalogue.full_check(vault.db) if full else []
    if problems:
        raise SideloadError(f"the vault's catalogue is damaged ({problems[0]}; {len(problems)} problem(s) in all)",
                            kind="corrupt", hint=restore_hint(vault.paths))
    report: dict[str, Any] = {"catalogue": {"state": "ok", "checked": "every page" if full else "its schema"}}
    ctx.report(0.1, "checking the search index", force=True)
    index, health, rebuilt = store_index.ensure(vault.db, vault.paths.index_dir, ctx)
    store = VectorStore(vault.paths.vectors_file)
    pending = store_index.index_pending(vault.db, index, check=ctx.check, store=store)
    report["index"] = {**health.as_json(), "rebuilt": rebuilt, "indexed_now": pending}
    ctx.report(0.9, "checking the vector matrix", force=True)
    if store.covers(queries.max_vector_rid(vault.db)):
        report["vectors"] = {"state": "ok"}
    else:
        report["vectors"] = {"state": "behind", "rebuilt": store.rebuild(vault.db)}
    index.close()
    ctx.report(1.0, "done", force=True)
    return report
