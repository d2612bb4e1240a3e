"""Likeness and coherence: four-way choices that tell the person's words from others'.

Perplexity says the persona predicts the person's words better than the base model; it does not say
whether it can tell the person from anyone else. So, after TwinVoice (2025): an item is the opening of
one of the person's held-out passages and four continuations, one of them the real one. A model
chooses the continuation it finds likeliest (mean log-likelihood per token, given the opening and the
date, in the prompt the persona was trained with); accuracy is the share of right choices (chance 25 %).

- *likeness*: the three others were written by someone else: other people's words in the vault
  (what they said or wrote, the same kind of moment first), otherwise imitations written from the same
  opening by a different model than the ones under test (`imitation_model`). Only this shows what an
  adapter learnt of the person: a model that merely prefers fluent text cannot tell them apart.
- *coherence*: the three others come from elsewhere in the same person's words, so style does not
  help and only following the opening does.

Every candidate in an item is cut to the same number of words, so length gives nothing away.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from sideload.errors import SideloadError

CHOICES = 4
OPENING_WORDS = (15, 40, 70)  # shortest, aimed-at and longest opening, in words
CONTINUATION_WORDS = 40
MIN_CANDIDATE_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?;]['\"”’)]*$")


@dataclass
class Item:
    context: str  # the passage's opening
    choices: list[str]
    answer: int  # index of the real continuation
    date: str | None = None  # ISO date or time of the passage, for the prompt

    def as_dict(self) -> dict[str, Any]:
        return {"context": self.context, "choices": self.choices, "answer": self.answer,
                **({"date": self.date} if self.date else {})}


@dataclass
class Passage:
    text: str
    started_at: str | None = None
    precision: str = "second"


def split_passage(text: str) -> tuple[str, str] | None:
    """(opening, continuation): the opening ends at a sentence end near OPENING_WORDS words."""
    words = text.split()
    low, aim, high = OPENING_WORDS
    if len(words) < low + MIN_CANDIDATE_WORDS:
        return None
    last = len(words) - MIN_CANDIDATE_WORDS  # an end that leaves too little to continue with is no cut
    ends = [i + 1 for i, w in enumerate(words[:high]) if low <= i + 1 <= last and _SENTENCE_END.search(w)]
    cut = min(ends, key=lambda i: abs(i - aim)) if ends else min(aim, len(words) - MIN_CANDIDATE_WORDS)
    rest = words[cut:cut + CONTINUATION_WORDS]
    if len(rest) < MIN_CANDIDATE_WORDS:
        return None
    return " ".join(words[:cut]), " ".join(rest)


def _words(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def _item(opening: str, real: str, others: list[str], rng: random.Random, date: str | None) -> Item:
    n = min(CONTINUATION_WORDS, *(len(c.split()) for c in [real, *others]))
    choices = [_words(c, n) for c in others]
    answer = rng.randrange(CHOICES)
    choices.insert(answer, _words(real, n))
    return Item(opening, choices, answer, date)


def coherence_items(passages: Sequence[Passage], *, limit: int, seed: int = 0) -> list[Item]:
    """The real continuation among three from the person's other held-out passages."""
    rng = random.Random(seed)
    split = [(p, s) for p in passages if (s := split_passage(p.text))]
    if len(split) < CHOICES:
        return []
    out = []
    for i, (p, (opening, real)) in enumerate(split[:limit]):
        others = rng.sample([s[1] for j, (_, s) in enumerate(split) if j != i], CHOICES - 1)
        out.append(_item(opening, real, others, rng, p.started_at))
    return out


def likeness_items(passages: Sequence[Passage], pool: Sequence[str] | Callable[[str], list[str]], *,
                   limit: int, seed: int = 0) -> list[Item]:
    """The real continuation among three written by someone else: drawn from `pool` (other people's
    words), or written for the opening by `pool(opening)` (a different model's imitations)."""
    rng = random.Random(seed)
    out = []
    for p in passages:
        if len(out) >= limit:
            break
        split = split_passage(p.text)
        if not split:
            continue
        opening, real = split
        if callable(pool):
            others = [t for t in pool(opening) if len(t.split()) >= MIN_CANDIDATE_WORDS][:CHOICES - 1]
        else:
            long_enough = [t for t in pool if len(t.split()) >= MIN_CANDIDATE_WORDS]
            others = rng.sample(long_enough, CHOICES - 1) if len(long_enough) >= CHOICES - 1 else []
        if len(others) == CHOICES - 1:
            out.append(_item(opening, real, others, rng, p.started_at))
    return out


def others_pool(texts: Sequence[str]) -> list[str]:
    """Other people's words as candidates: short lines of one file run together up to the length of
    a continuation, so a chat's one-liners can stand beside a diary's sentences."""
    out, run = [], []
    for t in texts:
        run.append(t.strip())
        if len(" ".join(run).split()) >= CONTINUATION_WORDS:
            out.append(" ".join(run))
            run = []
    if len(" ".join(run).split()) >= MIN_CANDIDATE_WORDS:
        out.append(" ".join(run))
    return out


def read_items(path: Path) -> list[Item]:
    """An external four-way set (TwinVoice-style): one JSON object a line with "context", "choices",
    "answer" (the index of the real one) and an optional "date"."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise SideloadError(f"no such file: {path}", kind="input")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            context, choices, answer = doc["context"], doc["choices"], doc["answer"]
            ok = (isinstance(context, str) and isinstance(choices, list) and len(choices) >= 2
                  and all(isinstance(c, str) and c.strip() for c in choices)
                  and isinstance(answer, int) and 0 <= answer < len(choices))
        except (json.JSONDecodeError, KeyError, TypeError):
            ok = False
        if not ok:
            raise SideloadError(f"{path.name} line {n} is not an item: it needs \"context\" (text), \"choices\" "
                                "(two or more texts) and \"answer\" (the index of the real one)", kind="input")
        items.append(Item(context, [c.strip() for c in choices], answer, doc.get("date")))
    if not items:
        raise SideloadError(f"{path.name} holds no items", kind="input")
    return items


def prompt_for(item: Item, owner: str) -> list[dict]:
    """The prompt the persona was trained with (learn.training.to_examples) for a dated passage."""
    from sideload.learn.training import system_prompt, when_said

    when = when_said(item.date, "day" if item.date and len(item.date) <= 10 else "second")
    return [{"role": "system", "content": system_prompt(owner)},
            {"role": "user", "content": f"{when}. Write in your own words what happened."}]


def accuracy(items: Sequence[Item], picked: Sequence[int]) -> float | None:
    if not picked:
        return None
    return round(sum(p == it.answer for it, p in zip(items, picked)) / len(picked), 4)
