"""The JSON documents the faces return, made in one place for every face.

`sideload moments --json` and `GET /v1/moments` of `sideload serve` print the same document because
both call the same function here (../shared/docs/CLI.md is their contract). Each takes an open vault
and plain values (dates as text, as a person or a URL gives them) and checks them with the same
words for every face.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from sideload.errors import SideloadError
from sideload.store.vault import Vault

SPEAKERS = ("me", "other", "unknown")
KINDS = ("speech", "scene", "photo", "text")
MODES = ("hybrid", "dense", "keyword")


def parse_day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SideloadError(f"{flag} expects a date as YYYY-MM-DD (got {value!r})", kind="usage") from None


def _choice(value: str | None, allowed: tuple[str, ...], flag: str) -> str | None:
    if value is not None and value not in allowed:
        raise SideloadError(f"{flag} must be one of {', '.join(allowed)} (got {value!r})", kind="usage")
    return value


def moments(vault: Vault, *, day: str | None = None, source: str | None = None) -> dict[str, Any]:
    """`moments --json`: the moments of a day or of a source file, in time order."""
    parse_day(day, "--day")
    return {"moments": vault.moments(day=day, source=source)}


def search(vault: Vault, searcher: Callable[[], Any], query: str, *, limit: int = 10,
           date_from: str | None = None, date_to: str | None = None, speaker: str | None = None,
           kind: str | None = None, source: str | None = None, mode: str = "hybrid") -> dict[str, Any]:
    """`search --json`: ranked moments, with the time phrases understood. `searcher` is called only
    when the vault holds moments (an empty vault needs no embedding model)."""
    from sideload.recall.search import build_request

    if not query or not query.strip():
        raise SideloadError("a search needs words to look for", kind="usage")
    if limit < 1:
        raise SideloadError("--limit must be at least 1", kind="usage")
    req = build_request([d for d, _ in vault.days()], query, limit=limit,
                        date_from=parse_day(date_from, "--from"), date_to=parse_day(date_to, "--to"),
                        speaker=_choice(speaker, SPEAKERS, "--speaker"), kind=_choice(kind, KINDS, "--kind"),
                        source=str(Path(source).expanduser().resolve()) if source else None,
                        mode=_choice(mode, MODES, "--mode") or "hybrid")
    results = searcher().search(req) if vault.counts()["moments"] else []
    doc: dict[str, Any] = {"results": results}
    if req.understood:
        doc["understood"] = req.understood
    return doc


def predict(vault: Vault, *, at: str | None = None, context: str | None = None,
            clock: Callable[[], datetime] = datetime.now) -> dict[str, Any]:
    """`predict --json`: the likely next activities, each with the moments that show it. Without
    `at`, "now" is the vault's own time: just after its newest moment."""
    from sideload.persona.predict import predict_json
    from sideload.store import queries

    try:
        when = datetime.fromisoformat(at).replace(tzinfo=None) if at else None
    except ValueError:
        raise SideloadError(f"--at expects an ISO date and time such as 2026-03-02T18:30 (got {at!r})",
                            kind="usage") from None
    if when is None:
        last = queries.newest_timed_start(vault.db)
        when = datetime.fromisoformat(last).replace(tzinfo=None) if last else clock()
    doc = predict_json(vault.db, when, context, lambda ids: queries.moments_by_ids(vault.db, ids))
    doc["at"] = when.isoformat(timespec="minutes")
    return doc
