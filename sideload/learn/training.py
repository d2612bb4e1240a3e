"""Training data for the persona: the owner's own words in their context, as chat-format examples.

The owner's words are speech attributed to the wearer and the owner's own writing (diary entries,
their side of a chat). Each becomes an example whose prompt says when it was and what was said to
them just before, and whose reply is what they actually said or wrote. The newest words are held
out to score each new adapter; of the rest, what no served adapter has seen yet is "new", and a
replay sample of what was seen keeps the persona from forgetting it.

Training sets are built in memory from the catalogue each night and never written to disk; the
moments each adapter learnt from are recorded (`adapter_sources`) so `forget` can find them.
Private moments are left out unless the owner allows it; forgotten ones no longer exist.
"""
from __future__ import annotations

import random
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

from models.lora import Example
from sideload.store import learning

CHARS_PER_TOKEN = 3.6    # measured on the Pepys diary with SmolLM2's tokenizer (about 3.5 to 3.8)
CHUNK_CHARS = 800        # an example's reply, cut at a sentence end near here (under 256 tokens)
CONTEXT_WINDOW_S = 600   # what others said up to ten minutes before counts as said to the owner


@dataclass
class OwnerWords:
    rid: int
    kind: str
    text: str
    t_start: float | None
    started_at: str | None
    precision: str
    context: str  # what was said to the owner just before ("Name: words"), or ""

    @property
    def tokens(self) -> int:
        return int(len(self.text) / CHARS_PER_TOKEN) + 1


def system_prompt(owner: str) -> str:
    who = owner or "the owner of this lifelog"
    return f"You are {who}. Speak and write exactly as {who} does, in the first person."


def when_said(started_at: str | None, precision: str) -> str:
    """The date (and time, where known) as the training prompt says it: 'Monday 2 March 2026'."""
    return _when(started_at, precision)


def _when(started_at: str | None, precision: str) -> str:
    if not started_at:
        return "Some time"
    try:
        dt = datetime.fromisoformat(started_at)
    except ValueError:
        return started_at
    day = f"{dt.strftime('%A')} {dt.day} {dt.strftime('%B')} {dt.year}"
    return day if precision == "day" else f"{day}, {dt.strftime('%H:%M')}"


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Cut long writing at sentence ends so each piece fits one training window."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    out, cur = [], ""
    for sentence in re.split(r"(?<=[.!?;])\s+", text):
        while len(sentence) > limit:  # a run-on sentence: cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if cur:
                out.append(cur)
                cur = ""
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if cur and len(cur) + 1 + len(sentence) > limit:
            out.append(cur)
            cur = sentence
        else:
            cur = f"{cur} {sentence}".strip()
    if cur:
        out.append(cur)
    return out


def to_examples(words: OwnerWords, owner: str) -> list[Example]:
    when = _when(words.started_at, words.precision)
    if words.context:
        ask = f"{when}. {words.context}"
    elif words.kind == "text":
        ask = f"{when}. Write in your own words what happened."
    else:
        ask = f"{when}. Say what you said."
    sys_msg = {"role": "system", "content": system_prompt(owner)}
    out = []
    for i, piece in enumerate(chunks(words.text)):
        user = ask if i == 0 else f"{when}. Go on."
        out.append(Example([sys_msg, {"role": "user", "content": user}], piece))
    return out


def owner_words(db: sqlite3.Connection, *, include_private: bool = False) -> list[OwnerWords]:
    """Every stretch of the owner's own words in the vault, oldest first, with its context."""
    import json

    out = []
    for r in learning.owner_word_rows(db, include_private=include_private):
        context = ""
        if r["t_start"] is not None:
            prev = learning.said_before(db, r["file_id"], r["t_start"], CONTEXT_WINDOW_S,
                                        include_private=include_private)
            said = [f"{p['speaker_name'] or 'Someone'}: \"{p['text'].strip()[:300]}\"" for p in reversed(prev)]
            context = " ".join(said)
        precision = json.loads(r["meta"] or "{}").get("precision", "second")
        out.append(OwnerWords(r["rid"], r["kind"], r["text"], r["t_start"], r["started_at"], precision, context))
    return out


@dataclass
class TrainingSet:
    train: list[Example]
    heldout: list[Example]
    sources: list[int]          # rids of the moments in `train`
    new_tokens: int
    replay_tokens: int
    heldout_tokens: int
    heldout_words: list[OwnerWords] = field(default_factory=list)  # for the night's four-way choices

    def summary(self) -> dict:
        return {"examples": len(self.train), "new_tokens": self.new_tokens, "replay_tokens": self.replay_tokens,
                "heldout_examples": len(self.heldout), "heldout_tokens": self.heldout_tokens,
                "moments": len(self.sources)}


def _take(words: Iterable[OwnerWords], budget: int) -> tuple[list[OwnerWords], int]:
    out, used = [], 0
    for w in words:
        if used >= budget:
            break
        out.append(w)
        used += w.tokens
    return out, used


def build(db: sqlite3.Connection, *, owner: str, seen: set[int], token_budget: int, replay_share: float,
          heldout_tokens: int, include_private: bool = False, seed: int = 0) -> TrainingSet:
    """Held-out newest words, new words up to the budget, and a replay sample of seen words."""
    words = owner_words(db, include_private=include_private)
    heldout_rev, held_used = _take(reversed(words), heldout_tokens)
    held_ids = {w.rid for w in heldout_rev}
    pool = [w for w in words if w.rid not in held_ids]
    rng = random.Random(seed)
    new = [w for w in pool if w.rid not in seen]
    old = [w for w in pool if w.rid in seen]
    replay_budget = int(token_budget * replay_share) if old else 0
    # New words newest first: when a backlog exceeds one night, the newest go first and the rest
    # stay "new" for the nights after.
    new_taken, new_used = _take(sorted(new, key=lambda w: (w.t_start or 0), reverse=True),
                                token_budget - replay_budget)
    rng.shuffle(old)
    replay_taken, replay_used = _take(old, replay_budget + max(0, token_budget - replay_budget - new_used))
    chosen = new_taken + replay_taken
    owner_examples = [ex for w in chosen for ex in to_examples(w, owner)]
    held_examples = [ex for w in reversed(heldout_rev) for ex in to_examples(w, owner)]
    return TrainingSet(owner_examples, held_examples, sorted(w.rid for w in chosen), new_used, replay_used, held_used,
                       list(reversed(heldout_rev)))


def examples_from_entries(entries: Sequence, owner: str) -> list[Example]:
    """Held-out examples from a file that is not in the vault (`persona eval --heldout`)."""
    out = []
    for e in entries:
        words = OwnerWords(0, e.kind, e.text, None, e.started_at, e.precision, e.context)
        out.extend(to_examples(words, owner))
    return out
