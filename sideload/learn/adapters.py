"""The persona's adapters: train one, score it, and promote it only when it beats the one serving.

An adapter is written under a temporary name and renamed into place, and its catalogue row, its
sources and the switch of the served version commit in one transaction, so a kill at any moment
leaves the previous adapter serving. A candidate that loses is kept (unserved) with its figures.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sideload.learn import night_choices, training
from sideload.jobs import JobContext
from sideload.paths import base_model_cache_dir
from sideload.persona.serving import base_checksum, base_model_path, served
from sideload.store import learning
from sideload.store.vault import Vault

log = logging.getLogger(__name__)


def seen_rids(db, adapter_id: int | None) -> set[int]:
    if adapter_id is None:
        return set()
    return learning.adapter_sources(db, adapter_id)


@dataclass
class Outcome:
    promoted: bool
    adapter_id: int | None
    figures: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"promoted": self.promoted, "adapter_id": self.adapter_id, "reason": self.reason, **self.figures}


def clean_partials(vault: Vault) -> None:
    """What a killed training left behind: temporary files that never became an adapter."""
    for p in vault.paths.adapters_dir.glob("*.partial"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def train_here(vault: Vault, hub, ctx: JobContext, train: list, cfg, previous_peft, gguf_path, peft_dir,
               candidate_hook=None):
    """The night's LoRA training on this machine (the GPU when the hub has one): writes the candidate's
    GGUF adapter and peft folder and returns the lora.TrainResult."""
    from models import lora

    base = base_model_path(vault.settings)
    ctx.report(0.02, "train", "loading the model", force=True)
    hub.torch_threads()
    with hub.heavy:
        model, tok = lora.load_base(base, base_model_cache_dir(), device=hub.torch_device,
                                    checksum=base_checksum(base))
        peft_model = lora.attach_lora(model, cfg, previous_peft)
        result = lora.train(peft_model, tok, train, cfg,
                            progress=lambda done, total: ctx.report(0.05 + 0.75 * done / total, "train",
                                                                    f"{done:,} of {total:,} tokens"),
                            should_stop=lambda: ctx.cancelled)
        ctx.check()
        if candidate_hook:
            candidate_hook(peft_model)
        lora.export_gguf(peft_model, gguf_path)
        lora.save_peft(peft_model, peft_dir)
        del peft_model, model
    return result


def train_and_gate(vault: Vault, hub, ctx: JobContext, *, token_budget: int | None = None,
                   candidate_hook=None, trainer=None) -> Outcome:
    """Build the set, train (continuing from the served adapter), score, and promote or keep aside.

    `candidate_hook(peft_model)` lets a test damage the candidate before it is scored. `trainer`, with
    train_here's arguments, stands in for it: a benchmark brings in a candidate trained on another
    machine from the very same set and configuration, and it is gated and stored like any night's.
    """
    from models import lora, scoring

    s = vault.settings
    base = base_model_path(s)
    current = served(vault.db)
    # after a forget, start from scratch rather than from weights that once saw what was forgotten
    retrain = learning.retrain_from_scratch_requested(vault.db)
    parent = None if retrain else current
    tset = training.build(vault.db, owner=s["owner_name"], seen=seen_rids(vault.db, parent and parent["adapter_id"]),
                          token_budget=int(token_budget or s["train_token_budget"]),
                          replay_share=float(s["train_replay_share"]), heldout_tokens=int(s["heldout_tokens"]),
                          include_private=bool(s["train_on_private"]))
    figures: dict[str, Any] = {"set": tset.summary()}
    if not tset.heldout or not tset.train:
        return Outcome(False, None, figures, "not enough of the owner's own words yet")
    if parent and tset.new_tokens == 0:
        return Outcome(False, None, figures, "nothing new since the served adapter")
    cfg = lora.TrainConfig(rank=int(s["train_rank"]), alpha=2.0 * int(s["train_rank"]),
                           lr=float(s["train_learning_rate"]), token_budget=int(token_budget or s["train_token_budget"]))
    previous_peft = vault.paths.adapters_dir / parent["peft_dir"] if parent and parent["peft_dir"] else None
    next_id = learning.next_adapter_id(vault.db)
    gguf_path = vault.paths.adapter_gguf(next_id)
    peft_dir = vault.paths.adapter_peft(next_id)
    result = (trainer or train_here)(vault, hub, ctx, tset.train, cfg, previous_peft, gguf_path, peft_dir,
                                     candidate_hook)
    figures.update(train_tokens=result.tokens, train_seconds=round(result.seconds, 1),
                   tokens_per_s=round(result.tokens_per_s, 1), final_loss=round(result.final_loss, 3))
    # Score base, previous and candidate on the same held-out words, through llama.cpp.
    scores = {}
    steps = [("base", None), ("previous", vault.paths.adapters_dir / current["gguf_file"] if current else None),
             ("new", gguf_path)]
    for i, (name, path) in enumerate(steps):
        if name == "previous" and path is None:
            continue
        ctx.report(0.8 + 0.06 * i, "evaluate", name, force=True)
        with hub.heavy:
            ppl, n = scoring.llama_perplexity(base, tset.heldout, lora_path=path, threads=hub.threads,
                                              gpu=hub.device == "cuda", should_stop=lambda: ctx.cancelled)
        ctx.check()
        scores[name] = ppl
        figures["heldout_tokens"] = n
    bar_name = "previous" if "previous" in scores else "base"
    promoted = scores["new"] < scores[bar_name]
    reason = (f"held-out perplexity {scores['new']:.2f} beats the {bar_name} {scores[bar_name]:.2f}" if promoted else
              f"held-out perplexity {scores['new']:.2f} does not beat the {bar_name} {scores[bar_name]:.2f}; kept unserved")
    figures.update(ppl_base=round(scores["base"], 3), ppl_previous=round(scores.get("previous", scores["base"]), 3),
                   ppl_new=round(scores["new"], 3))
    # likeness and coherence before and after, on a few of the same held-out words (reported, not gating)
    ctx.report(0.97, "evaluate", "four-way choices", force=True)
    figures.update(night_choices.measure(
        vault, hub, base, steps[1][1], gguf_path, tset.heldout_words, ctx,
        limit=night_choices.night_items(int(s["heldout_tokens"])),
        before_name=f"adapter v{current['adapter_id']}" if current else "the base model"))
    now = datetime.now().isoformat(timespec="seconds")
    row = dict(adapter_id=next_id, created_at=now, status="served" if promoted else "rejected",
               parent_id=parent and parent["adapter_id"], base_name=base.name, base_sha256=base_checksum(base),
               gguf_file=gguf_path.name, peft_dir=peft_dir.name, train_tokens=result.tokens,
               train_seconds=result.seconds, examples=len(tset.train), heldout_tokens=figures["heldout_tokens"],
               ppl_base=scores["base"], ppl_previous=scores.get("previous"), ppl_new=scores["new"], note=reason,
               **{c: figures.get(c) for c in learning.CHOICE_COLUMNS})
    # status, figures and sources commit together: a kill before the commit leaves the previous adapter serving
    with vault.transaction() as tx:
        if promoted:
            learning.retire_served(tx)
        learning.record_adapter(tx, row)
        # what the adapter learnt from: its own set plus everything its parent had learnt from
        learning.add_adapter_sources(tx, next_id, tset.sources)
        if promoted:
            learning.clear_retrain_from_scratch(tx)
        if parent:
            learning.inherit_adapter_sources(tx, next_id, parent["adapter_id"])
    ctx.report(1.0, "evaluate", "promoted" if promoted else "kept unserved", force=True)
    return Outcome(promoted, next_id, figures, reason)


