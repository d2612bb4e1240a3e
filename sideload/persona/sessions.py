"""Chat sessions with the persona, kept in the vault so the app and `ask --session` continue them."""
from __future__ import annotations

import uuid
from datetime import datetime

from sideload.store import queries


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


def session_history(db, session_id: str) -> list[dict]:
    """The turns as chat messages (role, content) for the model's context."""
    return [{"role": t["role"], "content": t["content"]} for t in queries.chat_messages(db, session_id)]


def save_exchange(vault, session_id: str, question: str, answer) -> None:
    now = datetime.now().isoformat(timespec="seconds")
    with vault.transaction() as tx:
        queries.save_chat_exchange(tx, session_id, question, answer.text,
                                   [c["moment_id"] for c in answer.citations], now,
                                   _first_passages(answer.citations))


def _first_passages(citations: list[dict]) -> dict[str, list[int]]:
    """Where each cited moment opens when the chat is reopened: its first quote's passage (a long entry
    may be quoted twice, its best passage first)."""
    out: dict[str, list[int]] = {}
    for c in citations:
        if c.get("passage"):
            out.setdefault(c["moment_id"], [c["passage"]["start"], c["passage"]["end"]])
    return out
