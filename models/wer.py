"""Word error rate, the one measure of transcripts used by the tests and the benchmarks alike."""
from __future__ import annotations

import re


def words(text: str) -> list[str]:
    """Lower case, hyphens as spaces, punctuation and apostrophes gone ("don't" and "dont" agree)."""
    text = text.lower().replace("-", " ")
    return re.sub(r"[^\w\s']", " ", text).replace("'", "").split()


def wer(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in the reference (Levenshtein over words)."""
    ref, hyp = words(reference), words(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))
