"""The steps that run once per import, after its files: what depends on the whole vault.

Each is idempotent and cheap to repeat, so a killed import that is run again ends exactly as a
clean one. They are declared, with their share of progress, beside the per-file stages in
`sideload.ingest.pipeline.AFTER`.
"""
from __future__ import annotations

from sideload.ingest import people, speakers
from sideload.jobs import JobContext
from sideload.lifecycle.privacy import apply_rules, has_rules
from sideload.persona import discovery, profile
from sideload.store import queries, writes
from sideload.store.index import index_pending
from sideload.store.vectors import VectorStore


def speaker_labels(session, ctx: JobContext) -> None:
    """'me' and 'other' over every voiceprint of the vault: labels improve as the vault grows."""
    speakers.relabel(session.vault, session.hub)


def people_by_voice(session, ctx: JobContext) -> None:
    """New voices join their person (or start one), chat partners are people, names go onto moments."""
    people.group(session.vault)


def privacy_rules(session, ctx: JobContext) -> None:
    """A person or place marked private stays private in new footage."""
    if has_rules(session.vault.db):
        apply_rules(session.vault)


def activities(session, ctx: JobContext) -> None:
    """New moments join the nearest discovered activity (a vault without any discovers them now);
    consolidation rediscovers them all, so new kinds appear."""
    discovery.assign_new(session.vault)


def profile_facts(session, ctx: JobContext) -> None:
    """Reads only the new moments for mentions, then re-aggregates the facts."""
    profile.distil(session.vault)


def vector_index(session, ctx: JobContext) -> None:
    """Every stored vector into chromadb and the vector matrix (resumable: flagged as it lands)."""
    vault = session.vault
    store = VectorStore(vault.paths.vectors_file)
    index_pending(vault.db, session.index, check=ctx.check, store=store)
    if not store.covers(queries.max_vector_rid(vault.db)):  # an older vault, or a crash between two writes
        store.rebuild(vault.db)
    # a bulk import leaves the full-text index in many segments: merged once here, keyword queries
    # stay fast (an autocommit statement: the import's own transactions are all done by now)
    writes.optimize_fulltext(vault.db, session.result.moments)
