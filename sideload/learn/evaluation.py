"""`persona eval --heldout FILE`: how well base and persona predict the owner's own words in a file.

The file goes through the same importer (and, for recordings, the same pipeline) that `import` uses,
but nothing is stored: its owner's words become held-out examples formatted exactly as training
formats them, and both models score them through llama.cpp.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from lifelog_import.timeinfo import iso

from sideload.persona import serving

from sideload.learn import training
from sideload.errors import SideloadError
from sideload.jobs import JobContext
from sideload.store.vault import Vault


def _owner_words_from_file(path: Path, vault: Vault, hub, ctx: JobContext) -> list[training.OwnerWords]:
    from sideload.ingest import pipeline
    from lifelog_import.api import load_importers

    from sideload.ingest.session import importer_for
    from sideload.paths import VaultPaths

    importer = importer_for(load_importers(), path)
    if importer is None:
        raise SideloadError(f"{path} is not a file `import` accepts ({path.suffix or 'no extension'})", kind="input")
    source = importer.read(path, vault.settings)
    words: list[training.OwnerWords] = []
    if source.media_kind == "text":
        last_other = ""
        for e in source.entries:
            if e.speaker in ("me", None):
                words.append(training.OwnerWords(0, "text", e.text, None, iso(e.when, e.precision), e.precision,
                                                 last_other))
                last_other = ""
            else:
                last_other = f"{e.speaker_name or 'Someone'}: \"{e.text.strip()[:300]}\""
        return words
    with tempfile.TemporaryDirectory(prefix="sideload-eval-") as tmp:
        task = pipeline.Task(path, "eval", importer, vault.settings, hub, VaultPaths(Path(tmp)))
        pipeline.run(task, ctx)
    speech = [m for m in task.moments if m.kind == "speech" and m.text.strip()]
    mine = [m for m in speech if m.speaker == "me"] or speech
    return [training.OwnerWords(0, "speech", m.text, None, m.started_at, "second", "") for m in mine]


def _spread(items: list, budget_tokens: int) -> list:
    """Items spread evenly over the file until the token budget: the whole year, not its first week."""
    total = sum(w.tokens for w in items)
    if total <= budget_tokens:
        return items
    stride = total / budget_tokens
    out, acc, next_at = [], 0.0, 0.0
    for w in items:
        if acc >= next_at:
            out.append(w)
            next_at += stride * w.tokens
        acc += w.tokens
    return out


def evaluate(vault: Vault, hub, path: Path, ctx: JobContext, *, max_tokens: int = 20_000) -> dict[str, Any]:
    from models import scoring

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise SideloadError(f"no such file: {path}", kind="input")
    everything = _owner_words_from_file(path, vault, hub, ctx)
    words = _spread(everything, max_tokens)
    owner = vault.settings["owner_name"]
    examples = [ex for w in words for ex in training.to_examples(w, owner)]
    if not examples:
        raise SideloadError(f"{path.name} holds none of the owner's own words to score", kind="input")
    base = serving.base_model_path(vault.settings)
    lora_path = serving.served_gguf(vault, base)
    served = serving.served(vault.db)
    out: dict[str, Any] = {"file": str(path)}
    for i, (name, lp) in enumerate((("base", None), ("persona", lora_path))):
        if name == "persona" and lp is None:
            out["persona"] = {"perplexity": out["base"]["perplexity"], "adapter_id": None,
                              "note": "no adapter serves yet: the persona is the base model"}
            continue
        ctx.report(i / 2, "scoring", name, force=True)
        with hub.heavy:
            ppl, n = scoring.llama_perplexity(
                base, examples, lora_path=lp, threads=hub.threads, gpu=hub.device == "cuda",
                progress=lambda d, t, _i=i: ctx.report((_i + d / t) / 2, "scoring", name, done=d, total=t,
                                                        message="examples"),
                should_stop=lambda: ctx.cancelled)
        ctx.check()
        out[name] = {"perplexity": round(ppl, 3)}
        out["tokens"] = n
    out["persona"].setdefault("adapter_id", served and served["adapter_id"])
    out["reduction"] = round(1 - out["persona"]["perplexity"] / out["base"]["perplexity"], 4)
    out["base_model"] = base.name
    ctx.check()
    # the choices cost about as much again as perplexity: as many items as the token budget allows
    _four_way(out, vault, hub, everything, base, lora_path, ctx, limit=max(8, min(80, max_tokens // 250)))
    return out


def _four_way(out: dict, vault: Vault, hub, words: list, base: Path, lora_path: Path | None,
              ctx: JobContext, limit: int = 80) -> None:
    """Likeness and coherence beside perplexity, for base and persona, on the same held-out words."""
    from sideload.learn import likeness, night_choices

    sets = night_choices.item_sets(vault, hub, words, ctx, limit=limit)
    out["choices"] = likeness.CHOICES
    out["items"] = len(sets.likeness)
    out["coherence_items"] = len(sets.coherence)
    out["likeness_distractors"] = sets.source
    if sets.note:
        out["likeness_note"] = sets.note
    for name, lp in (("base", None), ("persona", lora_path)):
        if name == "persona" and lp is None:
            for key in ("choice_accuracy", "coherence_accuracy"):
                out["persona"][key] = out["base"].get(key)
            continue
        for key, items in (("choice_accuracy", sets.likeness), ("coherence_accuracy", sets.coherence)):
            out[name][key] = choose(items, base, lp, vault.settings["owner_name"], hub, ctx, f"{name} {key}")


def choose(items: list, base: Path, lora_path: Path | None, owner: str, hub, ctx: JobContext,
           label: str = "choosing") -> float | None:
    """The share of items where the model (base, or base + adapter) picks the real continuation."""
    from sideload.learn import likeness, night_choices

    if not items:
        return None
    return likeness.accuracy(items, night_choices.picks(items, base, lora_path, owner, hub, ctx, label))


def choose_file(vault: Vault, hub, items_path: Path, ctx: JobContext) -> dict[str, Any]:
    """`persona choose --items FILE.jsonl`: an external four-way set scored by base and persona."""
    from sideload.learn import likeness

    items = likeness.read_items(items_path)
    base = serving.base_model_path(vault.settings)
    lora_path = serving.served_gguf(vault, base)
    out: dict[str, Any] = {"file": str(Path(items_path).resolve()), "choices": max(len(i.choices) for i in items),
                           "items": len(items), "base_model": base.name}
    for name, lp in (("base", None), ("persona", lora_path)):
        if name == "persona" and lp is None:
            out["persona"] = {**out["base"], "adapter_id": None, "note": "no adapter serves yet: the persona is the base model"}
            continue
        out[name] = {"choice_accuracy": choose(items, base, lp, vault.settings["owner_name"], hub, ctx, name)}
    served = serving.served(vault.db)
    out["persona"].setdefault("adapter_id", served and served["adapter_id"])
    return out
