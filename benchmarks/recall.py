"""Recall on a real life: does the persona find and state facts of Samuel Pepys's life, 1660-1666?

The diary (../shared/data/diary, 2,533 entries) is imported as the owner's own writing. The questions
(benchmarks/recall_questions.json) were written by reading the diary, in a relative's words, each with
the words a right answer must hold and the entries that answer it; three ask about things the diary
never mentions. Printed, in one run:

  retrieval  the share of questions whose answering entry is among the top 5 results
  answer     the share of answers that hold the fact (and of unanswerable ones that say so)

for the full persona (hybrid search with passages, its relevance gate, its answer) beside the
baseline the issue names: dense search over whole entries, answering with the top entry's best
sentence. Targets: answer 85 %, retrieval 90 %.

    python benchmarks/recall.py [--keep DIR] [--years 1660-1666] [--questions dev] [--show-misses]

`--questions dev` runs the development set (benchmarks/recall_dev_questions.json: 60 other
questions, about other entries, written by another hand): ranking weights are chosen on it, and the
test set above stays unseen by the tuning.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIARY = ROOT.parent / "shared" / "data" / "diary"
QUESTIONS = {"test": Path(__file__).with_name("recall_questions.json"),
             "dev": Path(__file__).with_name("recall_dev_questions.json")}


def holds(answer: str, must: list) -> bool:
    text = answer.lower()
    return all(any(a.lower() in text for a in (m if isinstance(m, list) else [m])) for m in must)


def entry_dates(years: range) -> dict[str, str]:
    """Diary entry id -> its date, as the moments carry it (the day as Pepys dated it)."""
    from lifelog_import.writing import written_date

    out = {}
    for y in years:
        for line in (DIARY / f"pepys_{y}.jsonl").read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            written = written_date(e)
            out[e["id"]] = written[0].date().isoformat() if written else e["date"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="keep (and reuse) the imported vault here")
    ap.add_argument("--years", default="1660-1666")
    ap.add_argument("--questions", choices=sorted(QUESTIONS), default="test")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    from sideload.context import AppContext
    from sideload.jobs import JobContext
    from sideload.persona.phrasing import excerpt
    from sideload.recall.search import Searcher, build_request, keyword_terms

    a, b = (int(x) for x in args.years.split("-"))
    years = range(a, b + 1)
    work = args.keep or Path(tempfile.mkdtemp(prefix="sideload-recall-"))
    vault_dir = work / "vault"
    context = AppContext(vault_dir)
    if not vault_dir.exists():
        t = time.perf_counter()
        with context.init() as v:
            v.settings.set("owner_name", "Samuel Pepys")
            v.settings.save()
            res = context.import_session(v, JobContext()).run([DIARY / f"pepys_{y}.jsonl" for y in years])
        print(f"imported {res.moments} entries in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    dates = entry_dates(years)
    questions = [q for q in json.loads(QUESTIONS[args.questions].read_text()) if all(e in dates for e in q["entries"])]
    found = defaultdict(int)
    answered = defaultdict(int)
    misses: list[str] = []
    times = []
    with context.open() as vault:
        persona = context.persona(vault)
        full = persona.searcher
        whole = Searcher(vault.db, full.embedder, full.index, full.vectors)  # no passages: whole entries
        days = [d for d, _ in vault.days()]
        persona.ask("warm up")
        for q in questions:
            want = {dates[e] for e in q["entries"]}
            # retrieval: is an answering entry among the top 5?
            top = full.search(build_request(days, persona.plan(q["q"]).query, limit=5))
            base = whole.search(build_request(days, q["q"], limit=5, mode="dense"))
            if q["answerable"]:
                found["persona"] += any((r["started_at"] or "")[:10] in want for r in top)
                found["baseline"] += any((r["started_at"] or "")[:10] in want for r in base)
            # the answer
            t = time.perf_counter()
            ans = persona.ask(q["q"])
            times.append(time.perf_counter() - t)
            base_answer = excerpt(base[0]["text"], keyword_terms(q["q"])) if base else "I don't remember."
            if q["answerable"]:
                ok_p, ok_b = holds(ans.text, q["must"]), holds(base_answer, q["must"])
            else:
                ok_p = not ans.remembered
                ok_b = not base  # dense search always returns something: the baseline never says no
            answered["persona"] += ok_p
            answered["baseline"] += ok_b
            if not ok_p:
                misses.append(f"- {q['q']}\n    must {q['must']} in {sorted(want)}\n    got: "
                              + ans.text.replace("\n", " ")[:300])
    n_ans = sum(1 for q in questions if q["answerable"])
    n = len(questions)
    print(f"\nRecall on Pepys's diary {args.years}, {args.questions} set: {n} questions ({n_ans} answerable, {n - n_ans} not), "
          f"{vault_dir}\n")
    print(f"{'':<34}{'answering entry in top 5':>26}{'answer holds the fact':>24}")
    for name, label in (("persona", "persona (hybrid + passages)"), ("baseline", "baseline (dense, whole entries)")):
        print(f"{label:<34}{found[name] / n_ans * 100:>24.1f} %{answered[name] / n * 100:>22.1f} %")
    print(f"{'target':<34}{90:>24.1f} %{85:>22.1f} %")
    times.sort()
    print(f"\nanswer time: median {times[len(times) // 2]:.2f} s, p90 {times[int(len(times) * 0.9)]:.2f} s")
    if args.show_misses and misses:
        print("\nmissed:\n" + "\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
