"""The night's four-way choices: likeness and coherence of the adapter that served before (or the base
model) and of the new one, on the night's held-out words, beside held-out perplexity.

Likeness needs someone else's words as the three wrong choices: other people's words in the vault, or
imitations written by `imitation_model`; without either only coherence is measured, and the night
says why. The cost is bounded: at most NIGHT_ITEMS items per test (fewer for a small held-out set),
so the choices read about as many tokens as the night's three perplexity passes (4 x 12 items of about
330 tokens, against 3 x 6,000 held-out tokens at the defaults) and stay a few percent of a night whose
training takes most of half an hour. With 12 items one item is 8 points, so these figures are reported
and charted but do not gate (README, "Training the persona, nightly").

`persona eval` and `persona choose` choose through the same `picks` and `distractors`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from sideload.errors import Cancelled
from sideload.jobs import JobContext
from sideload.learn import likeness
from sideload.store import learning
from sideload.store.vault import Vault

log = logging.getLogger(__name__)

NIGHT_ITEMS = 12
TOKENS_PER_ITEM = 500   # a night holds out at least this many tokens per item (6,000 held out: 12 items)
QUOTE_WORDS = 10        # how much of an item the report quotes
NO_OTHERS = "no one else's words in the vault and no imitation_model set: likeness was not measured"


@dataclass
class ItemSets:
    likeness: list[likeness.Item]
    coherence: list[likeness.Item]
    source: str | None  # where likeness's wrong choices came from; None: likeness not measured
    note: str = ""      # why likeness is missing, or ""


def night_items(heldout_tokens: int) -> int:
    return max(2, min(NIGHT_ITEMS, heldout_tokens // TOKENS_PER_ITEM))


def distractors(vault: Vault, hub, kind: str, ctx: JobContext):
    """(pool, source): other people's words in the vault (the same kind of moment first), else the
    imitation model's writer, else ([], None)."""
    other, owner = ("speech" if kind == "text" else "text"), vault.settings["owner_name"]
    pool = likeness.others_pool(learning.others_words(vault.db, kind, owner=owner)) or \
        likeness.others_pool(learning.others_words(vault.db, other, owner=owner))
    if len(pool) >= likeness.CHOICES - 1:
        return pool, "other people's words in the vault"
    writer = vault.settings["imitation_model"]
    if writer and Path(writer).is_file():
        return imitator(Path(writer), hub, ctx), f"imitations written by {Path(writer).name}"
    return [], None


def imitator(model: Path, hub, ctx: JobContext):
    """Three continuations of an opening written by another model (the likeness test's fallback)."""
    from models.llm import LLM

    llm = LLM(model, threads=hub.threads, n_ctx=1024)

    def write(opening: str) -> list[str]:
        ctx.check()
        ask = [{"role": "user", "content": "Here is the opening of a diary entry:\n\n" + opening
                + "\n\nContinue it with the next three sentences, in the same voice. Write only the continuation."}]
        return [llm.chat(ask, max_tokens=80, temperature=0.9) for _ in range(3)]

    return write


def item_sets(vault: Vault, hub, words: Sequence, ctx: JobContext, *, limit: int) -> ItemSets:
    """Likeness and coherence items from the owner's words (training.OwnerWords), spread over them."""
    # spread over the words, with room for passages too short to split (and coherence's other passages)
    step = max(1, len(words) // (2 * max(limit, likeness.CHOICES)))
    passages = [likeness.Passage(w.text, w.started_at, w.precision) for w in list(words)[::step]]
    coherence = likeness.coherence_items(passages, limit=limit)
    kinds = [w.kind for w in words]
    kind = max(set(kinds), key=kinds.count) if kinds else "text"
    pool, source = distractors(vault, hub, kind, ctx)
    similar = likeness.likeness_items(passages, pool, limit=limit) if source else []
    return ItemSets(similar, coherence, source, "" if source else NO_OTHERS)


def picks(items: Sequence[likeness.Item], base: Path, lora_path: Path | None, owner: str, hub, ctx: JobContext,
          label: str = "choosing") -> list[int]:
    """The index each item's choice the model (base, or base + adapter) finds likeliest."""
    from models import scoring

    if not items:
        return []
    with hub.heavy:
        picked = scoring.llama_choose(
            base, [(likeness.prompt_for(it, owner), it.context, it.choices) for it in items], lora_path=lora_path,
            threads=hub.threads, gpu=hub.device == "cuda",
            progress=lambda d, t: ctx.report(d / t, label, done=d, total=t, message="items"),
            should_stop=lambda: ctx.cancelled)
    ctx.check()
    return picked


def _quote(text: str, *, tail: bool = False) -> str:
    words = text.split()
    if len(words) <= QUOTE_WORDS:
        return " ".join(words)
    return "… " + " ".join(words[-QUOTE_WORDS:]) if tail else " ".join(words[:QUOTE_WORDS]) + " …"


def compare(sets: ItemSets, before: dict[str, list[int]], after: dict[str, list[int]], *,
            before_name: str) -> dict[str, Any]:
    """Figures before and after, and the items the new one gets right that the old one got wrong
    (`before`/`after`: picks per test name, 'likeness' and 'coherence')."""
    out: dict[str, Any] = {"choices": likeness.CHOICES, "choices_before": before_name,
                           "likeness_distractors": sets.source, "likeness_note": sets.note}
    now_right: list[dict[str, Any]] = []
    for test, items in (("likeness", sets.likeness), ("coherence", sets.coherence)):
        b, a = before.get(test) or [], after.get(test) or []
        out[f"{test}_items"] = len(items) if a else 0
        out[f"{test}_previous"] = likeness.accuracy(items, b) if items and b else None
        out[f"{test}_new"] = likeness.accuracy(items, a) if items and a else None
        for it, pb, pa in zip(items, b, a):
            if pa == it.answer and pb != it.answer:
                now_right.append({"test": test, "date": it.date, "opening": _quote(it.context, tail=True),
                                  "real": _quote(it.choices[it.answer]), "chose_before": _quote(it.choices[pb])})
    out["now_right"] = now_right[:5]
    out["now_right_count"] = len(now_right)
    return out


def measure(vault: Vault, hub, base: Path, before: Path | None, after: Path, words: Sequence, ctx: JobContext,
            *, limit: int, before_name: str = "the base model") -> dict[str, Any]:
    """Both tests for the adapter before (None: the base model) and after, on the night's held-out
    words. A failure here never costs the night its adapter: the figures are then missing, with why."""
    owner = vault.settings["owner_name"]
    try:
        sets = item_sets(vault, hub, words, ctx, limit=limit)
        chosen: dict[str, dict[str, list[int]]] = {}
        for name, lora in (("before", before), ("after", after)):
            chosen[name] = {test: picks(items, base, lora, owner, hub, ctx, f"choices: {name}, {test}")
                            for test, items in (("likeness", sets.likeness), ("coherence", sets.coherence))}
        return compare(sets, chosen["before"], chosen["after"], before_name=before_name)
    except (Cancelled, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the gate and promotion go on without these figures
        log.exception("the night's four-way choices failed")
        return {"likeness_note": f"the four-way choices failed ({type(exc).__name__}: {exc}): not measured"}
