"""Chat benchmark: time to first token (retrieval included) and generation speed of the persona
with the default model, on the demo vault, models loaded as in the running app.

Target on 2 cores: first token within 1.5 s.

    .venv/bin/python benchmarks/chat.py [--vault DIR]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = ["where did I put my passport?", "what did the dentist say about my tooth?",
             "when does Maria want the budget numbers?", "what are we doing on Saturday?",
             "which bus do I take?", "what did I buy at the bakery?"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vault", type=Path, help="an existing vault (default: build the demo vault)")
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    from sideload import paths
    from sideload.context import AppContext
    from sideload.demo.tour import build_demo_vault

    vault_dir = args.vault
    if vault_dir is None:
        vault_dir = paths.demo_vault_dir()
        if not vault_dir.exists():
            from sideload.jobs import JobContext

            build_demo_vault(vault_dir, paths.demo_day_dir(), lambda fn: fn(JobContext()))
    context = AppContext(vault_dir)
    with context.open() as vault:
        persona = context.persona(vault)
        t = time.perf_counter()
        persona.ask("warm up: what happened today?")
        print(f"models loaded and warmed in {time.perf_counter() - t:.1f} s (once per app start)", file=sys.stderr)
        ttft, recall, rates = [], [], []
        for q in QUESTIONS:
            marks: list[float] = []
            t0 = time.perf_counter()
            t = time.perf_counter()
            persona.recall(q)
            recall.append(time.perf_counter() - t)
            t0 = time.perf_counter()
            answer = persona.ask(q, on_token=lambda piece: marks.append(time.perf_counter()))
            if marks:
                ttft.append(marks[0] - t0)
            if answer.remembered and len(marks) > 3:
                gen_tokens = len(marks) - 2  # the quoted evidence arrives as one last piece
                rates.append(gen_tokens / max(marks[-2] - marks[0], 1e-6))
        print(f"\nChat benchmark: {len(QUESTIONS)} questions, model {context.hub(vault.settings).llm.name}, {os.cpu_count()} cores\n")
        print(f"{'':<34}{'p50':>8}{'max':>8}")
        print(f"{'time to first token (s)':<34}{np.median(ttft):>8.2f}{max(ttft):>8.2f}   target <= 1.5 s")
        print(f"{'  of which retrieval (s)':<34}{np.median(recall):>8.2f}{max(recall):>8.2f}")
        print(f"{'generation (tokens/s)':<34}{np.median(rates):>8.1f}{min(rates):>8.1f}   (min, not max)")
        print(f"\nfirst token within 1.5 s: {'met' if max(ttft) <= 1.5 else 'NOT met'} (worst {max(ttft):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
