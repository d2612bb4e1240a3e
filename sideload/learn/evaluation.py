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
    words = _spread(_owner_words_from_file(path, vault, hub, ctx), max_tokens)
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
    return out
