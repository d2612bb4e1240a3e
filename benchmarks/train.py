"""Training benchmark: LoRA training speed of the persona adapter with the default model, peak memory,
and the projected time of one night of 200,000 new tokens, on the owner's words from Pepys' diary.

Target on 2 cores with the default model (SmolLM2-135M): a night of 200,000 tokens in 30 minutes or less.
Side by side: the default configuration (adapters on every layer) and adapters on the top half only
(the backward pass stops halfway down), each from the same dequantised base.

    .venv/bin/python benchmarks/train.py [--tokens 6000] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NIGHT_TOKENS = 200_000
TARGET_MIN = 30.0
DIARY = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "diary" / "pepys_1660.jsonl"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=int, default=6000, help="tokens to train per configuration")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    import torch

    from models import lora
    from models.llm import bundled_llm_path
    from sideload.paths import base_model_cache_dir
    from sideload.learn.training import OwnerWords, to_examples

    torch.set_num_threads(args.threads)
    entries = [json.loads(line) for line in DIARY.read_text(encoding="utf-8").splitlines()]
    words = [OwnerWords(0, "text", e["text"], None, e["date"], "day", "") for e in entries]
    examples = [ex for w in words for ex in to_examples(w, "Samuel Pepys")]
    t0 = time.perf_counter()
    lora.load_base(bundled_llm_path(), base_model_cache_dir())  # the once-per-machine dequantisation
    first_load = time.perf_counter() - t0
    rows = []
    for label, layers_from in (("default: every layer", 0.0), ("top half of the layers", 0.5)):
        t0 = time.perf_counter()
        model, tok = lora.load_base(bundled_llm_path(), base_model_cache_dir())
        load_s = time.perf_counter() - t0
        cfg = lora.TrainConfig(token_budget=args.tokens, layers_from=layers_from)
        pm = lora.attach_lora(model, cfg)
        res = lora.train(pm, tok, examples, cfg)
        night_min = NIGHT_TOKENS / res.tokens_per_s / 60
        rows.append((label, res.tokens_per_s, load_s, night_min, res.final_loss))
        del pm, model
    peak = rss_mb()
    print(f"\nLoRA training, SmolLM2-135M, {args.threads} threads, {args.tokens:,} tokens per configuration")
    print(f"first load (dequantise the GGUF once, cached after): {first_load:.1f} s; peak RSS {peak:,.0f} MB\n")
    print(f"| configuration | tokens/s | load s | minutes for {NIGHT_TOKENS:,} tokens | target | final loss |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, tps, load_s, night_min, loss in rows:
        verdict = "met" if night_min <= TARGET_MIN else "NOT met"
        print(f"| {label} | {tps:.0f} | {load_s:.1f} | {night_min:.1f} | <= {TARGET_MIN:.0f} ({verdict}) | {loss:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
