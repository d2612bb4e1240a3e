"""Behaviour prediction benchmark: a generated lifelog with routines (and noise: a day starts up
to 1.5 h early or late as a whole, 8 % of routine events are skipped, 12 % replaced by something
else), its last days held out; prints top-1 and top-3 accuracy of `sideload predict` beside two baselines in the same
run: the most frequent activity, and the most frequent activity at that hour of that weekday.
Target: top-3 error at most half the better baseline's.

    .venv/bin/python benchmarks/predict.py [--days 70] [--holdout 14]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TEXTS = {
    "meal": ["Breakfast at home, eggs and coffee.", "Lunch with the team at the cafe.", "Cooked dinner for us.",
             "Ate a quick supper."],
    "travel": ["Took the bus into town.", "On the train, reading emails.", "Drove to the station.", "Taxi home."],
    "work": ["Long meeting about the budget.", "At my desk finishing the report.", "Client call at the office.",
             "Project review with a colleague."],
    "exercise": ["Went to the gym for a workout.", "Played tennis in the park.", "Went running by the river.",
                 "Yoga class."],
    "shopping": ["Bought groceries at the market.", "Went to the shop for bread.", "Shopping for shoes."],
    "reading": ["Read a book before bed.", "Reading the newspaper.", "Picked up books from the library."],
    "sleep": ["Off to bed.", "Tired, went to sleep early.", "Slept badly."],
    "walk": ["A long walk in the park.", "Walked the dog.", "Evening stroll."],
    "social": ["Friends came over.", "Visited my sister.", "Drinks at the pub with friends."],
    "music": ["Played the piano for an hour.", "Went to a concert.", "Practised the violin."],
    "chores": ["Cleaning the flat.", "Did the laundry.", "Worked in the garden."],
}
WEEKDAY = [(7.0, "meal"), (8.0, "travel"), (9.5, "work"), (12.5, "meal"), (14.0, "work"), (17.5, "travel"),
           (18.5, None), (19.8, "meal"), (21.0, "reading"), (23.0, "sleep")]
WEEKEND = [(9.0, "meal"), (10.5, None), (12.8, "meal"), (14.5, "social"), (17.0, "chores"), (19.5, "meal"),
           (21.0, "music"), (23.5, "sleep")]


def generate(days: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 5)  # a Monday
    lines = []
    for d in range(days):
        day = start + timedelta(days=d)
        plan = WEEKEND if day.weekday() >= 5 else WEEKDAY
        shift = rng.uniform(-1.5, 1.5)  # a whole day runs early or late: the order holds, the clock does not
        for hour, act in plan:
            if act is None:  # the evening slot depends on the day
                act = {0: "exercise", 2: "exercise", 4: "exercise", 1: "shopping", 3: "shopping",
                       5: "exercise", 6: "walk"}[day.weekday()]
            if rng.random() < 0.08:
                continue  # a routine skipped
            if rng.random() < 0.12:
                act = rng.choice(sorted(TEXTS))  # and some days are different
            when = day + timedelta(hours=hour + shift + rng.uniform(-0.4, 0.4))
            lines.append({"datetime": when.isoformat(timespec="seconds"), "text": rng.choice(TEXTS[act]), "_act": act})
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=70)
    ap.add_argument("--holdout", type=int, default=14)
    args = ap.parse_args()
    os.environ.setdefault("SIDELOAD_HOME", tempfile.mkdtemp(prefix="sideload-bench-home-"))
    from sideload.context import AppContext
    from sideload.jobs import JobContext
    from sideload.persona.predict import Predictor, events_from_vault

    work = Path(tempfile.mkdtemp(prefix="sideload-predict-"))
    try:
        lines = generate(args.days)
        diary = work / "routine.jsonl"
        diary.write_text("\n".join(json.dumps({k: v for k, v in l.items() if k != "_act"}) for l in lines) + "\n")
        context = AppContext(work / "vault")
        with context.init() as vault:
            context.import_session(vault, JobContext()).run([diary])
            events = events_from_vault(vault.db)
        cutoff = events[-1].when.replace(hour=0, minute=0, second=0) - timedelta(days=args.holdout - 1)
        train = [e for e in events if e.when < cutoff]
        test_idx = [i for i, e in enumerate(events) if e.when >= cutoff]
        model = Predictor(train)
        overall = [a for a, _ in Counter(e.activity for e in train).most_common()]
        by_slot: dict[tuple, Counter] = defaultdict(Counter)
        for e in train:
            by_slot[(e.when.weekday(), e.when.hour)][e.activity] += 1
        hits = {"ours": [0, 0], "most frequent": [0, 0], "most frequent at that hour and weekday": [0, 0]}
        for i in test_idx:
            e, prev = events[i], events[i - 1].activity
            ours = [p.activity for p in model.predict(e.when, prev, top=3)]
            slot = [a for a, _ in by_slot[(e.when.weekday(), e.when.hour)].most_common(3)]
            slot += [a for a in overall if a not in slot][: 3 - len(slot)]
            for name, ranked in (("ours", ours), ("most frequent", overall[:3]),
                                 ("most frequent at that hour and weekday", slot)):
                hits[name][0] += ranked[:1] == [e.activity]
                hits[name][1] += e.activity in ranked[:3]
        n = len(test_idx)
        print(f"\nPrediction benchmark: {args.days} days of routines with noise, last {args.holdout} held out "
              f"({n} events; trained on {len(train)})\n")
        print(f"{'predictor':<42}{'top-1':>8}{'top-3':>8}{'top-3 error':>13}")
        for name, (h1, h3) in hits.items():
            print(f"{name:<42}{h1 / n:>8.2f}{h3 / n:>8.2f}{1 - h3 / n:>13.2f}")
        best_base = min(1 - hits[k][1] / n for k in hits if k != "ours")
        ours_err = 1 - hits["ours"][1] / n
        print(f"\ntarget: top-3 error <= half the better baseline's ({best_base / 2:.2f}): "
              f"{'met' if ours_err <= best_base / 2 else 'NOT met'} (ours {ours_err:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
